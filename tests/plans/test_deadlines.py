"""Lateness is judged against the member's effective deadline, with the clock frozen."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db.models import DateTimeField, Value

from members.models import Member
from plans import selectors, services
from plans.errors import NotAllowed, PlanInvalid
from plans.models import DeadlineExtension
from tests.factories import CycleFactory, PlanFactory, valid_content

pytestmark = pytest.mark.django_db

OPENS = datetime(2025, 1, 1, tzinfo=UTC)
DEADLINE = datetime(2025, 6, 30, 21, 59, 59, tzinfo=UTC)
EXTENDED = DEADLINE + timedelta(days=14)


@pytest.fixture
def cycle():
    return CycleFactory(year=2025, opens_at=OPENS, deadline=DEADLINE)


@pytest.fixture
def plan(cycle, estonia, as_alice):
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


def submit_at(moment, plan, actor):
    with time_machine.travel(moment, tick=False):
        return services.plan_submit(plan=plan, actor=actor)


def test_submit_just_before_deadline_is_on_time(plan, as_alice):
    receipt = submit_at(DEADLINE - timedelta(seconds=1), plan, as_alice)
    assert (receipt.is_late, receipt.submitted_at, receipt.version.deadline) == (
        False,
        DEADLINE - timedelta(seconds=1),
        DEADLINE,
    )


def test_submit_at_the_deadline_second_is_on_time(plan, as_alice):
    assert submit_at(DEADLINE, plan, as_alice).is_late is False


def test_submit_after_deadline_marks_late(plan, as_alice):
    receipt = submit_at(DEADLINE + timedelta(seconds=1), plan, as_alice)
    assert (receipt.is_late, receipt.version.deadline) == (True, DEADLINE)


def test_extension_makes_a_late_submission_on_time(plan, cycle, estonia, as_alice, as_charlie, as_manager):
    services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Elections.", actor=as_manager)
    receipt = submit_at(DEADLINE + timedelta(days=3), plan, as_alice)
    assert (receipt.is_late, receipt.version.deadline) == (False, EXTENDED)


def test_submit_after_the_extended_deadline_is_late(plan, cycle, estonia, as_alice, as_charlie, as_manager):
    services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Elections.", actor=as_manager)
    receipt = submit_at(EXTENDED + timedelta(seconds=1), plan, as_alice)
    assert (receipt.is_late, receipt.version.deadline) == (True, EXTENDED)


def test_another_members_extension_does_not_help(plan, cycle, latvia, as_alice, as_charlie, as_manager):
    services.extension_grant(cycle=cycle, member=latvia, deadline=EXTENDED, reason="Elections.", actor=as_manager)
    receipt = submit_at(DEADLINE + timedelta(days=3), plan, as_alice)
    assert (receipt.is_late, receipt.version.deadline) == (True, DEADLINE)


def test_resubmission_records_the_deadline_in_force_then(plan, cycle, estonia, as_alice, as_charlie, as_manager):
    submit_at(DEADLINE - timedelta(days=1), plan, as_alice)
    services.plan_return(plan=plan, actor=as_charlie, comment="Add partnerships.")
    services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Revision.", actor=as_manager)
    second = submit_at(DEADLINE + timedelta(days=1), plan, as_alice)
    assert [(v.deadline, v.is_late) for v in plan.versions.order_by("number")] == [
        (DEADLINE, False),
        (EXTENDED, False),
    ]
    assert second.number == 2


def test_effective_deadline_selector_and_expression_agree(cycle, estonia, latvia, as_charlie, as_manager):
    services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Elections.", actor=as_manager)
    assert selectors.effective_deadline(cycle=cycle, member_id=estonia.pk) == EXTENDED
    assert selectors.effective_deadline(cycle=cycle, member_id=latvia.pk) == DEADLINE
    PlanFactory(cycle=cycle, member=estonia)
    PlanFactory(cycle=cycle, member=latvia)
    rows = dict(selectors.plans_with_deadline().values_list("member__code", "effective_deadline"))
    assert rows == {"EE": EXTENDED, "LV": DEADLINE}


def test_effective_deadline_expression_annotates_members_for_a_cycle(cycle, estonia, as_charlie, as_manager):
    services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Elections.", actor=as_manager)
    members = Member.objects.annotate(
        cycle_id=Value(cycle.pk), cycle_deadline=Value(cycle.deadline, output_field=DateTimeField())
    ).annotate(
        effective_deadline=selectors.effective_deadline_expression(member_ref="id", deadline_ref="cycle_deadline")
    )
    deadlines = dict(members.values_list("code", "effective_deadline"))
    assert (len(deadlines), deadlines["EE"], deadlines["LV"], deadlines["US"]) == (32, EXTENDED, DEADLINE, DEADLINE)


def test_granting_again_replaces_the_extension(cycle, estonia, as_charlie, as_manager):
    services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Elections.", actor=as_manager)
    later = EXTENDED + timedelta(days=7)
    services.extension_grant(cycle=cycle, member=estonia, deadline=later, reason="Flooding.", actor=as_manager)
    assert list(DeadlineExtension.objects.filter(cycle=cycle).values_list("deadline", "reason")) == [
        (later, "Flooding.")
    ]


def test_extension_must_end_after_the_cycle_deadline_and_give_a_reason(cycle, estonia, as_charlie, as_manager):
    with pytest.raises(PlanInvalid) as early:
        services.extension_grant(cycle=cycle, member=estonia, deadline=DEADLINE, reason="Why not.", actor=as_manager)
    with pytest.raises(PlanInvalid) as no_reason:
        services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="  ", actor=as_manager)
    assert [early.value.findings[0].field, no_reason.value.findings[0].field] == ["deadline", "reason"]
    assert not DeadlineExtension.objects.exists()


def test_only_staff_grant_extensions(cycle, estonia, as_alice):
    with pytest.raises(NotAllowed):
        services.extension_grant(cycle=cycle, member=estonia, deadline=EXTENDED, reason="Please.", actor=as_alice)
    assert not DeadlineExtension.objects.exists()
