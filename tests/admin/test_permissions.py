"""Roles: reviewers decide and comment, cycle managers run cycles and extensions; non-staff never enter."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from plans.enums import PlanStatus
from plans.models import Cycle, DeadlineExtension


def test_a_delegate_is_sent_to_the_admin_login(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:plans_plan_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_cycle_manager_cannot_decide_on_a_plan(manager_client, manager, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    page = manager_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))
    response = manager_client.post(reverse("admin:plans_plan_start_review", args=[plan.pk]), {"reviewer": manager.pk})

    assert page.context["decisions"] == []
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_cycle_manager_cannot_comment(manager_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    response = manager_client.post(reverse("admin:plans_plan_comment", args=[plan.pk]), {"body": "Hello"})

    assert response.status_code == 403
    assert plan.comments.count() == 0


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:plans_cycle_add",
        "admin:plans_deadlineextension_add",
        "admin:members_apikey_add",
        "admin:members_delegate_add",
    ],
)
def test_reviewer_cannot_manage_cycles_extensions_keys_or_delegates(reviewer_client, url_name):
    assert reviewer_client.get(reverse(url_name)).status_code == 403


def test_reviewer_cannot_create_a_cycle(reviewer_client):
    response = reviewer_client.post(
        reverse("admin:plans_cycle_add"),
        {
            "year": 2031,
            "opens_at_0": "2031-01-01",
            "opens_at_1": "00:00",
            "deadline_0": "2031-06-30",
            "deadline_1": "23:59",
        },
    )

    assert response.status_code == 403
    assert not Cycle.objects.filter(year=2031).exists()


def test_periodic_tasks_are_for_cycle_managers(reviewer_client, manager_client):
    url = reverse("admin:django_celery_beat_periodictask_changelist")

    assert (reviewer_client.get(url).status_code, manager_client.get(url).status_code) == (403, 200)


def test_cycle_manager_grants_an_extension_recorded_with_who_granted_it(manager_client, manager, cycle, estonia):
    deadline = cycle.deadline + timedelta(days=14)

    response = manager_client.post(
        reverse("admin:plans_deadlineextension_add"),
        {
            "cycle": cycle.pk,
            "member": estonia.pk,
            "deadline_0": deadline.strftime("%Y-%m-%d"),
            "deadline_1": deadline.strftime("%H:%M:%S"),
            "reason": "Elections delayed the budget.",
        },
    )

    assert response.status_code == 302
    extension = DeadlineExtension.objects.get(cycle=cycle, member=estonia)
    assert (extension.granted_by, extension.reason, extension.deadline) == (
        manager,
        "Elections delayed the budget.",
        deadline.replace(microsecond=0),
    )


def test_reviewer_cannot_grant_an_extension(reviewer_client, cycle, estonia):
    deadline = cycle.deadline + timedelta(days=14)

    response = reviewer_client.post(
        reverse("admin:plans_deadlineextension_add"),
        {
            "cycle": cycle.pk,
            "member": estonia.pk,
            "deadline_0": deadline.strftime("%Y-%m-%d"),
            "deadline_1": deadline.strftime("%H:%M:%S"),
            "reason": "Please.",
        },
    )

    assert response.status_code == 403
    assert DeadlineExtension.objects.count() == 0


def test_the_review_permission_belongs_to_reviewers_only(reviewer, manager):
    assert (reviewer.has_perm("plans.review_plan"), manager.has_perm("plans.review_plan")) == (True, False)
    assert (reviewer.has_perm("plans.add_cycle"), manager.has_perm("plans.add_cycle")) == (False, True)


def test_plan_page_has_no_nested_forms(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    html = reviewer_client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()

    # The comment form sits after the admin's own form; a form inside a form is dropped by browsers.
    depth, deepest = 0, 0
    for tag in re.findall(r"</?form\b", html):
        depth += -1 if tag.startswith("</") else 1
        deepest = max(deepest, depth)
    assert (deepest, depth) == (1, 0)
