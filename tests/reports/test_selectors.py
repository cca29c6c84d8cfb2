from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from members.actors import Actor
from plans import services
from reports.selectors import (
    ROW_KEYS,
    bottlenecks,
    capacity_by_category,
    capacity_by_item,
    compliance_rows,
    compliance_totals,
    joint_procurement,
    multinational_programmes,
    partnership_reconciliation,
)
from tests.factories import member, valid_content
from tests.reports.helpers import DEADLINE, nil_return, plan_in_state, report_cycle, spending

pytestmark = pytest.mark.django_db
AFTER_DEADLINE = DEADLINE + timedelta(days=40)


def row_of(rows, code):
    return next(row for row in rows if row["member_code"] == code)


@pytest.fixture
def cycle2025():
    return report_cycle()


def test_every_ally_has_a_row_sorted_by_name_with_the_agreed_keys(cycle2025):
    rows = compliance_rows(cycle=cycle2025)
    assert len(rows) == 32
    assert [row["member_name"] for row in rows] == sorted(row["member_name"] for row in rows)
    assert all(tuple(row) == ROW_KEYS for row in rows)


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "returned", "accepted"])
def test_status_follows_the_plan(cycle2025, state):
    plan = plan_in_state(cycle2025, "EE", state)
    with time_machine.travel(DEADLINE - timedelta(days=1), tick=False):
        row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk)[0]
    assert (row["status"], row["plan_id"]) == (state, plan.pk)
    assert row["versions"] == (0 if state == "draft" else 1)


def test_missing_plan_before_the_deadline_is_not_late_yet(cycle2025):
    with time_machine.travel(DEADLINE - timedelta(hours=1), tick=False):
        row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk)[0]
    assert (row["status"], row["plan_id"], row["is_late"], row["days_late"], row["versions"]) == (
        "missing",
        None,
        None,
        None,
        0,
    )


def test_missing_plan_after_the_deadline_is_late_by_the_days_since(cycle2025):
    with time_machine.travel(DEADLINE + timedelta(days=3, hours=2), tick=False):
        row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk)[0]
    assert (row["status"], row["is_late"], row["days_late"]) == ("missing", True, 4)


def test_draft_after_the_deadline_is_late_and_has_no_figures(cycle2025):
    plan_in_state(cycle2025, "EE", "draft")
    with time_machine.travel(DEADLINE + timedelta(days=2), tick=False):
        row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk)[0]
    assert (row["status"], row["is_late"], row["days_late"], row["spending_pct_gdp"]) == ("draft", True, 2, None)


def test_nil_return_is_its_own_status_and_on_time(cycle2025):
    nil_return(cycle2025, "IS")
    row = compliance_rows(cycle=cycle2025, member_id=member("IS").pk, at=AFTER_DEADLINE)[0]
    assert (row["status"], row["is_late"], row["days_late"], row["spending_pct_gdp"]) == (
        "nil_return",
        False,
        0,
        None,
    )


def test_submission_on_time(cycle2025):
    plan_in_state(cycle2025, "EE", "submitted", submitted_at=DEADLINE - timedelta(seconds=1))
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=AFTER_DEADLINE)[0]
    assert (row["is_late"], row["days_late"], row["first_submitted_at"]) == (
        False,
        0,
        DEADLINE - timedelta(seconds=1),
    )


@pytest.mark.parametrize(
    ("late_by", "days"), [(timedelta(minutes=5), 1), (timedelta(days=3), 3), (timedelta(days=9, hours=1), 10)]
)
def test_late_submission_counts_started_days(cycle2025, late_by, days):
    plan_in_state(cycle2025, "EE", "submitted", submitted_at=DEADLINE + late_by)
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=AFTER_DEADLINE)[0]
    assert (row["is_late"], row["days_late"]) == (True, days)


