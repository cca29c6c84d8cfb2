"""The compliance page of a cycle: one row per ally and the totals, from the reports selectors."""

import pytest
from django.test import Client
from django.urls import reverse

from plans.enums import PlanStatus
from plans.models import Notification
from tests.admin.conftest import client_of, make_plan
from tests.factories import DelegateFactory, StaffFactory, member


def compliance_url(cycle) -> str:
    return reverse("admin:plans_cycle_compliance", args=[cycle.pk])


def test_compliance_page_has_a_row_per_ally_and_the_totals(reviewer_client, plan_in, cycle):
    plan = plan_in(PlanStatus.ACCEPTED)

    response = reviewer_client.get(compliance_url(cycle))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 32
    estonia = next(row for row in rows if row["member_code"] == "EE")
    assert (estonia["status"], estonia["is_late"], estonia["versions"], estonia["plan_id"]) == (
        "accepted",
        False,
        1,
        plan.pk,
    )
    totals = response.context["totals"]
    assert (totals["members"], totals["submitted"], totals["accepted"], totals["missing"]) == (32, 1, 1, 31)
    assert reverse("admin:plans_plan_change", args=[plan.pk]) in response.content.decode()


def test_cycle_page_links_to_its_compliance(reviewer_client, cycle):
    response = reviewer_client.get(reverse("admin:plans_cycle_change", args=[cycle.pk]))

    assert compliance_url(cycle) in response.content.decode()


@pytest.mark.parametrize("size", [1, 3])
def test_compliance_page_runs_the_same_number_of_queries_at_any_size(
    reviewer_client, cycle, charlie, size, django_assert_num_queries
):
    for code in ["EE", "LV", "LT"][:size]:
        submitter = DelegateFactory(member=member(code)).user
        make_plan(cycle=cycle, member=member(code), submitter=submitter, staff=charlie, status=PlanStatus.SUBMITTED)

    # session, user, user and group permissions, the cycle, the one compliance query, the session save (3)
    with django_assert_num_queries(8):
        response = reviewer_client.get(compliance_url(cycle))

    assert response.context["totals"]["submitted"] == size


def test_compliance_of_an_unknown_cycle_is_404(reviewer_client):
    assert reviewer_client.get(reverse("admin:plans_cycle_compliance", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["plans_cycle_compliance", "plans_plan_compare", "plans_plan_accept", "plans_plan_start_review"]
)
def test_delegates_never_reach_the_workspace_pages(alice, cycle, plan_in, url_name):
    plan = plan_in(PlanStatus.IN_REVIEW)
    target = cycle if "cycle" in url_name else plan
    delegation = Client()
    delegation.force_login(alice)

    response = delegation.get(reverse(f"admin:{url_name}", args=[target.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_reviewer_reminds_a_member_without_a_plan_from_the_compliance_page(reviewer_client, cycle, latvia):
    response = reviewer_client.post(reverse("admin:plans_cycle_remind", args=[cycle.pk, "LV"]))

    assert response.status_code == 302
    assert response["Location"] == compliance_url(cycle)
    assert list(Notification.objects.values_list("member", "cycle", "plan")) == [(latvia.pk, cycle.pk, None)]


def test_staff_in_no_group_cannot_send_reminders(cycle):
    client = client_of(StaffFactory(email="nogroup@staff.example.org"))
    response = client.post(reverse("admin:plans_cycle_remind", args=[cycle.pk, "LV"]))

    assert response.status_code == 403
    assert Notification.objects.count() == 0


def test_cycle_manager_sends_a_reminder_from_the_compliance_page(manager_client, cycle):
    response = manager_client.post(reverse("admin:plans_cycle_remind", args=[cycle.pk, "LV"]))

    assert response.status_code == 302
    assert list(Notification.objects.values_list("member__code", flat=True)) == ["LV"]


def test_reminding_an_unknown_member_is_404(reviewer_client, cycle):
    assert reviewer_client.post(reverse("admin:plans_cycle_remind", args=[cycle.pk, "XX"])).status_code == 404
