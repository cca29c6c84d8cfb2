"""Keys, sessions, throttling, the schema and its docs."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.api.errors import server_error
from core.api.schema import add_links
from core.jsonwire import rfc3339
from members.actors import Actor
from members.models import ApiKey
from members.services import api_key_issue, api_key_revoke
from plans.models import DeadlineExtension


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.mark.parametrize("path", ["/api/v1/plans/not-a-number/", "/api/v1/cycles/2025/nothing/", "/api/v2/"])
def test_a_url_no_api_route_matches_is_a_json_404(alice_key, path):
    response = alice_key.get(path)
    assert (response.status_code, response["Content-Type"], response.json()) == (
        404,
        "application/json",
        {"detail": "Not found.", "code": "not_found"},
    )


def test_a_page_no_route_matches_stays_a_page(client, db):
    response = client.get("/no/such/page/")
    assert (response.status_code, response["Content-Type"]) == (404, "text/html; charset=utf-8")


def test_a_server_error_under_the_api_is_json_and_a_page_elsewhere(rf):
    api = server_error(rf.get("/api/v1/plans/"))
    page = server_error(rf.get("/plans/"))
    assert (api.status_code, api["Content-Type"], json.loads(api.content)) == (
        500,
        "application/json",
        {"detail": "A server error occurred.", "code": "error"},
    )
    assert (page.status_code, page["Content-Type"]) == (500, "text/html; charset=utf-8")


def test_revoked_key_is_401(db, estonia, cycle):
    record, key = api_key_issue(actor=Actor.system(), member=estonia, name="old", scopes=["read"])
    api_key_revoke(actor=Actor.system(), api_key=record)
    response = bearer(key).get("/api/v1/cycles/")
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_expired_key_is_401(db, estonia, cycle):
    record, key = api_key_issue(
        actor=Actor.system(),
        member=estonia,
        name="expires",
        scopes=["read"],
        expires=timezone.now() + timedelta(days=1),
    )
    ApiKey.objects.filter(pk=record.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert bearer(key).get("/api/v1/cycles/").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer nodot", "Bearer abc.def", "Bearer ünï.cødé"])
def test_malformed_or_unknown_keys_are_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/members/").status_code == 401


def test_key_use_is_recorded(alice_key):
    alice_key.get("/api/v1/members/")
    alice_key.api_key.refresh_from_db()
    assert alice_key.api_key.last_used_at is not None


def test_write_only_key_may_create_but_not_read(db, estonia, cycle):
    _record, key = api_key_issue(actor=Actor.system(), member=estonia, name="writer", scopes=["write"])
    client = bearer(key)
    created = client.post("/api/v1/plans/", {"cycle": 2025}, format="json")
    assert (created.status_code, client.get(f"/api/v1/plans/{created.json()['id']}/").status_code) == (201, 404)
    assert client.get("/api/v1/plans/").json()["count"] == 0


def test_key_is_throttled_with_retry_after(alice_key, bob_key, settings, cycle):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "2/min", "api_user": "2/min"},
    }
    statuses = [alice_key.get("/api/v1/cycles/").status_code for _ in range(3)]
    throttled = alice_key.get("/api/v1/cycles/")
    assert (statuses, throttled.json()["code"], int(throttled["Retry-After"]) > 0) == (
        [200, 200, 429],
        "throttled",
        True,
    )
    assert bob_key.get("/api/v1/cycles/").status_code == 200  # another key has its own budget


def test_user_is_throttled(staff, settings, cycle):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "100/min", "api_user": "1/min"},
    }
    assert [staff.get("/api/v1/cycles/").status_code for _ in range(2)] == [200, 429]


def test_cycle_shows_the_callers_extended_deadline(alice_key, bob_key, staff, cycle, estonia, charlie):
    extended = cycle.deadline + timedelta(days=10)
    DeadlineExtension.objects.create(
        cycle=cycle, member=estonia, deadline=extended, reason="Elections", granted_by=charlie
    )
    own = alice_key.get("/api/v1/cycles/2025/").json()
    other = bob_key.get("/api/v1/cycles/2025/").json()
    staff_view = staff.get("/api/v1/cycles/").json()["results"][0]
    assert (own["effective_deadline"], own["has_extension"]) == (rfc3339(extended), True)
    assert (other["effective_deadline"], other["has_extension"]) == (rfc3339(cycle.deadline), False)
    assert staff_view["has_extension"] is False


def test_unknown_member_and_cycle_are_404(alice_key, cycle):
    assert [alice_key.get(url).status_code for url in ("/api/v1/members/XX/", "/api/v1/cycles/2099/")] == [404, 404]


@pytest.mark.parametrize("code", ["%00", "E%00", "%F0%9F%98%80", "EST", "E1"])
def test_impossible_member_codes_are_404(alice_key, code):
    response = alice_key.get(f"/api/v1/members/{code}/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("query", ["member=%00", "ordering=%00", "status=%00", "cycle=%00"])
def test_nul_bytes_in_filters_are_400(staff, query, cycle):
    response = staff.get(f"/api/v1/plans/?{query}")
    assert (response.status_code, list(response.json()["errors"])) == (400, [query.split("=")[0]])


def test_member_code_is_case_insensitive(alice_key):
    assert alice_key.get("/api/v1/members/lv/").json()["name"] == "Latvia"


def test_schema_documents_security_and_headers(anonymous):
    response = anonymous.get("/api/schema/?format=json")
    schema = response.json()
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A member's API key: `Authorization: Bearer <prefix>.<secret>`.",
    }
    patch = schema["paths"]["/api/v1/plans/{id}/"]["patch"]
    submit = schema["paths"]["/api/v1/plans/{id}/submit/"]["post"]
    assert {p["name"] for p in patch["parameters"] if p["in"] == "header"} == {"If-Match"}
    assert {p["name"] for p in submit["parameters"] if p["in"] == "header"} == {"Idempotency-Key"}
    assert set(patch["responses"]) == {"200", "400", "401", "403", "404", "409", "412", "413", "415", "428", "429"}
    assert "ETag" in patch["responses"]["200"]["headers"]


def test_schema_links_a_new_plan_to_its_reads_and_writes(anonymous):
    schema = anonymous.get("/api/schema/?format=json").json()
    created = schema["paths"]["/api/v1/plans/"]["post"]["responses"]["201"]["links"]
    receipt = schema["paths"]["/api/v1/plans/{id}/submit/"]["post"]["responses"]["201"]["links"]
    assert created["ChangePlan"] == {
        "operationId": "plans_partial_update",
        "parameters": {"path.id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
    }
    assert {name: link["operationId"] for name, link in created.items()} == {
        "GetPlan": "plans_retrieve",
        "ChangePlan": "plans_partial_update",
        "ReplacePlan": "plans_update",
        "SubmitPlan": "plans_submit",
        "ListVersions": "plans_versions_list",
        "ListComments": "plans_comments_list",
        "AddComment": "plans_comments_create",
        "ReviewPlan": "plans_review",
    }
    assert receipt["GetVersion"]["parameters"] == {
        "path.id": "$response.body#/plan",
        "path.number": "$response.body#/version",
    }


def test_schema_says_what_the_serializers_refuse(anonymous):
    components = anonymous.get("/api/schema/?format=json").json()["components"]["schemas"]
    content, line = components["PlanContentRequest"], components["LineInputRequest"]
    assert (content["additionalProperties"], line["additionalProperties"]) == (False, False)
    # Read-only keys of a plan read with GET may be sent back: accepted and ignored.
    assert content["properties"]["etag"] == {"description": "Read-only: accepted and ignored."}
    # A decimal string needs a digit ("", "-" and "." are no numbers).
    assert content["properties"]["gdp"]["pattern"] == r"^-?(?:\d{1,18}(?:\.\d{0,2})?|\.\d{1,2})$"


def test_add_links_refuses_a_link_to_an_unknown_operation():
    schema = {"paths": {"/a/": {"get": {"operationId": "a", "responses": {"200": {}}}}}}
    with pytest.raises(KeyError, match="no operation 'b'"):
        add_links(schema, {"a": {"200": {"GetB": ("b", {"path.id": "$response.body#/id"})}}})


def test_docs_are_served_without_a_cdn(anonymous):
    response = anonymous.get("/api/docs/")
    page = response.content.decode()
    assert (response.status_code, "cdn" in page.lower(), "/static/drf_spectacular_sidecar/" in page) == (
        200,
        False,
        True,
    )
