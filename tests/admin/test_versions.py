"""The plan page's versions and the field-by-field comparison of two versions."""

from decimal import Decimal

from django.urls import reverse

from members.actors import Actor
from plans import services
from plans.content import normalize, plan_content
from plans.enums import PlanStatus


def resubmit_with(plan, alice, charlie, **changes):
    services.plan_return(plan=plan, actor=Actor.for_user(charlie), comment="Raise the equipment share.")
    plan.refresh_from_db()
    content = {**normalize(plan_content(plan)), **changes}
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=content)
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    plan.refresh_from_db()
    return plan


def test_plan_page_lists_versions_and_history(reviewer_client, alice, charlie, plan_in):
    plan = resubmit_with(plan_in(PlanStatus.SUBMITTED), alice, charlie, summary="Second take.")

    response = reviewer_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))

    assert [(v.number, v.is_late) for v in response.context["versions"]] == [(1, False), (2, False)]
    assert [(e.action, e.from_status, e.to_status) for e in response.context["events"]] == [
        ("created", "", "draft"),
        ("submitted", "draft", "submitted"),
        ("returned", "submitted", "returned"),
        ("updated", "", ""),
        ("submitted", "returned", "submitted"),
    ]
    assert plan.latest_version.sha256 in response.content.decode()


def test_compare_shows_the_fields_that_changed(reviewer_client, alice, charlie, plan_in):
    plan = resubmit_with(
        plan_in(PlanStatus.SUBMITTED),
        alice,
        charlie,
        equipment_expenditure=Decimal("300000.00"),
        other_expenditure=Decimal("100000.00"),
    )

    response = reviewer_client.get(reverse("admin:plans_plan_compare", args=[plan.pk]), {"old": 1, "new": 2})

    assert response.status_code == 200
    [change] = response.context["changes"]
    assert [(field["field"], field["old"], field["new"]) for field in change["fields"]] == [
        ("equipment_expenditure", "250,000 EUR", "300,000 EUR"),
        ("other_expenditure", "150,000 EUR", "100,000 EUR"),
    ]


def test_compare_with_a_version_that_does_not_exist_is_a_form_error(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    response = reviewer_client.get(reverse("admin:plans_plan_compare", args=[plan.pk]), {"old": 1, "new": 7})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["new"]
    assert response.context["changes"] is None
