"""Bulk actions on the plan queue: assign a reviewer, send a reminder now."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from plans.enums import EventAction, PlanStatus
from plans.models import Notification, Plan, PlanEvent
from tests.admin.conftest import make_plan
from tests.factories import DelegateFactory, member

CHANGELIST = reverse("admin:plans_plan_changelist")


def test_assign_reviewer_asks_for_the_reviewer_then_assigns_every_selected_plan(
    reviewer_client, reviewer, cycle, charlie
):
    plans = [
        make_plan(
            cycle=cycle,
            member=member(code),
            submitter=DelegateFactory(member=member(code)).user,
            staff=charlie,
            status=PlanStatus.SUBMITTED,
        )
        for code in ("EE", "LV")
    ]
    selected = [plan.pk for plan in plans]

    form_page = reviewer_client.post(CHANGELIST, {"action": "assign_reviewer", ACTION_CHECKBOX_NAME: selected})
    response = reviewer_client.post(
        CHANGELIST,
        {"action": "assign_reviewer", ACTION_CHECKBOX_NAME: selected, "apply": "1", "reviewer": reviewer.pk},
    )

    assert form_page.status_code == 200
    assert [plan.pk for plan in form_page.context["plans"]] == sorted(selected)
    assert response.status_code == 302
    assert set(Plan.objects.values_list("assigned_reviewer", flat=True)) == {reviewer.pk}
    assert PlanEvent.objects.filter(action=EventAction.REVIEWER_ASSIGNED).count() == 2


def test_cycle_manager_has_no_review_actions(manager_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    response = manager_client.post(CHANGELIST, {"action": "assign_reviewer", ACTION_CHECKBOX_NAME: [plan.pk]})

    plan.refresh_from_db()
    assert plan.assigned_reviewer is None
    assert response.status_code == 302  # the action is not theirs: back to the list, nothing done
    # Cycle managers chase late members; assigning reviewers is the reviewers' own business.
    page = manager_client.get(CHANGELIST)
    actions = [name for name, _label in page.context["action_form"].fields["action"].choices if name]
    assert actions == ["send_reminder_now"]


def test_send_reminder_now_claims_a_reminder_for_a_draft(reviewer_client, plan_in, estonia, cycle):
    plan = plan_in(PlanStatus.DRAFT)

    response = reviewer_client.post(CHANGELIST, {"action": "send_reminder_now", ACTION_CHECKBOX_NAME: [plan.pk]})

    assert response.status_code == 302
    assert list(Notification.objects.values_list("member", "cycle", "plan")) == [(estonia.pk, cycle.pk, plan.pk)]


def test_send_reminder_now_skips_a_plan_already_submitted(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)
    before = Notification.objects.count()

    response = reviewer_client.post(CHANGELIST, {"action": "send_reminder_now", ACTION_CHECKBOX_NAME: [plan.pk]})

    assert response.status_code == 302
    assert Notification.objects.count() == before
