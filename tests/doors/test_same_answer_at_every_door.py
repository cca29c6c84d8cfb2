"""Every door gives the same answer about the same plan, at the boundaries of each rule.

For one Estonian plan, each test asks the staff admin (the plan queue's column and its filters),
the API (the plan's detail and its row in the list), the delegation's plan page and the
compliance report (its rows and the CSV file) whether the plan was submitted late or is overdue,
and what share of GDP and of defence expenditure it shows and whether it meets the guidelines:
a cent either side of 2 % and of the equipment threshold, a minute either side of the deadline,
an extension granted after a late submission, a plan returned and resubmitted late.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from members.actors import Actor
from members.enums import Role
from members.services import api_key_issue
from plans import services
from plans.models import Cycle, Plan
from reports.builders.data import report_data
from reports.builders.tables import build_csv
from reports.selectors import compliance_rows
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member, valid_content

pytestmark = pytest.mark.django_db

DEADLINE = datetime(2025, 6, 30, 21, 59, 59, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
CHANGELIST = reverse("admin:plans_plan_changelist")

# Every door's answer about lateness comes down to one of these words.
ON_TIME, LATE, OVERDUE, NOT_DUE = "on time", "submitted late", "overdue", "not submitted, not due"
LATE_WORDS = (LATE, OVERDUE)


def everywhere(word: str) -> dict:
    """What every door should answer: the same word, and the API's `is_late` alias true for late or overdue."""
    doors = ("admin column", "admin filter", "api detail", "api list", "web page", "report", "csv")
    return {**dict.fromkeys(doors, word), "api is_late": word in LATE_WORDS}


def shown_everywhere(shown: str, met: bool) -> dict:
    """Every door shows the same percentage and verdict; the admin filter, which shows no figure, selects by `met`."""
    doors = ("admin column", "api detail", "api list", "web page", "report", "csv")
    return {**dict.fromkeys(doors, (shown, met)), "admin filter": met}


def verdict(submitted_late, overdue) -> str:
    if submitted_late is None:
        return OVERDUE if overdue else NOT_DUE
    return LATE if submitted_late else ON_TIME


@pytest.fixture
def cycle():
    return CycleFactory(year=2025, opens_at=DEADLINE - timedelta(days=60), deadline=DEADLINE)


@pytest.fixture
def head(db):
    user = UserFactory(email="head@ee.example.org")
    DelegateFactory(user=user, member=member("EE"), role=Role.SUBMITTER)
    return user


@pytest.fixture
def reviewer(db):
    user = StaffFactory(email="rita@staff.example.org")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def create(cycle, head, **content) -> Plan:
    with time_machine.travel(cycle.opens_at, tick=False):
        return services.plan_create(
            cycle=cycle, member=member("EE"), actor=Actor.for_user(head), content=valid_content(**content)
        ).plan


def submit(plan, head, at):
    with time_machine.travel(at, tick=False):
        services.plan_submit(plan=plan, actor=Actor.for_user(head))