def test_extension_makes_a_late_submission_on_time(cycle2025, charlie, as_manager):
    services.extension_grant(
        cycle=cycle2025,
        member=member("EE"),
        deadline=DEADLINE + timedelta(days=10),
        reason="Elections.",
        actor=as_manager,
    )
    plan_in_state(cycle2025, "EE", "submitted", submitted_at=DEADLINE + timedelta(days=5))
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=AFTER_DEADLINE)[0]
    assert (row["has_extension"], row["effective_deadline"], row["is_late"], row["days_late"]) == (
        True,
        DEADLINE + timedelta(days=10),
        False,
        0,
    )


def test_an_extension_granted_after_a_late_submission_leaves_it_late_against_the_deadline_then(cycle2025, as_manager):
    plan_in_state(cycle2025, "EE", "submitted", submitted_at=DEADLINE + timedelta(days=5))
    with time_machine.travel(DEADLINE + timedelta(days=6), tick=False):
        services.extension_grant(
            cycle=cycle2025,
            member=member("EE"),
            deadline=DEADLINE + timedelta(days=10),
            reason="Elections.",
            actor=as_manager,
        )
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=AFTER_DEADLINE)[0]
    assert {key: row[key] for key in ("effective_deadline", "is_late", "submitted_late", "overdue", "days_late")} == {
        "effective_deadline": DEADLINE + timedelta(days=10),
        "is_late": True,
        "submitted_late": True,
        "overdue": False,
        "days_late": 5,  # counted from the deadline in force when the plan came
    }


def test_a_missing_plan_is_overdue_not_submitted_late(cycle2025):
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=DEADLINE + timedelta(minutes=1))[0]
    assert (row["is_late"], row["submitted_late"], row["overdue"], row["days_late"]) == (True, None, True, 1)


def test_resubmission_keeps_first_submission_for_lateness_and_counts_versions(cycle2025):
    plan = plan_in_state(cycle2025, "EE", "returned", submitted_at=DEADLINE - timedelta(days=2))
    with time_machine.travel(DEADLINE + timedelta(days=6), tick=False):
        services.plan_submit(plan=plan, actor=Actor.for_user(plan.member.delegates.first().user))
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=AFTER_DEADLINE)[0]
    assert (row["status"], row["versions"], row["is_late"], row["last_submitted_at"]) == (
        "submitted",
        2,
        False,
        DEADLINE + timedelta(days=6),
    )


def test_percentages_agree_with_the_plan_model(cycle2025):
    # 2/3 and 1/3 do not divide evenly: both sides must round the same way.
    plan = plan_in_state(cycle2025, "EE", "submitted", **spending("2000", "666.67", "100000"))
    plan_in_state(cycle2025, "LV", "accepted", **spending("3000", "1000", "300000"))
    rows = compliance_rows(cycle=cycle2025, at=AFTER_DEADLINE)
    estonia, latvia = row_of(rows, "EE"), row_of(rows, "LV")
    assert (estonia["spending_pct_gdp"], estonia["equipment_share_pct"]) == (
        plan.spending_pct_gdp,
        plan.equipment_share_pct,
    )
    assert (estonia["spending_pct_gdp"], estonia["meets_spending_target"]) == (Decimal("2.00"), True)
    assert (estonia["equipment_share_pct"], estonia["meets_equipment_target"]) == (Decimal("33.33"), True)
    assert (latvia["spending_pct_gdp"], latvia["meets_spending_target"]) == (Decimal("1.00"), False)
    assert (latvia["equipment_share_pct"], latvia["meets_equipment_target"]) == (Decimal("33.33"), True)


def test_totals(cycle2025):
    plan_in_state(cycle2025, "EE", "accepted", **spending("2500", "600", "100000"))
    plan_in_state(
        cycle2025, "LV", "submitted", submitted_at=DEADLINE + timedelta(days=2), **spending("1000", "100", "100000")
    )
    plan_in_state(cycle2025, "LT", "returned")
    plan_in_state(cycle2025, "PL", "draft")
    nil_return(cycle2025, "IS")
    totals = compliance_totals(compliance_rows(cycle=cycle2025, at=AFTER_DEADLINE))
    assert totals == {
        "members": 32,
        "submitted": 4,
        "on_time": 3,
        # LV submitted late; PL's draft and the 27 missing plans are past the deadline.
        "late": 1 + 1 + 27,
        "submitted_late": 1,
        "overdue": 1 + 27,
        "accepted": 1,
        "missing": 27,
        "nil_returns": 1,
        "meeting_spending_target": 2,  # EE 2.5 %, LT 2.5 % (valid_content); LV 1 %
        "meeting_equipment_target": 2,  # EE 24 %, LT 25 %; LV 10 %
    }


