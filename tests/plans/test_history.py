"""Every content and status change leaves a PlanEvent saying who changed what."""

from decimal import Decimal

import pytest

from members.actors import Actor
from members.models import ApiKey
from plans import services
from plans.content import diff, normalize, to_jsonable, with_keys
from plans.enums import EventAction, PlanStatus
from plans.errors import StalePlan
from plans.models import PlanEvent
from tests.factories import valid_content

pytestmark = pytest.mark.django_db


def events(plan) -> list[PlanEvent]:
    return list(PlanEvent.objects.filter(plan=plan).order_by("id"))


def test_create_records_one_event_with_the_initial_content(cycle, estonia, alice, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    [event] = events(plan)
    assert (event.action, event.actor, event.actor_label, event.from_status, event.to_status) == (
        EventAction.CREATED,
        alice,
        "alice@ee.example.org",
        "",
        PlanStatus.DRAFT,
    )
    changed = {change["field"]: change["new"] for change in event.changes}
    assert changed["defence_expenditure"] == "1000000.00"
    assert changed["lines[0].item"] == "155 mm shells"
    assert changed["partnerships[0].partner_members"] == ["LV"]


def test_update_records_the_field_level_changes(draft, alice, as_alice):
    new = valid_content(
        gdp=Decimal("41000000"),
        lines=[
            {**valid_content()["lines"][0], "target_capacity": Decimal("6000")},
            {
                "category": "missiles",
                "item": "Interceptors",
                "unit": "missiles",
                "baseline_capacity": 1,
                "target_capacity": 2,
                "target_year": 2030,
            },
        ],
    )
    services.plan_update(plan=draft, actor=as_alice, content=new)
    event = events(draft)[-1]
    assert (event.action, event.actor) == (EventAction.UPDATED, alice)
    assert event.changes[:2] == [
        {"field": "gdp", "old": "40000000.00", "new": "41000000.00"},
        {"field": "lines[0].target_capacity", "old": "5000.00", "new": "6000.00"},
    ]
    # A new line shows each of its fields that has a value (absent and empty compare equal).
    added = {f"lines[1].{field}" for field, value in normalize(new)["lines"][1].items() if value is not None}
    assert {c["field"] for c in event.changes[2:]} == added


def test_update_changes_equal_content_diff(draft, as_alice):
    old = valid_content()
    new = valid_content(summary="Shells first.", partnerships=[])
    services.plan_update(plan=draft, actor=as_alice, content=new)
    assert events(draft)[-1].changes == diff(normalize(old), normalize(new))


def test_update_with_same_figures_in_another_form_records_no_change(draft, as_alice):
    services.plan_update(
        plan=draft, actor=as_alice, content=valid_content(defence_expenditure=Decimal("1E+6"), gdp=Decimal("4E+7"))
    )
    assert events(draft)[-1].changes == []


def test_update_bumps_revision_and_stale_revision_is_refused(draft, as_alice):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(summary="One."), expected_revision=1)
    with pytest.raises(StalePlan):
        services.plan_update(plan=draft, actor=as_alice, content=valid_content(summary="Two."), expected_revision=1)
    draft.refresh_from_db()
    assert (draft.revision, draft.summary, len(events(draft))) == (2, "One.", 2)


def test_api_key_change_is_recorded_with_the_key(draft, estonia):
    key, _secret = ApiKey.objects.create_key(member=estonia, name="MoD ERP", scopes=["write"])
    services.plan_update(plan=draft, actor=Actor.for_api_key(key), content=valid_content(summary="From ERP."))
    event = events(draft)[-1]
    assert (event.actor, event.actor_key, event.actor_label) == (None, key, "API key EE/MoD ERP")


def test_workflow_events_follow_one_another(draft, as_alice, as_charlie):
    receipt = services.plan_submit(plan=draft, actor=as_alice)
    services.plan_start_review(plan=draft, actor=as_charlie)
    services.plan_return(plan=draft, actor=as_charlie, comment="Add partnerships.")
    assert [(e.action, e.from_status, e.to_status) for e in events(draft)] == [
        (EventAction.CREATED, "", PlanStatus.DRAFT),
        (EventAction.SUBMITTED, PlanStatus.DRAFT, PlanStatus.SUBMITTED),
        (EventAction.REVIEW_STARTED, PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW),
        (EventAction.RETURNED, PlanStatus.IN_REVIEW, PlanStatus.RETURNED),
    ]
    assert events(draft)[1].note == f"v1 {receipt.sha256}"
    assert events(draft)[3].note == "Add partnerships."


def test_added_and_removed_rows_list_each_field_with_a_value():
    content = with_keys(normalize(valid_content()))
    content["lines"].append({**content["lines"][0], "key": None, "notes": "", "stockpile_target": None})
    content = with_keys(content)

    def entries(row_group: str, index: int, row: dict, *, added: bool) -> list[dict]:
        values = sorted((name, value) for name, value in to_jsonable(row).items() if value is not None)
        return [
            {"field": f"{row_group}[{index}].{name}", "old": None if added else value, "new": value if added else None}
            for name, value in values
            if name != "key"
        ]

    rows = [("lines", i, row) for i, row in enumerate(content["lines"])] + [
        ("partnerships", i, row) for i, row in enumerate(content["partnerships"])
    ]
    headline = [change for change in diff(normalize({}), content) if "[" not in change["field"]]
    assert diff(normalize({}), content) == headline + [
        entry for group, i, row in rows for entry in entries(group, i, row, added=True)
    ]
    emptied = {**content, "lines": [], "partnerships": []}
    assert diff(content, emptied) == [entry for group, i, row in rows for entry in entries(group, i, row, added=False)]
    assert {"field": "lines[1].notes", "old": None, "new": ""} in diff(normalize({}), content)  # "" is a value
