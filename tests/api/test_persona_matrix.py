"""Every endpoint and method, for each persona: the status, and where allowed the body.

Personas (tests/api/conftest.py): `owner` (Estonia's key, all scopes), `other` (Latvia's key),
`reader` (Estonia's read-only key), `staff` (charlie's session), `anonymous`.
Estonia's plan has been submitted once and returned, so it is editable and has version 1.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plans import services
from plans.imports import field_labels, lines_csv
from plans.models import Comment, Plan, PlanVersion
from tests.factories import CycleFactory, valid_content

PERSONAS = ("owner", "other", "reader", "staff", "anonymous")


@pytest.fixture
def world(cycle, estonia, as_alice, as_charlie):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_return(plan=plan, actor=as_charlie, comment="Give the stockpile figures.", reasons=["incomplete"])
    services.comment_add(plan=plan, actor=as_alice, body="Figures follow.")
    services.comment_add(plan=plan, actor=as_charlie, body="Chase them.", internal=True)
    plan.refresh_from_db()
    return {"plan": plan, "as_alice": as_alice}


def _line(item: str) -> dict:
    return {
        "category": "missiles",
        "item": item,
        "unit": "missiles",
        "baseline_capacity": "10.00",
        "target_capacity": "40.00",
        "target_year": 2031,
    }


@dataclass
class Case:
    name: str
    method: str
    url: str
    expected: dict[str, int]
    body: dict | None = None
    if_match: bool = False
    prepare: Any = None
    check: Any = None
    extra: dict = field(default_factory=dict)
    format: str = "json"


def everyone(status: int) -> dict[str, int]:
    return {"owner": status, "other": status, "reader": status, "staff": status, "anonymous": 401}


def own_plan(owner: int, reader: int, staff: int) -> dict[str, int]:
    return {"owner": owner, "other": 404, "reader": reader, "staff": staff, "anonymous": 401}


def _ids(body) -> list[int]:
    return [row["id"] for row in body["results"]]


def _lines_file(world) -> dict:
    content = {"lines": [{**_line("Imported line"), "key": None}]}
    return {"file": SimpleUploadedFile("lines.csv", lines_csv(content, field_labels()).encode())}


def _submit_again(world):
    services.plan_submit(plan=world["plan"], actor=world["as_alice"])


EE = {"code": "EE", "iso3": "EST", "name": "Estonia", "name_fr": "Estonie", "accession_year": 2004}

CASES = [
    Case(
        "members list",
        "get",
        "/api/v1/members/",
        everyone(200),
        check=lambda body, world, persona: (
            (body["count"], [m for m in body["results"] if m["code"] == "EE"]) == (32, [EE])
        ),
    ),
    Case("member", "get", "/api/v1/members/EE/", everyone(200), check=lambda body, world, persona: body == EE),
    Case(
        "cycles list",
        "get",
        "/api/v1/cycles/",
        everyone(200),
        check=lambda body, world, persona: [c["year"] for c in body["results"]] == [2025],
    ),
    Case(
        "cycle",
        "get",
        "/api/v1/cycles/2025/",
        everyone(200),
        check=lambda body, world, persona: (body["year"], body["has_extension"]) == (2025, False),
    ),
    Case(
        "plans list",
        "get",
        "/api/v1/plans/",
        everyone(200),
        check=lambda body, world, persona: _ids(body) == ([] if persona == "other" else [world["plan"].pk]),
    ),
    Case(
        "plan create",
        "post",
        "/api/v1/plans/",
        {"owner": 201, "other": 201, "reader": 403, "staff": 403, "anonymous": 401},
        body={"cycle": 2026, "currency": "EUR", "lines": [_line("Interceptors")]},
        prepare=lambda world: CycleFactory(year=2026),
        check=lambda body, world, persona: (
            (body["cycle"], body["member"], body["status"], len(body["lines"]))
            == (2026, "EE" if persona == "owner" else "LV", "draft", 1)
        ),
    ),
    Case(
        "plan detail",
        "get",
        "/api/v1/plans/{plan}/",
        own_plan(200, 200, 200),
        check=lambda body, world, persona: (
            (body["id"], body["member"], body["status"], body["versions"]) == (world["plan"].pk, "EE", "returned", 1)
            and (body["latest_review"]["decision"], body["latest_review"]["comment"])
            == ("return", "Give the stockpile figures.")
        ),
    ),
    Case(
        "plan replace",
        "put",
        "/api/v1/plans/{plan}/",
        own_plan(200, 403, 403),
        body={"currency": "EUR", "summary": "Replaced", "lines": [_line("Replaced line")]},
        if_match=True,
        check=lambda body, world, persona: (
            (body["summary"], [line["item"] for line in body["lines"]], body["gdp"])
            == ("Replaced", ["Replaced line"], None)
        ),
    ),
    Case(
        "plan change",
        "patch",
        "/api/v1/plans/{plan}/",
        own_plan(200, 403, 403),
        body={"summary": "Changed"},
        if_match=True,
        check=lambda body, world, persona: (
            (body["summary"], len(body["lines"]), body["gdp"], body["revision"])
            == ("Changed", 1, "40000000.00", world["plan"].revision + 1)
        ),
    ),
    Case(
        "plan import",
        "post",
        "/api/v1/plans/{plan}/import/",
        own_plan(200, 403, 403),
        body=_lines_file,
        format="multipart",
        if_match=True,
        check=lambda body, world, persona: (
            ([line["item"] for line in body["lines"]], body["gdp"], body["revision"])
            == (["Imported line"], "40000000.00", world["plan"].revision + 1)
        ),
    ),
    Case(
        "plan submit",
        "post",
        "/api/v1/plans/{plan}/submit/",
        own_plan(201, 403, 403),
        check=lambda body, world, persona: (
            (body["version"], body["status"], body["is_late"]) == (2, "submitted", False)
        ),
    ),
    Case(
        "versions list",
        "get",
        "/api/v1/plans/{plan}/versions/",
        own_plan(200, 200, 200),
        check=lambda body, world, persona: [v["number"] for v in body["results"]] == [1],
    ),
    Case(
        "version detail",
        "get",
        "/api/v1/plans/{plan}/versions/1/",
        own_plan(200, 200, 200),
        check=lambda body, world, persona: (
            (body["number"], body["content"]["currency"], body["changes"]) == (1, "EUR", [])
        ),
    ),
    Case(
        "review",
        "post",
        "/api/v1/plans/{plan}/review/",
        own_plan(403, 403, 200),
        body={"decision": "start_review"},
        prepare=_submit_again,
        check=lambda body, world, persona: (body["status"], body["review"]) == ("in_review", None),
    ),
    Case(
        "comments list",
        "get",
        "/api/v1/plans/{plan}/comments/",
        own_plan(200, 200, 200),
        check=lambda body, world, persona: (
            [(c["body"], c["decision"]) for c in body["results"]]
            == [("Give the stockpile figures.", "return"), ("Figures follow.", None)]
            + ([("Chase them.", None)] if persona == "staff" else [])
        ),
    ),
    Case(
        "reviews list",
        "get",
        "/api/v1/plans/{plan}/reviews/",
        own_plan(200, 200, 200),
        check=lambda body, world, persona: (
            [
                (r["version"], r["decision"], r["comment"], r["reasons"], r["reviewer"], r["approved_by"])
                for r in body["results"]
            ]
            == [(1, "return", "Give the stockpile figures.", ["incomplete"], "charlie@staff.example.org", None)]
        ),
    ),
    Case(
        "events feed",
        "get",
        "/api/v1/events/",
        {"owner": 200, "other": 200, "reader": 200, "staff": 200, "anonymous": 401},
        check=lambda body, world, persona: (
            [e["type"] for e in body["results"]]
            == ([] if persona == "other" else ["plan.submitted", "plan.returned", "plan.comment_added"])
        ),
    ),
    Case(
        "webhooks list",
        "get",
        "/api/v1/webhooks/",
        {"owner": 200, "other": 200, "reader": 200, "staff": 200, "anonymous": 401},
        check=lambda body, world, persona: body == [],
    ),
    Case(
        "webhook register",
        "post",
        "/api/v1/webhooks/",
        {"owner": 201, "other": 201, "reader": 403, "staff": 403, "anonymous": 401},
        body={"url": "https://erp.example.org/hooks"},
        check=lambda body, world, persona: (
            (body["member"], body["secret"][:6]) == ("EE" if persona == "owner" else "LV", "whsec_")
        ),
    ),
    Case(
        "comment add",
        "post",
        "/api/v1/plans/{plan}/comments/",
        own_plan(201, 403, 201),
        body={"body": "A question on line 1."},
        check=lambda body, world, persona: (
            (body["body"], body["internal"], body["version"]) == ("A question on line 1.", False, None)
        ),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_persona_matrix(case: Case, persona: str, clients, world):
    if case.prepare:
        case.prepare(world)
    plan = Plan.objects.get(pk=world["plan"].pk)
    world["plan"] = plan
    url = case.url.format(plan=plan.pk)
    headers = {"HTTP_IF_MATCH": plan.etag} if case.if_match else {}
    versions_before = PlanVersion.objects.count()
    comments_before = Comment.objects.count()

    body = case.body(world) if callable(case.body) else case.body
    response = getattr(clients[persona], case.method)(url, body, format=case.format, **headers)

    expected = case.expected[persona]
    assert (response.status_code, response["Content-Type"]) == (expected, "application/json"), response.content
    body = response.json()
    if expected < 300:
        assert case.check(body, world, persona) is True
    else:
        assert body["code"] == {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}[expected]
        # A refused request changes nothing.
        assert (PlanVersion.objects.count(), Comment.objects.count()) == (versions_before, comments_before)
        assert Plan.objects.get(pk=plan.pk).revision == plan.revision
