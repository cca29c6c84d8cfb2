"""Plans in every state, made through the real services at controlled times."""

from datetime import UTC, datetime
from decimal import Decimal

import time_machine

from members.actors import Actor
from members.enums import Role
from members.models import User
from plans import services
from plans.models import Cycle, Plan
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member, valid_content

OPENS = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2025, 6, 30, 21, 59, 59, tzinfo=UTC)


def report_cycle(year: int = 2025) -> Cycle:
    return CycleFactory(year=year, opens_at=OPENS.replace(year=year), deadline=DEADLINE.replace(year=year))


def submitter(code: str) -> Actor:
    user = UserFactory(email=f"head@{code.lower()}.example.org")
    if not hasattr(user, "delegate"):
        DelegateFactory(user=user, member=member(code), role=Role.SUBMITTER)
    return Actor.for_user(user)


def staff() -> Actor:
    """A reviewer (the same person however often it is asked for)."""
    user = User.objects.filter(email="reviewer@staff.example.org").first()
    return Actor.for_user(user or StaffFactory(email="reviewer@staff.example.org", groups=["Reviewers"]))


def plan_in_state(
    cycle: Cycle, code: str, state: str, *, submitted_at: datetime | None = None, **content_overrides
) -> Plan:
    """A plan of `code` taken to `state`; submissions happen at `submitted_at` (default: a month early)."""
    actor = submitter(code)
    # valid_content names Latvia as partner; partnerships are given explicitly where they matter.
    content = valid_content(**{"partnerships": [], **content_overrides})
    with time_machine.travel(OPENS.replace(year=cycle.year), tick=False):
        plan = services.plan_create(cycle=cycle, member=member(code), actor=actor, content=content).plan
    if state == "draft":
        return plan
    moment = submitted_at or DEADLINE.replace(year=cycle.year, month=5)
    with time_machine.travel(moment, tick=False):
        services.plan_submit(plan=plan, actor=actor)
        if state in ("in_review", "accepted", "returned"):
            services.plan_start_review(plan=plan, actor=staff())
        if state == "accepted":
            services.plan_accept(plan=plan, actor=staff())
        if state == "returned":
            services.plan_return(plan=plan, actor=staff(), comment="Figures do not add up.")
    plan.refresh_from_db()
    return plan


def nil_return(cycle: Cycle, code: str, **kwargs) -> Plan:
    return plan_in_state(
        cycle,
        code,
        kwargs.pop("state", "submitted"),
        nil_return=True,
        nil_return_reason="No armed forces.",
        lines=[],
        partnerships=[],
        defence_expenditure=None,
        equipment_expenditure=None,
        personnel_expenditure=None,
        infrastructure_expenditure=None,
        other_expenditure=None,
        **kwargs,
    )


def spending(defence: str, equipment: str, gdp: str) -> dict:
    """Content overrides with the given headline figures and no parts but equipment."""
    return {
        "defence_expenditure": Decimal(defence),
        "equipment_expenditure": Decimal(equipment),
        "personnel_expenditure": None,
        "infrastructure_expenditure": None,
        "other_expenditure": None,
        "gdp": Decimal(gdp),
    }