class Doors:
    """The same plan seen through every door, at one frozen moment."""

    def __init__(self, plan: Plan, head, reviewer, at: datetime):
        self.plan, self.at = plan, at
        with time_machine.travel(at, tick=False):
            self.admin = Client()
            self.admin.force_login(reviewer)
            self.web = Client()
            self.web.force_login(head)
            _record, key = api_key_issue(actor=Actor.system(), member=member("EE"), name="erp", scopes=["read"])
            self.api = APIClient()
            self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def ask(self, method, *args, **kwargs):
        with time_machine.travel(self.at, tick=False):
            return method(*args, **kwargs)

    # Each door's raw answer --------------------------------------------------------------------

    def admin_cells(self) -> dict[str, str]:
        html = self.ask(self.admin.get, CHANGELIST).content.decode()
        return {
            name: re.search(rf'<td class="field-{name}">(.*?)</td>', html).group(1)
            for name in ("timeliness", "spending_share", "equipment_share")
        }

    def admin_filter_selects(self, parameter: str, value: str) -> bool:
        response = self.ask(self.admin.get, CHANGELIST, {parameter: value})
        return [plan.pk for plan in response.context["cl"].result_list] == [self.plan.pk]

    def api_detail(self) -> dict:
        return self.ask(self.api.get, f"/api/v1/plans/{self.plan.pk}/").json()

    def api_row(self) -> dict:
        rows = self.ask(self.api.get, "/api/v1/plans/", {"cycle": 2025}).json()["results"]
        return next(row for row in rows if row["id"] == self.plan.pk)

    def web_page(self) -> str:
        return self.ask(self.web.get, reverse("plan-detail-page", args=[self.plan.pk])).content.decode()

    def cycle(self) -> Cycle:
        # Loaded as the report's pages and tasks load it, not the instance the test holds.
        return Cycle.objects.get(pk=self.plan.cycle_id)

    def report_row(self) -> dict:
        rows = compliance_rows(cycle=self.cycle(), at=self.at)
        return next(row for row in rows if row["member_code"] == "EE")

    def csv_row(self) -> dict:
        text = build_csv(report_data(cycle=self.cycle(), at=self.at)).decode("utf-8-sig")
        return next(row for row in csv.DictReader(io.StringIO(text)) if row["member_code"] == "EE")

    # Lateness ----------------------------------------------------------------------------------

    def lateness(self) -> dict[str, str]:
        admin_words = {"✔ on time": ON_TIME, "✘ submitted late": LATE, "✘ overdue": OVERDUE, "-": NOT_DUE}
        selected = {value for value in ("yes", "no", "overdue", "none") if self.admin_filter_selects("late", value)}
        by_filter = {
            frozenset({"yes"}): LATE,
            frozenset({"no"}): ON_TIME,
            frozenset({"overdue", "none"}): OVERDUE,
            frozenset({"none"}): NOT_DUE,
        }
        detail, row = self.api_detail(), self.api_row()
        page = re.search(r'<dd id="timeliness">(.*?)</dd>', self.web_page()).group(1)
        web_words = {"Submitted on time": ON_TIME, "Submitted late": LATE, "Overdue": OVERDUE, "": NOT_DUE}
        report, csv_row = self.report_row(), self.csv_row()
        csv_bool = {"true": True, "false": False, "": None}
        return {
            "admin column": admin_words[self.admin_cells()["timeliness"]],
            "admin filter": by_filter.get(frozenset(selected), f"inconsistent filters {sorted(selected)}"),
            "api detail": verdict(detail["submitted_late"], detail["overdue"]),
            "api is_late": detail["is_late"],
            "api list": verdict(row["submitted_late"], row["overdue"]),
            "web page": web_words[re.sub(r"<[^>]+>", "", page)],
            "report": verdict(report["submitted_late"], report["overdue"]),
            "csv": verdict(csv_bool[csv_row["submitted_late"]], csv_bool[csv_row["overdue"]]),
        }

    # Guidelines --------------------------------------------------------------------------------

    def guideline(self, figure: str, meets: str, parameter: str, column: str, web_title: str) -> dict:
        """(shown percentage, met) from every door."""
        cell = re.match(r'([\d.]+) % <span title="guideline (met|not met)">', self.admin_cells()[column])
        met_by_filter = {value for value in ("yes", "no", "unknown") if self.admin_filter_selects(parameter, value)}
        detail, row = self.api_detail(), self.api_row()
        web = re.search(
            rf'<dt>{web_title}</dt>\s*<dd>([\d.]+) % · <span class="badge badge--(ok|late)">', self.web_page()
        )
        report, csv_row = self.report_row(), self.csv_row()
        return {
            "admin column": (cell.group(1), cell.group(2) == "met"),
            "admin filter": {frozenset({"yes"}): True, frozenset({"no"}): False}.get(frozenset(met_by_filter)),
            "api detail": (detail[figure], detail[meets]),
            "api list": (row[figure], row[meets]),
            "web page": (web.group(1), web.group(2) == "ok"),
            "report": (str(report[figure]), report[meets]),
            "csv": (csv_row[figure], csv_row[meets] == "true"),
        }

    def spending(self) -> dict:
        return self.guideline(
            "spending_pct_gdp",
            "meets_spending_target",
            "spending_met",
            "spending_share",
            "Defence expenditure as a share of GDP",
        )

    def equipment(self) -> dict:
        return self.guideline(
            "equipment_share_pct",
            "meets_equipment_target",
            "equipment_met",
            "equipment_share",
            "Equipment share of defence expenditure",
        )


# Lateness ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "expected"),
    [(DEADLINE - MINUTE, ON_TIME), (DEADLINE, ON_TIME), (DEADLINE + MINUTE, LATE)],
    ids=["a minute before", "at the deadline", "a minute after"],
)
def test_a_submission_either_side_of_the_deadline(cycle, head, reviewer, submitted_at, expected):
    plan = create(cycle, head)
    submit(plan, head, submitted_at)

    answers = Doors(plan, head, reviewer, at=DEADLINE + timedelta(hours=1)).lateness()

    assert answers == everywhere(expected)


