"""Staff personas of the review workspace and plans reached through the real services."""

import pytest
from django.test import Client

from members.actors import Actor
from plans import services
from plans.enums import PlanStatus
from tests.factories import staff_in, valid_content

REVIEWERS = "Reviewers"
CYCLE_MANAGERS = "Cycle managers"


@pytest.fixture
def reviewer(db):
    return staff_in(REVIEWERS, "rita@staff.example.org")


@pytest.fixture
def manager(db):
    return staff_in(CYCLE_MANAGERS, "max@staff.example.org")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    return client_of(reviewer)


@pytest.fixture
def manager_client(manager):
    return client_of(manager)


def make_plan(*, cycle, member, submitter, staff, status: str):
    """A plan of `member` moved along the workflow by its submitter and `staff` until it reaches `status`."""
    partner = "DE" if member.code != "DE" else "FR"
    content = valid_content(
        partnerships=[{"kind": "ally", "partner_name": partner, "partner_members": [partner], "status": "signed"}]
    )
    plan = services.plan_create(cycle=cycle, member=member, actor=Actor.for_user(submitter), content=content).plan
    if status == PlanStatus.DRAFT:
        return plan
    services.plan_submit(plan=plan, actor=Actor.for_user(submitter))
    if status == PlanStatus.SUBMITTED:
        return plan
    if status == PlanStatus.RETURNED:
        services.plan_return(plan=plan, actor=Actor.for_user(staff), comment="Add the partnerships.")
        return plan
    services.plan_start_review(plan=plan, actor=Actor.for_user(staff))
    if status == PlanStatus.ACCEPTED:
        services.plan_accept(plan=plan, actor=Actor.for_user(staff))
    return plan


@pytest.fixture
def plan_in(cycle, estonia, alice, charlie):
    """`plan_in("in_review")`: Estonia's plan in that status."""

    def build(status: str):
        return make_plan(cycle=cycle, member=estonia, submitter=alice, staff=charlie, status=status)

    return build
