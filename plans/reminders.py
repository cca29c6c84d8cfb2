"""The reminder ladder: who is chased, on which rung, and the pass that claims what is due.

For each member without a submitted plan, rungs fall at the start of the day (in TIME_ZONE)
N days before its effective deadline (the cycle's `reminder_days_before`), on the day, then
N days after it (`overdue_days_after`). A rung is due from its moment until the next rung's
moment (the last one for `LAST_RUNG_DAYS`), so when several are due at once only the latest
is sent and the skipped ones never become due again. Staff get one escalation per member
still missing once the first overdue rung falls. A returned plan is chased with "please
resubmit" reminders on the same ladder, from the return on.

Each (cycle, member, rung, effective deadline) is one Notification row with a unique
`dedupe_key`: inserting it is the claim, so passes that run twice or race send once. The
deadline is part of the key because an extension moves the whole ladder.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import SEND_REMINDERS
from members.actors import Actor
from members.models import Member
from webhooks.enums import EventType
from webhooks.services import event_record

from .enums import Decision, NotificationKind, PlanStatus
from .errors import NotAllowed
from .models import Cycle, Notification, Plan, Review
from .notifications import notification_claim, notification_queue
from .selectors import effective_deadline_expression

MEMBER_REMINDER_KINDS = {NotificationKind.REMINDER, NotificationKind.RESUBMIT}

logger = logging.getLogger(__name__)

LAST_RUNG_DAYS = 7
# Statuses that are still chased; submitted, in review and accepted plans are not.
CHASED = {PlanStatus.DRAFT, PlanStatus.RETURNED}
# Cycles whose deadline passed longer ago than this are left alone (an extension of more
# than a year is not a thing), so the pass stays cheap as the years go by.
CYCLE_HORIZON = timedelta(days=400)
ESCALATION_RUNG = "escalation"
MANUAL_RUNG = "manual"


@dataclass(frozen=True)
class Rung:
    name: str  # before-30, on-the-day, overdue-7
    at: datetime
    until: datetime


@dataclass(frozen=True)
class Candidate:
    """One member still to be chased in one cycle, as the candidate query returns it."""

    cycle: Cycle
    member_id: int
    plan_id: int | None
    status: str | None  # None: no plan yet
    deadline: datetime
    returned_at: datetime | None

    @property
    def kind(self) -> str:
        return NotificationKind.RESUBMIT if self.status == PlanStatus.RETURNED else NotificationKind.REMINDER

    @property
    def never_submitted(self) -> bool:
        return self.status in {None, PlanStatus.DRAFT}


@dataclass(frozen=True)
class Due:
    candidate: Candidate
    kind: str
    rung: str
    dedupe_key: str


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ladder(*, deadline: datetime, days_before: list[int], days_after: list[int]) -> list[Rung]:
    """The rungs for one effective deadline, in time order, each with the window in which it is due."""
    deadline_day = timezone.localtime(deadline).date()
    moments: list[tuple[str, datetime]] = [
        (f"before-{days}", _start_of_day(deadline_day - timedelta(days=days)))
        for days in sorted({int(d) for d in days_before if int(d) > 0}, reverse=True)
    ]
    on_the_day = _start_of_day(deadline_day)
    if on_the_day < deadline:  # a deadline at midnight has no "day" left to remind on
        moments.append(("on-the-day", on_the_day))
    moments += [
        (f"overdue-{days}", _start_of_day(deadline_day + timedelta(days=days)))
        for days in sorted({int(d) for d in days_after if int(d) > 0})
    ]
    rungs = []
    for index, (name, at) in enumerate(moments):
        until = moments[index + 1][1] if index + 1 < len(moments) else at + timedelta(days=LAST_RUNG_DAYS)
        rungs.append(Rung(name=name, at=at, until=until))
    return rungs


def due_rung(rungs: list[Rung], at: datetime) -> Rung | None:
    """The rung whose window holds `at`: the latest one already due, none before the first or after the last."""
    return next((rung for rung in rungs if rung.at <= at < rung.until), None)


def escalation_window(*, deadline: datetime, rungs: list[Rung]) -> tuple[datetime, datetime]:
    """Staff hear about a missing member from the first overdue rung until the ladder ends."""
    overdue = [rung for rung in rungs if rung.at >= deadline]
    start = overdue[0].at if overdue else _start_of_day(timezone.localtime(deadline).date() + timedelta(days=1))
    end = max([rung.until for rung in rungs] + [start + timedelta(days=LAST_RUNG_DAYS)])
    return start, end


def dedupe_key(*, kind: str, cycle_id: int, member_id: int, rung: str, deadline: datetime) -> str:
    return f"{kind}:{cycle_id}:{member_id}:{rung}:{deadline.astimezone(UTC):%Y%m%dT%H%M%SZ}"


# Reading the candidates ---------------------------------------------------------------------


def reminder_candidates(*, cycle: Cycle, member_id: int | None = None) -> list[Candidate]:
    """Members of a cycle still to be chased, with plan status, effective deadline and last return: one query."""
    # order_by(): the models' default orderings would join cycles and members into each subquery.
    plans = Plan.objects.filter(cycle=cycle, member_id=OuterRef("pk")).order_by()
    returns = Review.objects.filter(
        plan__cycle=cycle, plan__member_id=OuterRef("pk"), decision=Decision.RETURN
    ).order_by("-created_at")
    members = Member.objects.annotate(
        plan_id=Subquery(plans.values("pk")[:1]),
        plan_status=Subquery(plans.values("status")[:1]),
        effective_deadline=effective_deadline_expression(
            cycle_ref=cycle.pk, member_ref="pk", deadline_ref=cycle.deadline
        ),
        returned_at=Subquery(returns.values("created_at")[:1]),
    ).filter(Q(plan_status__isnull=True) | Q(plan_status__in=CHASED))
    if member_id is not None:
        members = members.filter(pk=member_id)
    rows = members.order_by("name").values("pk", "plan_id", "plan_status", "effective_deadline", "returned_at")
    return [
        Candidate(
            cycle=cycle,
            member_id=row["pk"],
            plan_id=row["plan_id"],
            status=row["plan_status"],
            deadline=row["effective_deadline"],
            returned_at=row["returned_at"],
        )
        for row in rows
    ]


def _due_for(candidate: Candidate, at: datetime) -> list[Due]:
    cycle = candidate.cycle
    rungs = ladder(
        deadline=candidate.deadline, days_before=cycle.reminder_days_before, days_after=cycle.overdue_days_after
    )
    due: list[Due] = []
    rung = due_rung(rungs, at)
    # A returned plan is chased only by rungs that fall after the return: the return notice
    # itself told the delegation what to do.
    if rung is not None and not (
        candidate.returned_at and candidate.kind == NotificationKind.RESUBMIT and rung.at < candidate.returned_at
    ):
        due.append(_due(candidate, candidate.kind, rung.name))
    if candidate.never_submitted:
        start, end = escalation_window(deadline=candidate.deadline, rungs=rungs)
        if start <= at < end:
            due.append(_due(candidate, NotificationKind.ESCALATION, ESCALATION_RUNG))
    return due


def _due(candidate: Candidate, kind: str, rung: str) -> Due:
    key = dedupe_key(
        kind=kind, cycle_id=candidate.cycle.pk, member_id=candidate.member_id, rung=rung, deadline=candidate.deadline
    )
    return Due(candidate=candidate, kind=kind, rung=rung, dedupe_key=key)


def reminders_due(*, at: datetime | None = None) -> list[Due]:
    """Every reminder and escalation due now, sent or not: one candidate query per open cycle."""
    at = at or timezone.now()
    cycles = Cycle.objects.filter(opens_at__lte=at, deadline__gte=at - CYCLE_HORIZON).order_by("year")
    due: list[Due] = []
    for cycle in cycles:
        try:
            due += [d for candidate in reminder_candidates(cycle=cycle) for d in _due_for(candidate, at)]
        except (TypeError, ValueError):
            # A ladder stored malformed (the cycle service refuses them, older rows may hold one)
            # must not stop the reminders of the other cycles.
            logger.exception("cycle %s: reminder ladder unusable, its reminders are skipped", cycle.year)
    return due


# Claiming and sending -----------------------------------------------------------------------


def _claim(due: Due, *, member: Member | None = None) -> Notification | None:
    candidate = due.candidate
    notification = notification_claim(
        kind=due.kind,
        dedupe_key=due.dedupe_key,
        cycle=candidate.cycle,
        member=member or Member(pk=candidate.member_id),
        rung=due.rung,
        plan=Plan(pk=candidate.plan_id) if candidate.plan_id else None,
    )
    if notification is not None:
        notification_queue(notification)
        if due.kind in MEMBER_REMINDER_KINDS:
            # The member's systems hear the reminder with the e-mail (staff escalations stay internal).
            event_record(
                type=EventType.DEADLINE_REMINDER,
                member=notification.member_id,
                data={
                    "cycle": candidate.cycle.year,
                    "member": Member.objects.filter(pk=notification.member_id).values_list("code", flat=True).first(),
                    "kind": due.kind,
                    "rung": due.rung,
                    "plan": candidate.plan_id,
                    "deadline": candidate.deadline,
                },
            )
    return notification


@transaction.atomic
def reminder_pass(*, at: datetime | None = None) -> list[Notification]:
    """Claim every reminder due now that nobody claimed yet and queue it; returns the rows claimed."""
    due = reminders_due(at=at)
    # Reading the keys already taken only saves insert attempts; the insert stays the claim.
    taken = set(
        Notification.objects.filter(dedupe_key__in=[d.dedupe_key for d in due]).values_list("dedupe_key", flat=True)
    )
    claimed = [_claim(d) for d in due if d.dedupe_key not in taken]
    ids = [notification.pk for notification in claimed if notification is not None]
    return list(Notification.objects.select_related("member", "cycle").filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def reminder_send_now(*, cycle: Cycle, member: Member, actor: Actor) -> Notification | None:
    """Send one member the rung now due, or else a manual reminder; None if its plan is not chased.

    A manual reminder is keyed to the minute, so a double click sends one.
    """
    if not actor.can(SEND_REMINDERS):
        raise NotAllowed(_("Only staff who send reminders send them."))
    candidates = reminder_candidates(cycle=cycle, member_id=member.pk)
    if not candidates:
        return None
    candidate = candidates[0]
    now = timezone.now()
    for due in _due_for(candidate, now):
        if due.kind != NotificationKind.ESCALATION:
            notification = _claim(due, member=member)
            if notification is not None:
                return notification
    manual = Due(
        candidate=candidate,
        kind=candidate.kind,
        rung=MANUAL_RUNG,
        dedupe_key=dedupe_key(
            kind=candidate.kind,
            cycle_id=cycle.pk,
            member_id=member.pk,
            rung=MANUAL_RUNG,
            deadline=now.replace(second=0, microsecond=0),
        ),
    )
    return _claim(manual, member=member)
