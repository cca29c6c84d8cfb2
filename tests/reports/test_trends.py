"""Across years: each ally's and the alliance's figures over every cycle, checked by hand on three cycles.

Guidelines: 2024 and 2025 at 2 % of GDP, 2026 at 3.5 %; equipment 20 % throughout. GDP is
100,000 everywhere, so the spending share is the defence expenditure / 1,000.

            EE                    LV                    LT
    2024    2.00 % ✔  25.00 % ✔   1.50 % ✘  15.00 % ✘   (draft: not reported)
    2025    2.50 % ✔  24.00 % ✔   2.10 % ✔  20.00 % ✔   2.00 % ✘ (1,999.99)  20.00 % ✔
    2026    3.60 % ✔  25.00 % ✔   3.00 % ✘  15.00 % ✘   3.50 % ✔  20.00 % ✔
"""

from decimal import Decimal

import pytest

from members.models import Member
from reports.selectors import alliance_trends, ally_trends, capacity_over_cycles, trends
from tests.factories import valid_content
from tests.reports.helpers import plan_in_state, report_cycle, spending

D = Decimal


def line(category: str, baseline: str, target: str, stock: str | None = None, stock_target: str | None = None):
    return {
        **valid_content()["lines"][0],
        "category": category,
        "baseline_capacity": D(baseline),
        "target_capacity": D(target),
        "stockpile_current": None if stock is None else D(stock),
        "stockpile_target": None if stock_target is None else D(stock_target),
    }


@pytest.fixture
def three_cycles(db):
    y2024, y2025, y2026 = report_cycle(2024), report_cycle(2025), report_cycle(2026)
    y2026.spending_target_pct = D("3.50")
    y2026.save()
    ammo = "ammunition"
    plan_in_state(
        y2024, "EE", "accepted", lines=[line(ammo, "1000", "5000", "100", "900")], **spending("2000", "500", "100000")
    )
    plan_in_state(
        y2024, "LV", "submitted", lines=[line(ammo, "500", "1500", "50", "300")], **spending("1500", "225", "100000")
    )
    plan_in_state(y2024, "LT", "draft", lines=[line(ammo, "9999", "99999")], **spending("9000", "9000", "100000"))
    plan_in_state(
        y2025, "EE", "accepted", lines=[line(ammo, "2000", "6000", "200", "1000")], **spending("2500", "600", "100000")
    )
    plan_in_state(
        y2025, "LV", "in_review", lines=[line("air_missile_defence", "10", "40")], **spending("2100", "420", "100000")
    )
    plan_in_state(
        y2025, "LT", "submitted", lines=[line(ammo, "1000", "2000", "0", "500")], **spending("1999.99", "400", "100000")
    )
    plan_in_state(y2026, "EE", "submitted", lines=[line(ammo, "3000", "7000")], **spending("3600", "900", "100000"))
    plan_in_state(y2026, "LV", "submitted", lines=[line(ammo, "1000", "1000")], **spending("3000", "450", "100000"))
    plan_in_state(y2026, "LT", "submitted", lines=[line(ammo, "1000", "3000")], **spending("3500", "700", "100000"))


def test_each_allys_figures_against_each_years_guideline(three_cycles):
    rows = [
        (
            r["year"],
            r["member_code"],
            r["spending_pct_gdp"],
            r["meets_spending_target"],
            r["equipment_share_pct"],
            r["meets_equipment_target"],
        )
        for r in ally_trends()
    ]
    assert rows == [
        (2024, "EE", D("2.00"), True, D("25.00"), True),
        (2024, "LV", D("1.50"), False, D("15.00"), False),
        (2025, "EE", D("2.50"), True, D("24.00"), True),
        (2025, "LV", D("2.10"), True, D("20.00"), True),
        (2025, "LT", D("2.00"), False, D("20.00"), True),
        (2026, "EE", D("3.60"), True, D("25.00"), True),
        (2026, "LV", D("3.00"), False, D("15.00"), False),
        (2026, "LT", D("3.50"), True, D("20.00"), True),
    ]
    estonia = Member.objects.get(code="EE").pk
    assert [r["spending_target_pct"] for r in ally_trends(member_id=estonia)] == [D("2.00"), D("2.00"), D("3.50")]


def test_the_alliance_per_year_how_many_met_each_guideline(three_cycles):
    years = [
        (
            r["year"],
            r["spending_target_pct"],
            r["reported"],
            r["meeting_spending_target"],
            r["meeting_equipment_target"],
            r["median_spending_pct_gdp"],
            r["median_equipment_share_pct"],
        )
        for r in alliance_trends()
    ]
    assert years == [
        (2024, D("2.00"), 2, 1, 1, D("1.75"), D("20.00")),
        (2025, D("2.00"), 3, 2, 3, D("2.10"), D("20.00")),
        (2026, D("3.50"), 3, 2, 2, D("3.50"), D("20.00")),
    ]
    assert {r["allies"] for r in alliance_trends()} == {32}


