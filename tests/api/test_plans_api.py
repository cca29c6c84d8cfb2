"""Plans over the API: ETags, validation, idempotency, submission, review, comments."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import ParseError

from core.api.rendering import StrictJSONParser
from core.models import IdempotencyKey
from plans import services
from plans.enums import PlanStatus
from plans.models import CapabilityLine, Comment, Partnership, Plan, PlanVersion
from tests.factories import valid_content


def detail_url(plan) -> str:
    return f"/api/v1/plans/{plan.pk}/"


def line(**overrides) -> dict:
    return {
        "category": "ammunition",
        "item": "155 mm shells",
        "unit": "rounds",
        "baseline_capacity": "1000.00",
        "target_capacity": "5000.00",
        "target_year": 2030,
        **overrides,
    }


# ETag and If-Match ------------------------------------------------------------------------------


def test_read_answers_etag_of_the_revision(alice_key, draft):
    response = alice_key.get(detail_url(draft))
    assert (response["ETag"], response.json()["etag"]) == (f'"{draft.pk}-1"', f'"{draft.pk}-1"')


def test_patch_without_if_match_is_428_and_changes_nothing(alice_key, draft):
    response = alice_key.patch(detail_url(draft), {"summary": "New"}, format="json")
    draft.refresh_from_db()
    assert (response.status_code, response.json()["code"], draft.summary) == (
        428,
        "precondition_required",
        "More shells and interceptors.",
    )


def test_patch_with_stale_etag_is_412(alice_key, draft):
    first = alice_key.patch(detail_url(draft), {"summary": "First"}, format="json", HTTP_IF_MATCH=draft.etag)
    second = alice_key.patch(detail_url(draft), {"summary": "Second"}, format="json", HTTP_IF_MATCH=draft.etag)
    draft.refresh_from_db()
    assert (first.status_code, second.status_code, second.json()["code"], draft.summary) == (
        200,
        412,
        "stale",
        "First",
    )
    assert first["ETag"] == f'"{draft.pk}-2"'


@pytest.mark.parametrize("if_match", ['"999-1"', "garbage", '"1-99999999999999999999"', '"x-"'])
def test_if_match_for_another_plan_or_malformed_is_412(alice_key, draft, if_match):
    response = alice_key.patch(detail_url(draft), {"summary": "New"}, format="json", HTTP_IF_MATCH=if_match)
    assert response.status_code == 412


def test_weak_etag_and_star_are_accepted(alice_key, draft):
    weak = alice_key.patch(detail_url(draft), {"summary": "Weak"}, format="json", HTTP_IF_MATCH=f"W/{draft.etag}")
    star = alice_key.patch(detail_url(draft), {"summary": "Star"}, format="json", HTTP_IF_MATCH="*")
    assert (weak.status_code, star.status_code, star.json()["summary"], star.json()["revision"]) == (
        200,
        200,
        "Star",
        3,
    )


def test_patch_given_lines_replace_the_whole_list(alice_key, draft):
    response = alice_key.patch(
        detail_url(draft),
        {"lines": [line(item="Stinger interceptors", category="air_missile_defence")]},
        format="json",
        HTTP_IF_MATCH=draft.etag,
    )
    body = response.json()
    assert [(row["item"], row["category"]) for row in body["lines"]] == [
        ("Stinger interceptors", "air_missile_defence")
    ]
    assert body["partnerships"][0]["partner_members"] == ["LV"]  # untouched


def test_put_leaves_out_keys_as_defaults(alice_key, draft):
    response = alice_key.put(detail_url(draft), {"currency": "EUR"}, format="json", HTTP_IF_MATCH=draft.etag)
    body = response.json()
    assert (body["gdp"], body["lines"], body["partnerships"], body["summary"]) == (None, [], [], "")


def test_editing_a_submitted_plan_is_409(alice_key, submitted):
    response = alice_key.patch(detail_url(submitted), {"summary": "Late edit"}, format="json", HTTP_IF_MATCH="*")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")


# Validation -------------------------------------------------------------------------------------


def test_plan_rule_errors_come_per_field_path(alice_key, draft):
    response = alice_key.patch(
        detail_url(draft),
        {"lines": [line(), line(baseline_capacity="-5.00")], "equipment_expenditure": "2000000.00"},
        format="json",
        HTTP_IF_MATCH=draft.etag,
    )
    body = response.json()
    assert response.status_code == 400
    assert body["errors"]["lines[1].baseline_capacity"] == ["Must not be negative."]
    assert list(body["errors"]) == ["defence_expenditure", "lines[1].baseline_capacity"]
    assert Plan.objects.get(pk=draft.pk).revision == 1


def test_warnings_come_with_the_saved_plan(alice_key, draft):
    response = alice_key.patch(
        detail_url(draft), {"lines": [line(target_capacity="10.00")]}, format="json", HTTP_IF_MATCH=draft.etag
    )
    assert response.status_code == 200
    assert [(w["field"], w["code"]) for w in response.json()["warnings"]] == [
        ("lines[0].target_capacity", "below_baseline")
    ]
    assert alice_key.get(detail_url(draft)).json()["warnings"] == response.json()["warnings"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gdp": "1" * 30}, "gdp"),
        ({"gdp": 1e300}, "gdp"),
        ({"gdp": "NaN"}, "gdp"),
        ({"gdp": [1]}, "gdp"),
        ({"currency": None}, "currency"),
        ({"military_personnel": 10**40}, "military_personnel"),
        ({"military_personnel": "many"}, "military_personnel"),
        ({"nil_return": None}, "nil_return"),
        ({"lines": "none"}, "lines"),
        ({"lines": [line(category="lasers")]}, "lines[0].category"),
        ({"lines": [line(target_year=99999)]}, "lines[0].target_year"),
        ({"lines": [line(item="x" * 201)]}, "lines[0].item"),
        ({"lines": [line(item="bad\x00byte")]}, "lines[0].item"),
        ({"lines": [{}]}, "lines[0].baseline_capacity"),
        ({"lines": [line(unit="shells")]}, "lines[0].unit"),
        ({"lines": [line(item_code="x" * 41)]}, "lines[0].item_code"),
        ({"lines": [line(key="not-a-uuid")]}, "lines[0].key"),
        ({"partnerships": [{"kind": "ally", "partner_name": "X", "partner_members": ["ZZ"]}]}, None),
        ({"defence_expenditur": "1.00"}, "defence_expenditur"),
    ],
)
def test_bad_values_get_400_naming_the_field(alice_key, draft, body, field):
    response = alice_key.patch(detail_url(draft), body, format="json", HTTP_IF_MATCH=draft.etag)
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert (field or "partnerships[0].partner_members") in errors
    assert Plan.objects.get(pk=draft.pk).revision == 1


def test_non_ascii_text_is_kept(alice_key, draft):
    response = alice_key.patch(
        detail_url(draft), {"summary": "Šaudmenys — 弾薬 ✓"}, format="json", HTTP_IF_MATCH=draft.etag
    )
    assert response.json()["summary"] == "Šaudmenys — 弾薬 ✓"


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ('{"summary": "Šaudmenys ✓"}'.encode(), {"summary": "Šaudmenys ✓"}),
        (b'{"summary": "caf\\u00e9 \\ud83d\\ude00"}', {"summary": "café 😀"}),
        (b'{"summary": "a\\\\ud800"}', {"summary": "a\\ud800"}),  # an escaped backslash, no escape
        (b'{"\\udfff": 1}', None),
        (b'["\\ud800"]', None),
    ],
)
def test_only_lone_surrogates_are_refused_by_the_parser(raw, parsed):
    if parsed is None:
        with pytest.raises(ParseError):
            StrictJSONParser().parse(io.BytesIO(raw))
    else:
        assert StrictJSONParser().parse(io.BytesIO(raw)) == parsed


def test_json_numbers_are_parsed_as_exact_decimals():
    # Money must never pass through a float (SQLite would not show the difference on storage).
    raw = b'{"gdp": 123456789012345678.91, "lines": [{"target_capacity": 0.1}]}'
    data = StrictJSONParser().parse(io.BytesIO(raw))
    assert data == {"gdp": Decimal("123456789012345678.91"), "lines": [{"target_capacity": Decimal("0.1")}]}


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b'{"summary": ', "application/json", 400, "parse_error"),
        (b'{"summary": "\\ud800"}', "application/json", 400, "parse_error"),
        (b'{"gdp": NaN}', "application/json", 400, "parse_error"),
        (b"\xff\xfe", "application/json", 400, "parse_error"),
        (b"[1, 2]", "application/json", 400, "invalid"),
        (b"summary=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"<plan/>", "application/xml", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies(alice_key, draft, raw, content_type, status, code):
    response = alice_key.generic("PATCH", detail_url(draft), raw, content_type=content_type, HTTP_IF_MATCH=draft.etag)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_body_over_the_limit_is_413(alice_key, draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = alice_key.patch(detail_url(draft), {"summary": "x" * 2000}, format="json", HTTP_IF_MATCH=draft.etag)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")


# Create -----------------------------------------------------------------------------------------


def test_create_for_an_unknown_cycle_names_the_field(alice_key, cycle):
    response = alice_key.post("/api/v1/plans/", {"cycle": 2031}, format="json")
    assert (response.status_code, response.json()["errors"]) == (400, {"cycle": ["There is no cycle for 2031."]})


def test_create_twice_is_409(alice_key, draft):
    response = alice_key.post("/api/v1/plans/", {"cycle": 2025}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "exists")


def test_create_as_copy_of_the_last_submitted_plan(alice_key, submitted):
    from tests.factories import CycleFactory

    CycleFactory(year=2026)
    response = alice_key.post("/api/v1/plans/", {"cycle": 2026, "copy_previous": True}, format="json")
    body = response.json()
    assert (response.status_code, body["cycle"], body["gdp"], len(body["lines"])) == (201, 2026, "40000000.00", 1)
    assert response["Location"] == f"http://testserver/api/v1/plans/{body['id']}/"


# Idempotency ------------------------------------------------------------------------------------


def test_create_retry_with_same_key_replays_and_creates_nothing(alice_key, cycle):
    body = {"cycle": 2025, "currency": "EUR"}
    first = alice_key.post("/api/v1/plans/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    second = alice_key.post("/api/v1/plans/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert (second["Idempotent-Replayed"], second["ETag"]) == ("true", first["ETag"])
    assert Plan.objects.count() == 1


def test_same_key_with_another_body_is_422(alice_key, cycle):
    alice_key.post("/api/v1/plans/", {"cycle": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = alice_key.post(
        "/api/v1/plans/", {"cycle": 2025, "summary": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert (response.status_code, response.json()["code"]) == (422, "unprocessable")


def test_retry_while_the_first_is_running_is_409(alice_key, draft):
    # The first request's claim: inserted, not yet completed.
    url = f"/api/v1/plans/{draft.pk}/submit/"
    first = alice_key.post(url, HTTP_IDEMPOTENCY_KEY="busy")
    IdempotencyKey.objects.filter(key="busy").update(response_status=None, response_body=None)
    second = alice_key.post(url, HTTP_IDEMPOTENCY_KEY="busy")
    assert (first.status_code, second.status_code, second.json()["code"]) == (201, 409, "conflict")
    assert PlanVersion.objects.filter(plan=draft).count() == 1


def test_submit_retry_replays_the_receipt(alice_key, draft):
    url = f"/api/v1/plans/{draft.pk}/submit/"
    first = alice_key.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    second = alice_key.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    without_key = alice_key.post(url)
    assert (first.status_code, second.json(), without_key.status_code) == (201, first.json(), 409)
    assert PlanVersion.objects.filter(plan=draft).count() == 1


def test_a_failed_request_frees_its_key(alice_key, cycle, estonia, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content={"currency": "EUR"}).plan
    url = f"/api/v1/plans/{plan.pk}/submit/"
    refused = alice_key.post(url, HTTP_IDEMPOTENCY_KEY="fix-then-retry")
    services.plan_update(plan=plan, actor=as_alice, content=valid_content())
    accepted = alice_key.post(url, HTTP_IDEMPOTENCY_KEY="fix-then-retry")
    assert (refused.status_code, "gdp" in refused.json()["errors"], accepted.status_code) == (400, True, 201)


def test_keys_expire_after_24_hours(alice_key, cycle):
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        alice_key.post("/api/v1/plans/", {"cycle": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    response = alice_key.post("/api/v1/plans/", {"cycle": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert (response.status_code, response.json()["code"]) == (409, "exists")  # ran again, not replayed


def test_idempotency_keys_are_per_caller(alice_key, bob_key, cycle):
    alice = alice_key.post("/api/v1/plans/", {"cycle": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    bob = bob_key.post("/api/v1/plans/", {"cycle": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (alice.json()["member"], bob.json()["member"]) == ("EE", "LV")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"cycle": 2025, "gdp": 100000000000000000000000000}', "gdp"),  # an integer past 64 bits
        ('{"cycle": 2025, "summary": ' + "[" * 300 + "]" * 300 + "}", "summary"),  # nested past 255 levels
    ],
)
def test_idempotent_create_with_a_body_orjson_cannot_write_is_400_not_500(alice_key, cycle, raw, field):
    # The stateful fuzzer found the request hashing raising on such bodies: a 500.
    response = alice_key.post("/api/v1/plans/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="odd")
    assert (response.status_code, list(response.json()["errors"])) == (400, [field])
    assert (Plan.objects.count(), IdempotencyKey.objects.count()) == (0, 0)


def test_malformed_idempotency_key_is_400(alice_key, cycle):
    response = alice_key.post("/api/v1/plans/", {"cycle": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["Idempotency-Key"])


# Submission, review, versions -------------------------------------------------------------------


def test_submission_after_the_effective_deadline_is_late(alice_key, draft, cycle):
    with time_machine.travel(cycle.deadline + timedelta(hours=1)):
        response = alice_key.post(f"/api/v1/plans/{draft.pk}/submit/")
    assert (response.status_code, response.json()["is_late"]) == (201, True)


def test_draft_past_its_deadline_reads_as_late(alice_key, draft, cycle):
    with time_machine.travel(cycle.deadline + timedelta(minutes=1)):
        late = alice_key.get(detail_url(draft)).json()["is_late"]
    assert (alice_key.get(detail_url(draft)).json()["is_late"], late) == (False, True)


def test_incomplete_plan_cannot_be_submitted(alice_key, cycle, estonia, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content={}).plan
    response = alice_key.post(f"/api/v1/plans/{plan.pk}/submit/")
    body = response.json()
    assert (response.status_code, sorted(body["errors"])) == (400, ["currency", "defence_expenditure", "gdp", "lines"])
    assert {finding["severity"] for finding in body["findings"]} == {"error"}


def test_staff_accept_of_a_submitted_plan_takes_it_into_review(staff, submitted):
    response = staff.post(f"/api/v1/plans/{submitted.pk}/review/", {"decision": "accept"}, format="json")
    body = response.json()
    assert (body["status"], body["review"]["decision"], body["review"]["version"]) == ("accepted", "accept", 1)


def test_return_needs_a_comment(staff, submitted):
    response = staff.post(f"/api/v1/plans/{submitted.pk}/review/", {"decision": "return"}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["comment"])
    assert Plan.objects.get(pk=submitted.pk).status == PlanStatus.SUBMITTED


def test_return_with_reasons_then_resubmit_shows_the_changes(alice_key, staff, submitted):
    returned = staff.post(
        f"/api/v1/plans/{submitted.pk}/review/",
        {"decision": "return", "comment": "Stockpiles?", "reasons": ["incomplete"]},
        format="json",
    )
    etag = alice_key.get(detail_url(submitted))["ETag"]
    alice_key.patch(detail_url(submitted), {"summary": "With stockpiles"}, format="json", HTTP_IF_MATCH=etag)
    receipt = alice_key.post(f"/api/v1/plans/{submitted.pk}/submit/").json()
    version = alice_key.get(f"/api/v1/plans/{submitted.pk}/versions/2/").json()
    assert returned.json()["review"]["reasons"] == ["incomplete"]
    assert receipt["previous_sha256"] == PlanVersion.objects.get(plan=submitted, number=1).sha256
    assert version["changes"] == [
        {"field": "summary", "old": "More shells and interceptors.", "new": "With stockpiles"}
    ]


def test_accepting_an_accepted_plan_is_409(staff, submitted):
    staff.post(f"/api/v1/plans/{submitted.pk}/review/", {"decision": "accept"}, format="json")
    response = staff.post(f"/api/v1/plans/{submitted.pk}/review/", {"decision": "accept"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")


def test_unknown_version_is_404(alice_key, submitted):
    assert alice_key.get(f"/api/v1/plans/{submitted.pk}/versions/2/").status_code == 404


# Comments ---------------------------------------------------------------------------------------


def test_members_cannot_write_internal_comments(alice_key, draft):
    response = alice_key.post(f"/api/v1/plans/{draft.pk}/comments/", {"body": "Psst", "internal": True}, format="json")
    assert (response.status_code, Comment.objects.count()) == (403, 0)


def test_internal_staff_comments_stay_hidden_from_the_member(alice_key, staff, submitted):
    staff.post(f"/api/v1/plans/{submitted.pk}/comments/", {"body": "Internal", "internal": True}, format="json")
    staff.post(f"/api/v1/plans/{submitted.pk}/comments/", {"body": "Public", "version": 1}, format="json")
    member_view = alice_key.get(f"/api/v1/plans/{submitted.pk}/comments/").json()["results"]
    staff_view = staff.get(f"/api/v1/plans/{submitted.pk}/comments/").json()["results"]
    assert [(c["body"], c["version"]) for c in member_view] == [("Public", 1)]
    assert [c["body"] for c in staff_view] == ["Internal", "Public"]


def test_comment_on_an_unknown_version_names_the_field(alice_key, draft):
    response = alice_key.post(f"/api/v1/plans/{draft.pk}/comments/", {"body": "On v9", "version": 9}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["version"])


def test_blank_comment_is_400(alice_key, draft):
    response = alice_key.post(f"/api/v1/plans/{draft.pk}/comments/", {"body": "   "}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["body"])


def test_partnerships_come_back_with_their_partner_allies(alice_key, draft):
    partnerships = [
        {"kind": "multinational", "partner_name": "Joint ammunition", "partner_members": ["LV", "LT", "PL"]},
        {"kind": "industry", "partner_name": "Nammo", "value": "1500000.00", "status": "signed"},
        {"kind": "ally", "partner_name": "Finland", "partner_members": ["FI"]},
    ]
    response = alice_key.patch(
        detail_url(draft), {"partnerships": partnerships}, format="json", HTTP_IF_MATCH=draft.etag
    )
    read = alice_key.get(detail_url(draft)).json()["partnerships"]
    assert [(p["partner_name"], p["partner_members"], p["value"], p["status"]) for p in read] == [
        ("Joint ammunition", ["LT", "LV", "PL"], None, "planned"),
        ("Nammo", [], "1500000.00", "signed"),
        ("Finland", ["FI"], None, "planned"),
    ]
    assert response.json()["partnerships"] == read


@pytest.mark.parametrize("written", ["4,790,000,000.50", "4 790 000 000,50", "4790000000,50", "4\u202f790\u202f000"])
def test_the_api_takes_plain_decimals_only(alice_key, draft, written):
    # Grouped or French-written figures are for people on the web pages; machines send plain decimals.
    response = alice_key.patch(detail_url(draft), {"gdp": written}, format="json", HTTP_IF_MATCH=draft.etag)
    draft.refresh_from_db()
    assert (response.status_code, "gdp" in response.json()["errors"], draft.gdp) == (
        400,
        True,
        Decimal("40000000.00"),
    )


def test_the_api_takes_a_decimal_string_or_a_json_number(alice_key, draft):
    response = alice_key.patch(detail_url(draft), {"gdp": "80500000000.00"}, format="json", HTTP_IF_MATCH=draft.etag)
    assert (response.status_code, response.json()["gdp"]) == (200, "80500000000.00")


# A PATCH of one figure writes no line ----------------------------------------------------------


@pytest.mark.parametrize("count", [1, 200])
def test_patch_of_one_figure_costs_the_same_queries_at_any_size_and_writes_no_line(alice_key, draft, as_alice, count):
    lines = [{**valid_content()["lines"][0], "item": f"Lot {n}"} for n in range(count)]
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=lines))
    draft.refresh_from_db()
    ids = list(draft.lines.order_by("position").values_list("id", "key"))
    with CaptureQueriesContext(connection) as queries:
        response = alice_key.patch(detail_url(draft), {"gdp": "41000000.00"}, format="json", HTTP_IF_MATCH=draft.etag)
    assert response.status_code == 200, response.content
    assert response.json()["gdp"] == "41000000.00"
    assert len(response.json()["lines"]) == count
    children = (CapabilityLine._meta.db_table, Partnership._meta.db_table)
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE") and any(f'"{t}"' in q["sql"] for t in children)
    ]
    assert writes == []
    assert len(queries) == 15
    assert list(draft.lines.order_by("position").values_list("id", "key")) == ids
    assert Plan.objects.get(pk=draft.pk).events.latest("id").changes == [
        {"field": "gdp", "old": "40000000.00", "new": "41000000.00"}
    ]