def test_compliance_is_one_query_whatever_the_data(cycle2025, django_assert_num_queries):
    plan_in_state(cycle2025, "EE", "submitted")
    with django_assert_num_queries(1):
        compliance_rows(cycle=cycle2025)
    for code in ("LV", "LT", "PL"):
        plan_in_state(cycle2025, code, "accepted")
    nil_return(cycle2025, "IS")
    with django_assert_num_queries(1):
        rows = compliance_rows(cycle=cycle2025)
    assert sum(1 for row in rows if row["status"] != "missing") == 5


def test_other_cycles_do_not_leak_in(cycle2025):
    other = report_cycle(2026)
    plan_in_state(other, "EE", "submitted", submitted_at=DEADLINE.replace(year=2026) - timedelta(days=3))
    row = compliance_rows(cycle=cycle2025, member_id=member("EE").pk, at=AFTER_DEADLINE)[0]
    assert (row["status"], row["versions"], row["first_submitted_at"]) == ("missing", 0, None)


def catalogue_line(code: str, **overrides) -> dict:
    line = {key: value for key, value in valid_content()["lines"][0].items() if key not in ("category", "unit")}
    return {**line, "item_code": code, "item": "", **overrides}


def test_two_allies_on_one_item_add_up(cycle2025):
    plan_in_state(
        cycle2025,
        "EE",
        "submitted",
        lines=[catalogue_line("art-155", stockpile_current=Decimal("100"), stockpile_target=Decimal("400"))],
    )
    plan_in_state(
        cycle2025,
        "LV",
        "accepted",
        lines=[catalogue_line("art-155", baseline_capacity=Decimal("500"), planned_investment=Decimal("10"))],
    )
    plan_in_state(cycle2025, "LT", "draft", lines=[catalogue_line("art-155", baseline_capacity=Decimal("99999"))])
    [item] = capacity_by_item(cycle=cycle2025)["items"]
    assert (item["code"], item["unit"], item["allies"], item["lines"]) == ("art-155", "rounds", ["EE", "LV"], 2)
    assert (item["baseline"], item["target"], item["growth"], item["growth_pct"]) == (
        Decimal("1500"),
        Decimal("10000"),
        Decimal("8500"),
        Decimal("566.67"),
    )
    assert (item["stockpile_current"], item["stockpile_target"], item["stockpile_gap"]) == (
        Decimal("100"),
        Decimal("400"),
        Decimal("300"),
    )
    assert item["investment"] == {"EUR": Decimal("10")}


def test_two_units_never_add_up(cycle2025):
    # One category, two items in different units; and an "other" line of the same category.
    plan_in_state(
        cycle2025,
        "EE",
        "submitted",
        lines=[
            catalogue_line("art-155"),
            catalogue_line("tnt", baseline_capacity=Decimal("3"), target_capacity=Decimal("4")),
            {**valid_content()["lines"][0], "item": "Fuze adapters", "unit": "units", "category": "ammunition"},
        ],
    )
    figures = capacity_by_item(cycle=cycle2025)
    assert [(item["code"], item["unit"], item["target"]) for item in figures["items"]] == [
        ("art-155", "rounds", Decimal("5000")),
        ("tnt", "tonnes", Decimal("4")),
    ]
    assert [(line["item"], line["unit"], line["target"]) for line in figures["other"]] == [
        ("Fuze adapters", "units", Decimal("5000")),
    ]
    groups = {group["category"]: group for group in capacity_by_category(figures)}
    # A category view lists its items side by side (and its "other" lines), with no total.
    assert [item["code"] for item in groups["ammunition"]["items"]] == ["art-155"]
    assert [line["item"] for line in groups["ammunition"]["other"]] == ["Fuze adapters"]
    assert [item["code"] for item in groups["explosives_propellants"]["items"]] == ["tnt"]
    assert all("target" not in group for group in groups.values())


