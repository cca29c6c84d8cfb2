"""What must never happen is refused by the database itself, whatever code writes the row."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from plans.enums import Decision
from plans.models import CapabilityLine, Cycle, DeadlineExtension, Plan, PlanVersion, Review
from tests.factories import CapabilityLineFactory, CycleFactory, PlanFactory, member

pytestmark = pytest.mark.django_db

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def rejected(write) -> bool:
    """True when the database refuses the write (the savepoint keeps the test's transaction usable)."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def version(plan, **fields) -> PlanVersion:
    values = {
        "plan": plan,
        "number": 1,
        "content": "{}",
        "sha256": SHA_A,
        "previous_sha256": "",
        "submitted_at": timezone.now(),
        "deadline": plan.cycle.deadline,
        "is_late": False,
        **fields,
    }
    return PlanVersion.objects.create(**values)


def test_second_plan_for_one_member_and_cycle_is_refused():
    plan = PlanFactory()
    assert rejected(lambda: PlanFactory(cycle=plan.cycle, member=plan.member))
    assert Plan.objects.filter(cycle=plan.cycle, member=plan.member).count() == 1


def test_same_member_may_have_plans_in_two_cycles():
    plan = PlanFactory()
    other_cycle = CycleFactory(year=2026)
    assert not rejected(lambda: PlanFactory(cycle=other_cycle, member=plan.member))


@pytest.mark.parametrize(
    "field",
    [
        "defence_expenditure",
        "equipment_expenditure",
        "personnel_expenditure",
        "infrastructure_expenditure",
        "other_expenditure",
    ],
)
def test_negative_plan_expenditure_is_refused(field):
    plan = PlanFactory()
    assert rejected(lambda: Plan.objects.filter(pk=plan.pk).update(**{field: Decimal("-1")}))
    plan.refresh_from_db()
    assert getattr(plan, field) >= 0


def test_zero_or_negative_gdp_is_refused():
    plan = PlanFactory()
    assert rejected(lambda: Plan.objects.filter(pk=plan.pk).update(gdp=Decimal("0")))
    assert rejected(lambda: Plan.objects.filter(pk=plan.pk).update(gdp=Decimal("-5")))


def test_negative_military_personnel_is_refused():
    plan = PlanFactory()
    assert rejected(lambda: Plan.objects.filter(pk=plan.pk).update(military_personnel=-1))


@pytest.mark.parametrize(
    "field", ["baseline_capacity", "target_capacity", "stockpile_current", "stockpile_target", "planned_investment"]
)
def test_negative_line_quantity_is_refused(field):
    line = CapabilityLineFactory()
    assert rejected(lambda: CapabilityLine.objects.filter(pk=line.pk).update(**{field: Decimal("-0.01")}))
    line.refresh_from_db()
    assert getattr(line, field) >= 0


def test_parts_above_the_total_are_refused():
    plan = PlanFactory()
    # The factory's parts add up to exactly the total; one cent more on any part is too much.
    assert rejected(lambda: Plan.objects.filter(pk=plan.pk).update(other_expenditure=Decimal("150000.01")))
    assert rejected(lambda: PlanFactory(member=member("LV"), defence_expenditure=Decimal("10")))


def test_parts_below_the_total_or_missing_are_allowed():
    plan = PlanFactory()
    assert not rejected(lambda: Plan.objects.filter(pk=plan.pk).update(other_expenditure=None))
    assert not rejected(lambda: Plan.objects.filter(pk=plan.pk).update(defence_expenditure=Decimal("2000000")))


def test_two_versions_with_one_number_are_refused():
    plan = PlanFactory()
    version(plan, number=1, sha256=SHA_A)
    assert rejected(lambda: version(plan, number=1, sha256=SHA_B))
    assert list(plan.versions.values_list("sha256", flat=True)) == [SHA_A]


def test_two_versions_with_one_hash_are_refused():
    plan = PlanFactory()
    version(plan, number=1, sha256=SHA_A)
    assert rejected(lambda: version(plan, number=2, sha256=SHA_A, previous_sha256=SHA_A))


def test_first_version_must_not_name_a_previous_hash():
    plan = PlanFactory()
    assert rejected(lambda: version(plan, number=1, previous_sha256=SHA_B))


def test_later_version_must_name_the_previous_hash():
    plan = PlanFactory()
    version(plan, number=1, sha256=SHA_A)
    assert rejected(lambda: version(plan, number=2, sha256=SHA_B, previous_sha256=""))
    assert rejected(lambda: version(plan, number=2, sha256=SHA_B, previous_sha256="not-a-hash"))
    assert not rejected(lambda: version(plan, number=2, sha256=SHA_B, previous_sha256=SHA_A))


def test_version_number_zero_and_malformed_hash_are_refused():
    plan = PlanFactory()
    assert rejected(lambda: version(plan, number=0))
    assert rejected(lambda: version(plan, number=1, sha256="A" * 64))


def test_cycle_deadline_before_opening_is_refused():
    now = timezone.now()
    assert rejected(lambda: Cycle.objects.create(year=2030, opens_at=now, deadline=now - timedelta(seconds=1)))
    assert rejected(lambda: Cycle.objects.create(year=2030, opens_at=now, deadline=now))
    assert not Cycle.objects.filter(year=2030).exists()


def test_cycle_review_deadline_before_submission_deadline_is_refused():
    now = timezone.now()
    assert rejected(
        lambda: Cycle.objects.create(
            year=2030, opens_at=now, deadline=now + timedelta(days=2), review_deadline=now + timedelta(days=1)
        )
    )


@pytest.mark.parametrize("field", ["spending_target_pct", "equipment_target_pct"])
@pytest.mark.parametrize("value", [Decimal("-0.01"), Decimal("100.01")])
def test_cycle_target_out_of_range_is_refused(field, value):
    cycle = CycleFactory()
    assert rejected(lambda: Cycle.objects.filter(pk=cycle.pk).update(**{field: value}))


def test_return_without_comment_is_refused_and_accept_without_comment_allowed():
    plan = PlanFactory()
    v1 = version(plan)
    assert rejected(lambda: Review.objects.create(plan=plan, version=v1, decision=Decision.RETURN, comment=""))
    assert not rejected(lambda: Review.objects.create(plan=plan, version=v1, decision=Decision.ACCEPT, comment=""))


def test_second_extension_for_one_member_and_cycle_is_refused():
    cycle = CycleFactory()
    estonia = member("EE")

    def extend():
        DeadlineExtension.objects.create(
            cycle=cycle, member=estonia, deadline=cycle.deadline + timedelta(days=7), reason="Elections."
        )

    extend()
    assert rejected(extend)
    assert DeadlineExtension.objects.filter(cycle=cycle, member=estonia).count() == 1


def test_extension_without_reason_is_refused():
    cycle = CycleFactory()
    assert rejected(
        lambda: DeadlineExtension.objects.create(
            cycle=cycle, member=member("EE"), deadline=cycle.deadline + timedelta(days=7), reason=""
        )
    )
