"""Across years: each ally's and the alliance's figures over every cycle, checked by hand on three cycles.

Guidelines: 2024 and 2025 at 2 % of GDP, 2026 at 3.5 %; equipment 20 % throughout. GDP is
100,000 everywhere, so the spending share is the defence expenditure / 1,000.

            EE                    LV                    LT
    2024    2.00 % ✔  25.00 % ✔   1.50 % ✘  15.00 % ✘   (draft: not reported)
    2025    2.50 % ✔  24.00 % ✔   2.10 % ✔  20.00 % ✔   2.00 % ✘ (1,999.99)  20.00 % ✔
    2026    3.60 % ✔  25.00 % ✔   3.00 % ✘  15.00 % ✘   3.50 % ✔  20.00 % ✔

Capability lines (catalogue items; stockpile current / target in brackets):

            EE                          LV                       LT
    2024    art-155 1000->5000 (100/900) art-155 500->1500 (50/300) (draft: art-155 9999->99999)
    2025    art-155 2000->6000 (200/1000) manpads 10->40          art-155 1000->2000 (0/500)
            art-fuzes 3->4 (units)                                 other: fuze adapters 7->9
    2026    art-155 3000->7000           art-155 1000->1000       art-155 1000->3000
"""

from decimal import Decimal

import pytest

from members.models import Member
from reports.selectors import alliance_trends, ally_trends, capacity_over_cycles, trends
from tests.factories import valid_content
from tests.reports.helpers import plan_in_state, report_cycle, spending

D = Decimal