def test_investment_in_two_currencies_is_not_added(cycle2025):
    plan_in_state(cycle2025, "EE", "submitted", lines=[catalogue_line("manpads", planned_investment=Decimal("5"))])
    plan_in_state(
        cycle2025,
        "US",
        "submitted",
        currency="USD",
        lines=[catalogue_line("manpads", planned_investment=Decimal("7"))],
    )
    [item] = capacity_by_item(cycle=cycle2025)["items"]
    assert item["investment"] == {"EUR": Decimal("5"), "USD": Decimal("7")}


def test_joint_procurement_lists_items_two_allies_expand_or_restock(cycle2025):
    ally = {"kind": "ally", "partner_name": "Latvia", "partner_members": ["LV"], "status": "signed"}
    plan_in_state(
        cycle2025,
        "EE",
        "submitted",
        partnerships=[ally],
        lines=[catalogue_line("manpads"), catalogue_line("atgm")],
    )
    plan_in_state(
        cycle2025,
        "LV",
        "submitted",
        lines=[
            # restocks only: capacity stays, the stockpile grows
            catalogue_line(
                "manpads",
                baseline_capacity=Decimal("10"),
                target_capacity=Decimal("10"),
                stockpile_current=Decimal("5"),
                stockpile_target=Decimal("25"),
            ),
            # neither expands nor restocks
            catalogue_line("atgm", baseline_capacity=Decimal("10"), target_capacity=Decimal("10")),
        ],
    )
    plan_in_state(cycle2025, "LT", "submitted", lines=[catalogue_line("manpads")])
    [signal] = joint_procurement(cycle=cycle2025)
    assert (signal["code"], signal["allies"], signal["target_increase"], signal["stockpile_gap"]) == (
        "manpads",
        ["EE", "LT", "LV"],
        Decimal("8000"),
        Decimal("20"),
    )
    assert (signal["partnered_pairs"], signal["pairs"], signal["already_partners"]) == ([["EE", "LV"]], 3, False)


def test_bottlenecks_most_frequent_first(cycle2025):
    line = valid_content()["lines"][0]
    plan_in_state(
        cycle2025,
        "EE",
        "submitted",
        lines=[
            {**line, "bottleneck": "workforce"},
            {**line, "bottleneck": "workforce"},
            {**line, "bottleneck": "components"},
        ],
    )
    assert [(row["bottleneck"], row["lines"]) for row in bottlenecks(cycle=cycle2025)] == [
        ("workforce", 2),
        ("components", 1),
    ]


def test_reconciliation_lists_partners_that_do_not_name_back(cycle2025):
    ally = {"kind": "ally", "status": "signed"}
    plan_in_state(
        cycle2025, "EE", "submitted", partnerships=[{**ally, "partner_name": "LV+LT", "partner_members": ["LV", "LT"]}]
    )
    plan_in_state(
        cycle2025, "LV", "submitted", partnerships=[{**ally, "partner_name": "Estonia", "partner_members": ["EE"]}]
    )
    plan_in_state(cycle2025, "PL", "submitted", partnerships=[])
    result = partnership_reconciliation(cycle=cycle2025)
    # EE<->LV name each other; EE names LT, who has no plan.
    assert [(row["member_code"], row["partner_code"], row["partner_plan"]) for row in result] == [("EE", "LT", False)]


def test_multinational_programmes_with_partners(cycle2025):
    programme = {"kind": "multinational", "partner_name": "ESSI", "status": "active"}
    plan_in_state(cycle2025, "EE", "submitted", partnerships=[{**programme, "partner_members": ["LV", "DE"]}])
    plan_in_state(cycle2025, "LV", "accepted", partnerships=[{**programme, "partner_members": ["EE", "FI"]}])
    assert multinational_programmes(cycle=cycle2025) == [
        {"name": "ESSI", "named_by": ["EE", "LV"], "partners": ["DE", "EE", "FI", "LV"]}
    ]
