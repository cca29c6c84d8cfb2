"""Plans in every workflow state, reached through the real services."""

import pytest

from plans import services
from plans.enums import PlanStatus
from tests.factories import valid_content


def drive(plan, status: str, *, submitter, staff):
    """Move a fresh draft along the workflow until it reaches `status`."""
    if status == PlanStatus.DRAFT:
        return plan
    services.plan_submit(plan=plan, actor=submitter)
    if status == PlanStatus.SUBMITTED:
        return plan
    if status == PlanStatus.RETURNED:
        services.plan_return(plan=plan, actor=staff, comment="Add the partnerships.")
        return plan
    services.plan_start_review(plan=plan, actor=staff)
    if status == PlanStatus.ACCEPTED:
        services.plan_accept(plan=plan, actor=staff)
    return plan


@pytest.fixture
def draft(cycle, estonia, as_alice):
    return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


@pytest.fixture
def plan_in(draft, as_alice, as_charlie):
    """`plan_in("in_review")`: Estonia's plan, moved to that status by its submitter and staff."""

    def make(status: str):
        plan = drive(draft, status, submitter=as_alice, staff=as_charlie)
        plan.refresh_from_db()
        assert plan.status == status
        return plan

    return make
