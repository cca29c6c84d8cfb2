"""The admin's "History" button shows the plan's own record: every event, version, decision and comment."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.urls import reverse

from members.actors import Actor
from plans import services
from plans.content import normalize, plan_content
from plans.enums import ApprovalLevels, Decision, PlanStatus
from tests.admin.conftest import client_of
from tests.factories import staff_in


def test_history_view_shows_the_plans_whole_record(
    reviewer_client, reviewer, manager, alice, charlie, cycle, estonia, plan_in, django_assert_max_num_queries
):
    # Each step a minute after the one before; a submission's event and version share one moment.
    clock = time_machine.travel(cycle.opens_at + timedelta(days=1), tick=False)
    traveller = clock.start()
    plan = plan_in(PlanStatus.SUBMITTED)
    traveller.shift(60)
    services.extension_grant(
        cycle=cycle,
        member=estonia,
        deadline=cycle.deadline + timedelta(days=10),
        reason="Elections in March.",
        actor=Actor.for_user(manager),
    )
    traveller.shift(60)
    services.comment_add(plan=plan, actor=Actor.for_user(alice), body="Figures from the budget law.")
    traveller.shift(60)
    services.comment_add(plan=plan, actor=Actor.for_user(charlie), body="Check the GDP source.", internal=True)
    traveller.shift(60)
    services.plan_return(plan=plan, actor=Actor.for_user(charlie), comment="Raise the equipment share.")
    traveller.shift(60)
    plan.refresh_from_db()
    content = {**normalize(plan_content(plan)), "equipment_expenditure": Decimal("300000.00")}
    content["other_expenditure"] = Decimal("100000.00")
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=content)
    traveller.shift(60)
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    clock.stop()

    response = reviewer_client.get(reverse("admin:plans_plan_history", args=[plan.pk]))

    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(entry["kind"], entry["who"]) for entry in entries] == [
        ("event", "alice@ee.example.org"),
        ("event", "alice@ee.example.org"),
        ("version", "alice@ee.example.org"),
        ("extension", "max@staff.example.org"),
        ("comment", "alice@ee.example.org"),
        ("comment", "charlie@staff.example.org"),
        ("event", "charlie@staff.example.org"),
        ("decision", "charlie@staff.example.org"),
        ("event", "alice@ee.example.org"),
        ("event", "alice@ee.example.org"),
        ("version", "alice@ee.example.org"),
    ]
    second_version = entries[-1]
    assert second_version["what"] == "Version 2 submitted (on time)"
    assert second_version["changes"] == [
        {"field": "equipment_expenditure", "old": "250000.00", "new": "300000.00"},
        {"field": "other_expenditure", "old": "150000.00", "new": "100000.00"},
    ]
    assert entries[6]["what"] == "Returned for revision (Submitted → Returned for revision)"
    assert entries[7]["what"] == "Decision on version 1: Return for revision"
    assert entries[7]["text"] == "Raise the equipment share."
    assert entries[5]["internal"] is True
    assert "Elections in March." in entries[3]["text"]
    page = response.content.decode()
    assert "doesn’t have a change history" not in page
    assert "Check the GDP source." in page
    assert "<code>equipment_expenditure</code>" in page
    # The number of queries does not grow with the history.
    with django_assert_max_num_queries(20):
        reviewer_client.get(reverse("admin:plans_plan_history", args=[plan.pk]))


def test_history_shows_recommendation_and_its_approval(cycle, plan_in, charlie):
    cycle.approval_levels = ApprovalLevels.TWO
    cycle.save()
    approver = staff_in("Approvers", "ada@staff.example.org")
    plan = plan_in(PlanStatus.IN_REVIEW)
    services.plan_review(plan=plan, actor=Actor.for_user(charlie), decision=Decision.ACCEPT)
    services.plan_confirm(plan=plan, actor=Actor.for_user(approver))

    response = client_of(approver).get(reverse("admin:plans_plan_history", args=[plan.pk]))

    rows = [(entry["kind"], entry["who"], entry["what"]) for entry in response.context["entries"]]
    assert ("recommendation", "charlie@staff.example.org", "Recommendation on version 1: Accept") in rows
    assert ("approval", "ada@staff.example.org", "Recommendation confirmed") in rows
    decision = next(row for row in rows if row[0] == "decision")
    assert decision[1] == "charlie@staff.example.org, approved by ada@staff.example.org"


def test_history_of_a_plan_that_does_not_exist_is_404(reviewer_client):
    assert reviewer_client.get(reverse("admin:plans_plan_history", args=[999999])).status_code == 404


def test_a_delegate_cannot_open_the_admin_history(alice, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    response = client_of(alice).get(reverse("admin:plans_plan_history", args=[plan.pk]))

    assert response.status_code == 302