def test_capacity_and_stockpiles_per_cycle(three_cycles):
    rows = [
        (
            r["year"],
            r["group"],
            r["allies"],
            r["baseline"],
            r["target"],
            r["growth"],
            r["growth_pct"],
            r["stockpile_current"],
            r["stockpile_target"],
        )
        for r in capacity_over_cycles()
    ]
    assert rows == [
        (2024, "ammunition", 2, D("1500"), D("6500"), D("5000"), D("333.33"), D("150"), D("1200")),
        (2025, "air_missile_defence", 1, D("10"), D("40"), D("30"), D("300.00"), None, None),
        (2025, "ammunition", 2, D("3000"), D("8000"), D("5000"), D("166.67"), D("200"), D("1500")),
        (2026, "ammunition", 3, D("5000"), D("11000"), D("6000"), D("120.00"), None, None),
    ]


@pytest.mark.parametrize("allies", [1, 3])
def test_trends_take_the_same_queries_whatever_the_number_of_allies(db, allies, django_assert_num_queries):
    for year in (2024, 2025):
        cycle = report_cycle(year)
        for code in ("EE", "LV", "LT")[:allies]:
            plan_in_state(cycle, code, "submitted")
    # allies' rows, the allies counted, the cycles, capacity
    with django_assert_num_queries(4):
        result = trends()
    assert [r["reported"] for r in result["cycles"]] == [allies, allies]


def test_api_gives_staff_the_figures_across_years(three_cycles, charlie):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(charlie)

    body = client.get("/api/v1/trends/").json()
    estonia = client.get("/api/v1/trends/?member=ee").json()

    assert [(r["year"], r["meeting_spending_target"]) for r in body["cycles"]] == [(2024, 1), (2025, 2), (2026, 2)]
    assert body["allies"][0] == {
        "year": 2024,
        "member_code": "EE",
        "member_name": "Estonia",
        "member_name_fr": "Estonie",
        "status": "accepted",
        "nil_return": False,
        "spending_target_pct": "2.00",
        "equipment_target_pct": "20.00",
        "spending_pct_gdp": "2.00",
        "meets_spending_target": True,
        "equipment_share_pct": "25.00",
        "meets_equipment_target": True,
    }
    assert {r["member_code"] for r in estonia["allies"]} == {"EE"}
    assert [r["baseline"] for r in estonia["capacity"]] == ["1000.00", "2000.00", "3000.00"]
    assert client.get("/api/v1/trends/?member=XX").json()["errors"] == {"member": ["No ally has this code."]}


def test_a_member_is_refused_the_figures_across_years(three_cycles, alice):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(alice)

    assert client.get("/api/v1/trends/").status_code == 403


def test_the_xlsx_has_the_figures_across_years(three_cycles):
    import io

    from openpyxl import load_workbook

    from plans.models import Cycle
    from reports.builders.data import report_data
    from reports.builders.tables import build_xlsx

    workbook = load_workbook(io.BytesIO(build_xlsx(report_data(cycle=Cycle.objects.get(year=2026)))))

    alliance = list(workbook["Alliance by year"].iter_rows(min_row=2, values_only=True))
    allies = list(workbook["Allies by year"].iter_rows(min_row=2, values_only=True))
    capacity = list(workbook["Capacity by year"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[4], row[5], row[6]) for row in alliance] == [
        (2024, 2.0, 2, 1, 1),
        (2025, 2.0, 3, 2, 3),
        (2026, 3.5, 3, 2, 2),
    ]
    assert allies[4][:7] == (2025, "LT", "Lithuania", "Submitted", 2.0, 2.0, "no")
    assert capacity[0][:2] == (2024, "Ammunition")
    assert (capacity[0][-2], capacity[0][-1]) == (150, 1200)


def test_the_dashboard_shows_the_figures_across_years(three_cycles, charlie):
    from django.test import Client

    client = Client()
    client.force_login(charlie)

    response = client.get("/staff/reports/")

    assert response.context["years"] == [2024, 2025, 2026]
    lithuania = next(ally for ally in response.context["allies"] if ally["code"] == "LT")
    assert [cell and cell["spending_pct_gdp"] for cell in lithuania["cells"]] == [None, D("2.00"), D("3.50")]
    html = response.content.decode()
    assert 'id="alliance-years"' in html
    assert "3 / 32" in html


@pytest.mark.parametrize("allies", [1, 3])
def test_the_dashboard_across_years_takes_the_same_queries(db, charlie, allies, django_assert_num_queries):
    from django.test import Client

    cycle = report_cycle(2025)
    for code in ("EE", "LV", "LT")[:allies]:
        plan_in_state(cycle, code, "submitted")
    client = Client()
    client.force_login(charlie)
    # session, user, permissions, cycles listed, the four of trends(), the session saved (3)
    with django_assert_num_queries(11):
        client.get("/staff/reports/")
