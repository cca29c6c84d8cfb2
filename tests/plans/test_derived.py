"""Figures derived from a plan's own row, judged against each cycle's thresholds."""

from decimal import Decimal

import pytest

from tests.factories import CapabilityLineFactory, CycleFactory, PlanFactory

pytestmark = pytest.mark.django_db


def plan(**fields):
    return PlanFactory.build(cycle=CycleFactory(), **fields)


def test_spending_pct_gdp_is_expenditure_over_gdp():
    assert plan(defence_expenditure=Decimal("2150"), gdp=Decimal("100000")).spending_pct_gdp == Decimal("2.15")


def test_spending_pct_gdp_rounds_to_two_places():
    assert plan(defence_expenditure=Decimal("1"), gdp=Decimal("3")).spending_pct_gdp == Decimal("33.33")


def test_equipment_share_pct_is_equipment_over_expenditure():
    figures = plan(defence_expenditure=Decimal("1000"), equipment_expenditure=Decimal("205"), gdp=Decimal("50000"))
    assert (figures.equipment_share_pct, figures.spending_pct_gdp) == (Decimal("20.50"), Decimal("2.00"))


@pytest.mark.parametrize(
    "fields",
    [
        {"defence_expenditure": None},
        {"gdp": None},
    ],
)
def test_spending_figures_are_none_when_missing(fields):
    figures = plan(**fields)
    assert (figures.spending_pct_gdp, figures.meets_spending_target) == (None, None)


@pytest.mark.parametrize(
    "fields",
    [
        {"equipment_expenditure": None},
        {"defence_expenditure": None},
        {
            "defence_expenditure": Decimal("0"),
            "equipment_expenditure": Decimal("0"),
            "personnel_expenditure": None,
            "infrastructure_expenditure": None,
            "other_expenditure": None,
        },
    ],
)
def test_equipment_figures_are_none_when_missing(fields):
    figures = plan(**fields)
    assert (figures.equipment_share_pct, figures.meets_equipment_target) == (None, None)


@pytest.mark.parametrize(
    ("expenditure", "meets_two", "meets_three_and_a_half"),
    [
        (Decimal("1999"), False, False),
        (Decimal("2000"), True, False),
        (Decimal("3499"), True, False),
        (Decimal("3500"), True, True),
    ],
)
def test_spending_target_is_judged_against_the_plans_cycle(expenditure, meets_two, meets_three_and_a_half):
    usual = CycleFactory(year=2025)
    raised = CycleFactory(year=2030, spending_target_pct=Decimal("3.50"))
    fields = {
        "defence_expenditure": expenditure,
        "gdp": Decimal("100000"),
        "equipment_expenditure": None,
        "personnel_expenditure": None,
        "infrastructure_expenditure": None,
        "other_expenditure": None,
    }
    results = [PlanFactory.build(cycle=cycle, **fields).meets_spending_target for cycle in (usual, raised)]
    assert results == [meets_two, meets_three_and_a_half]


@pytest.mark.parametrize(
    ("equipment", "meets_twenty", "meets_thirty"),
    [(Decimal("199"), False, False), (Decimal("200"), True, False), (Decimal("300"), True, True)],
)
def test_equipment_target_is_judged_against_the_plans_cycle(equipment, meets_twenty, meets_thirty):
    usual = CycleFactory(year=2025)
    raised = CycleFactory(year=2031, equipment_target_pct=Decimal("30.00"))
    fields = {
        "defence_expenditure": Decimal("1000"),
        "equipment_expenditure": equipment,
        "gdp": Decimal("100000"),
        "personnel_expenditure": None,
        "infrastructure_expenditure": None,
        "other_expenditure": None,
    }
    results = [PlanFactory.build(cycle=cycle, **fields).meets_equipment_target for cycle in (usual, raised)]
    assert results == [meets_twenty, meets_thirty]


def test_derived_figures_of_a_stored_plan():
    stored = PlanFactory()  # 1,000,000 of 40,000,000 GDP; 250,000 on equipment
    stored.refresh_from_db()
    assert (
        stored.spending_pct_gdp,
        stored.equipment_share_pct,
        stored.meets_spending_target,
        stored.meets_equipment_target,
    ) == (Decimal("2.50"), Decimal("25.00"), True, True)


def test_capacity_growth_per_line():
    line = CapabilityLineFactory(baseline_capacity=Decimal("1000"), target_capacity=Decimal("2500"))
    assert (line.capacity_growth, line.capacity_growth_pct) == (Decimal("1500"), Decimal("150.00"))


def test_capacity_growth_pct_is_none_from_zero_baseline():
    line = CapabilityLineFactory(baseline_capacity=Decimal("0"), target_capacity=Decimal("10"))
    assert (line.capacity_growth, line.capacity_growth_pct) == (Decimal("10"), None)


def test_spending_just_below_target_shows_rounded_but_does_not_meet_it():
    figures = plan(
        defence_expenditure=Decimal("1999"),
        gdp=Decimal("100000"),
        equipment_expenditure=None,
        personnel_expenditure=None,
        infrastructure_expenditure=None,
        other_expenditure=None,
    )
    assert (figures.spending_pct_gdp, figures.meets_spending_target) == (Decimal("2.00"), False)
