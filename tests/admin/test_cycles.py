"""Cycles and extensions through the admin go through the services and their rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.urls import reverse

from plans.models import Cycle, DeadlineExtension


def cycle_form(**overrides) -> dict:
    data = {
        "year": 2031,
        "opens_at_0": "2031-01-01",
        "opens_at_1": "00:00:00",
        "deadline_0": "2031-06-30",
        "deadline_1": "23:59:00",
        "review_deadline_0": "",
        "review_deadline_1": "",
        "spending_target_pct": "3.50",
        "equipment_target_pct": "20.00",
        "approval_levels": "1",
        "reminder_days_before": "[30, 14, 7, 1]",
        "overdue_days_after": "[1, 7]",
        "classification": "NATO UNCLASSIFIED",
    }
    data.update(overrides)
    return data


def test_cycle_manager_opens_a_cycle_with_its_thresholds(manager_client, settings):
    settings.TIME_ZONE = "UTC"

    response = manager_client.post(reverse("admin:plans_cycle_add"), cycle_form())

    assert response.status_code == 302
    cycle = Cycle.objects.get(year=2031)
    assert (cycle.opens_at, cycle.deadline, cycle.spending_target_pct, cycle.overdue_days_after) == (
        datetime(2031, 1, 1, tzinfo=UTC),
        datetime(2031, 6, 30, 23, 59, tzinfo=UTC),
        Decimal("3.50"),
        [1, 7],
    )


def test_a_deadline_before_the_opening_is_refused_on_the_deadline_field(manager_client):
    response = manager_client.post(reverse("admin:plans_cycle_add"), cycle_form(deadline_0="2030-12-01"))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["deadline"]
    assert not Cycle.objects.filter(year=2031).exists()


def test_a_review_deadline_before_the_deadline_is_refused(manager_client):
    response = manager_client.post(
        reverse("admin:plans_cycle_add"), cycle_form(review_deadline_0="2031-06-01", review_deadline_1="00:00:00")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors != {}
    assert not Cycle.objects.filter(year=2031).exists()


def test_editing_a_cycle_moves_its_deadline(manager_client, cycle):
    new_deadline = (cycle.deadline + timedelta(days=10)).replace(microsecond=0)
    data = cycle_form(
        opens_at_0=cycle.opens_at.strftime("%Y-%m-%d"),
        opens_at_1=cycle.opens_at.strftime("%H:%M:%S"),
        deadline_0=new_deadline.strftime("%Y-%m-%d"),
        deadline_1=new_deadline.strftime("%H:%M:%S"),
    )
    data.pop("year")

    response = manager_client.post(reverse("admin:plans_cycle_change", args=[cycle.pk]), data)

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.year, cycle.deadline, cycle.spending_target_pct) == (2025, new_deadline, Decimal("3.50"))
    assert Cycle.objects.count() == 1


def test_an_extension_ending_before_the_cycle_deadline_is_refused(manager_client, cycle, estonia):
    earlier = cycle.deadline - timedelta(days=1)

    response = manager_client.post(
        reverse("admin:plans_deadlineextension_add"),
        {
            "cycle": cycle.pk,
            "member": estonia.pk,
            "deadline_0": earlier.strftime("%Y-%m-%d"),
            "deadline_1": earlier.strftime("%H:%M:%S"),
            "reason": "Elections.",
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["deadline"]
    assert DeadlineExtension.objects.count() == 0


def test_editing_an_extension_records_the_new_grantor(manager_client, manager, charlie, cycle, estonia):
    extension = DeadlineExtension.objects.create(
        cycle=cycle, member=estonia, deadline=cycle.deadline + timedelta(days=3), reason="First.", granted_by=charlie
    )
    later = (cycle.deadline + timedelta(days=20)).replace(microsecond=0)

    response = manager_client.post(
        reverse("admin:plans_deadlineextension_change", args=[extension.pk]),
        {"deadline_0": later.strftime("%Y-%m-%d"), "deadline_1": later.strftime("%H:%M:%S"), "reason": "Second."},
    )

    assert response.status_code == 302
    extension.refresh_from_db()
    assert (extension.deadline, extension.reason, extension.granted_by) == (later, "Second.", manager)


def test_the_classification_marking_is_set_per_cycle_and_required(manager_client):
    from plans.models import Cycle

    blank = manager_client.post(reverse("admin:plans_cycle_add"), cycle_form(classification=""))
    saved = manager_client.post(reverse("admin:plans_cycle_add"), cycle_form(classification="NATO RESTRICTED"))

    assert list(blank.context["adminform"].form.errors) == ["classification"]
    assert saved.status_code == 302
    assert Cycle.objects.get(year=2031).classification == "NATO RESTRICTED"