def line(code: str, baseline: str, target: str, stock: str | None = None, stock_target: str | None = None):
    """A line of catalogue item `code` (its category and unit come from the item)."""
    return {
        **{key: value for key, value in valid_content()["lines"][0].items() if key not in ("category", "unit")},
        "item_code": code,
        "item": "",
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
    ammo = "art-155"
    fuze_adapters = {**valid_content()["lines"][0], "item": "Fuze adapters", "unit": "units"}
    plan_in_state(
        y2024, "EE", "accepted", lines=[line(ammo, "1000", "5000", "100", "900")], **spending("2000", "500", "100000")
    )
    plan_in_state(
        y2024, "LV", "submitted", lines=[line(ammo, "500", "1500", "50", "300")], **spending("1500", "225", "100000")
    )
    plan_in_state(y2024, "LT", "draft", lines=[line(ammo, "9999", "99999")], **spending("9000", "9000", "100000"))
    plan_in_state(
        y2025,
        "EE",
        "accepted",
        lines=[line(ammo, "2000", "6000", "200", "1000"), line("art-fuzes", "3", "4")],
        **spending("2500", "600", "100000"),
    )
    plan_in_state(y2025, "LV", "in_review", lines=[line("manpads", "10", "40")], **spending("2100", "420", "100000"))
    plan_in_state(
        y2025,
        "LT",
        "submitted",
        lines=[
            line(ammo, "1000", "2000", "0", "500"),
            {**fuze_adapters, "baseline_capacity": D("7"), "target_capacity": D("9")},
        ],
        **spending("1999.99", "400", "100000"),
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


def test_capacity_and_stockpiles_per_catalogue_item_and_unit_per_cycle(three_cycles):
    rows = [
        (
            r["code"],
            r["unit"],
            r["year"],
            r["allies"],
            r["baseline"],
            r["target"],
            r["growth"],
            r["growth_pct"],
            r["stockpile_current"],
            r["stockpile_target"],
            r["stockpile_gap"],
        )
        for r in capacity_over_cycles()
    ]
    # By hand (table above): EE and LV add up on 155 mm rounds; the fuzes (units) are their own
    # row although in the same category; LT's draft and its "other" line are not summed.
    # Gaps: 2024 (900-100) + (300-50) = 1050; 2025 (1000-200) + (500-0) = 1300.
    assert rows == [
        ("manpads", "missiles", 2025, ["LV"], D("10"), D("40"), D("30"), D("300.00"), D("0"), D("0"), D("0")),
        (
            "art-155",
            "rounds",
            2024,
            ["EE", "LV"],
            D("1500"),
            D("6500"),
            D("5000"),
            D("333.33"),
            D("150"),
            D("1200"),
            D("1050"),
        ),
        (
            "art-155",
            "rounds",
            2025,
            ["EE", "LT"],
            D("3000"),
            D("8000"),
            D("5000"),
            D("166.67"),
            D("200"),
            D("1500"),
            D("1300"),
        ),
        (
            "art-155",
            "rounds",
            2026,
            ["EE", "LT", "LV"],
            D("5000"),
            D("11000"),
            D("6000"),
            D("120.00"),
            D("0"),
            D("0"),
            D("0"),
        ),
        ("art-fuzes", "units", 2025, ["EE"], D("3"), D("4"), D("1"), D("33.33"), D("0"), D("0"), D("0")),
    ]
    assert all(r["category"] != "other" and r["code"] for r in capacity_over_cycles())


def test_capacity_over_cycles_is_capacity_by_item_of_each_cycle(three_cycles):
    from plans.models import Cycle
    from reports.selectors import capacity_by_item

    across = capacity_over_cycles()
    for cycle in Cycle.objects.all():
        assert [{k: v for k, v in r.items() if k != "year"} for r in across if r["year"] == cycle.year] == (
            capacity_by_item(cycle=cycle)["items"]
        )


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
    assert [(r["code"], r["year"], r["baseline"]) for r in estonia["capacity"]] == [
        ("art-155", 2024, "1000.00"),
        ("art-155", 2025, "2000.00"),
        ("art-155", 2026, "3000.00"),
        ("art-fuzes", 2025, "3.00"),
    ]
    manpads = body["capacity"][0]
    assert manpads == {
        "code": "manpads",
        "name": "MANPADS missiles (Stinger class)",
        "category": "air_missile_defence",
        "unit": "missiles",
        "parent": None,
        "lines": 1,
        "allies": ["LV"],
        "baseline": "10.00",
        "target": "40.00",
        "growth": "30.00",
        "growth_pct": "300.00",
        "stockpile_current": "0.00",
        "stockpile_target": "0.00",
        "stockpile_gap": "0.00",
        "investment": {},
        "year": 2025,
    }
    french = client.get("/api/v1/trends/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["capacity"][0]["name"] == "Missiles sol-air portables (type Stinger)"
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
    # Year, category, code, item, unit, allies, ally codes, lines, baseline, target, growth, %, stock, target, gap
    assert [row[:15] for row in capacity] == [
        (2025, "Air and missile defence", "manpads", "MANPADS missiles (Stinger class)", "missiles", 1, "LV", 1)
        + (10, 40, 30, 300, 0, 0, 0),
        (2024, "Ammunition", "art-155", "155 mm artillery rounds", "rounds", 2, "EE, LV", 2)
        + (1500, 6500, 5000, 333.33, 150, 1200, 1050),
        (2025, "Ammunition", "art-155", "155 mm artillery rounds", "rounds", 2, "EE, LT", 2)
        + (3000, 8000, 5000, 166.67, 200, 1500, 1300),
        (2026, "Ammunition", "art-155", "155 mm artillery rounds", "rounds", 3, "EE, LT, LV", 3)
        + (5000, 11000, 6000, 120, 0, 0, 0),
        (2025, "Ammunition", "art-fuzes", "Artillery fuzes", "units (pieces)", 1, "EE", 1) + (3, 4, 1, 33.33, 0, 0, 0),
    ]


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
    assert [(row["code"], row["year"], row["label"], row["unit_label"]) for row in response.context["capacity"]] == [
        ("manpads", 2025, "MANPADS missiles (Stinger class)", "missiles"),
        ("art-155", 2024, "155 mm artillery rounds", "rounds"),
        ("art-155", 2025, "155 mm artillery rounds", "rounds"),
        ("art-155", 2026, "155 mm artillery rounds", "rounds"),
        ("art-fuzes", 2025, "Artillery fuzes", "units (pieces)"),
    ]
    assert '<tr data-item="art-155" data-year="2026">' in html
    assert "Fuze adapters" not in html  # "other" lines are not summed across years


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


def test_a_report_sums_capacity_once_and_gives_its_cycle_the_same_figures(three_cycles, django_assert_num_queries):
    from plans.models import Cycle
    from reports.builders.data import report_data
    from reports.selectors import capacity_by_item

    cycle = Cycle.objects.get(year=2025)
    # compliance rows, the four across years (capacity over every cycle among them), the cycle's
    # "other" lines (its items are its rows across years), joint procurement (2), bottlenecks,
    # programmes (2), reconciliation (3), submissions, lines, partnerships (2)
    with django_assert_num_queries(18):
        data = report_data(cycle=cycle)
    assert data.capacity == capacity_by_item(cycle=cycle)
    figures = [(item["code"], item["allies"], item["baseline"], item["target"]) for item in data.capacity["items"]]
    assert sorted(figures) == [
        ("art-155", ["EE", "LT"], D("3000"), D("8000")),
        ("art-fuzes", ["EE"], D("3"), D("4")),
        ("manpads", ["LV"], D("10"), D("40")),
    ]
    assert [line["item"] for line in data.capacity["other"]] == ["Fuze adapters"]


def test_the_detail_lines_are_the_reported_lines_without_the_editor_key(three_cycles):
    from plans.models import Cycle
    from reports.selectors import capability_lines

    lines = capability_lines(cycle=Cycle.objects.get(year=2025))
    assert [(line["member_code"], line["item_code"], line["target_capacity"]) for line in lines] == [
        ("EE", "art-155", D("6000")),
        ("EE", "art-fuzes", D("4")),
        ("LV", "manpads", D("40")),
        ("LT", "art-155", D("2000")),
        ("LT", None, D("9")),
    ]
    assert (lines[-1]["item"], lines[-1]["item_name_en"]) == ("Fuze adapters", None)
    assert sorted(lines[0]) == sorted(
        [
            *("item_code", "category", "item", "unit", "baseline_capacity", "target_capacity", "target_year"),
            *("stockpile_current", "stockpile_target", "planned_investment", "funding", "priority", "bottleneck"),
            *("member_code", "currency", "item_name_en", "item_name_fr"),
        ]
    )
