"""The plan queue: columns, filters, search, ordering, and a constant number of queries per page."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans.enums import PlanStatus
from plans.models import Attachment, Cycle, Plan
from tests.admin.conftest import make_plan
from tests.factories import DelegateFactory, member

CHANGELIST = reverse("admin:plans_plan_changelist")
CODES = ["EE", "LV", "LT"]


def submitters(codes):
    return {code: DelegateFactory(member=member(code)).user for code in codes}


def listed(response) -> list[str]:
    return [plan.member.code for plan in response.context["cl"].result_list]


@pytest.mark.parametrize("size", [1, 3])
def test_plan_list_runs_the_same_number_of_queries_at_any_size(
    reviewer_client, cycle, charlie, size, django_assert_num_queries
):
    people = submitters(CODES[:size])
    for code, person in people.items():
        make_plan(cycle=cycle, member=member(code), submitter=person, staff=charlie, status=PlanStatus.IN_REVIEW)

    # session, user, user and group permissions, the choices of the cycle, member and reviewer
    # filters, two counts, the page, and the session save (savepoint, update, release)
    with django_assert_num_queries(12):
        response = reviewer_client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == size


def test_oldest_waiting_plan_comes_first_and_drafts_last(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV", "LT"])
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=3), tick=False):
        make_plan(cycle=cycle, member=member("LT"), submitter=people["LT"], staff=charlie, status=PlanStatus.DRAFT)
        make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.SUBMITTED)
    with time_machine.travel(start - timedelta(days=5), tick=False):
        make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.IN_REVIEW)

    response = reviewer_client.get(CHANGELIST)

    assert listed(response) == ["EE", "LV", "LT"]


def test_filters_by_guideline_met(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV"])
    make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.SUBMITTED)
    make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.SUBMITTED)
    # 2.5 % of GDP for Latvia; the factory's content gives Estonia 2.5 % as well, so lower it to 1.25 %.
    Plan.objects.filter(member__code="EE").update(gdp=Decimal("80000000.00"))

    met = reviewer_client.get(CHANGELIST, {"spending_met": "yes"})
    not_met = reviewer_client.get(CHANGELIST, {"spending_met": "no"})
    equipment_met = reviewer_client.get(CHANGELIST, {"equipment_met": "yes"})

    assert (listed(met), listed(not_met), sorted(listed(equipment_met))) == (["LV"], ["EE"], ["EE", "LV"])


def test_spending_column_shows_the_share_and_the_guideline_mark(reviewer_client, plan_in):
    plan_in(PlanStatus.SUBMITTED)

    response = reviewer_client.get(CHANGELIST)

    assert "2.50 %" in response.content.decode()
    assert "25.00 %" in response.content.decode()


def test_filters_late_submissions(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV"])
    make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.SUBMITTED)
    with time_machine.travel(cycle.deadline + timedelta(days=2), tick=False):
        make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.SUBMITTED)

    late = reviewer_client.get(CHANGELIST, {"late": "yes"})
    on_time = reviewer_client.get(CHANGELIST, {"late": "no"})

    assert (listed(late), listed(on_time)) == (["LV"], ["EE"])


def test_search_by_member_code_or_name(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV"])
    for code in people:
        make_plan(cycle=cycle, member=member(code), submitter=people[code], staff=charlie, status=PlanStatus.SUBMITTED)

    by_code = reviewer_client.get(CHANGELIST, {"q": "lv"})
    by_name = reviewer_client.get(CHANGELIST, {"q": "Eston"})

    assert (listed(by_code), listed(by_name)) == (["LV"], ["EE"])


def test_filters_by_assigned_reviewer(reviewer_client, reviewer, cycle, charlie):
    people = submitters(["EE", "LV"])
    make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.SUBMITTED)
    make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.SUBMITTED)
    Plan.objects.filter(member__code="LV").update(assigned_reviewer=reviewer)

    response = reviewer_client.get(CHANGELIST, {"assigned_reviewer__id__exact": reviewer.pk})

    assert listed(response) == ["LV"]


def timeliness_cells(response) -> dict[str, str]:
    cells = re.findall(r'<td class="field-timeliness">(.*?)</td>', response.content.decode())
    return dict(zip(listed(response), cells, strict=True))


def test_timeliness_column_marks_on_time_with_a_tick_and_late_or_overdue_with_a_cross(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV", "LT"])
    make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.SUBMITTED)
    make_plan(cycle=cycle, member=member("LT"), submitter=people["LT"], staff=charlie, status=PlanStatus.DRAFT)
    with time_machine.travel(cycle.deadline + timedelta(days=2), tick=False):
        make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.SUBMITTED)
    Cycle.objects.filter(pk=cycle.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    response = reviewer_client.get(CHANGELIST)

    assert timeliness_cells(response) == {"EE": "✔ on time", "LV": "✘ submitted late", "LT": "✘ overdue"}


def test_filters_overdue_and_not_submitted_plans(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV"])
    make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.SUBMITTED)
    make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.DRAFT)

    before = reviewer_client.get(CHANGELIST, {"late": "overdue"})
    Cycle.objects.filter(pk=cycle.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    after = reviewer_client.get(CHANGELIST, {"late": "overdue"})
    not_submitted = reviewer_client.get(CHANGELIST, {"late": "none"})

    assert (listed(before), listed(after), listed(not_submitted)) == ([], ["LV"], ["LV"])


def test_orders_by_the_spending_share(reviewer_client, cycle, charlie):
    people = submitters(["EE", "LV"])
    make_plan(cycle=cycle, member=member("EE"), submitter=people["EE"], staff=charlie, status=PlanStatus.SUBMITTED)
    make_plan(cycle=cycle, member=member("LV"), submitter=people["LV"], staff=charlie, status=PlanStatus.SUBMITTED)
    Plan.objects.filter(member__code="EE").update(gdp=Decimal("80000000.00"))  # 1.25 % against Latvia's 2.5 %
    column = reviewer_client.get(CHANGELIST).context["cl"].list_display.index("spending_share")

    ascending = reviewer_client.get(CHANGELIST, {"o": f"{column}"})
    descending = reviewer_client.get(CHANGELIST, {"o": f"-{column}"})

    assert (listed(ascending), listed(descending)) == (["EE", "LV"], ["LV", "EE"])


@pytest.mark.parametrize("size", [1, 200])
def test_plan_page_queries_and_read_only_tables(
    reviewer_client, alice, cycle, estonia, size, django_assert_num_queries
):
    from members.actors import Actor
    from plans import services
    from tests.factories import valid_content

    content = valid_content(
        lines=[
            {
                "category": "ammunition",
                "item": f"Shells {n}",
                "unit": "rounds",
                "baseline_capacity": Decimal("12000.5"),
                "target_capacity": Decimal(20000),
                "target_year": 2030,
            }
            for n in range(size)
        ]
    )
    plan = services.plan_create(cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=content).plan
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    reviewer_client.get(url)  # the process's caches (the catalogue) filled, whichever size runs first
    with django_assert_num_queries(23):
        response = reviewer_client.get(url)
    table = response.context["lines_table"]
    assert len(table["rows"]) == size
    assert table["headers"][:4] == ["Catalogue item", "Category", "Item", "Unit"]
    assert table["rows"][-1][:6] == ["-", "Ammunition", f"Shells {size - 1}", "rounds", "12,000.50", "20,000.00"]
    html = response.content.decode()
    # Read, not edited: no inline forms for the content (the documents' list is the one inline).
    assert (
        "<input" in html.split('id="lines"')[1].split("</table>")[0],
        [inline.opts.model for inline in response.context["inline_admin_formsets"]],
    ) == (
        False,
        [Attachment],
    )
