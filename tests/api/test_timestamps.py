"""Every moment the API writes is RFC 3339 in UTC with `Z`, whatever the server's time zone."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.jsonwire import dumps, rfc3339
from plans import services
from tests.factories import CycleFactory, valid_content

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
LOOKS_LIKE_A_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def moments(value, path="$"):
    """(path, text) of every string in a JSON document that looks like a moment."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from moments(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from moments(item, f"{path}[{index}]")
    elif isinstance(value, str) and LOOKS_LIKE_A_MOMENT.match(value):
        yield path, value


def test_rfc3339_writes_utc_with_z():
    paris = datetime(2025, 6, 30, 23, 59, 59, tzinfo=ZoneInfo("Europe/Paris"))
    assert rfc3339(paris) == "2025-06-30T21:59:59Z"
    assert rfc3339(datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00Z"
    assert dumps({"at": paris, "day": paris.date()}) == b'{"at":"2025-06-30T21:59:59Z","day":"2025-06-30"}'


@pytest.fixture
def busy_plan(settings, estonia, as_alice, as_charlie, as_manager):
    settings.TIME_ZONE = "Europe/Paris"  # a server in another zone writes UTC all the same
    cycle = CycleFactory(year=2025)
    cycle.review_deadline = (cycle.deadline + timedelta(days=60)).astimezone(ZoneInfo("Europe/Paris"))
    cycle.save(update_fields=["review_deadline"])
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_return(plan=plan, actor=as_charlie, comment="Again.")
    services.comment_add(plan=plan, actor=as_alice, body="Done.")
    services.extension_grant(
        cycle=cycle,
        member=estonia,
        deadline=cycle.deadline.astimezone(ZoneInfo("Asia/Tokyo")) + timedelta(days=7),
        reason="Elections.",
        actor=as_manager,
    )
    return plan


def test_every_response_writes_moments_in_utc_with_z(alice_key, staff, busy_plan):
    pk = busy_plan.pk
    gets = [
        (alice_key, "/api/v1/cycles/"),
        (alice_key, "/api/v1/cycles/2025/"),
        (alice_key, "/api/v1/plans/"),
        (alice_key, "/api/v1/plans/?expand=content"),
        (alice_key, f"/api/v1/plans/{pk}/"),
        (alice_key, f"/api/v1/plans/{pk}/versions/"),
        (alice_key, f"/api/v1/plans/{pk}/versions/1/"),
        (alice_key, f"/api/v1/plans/{pk}/reviews/"),
        (alice_key, f"/api/v1/plans/{pk}/comments/"),
        (alice_key, "/api/v1/cycles/2025/compliance/"),
        (staff, "/api/v1/plans/"),
        (staff, f"/api/v1/plans/{pk}/comments/"),
    ]
    seen = 0
    for client, url in gets:
        response = client.get(url)
        assert response.status_code == 200, url
        for path, text in moments(response.json()):
            assert MOMENT.match(text), f"{url} {path} = {text}"
            seen += 1
    assert seen > 20

    # Writes answer the same way: the receipt and a decision.
    receipt = alice_key.post(f"/api/v1/plans/{pk}/submit/").json()
    decision = staff.post(f"/api/v1/plans/{pk}/review/", {"decision": "accept"}, format="json").json()
    for body in (receipt, decision):
        found = list(moments(body))
        assert found
        assert all(MOMENT.match(text) for _path, text in found), found
