"""The same number of queries whatever the size: dashboard, editor, plan page, versions list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from members.actors import Actor
from plans import services
from tests.factories import CycleFactory, valid_content


def content_with(rows: int) -> dict:
    lines = [
        {
            "category": "ammunition",
            "item": f"Shells {n}",
            "unit": "rounds",
            "baseline_capacity": Decimal(10),
            "target_capacity": Decimal(20),
            "target_year": 2030,
        }
        for n in range(rows)
    ]
    partnerships = [
        {"kind": "ally", "partner_name": f"Partner {n}", "partner_members": ["LV", "LT"]} for n in range(rows)
    ]
    return valid_content(lines=lines, partnerships=partnerships)


@pytest.mark.parametrize("size", [1, 3, 200])
def test_editor_queries(alice_client, alice, cycle, estonia, size, django_assert_num_queries):
    plan = services.plan_create(
        cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=content_with(size)
    ).plan
    # (one of them reads the catalogue for the items offered to the lines)
    with django_assert_num_queries(13):
        alice_client.get(reverse("plan-edit", args=[plan.pk]))


@pytest.mark.parametrize("size", [1, 3])
def test_plan_page_queries(alice_client, alice, charlie, cycle, estonia, size, django_assert_num_queries):
    plan = services.plan_create(
        cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=content_with(size)
    ).plan
    for n in range(size):
        services.comment_add(plan=plan, actor=Actor.for_user(charlie), body=f"Comment {n}")
    with django_assert_num_queries(15):  # (one of them lists the supporting documents)
        alice_client.get(reverse("plan-detail-page", args=[plan.pk]))


@pytest.mark.parametrize("size", [1, 3])
def test_dashboard_queries(alice_client, alice, charlie, estonia, size, django_assert_num_queries):
    now = timezone.now()
    actor = Actor.for_user(alice)
    for year in range(2025, 2025 + size):
        old = CycleFactory(year=year, opens_at=now - timedelta(days=400), deadline=now - timedelta(days=300))
        services.plan_submit(
            plan=services.plan_create(cycle=old, member=estonia, actor=actor, content=content_with(size)).plan,
            actor=actor,
        )
    current = CycleFactory(year=2030, opens_at=now - timedelta(days=1), deadline=now + timedelta(days=30))
    plan = services.plan_create(cycle=current, member=estonia, actor=actor, content=content_with(size)).plan
    for n in range(size):
        services.comment_add(plan=plan, actor=Actor.for_user(charlie), body=f"Comment {n}")
    with django_assert_num_queries(12):
        response = alice_client.get(reverse("home"))
    assert len(response.context["previous_plans"]) == size


@pytest.mark.parametrize("size", [1, 3])
def test_versions_list_queries(alice_client, alice, charlie, cycle, estonia, size, django_assert_num_queries):
    plan = services.plan_create(
        cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=content_with(size)
    ).plan
    for n in range(size):
        if n:
            services.plan_return(plan=plan, actor=Actor.for_user(charlie), comment="Again")
            plan.refresh_from_db()
        services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    with django_assert_num_queries(9):
        response = alice_client.get(reverse("plan-versions", args=[plan.pk]))
    assert len(response.context["versions"]) == size
