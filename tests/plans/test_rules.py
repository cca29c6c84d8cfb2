"""Each business figure's query expression equals its Python twin at the boundaries.

The expressions live in plans.selectors and the Python side in plans.models; the admin, the API,
the delegation pages and the reports read one or the other, so here both are asked the same
question for the same plan: a cent either side of a guideline, a minute either side of a deadline.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from plans import services
from plans.models import NotAnnotated, Plan, percent_of, share_meets
from plans.selectors import plans_with_rules
from tests.factories import CycleFactory, PlanFactory, member, valid_content

pytestmark = pytest.mark.django_db

FIGURES = ("spending_pct_gdp", "equipment_share_pct", "meets_spending_target", "meets_equipment_target")


def both_ways(plan: Plan) -> tuple[dict, dict]:
    """The figures computed in Python from a plain row, and annotated by the database."""
    plain = Plan.objects.select_related("cycle").get(pk=plan.pk)
    annotated = plans_with_rules().get(pk=plan.pk)
    return (
        {name: getattr(plain, name) for name in FIGURES},
        {name: getattr(annotated, name) for name in FIGURES},
    )


def figures_plan(defence, gdp, equipment=None, *, code="EE", spending_target="2.00", equipment_target="20.00"):
    cycle = CycleFactory(spending_target_pct=Decimal(spending_target), equipment_target_pct=Decimal(equipment_target))
    return PlanFactory(
        cycle=cycle,
        member=member(code),
        defence_expenditure=None if defence is None else Decimal(defence),
        gdp=None if gdp is None else Decimal(gdp),
        equipment_expenditure=None if equipment is None else Decimal(equipment),
        personnel_expenditure=None,
        infrastructure_expenditure=None,
        other_expenditure=None,
    )


@pytest.mark.parametrize(
    ("defence", "gdp", "shown", "met"),
    [
        ("1999.99", "100000.00", Decimal("2.00"), False),  # a cent below 2 %: shown 2.00, not met
        ("2000.00", "100000.00", Decimal("2.00"), True),
        ("2000.01", "100000.00", Decimal("2.00"), True),  # a cent above
        ("1999.50", "100000.00", Decimal("2.00"), False),  # 1.9995 %: the example
        ("1994.99", "100000.00", Decimal("1.99"), False),  # 1.99499 %
        ("1995.00", "100000.00", Decimal("2.00"), False),  # 1.995 %: half up
        ("2005.00", "100000.00", Decimal("2.01"), True),  # 2.005 %: halves go up, not to even
        ("2015.00", "100000.00", Decimal("2.02"), True),  # 2.015 %: up again (half-even would too)
        ("2025.00", "100000.00", Decimal("2.03"), True),  # 2.025 %: half-even would give 2.02
        ("1024.36", "51218.00", Decimal("2.00"), True),  # exactly 2 %, but 1024.36 x 100 < 2 x 51218 in floating point
        ("1024.35", "51218.00", Decimal("2.00"), False),  # a cent below that
        ("1.00", "3.00", Decimal("33.33"), True),
        ("2.00", "3.00", Decimal("66.67"), True),
        ("850000000000.00", "29000000000000.00", Decimal("2.93"), True),  # the size of the largest ally
        (None, "100000.00", None, None),
        ("2000.00", None, None, None),
    ],
)
def test_spending_share_and_guideline_agree_in_python_and_sql(defence, gdp, shown, met):
    plan = figures_plan(defence, gdp)

    python, sql = both_ways(plan)

    assert (python["spending_pct_gdp"], python["meets_spending_target"]) == (shown, met)
    assert (sql["spending_pct_gdp"], sql["meets_spending_target"]) == (shown, met)
    assert str(sql["spending_pct_gdp"]) == str(python["spending_pct_gdp"])  # the same digits: 2.50, not 2.5


@pytest.mark.parametrize(
    ("equipment", "defence", "shown", "met"),
    [
        ("199.99", "1000.00", Decimal("20.00"), False),  # a cent below 20 %
        ("200.00", "1000.00", Decimal("20.00"), True),
        ("200.01", "1000.00", Decimal("20.00"), True),
        ("200.05", "1000.00", Decimal("20.01"), True),  # 20.005 %: half up
        (None, "1000.00", None, None),
        ("0.00", "0.00", None, None),  # no defence expenditure: no share
    ],
)
def test_equipment_share_and_guideline_agree_in_python_and_sql(equipment, defence, shown, met):
    plan = figures_plan(defence, "100000.00", equipment)

    python, sql = both_ways(plan)

    assert (python["equipment_share_pct"], python["meets_equipment_target"]) == (shown, met)
    assert (sql["equipment_share_pct"], sql["meets_equipment_target"]) == (shown, met)
    assert str(sql["equipment_share_pct"]) == str(python["equipment_share_pct"])


def test_the_cycle_threshold_is_the_one_compared_in_both():
    plan = figures_plan("3499.99", "100000.00", "300.00", spending_target="3.50", equipment_target="30.00")

    python, sql = both_ways(plan)

    expected = {
        "spending_pct_gdp": Decimal("3.50"),
        "equipment_share_pct": Decimal("8.57"),
        "meets_spending_target": False,
        "meets_equipment_target": False,
    }
    assert python == sql == expected


def test_filtering_on_the_expression_selects_what_the_property_says():
    met = figures_plan("2000.00", "100000.00")
    below = figures_plan("1999.50", "100000.00", code="LV")

    in_sql = {
        answer: set(plans_with_rules().filter(meets_spending_target=answer).values_list("pk", flat=True))
        for answer in (True, False)
    }
    in_python = {answer: {p.pk for p in Plan.objects.all() if p.meets_spending_target is answer} for answer in in_sql}

    assert in_sql == in_python == {True: {met.pk}, False: {below.pk}}


def test_python_twins_are_exact_at_half_cents():
    assert (percent_of(Decimal("1"), Decimal("8")), percent_of(Decimal("1"), Decimal("16"))) == (
        Decimal("12.50"),
        Decimal("6.25"),
    )
    assert (percent_of(Decimal("1"), Decimal("1600")), share_meets(Decimal("1"), Decimal("50"), Decimal("2"))) == (
        Decimal("0.06"),  # 0.0625 %
        True,
    )


# Lateness -------------------------------------------------------------------------------------


@pytest.fixture
def deadline(cycle):
    return cycle.deadline


@pytest.fixture
def draft(cycle, estonia, as_alice):
    return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


def lateness(plan: Plan) -> tuple[tuple, tuple]:
    """(submitted_late, overdue, is_late) in Python from a plain row and annotated in SQL, as of now."""
    annotated = plans_with_rules().get(pk=plan.pk)
    plain = Plan.objects.get(pk=plan.pk)
    plain.effective_deadline = annotated.effective_deadline  # the one fact the Python side cannot read itself
    return (
        (plain.submitted_late, plain.overdue, plain.is_late),
        (annotated.submitted_late, annotated.overdue, annotated.is_late),
    )


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(minutes=-1), (False, False, False)),
        (timedelta(0), (False, False, False)),  # at the deadline itself: on time
        (timedelta(minutes=1), (True, False, True)),
    ],
)
def test_submission_a_minute_either_side_of_the_deadline(draft, as_alice, deadline, offset, expected):
    with time_machine.travel(deadline + offset, tick=False):
        services.plan_submit(plan=draft, actor=as_alice)
        python, sql = lateness(draft)

    assert python == sql == expected


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(minutes=-1), (None, False, False)),
        (timedelta(0), (None, False, False)),
        (timedelta(minutes=1), (None, True, True)),
    ],
)
def test_nothing_submitted_is_overdue_a_minute_after_the_deadline(draft, deadline, offset, expected):
    with time_machine.travel(deadline + offset, tick=False):
        python, sql = lateness(draft)

    assert python == sql == expected


def test_an_extension_granted_after_a_late_submission_does_not_make_it_on_time(
    draft, cycle, estonia, as_alice, as_manager, deadline
):
    with time_machine.travel(deadline + timedelta(days=2), tick=False):
        services.plan_submit(plan=draft, actor=as_alice)
    with time_machine.travel(deadline + timedelta(days=3), tick=False):
        services.extension_grant(
            cycle=cycle, member=estonia, deadline=deadline + timedelta(days=10), reason="Elections.", actor=as_manager
        )
        python, sql = lateness(draft)

    assert python == sql == (True, False, True)


def test_an_extension_moves_the_deadline_that_overdue_is_measured_against(draft, cycle, estonia, as_manager, deadline):
    services.extension_grant(
        cycle=cycle, member=estonia, deadline=deadline + timedelta(days=10), reason="Elections.", actor=as_manager
    )
    with time_machine.travel(deadline + timedelta(days=10, minutes=-1), tick=False):
        before = lateness(draft)
    with time_machine.travel(deadline + timedelta(days=10, minutes=1), tick=False):
        after = lateness(draft)

    assert (before, after) == (((None, False, False),) * 2, ((None, True, True),) * 2)


def test_on_time_then_returned_and_resubmitted_late_stays_on_time(draft, as_alice, as_charlie, deadline):
    with time_machine.travel(deadline - timedelta(days=1), tick=False):
        services.plan_submit(plan=draft, actor=as_alice)
        services.plan_return(plan=draft, actor=as_charlie, comment="Add the partners.")
    with time_machine.travel(deadline + timedelta(days=1), tick=False):
        services.plan_submit(plan=draft, actor=as_alice)
        python, sql = lateness(draft)

    assert python == sql == (False, False, False)
    assert list(draft.versions.order_by("number").values_list("is_late", flat=True)) == [False, True]


def test_the_effective_deadline_comes_only_from_the_selectors(draft):
    with pytest.raises(NotAnnotated):
        _ = Plan.objects.get(pk=draft.pk).effective_deadline