@pytest.mark.parametrize(
    ("at", "expected"), [(DEADLINE - MINUTE, NOT_DUE), (DEADLINE + MINUTE, OVERDUE)], ids=["before", "after"]
)
def test_nothing_submitted_a_minute_either_side_of_the_deadline(cycle, head, reviewer, at, expected):
    plan = create(cycle, head)

    answers = Doors(plan, head, reviewer, at=at).lateness()

    assert answers == everywhere(expected)


def test_an_extension_granted_after_a_late_submission(cycle, head, reviewer, manager):
    plan = create(cycle, head)
    submit(plan, head, DEADLINE + timedelta(days=2))
    with time_machine.travel(DEADLINE + timedelta(days=3), tick=False):
        services.extension_grant(
            cycle=cycle,
            member=member("EE"),
            deadline=DEADLINE + timedelta(days=10),
            reason="Elections.",
            actor=Actor.for_user(manager),
        )

    answers = Doors(plan, head, reviewer, at=DEADLINE + timedelta(days=4)).lateness()

    assert answers == everywhere(LATE)


def test_submitted_on_time_then_returned_and_resubmitted_late(cycle, head, reviewer, charlie):
    plan = create(cycle, head)
    submit(plan, head, DEADLINE - timedelta(days=1))
    with time_machine.travel(DEADLINE - timedelta(hours=1), tick=False):
        services.plan_return(plan=plan, actor=Actor.for_user(charlie), comment="Add the partners.")
    submit(plan, head, DEADLINE + timedelta(days=1))

    doors = Doors(plan, head, reviewer, at=DEADLINE + timedelta(days=2))
    answers = doors.lateness()

    assert answers == everywhere(ON_TIME)
    assert [v["is_late"] for v in doors.ask(doors.api.get, f"/api/v1/plans/{plan.pk}/versions/").json()["results"]] == [
        False,
        True,
    ]


# Guidelines ----------------------------------------------------------------------------------


def with_figures(defence: str, equipment: str, gdp: str = "100000.00") -> dict:
    return {
        "defence_expenditure": Decimal(defence),
        "equipment_expenditure": Decimal(equipment),
        "personnel_expenditure": None,
        "infrastructure_expenditure": None,
        "other_expenditure": None,
        "gdp": Decimal(gdp),
    }


@pytest.mark.parametrize(
    ("defence", "gdp", "shown", "met"),
    [
        ("1999.99", "100000.00", "2.00", False),
        ("2000.00", "100000.00", "2.00", True),
        ("2000.01", "100000.00", "2.00", True),
        ("1999.50", "100000.00", "2.00", False),  # the issue's example: "met" in the old admin filter
        ("2005.00", "100000.00", "2.01", True),  # 2.005 %: halves up everywhere
        ("1024.36", "51218.00", "2.00", True),  # exactly 2 %, which floating point puts below
        ("1024.35", "51218.00", "2.00", False),
    ],
)
def test_spending_a_cent_either_side_of_the_guideline(cycle, head, reviewer, defence, gdp, shown, met):
    plan = create(cycle, head, **with_figures(defence, "400.00", gdp))
    submit(plan, head, DEADLINE - timedelta(days=1))

    answers = Doors(plan, head, reviewer, at=DEADLINE).spending()

    assert answers == shown_everywhere(shown, met)


@pytest.mark.parametrize(
    ("equipment", "shown", "met"),
    [("399.99", "20.00", False), ("400.00", "20.00", True), ("400.01", "20.00", True), ("400.10", "20.01", True)],
)
def test_equipment_a_cent_either_side_of_the_guideline(cycle, head, reviewer, equipment, shown, met):
    plan = create(cycle, head, **with_figures("2000.00", equipment))
    submit(plan, head, DEADLINE - timedelta(days=1))

    answers = Doors(plan, head, reviewer, at=DEADLINE).equipment()

    assert answers == shown_everywhere(shown, met)


def test_a_new_cycle_threshold_is_applied_at_every_door(cycle, head, reviewer):
    Cycle.objects.filter(pk=cycle.pk).update(spending_target_pct=Decimal("3.50"))
    plan = create(cycle, head, **with_figures("3499.99", "700.00"))
    submit(plan, head, DEADLINE - timedelta(days=1))

    answers = Doors(plan, head, reviewer, at=DEADLINE).spending()

    assert answers == shown_everywhere("3.50", False)
