"""E-mails about plans: a transactional outbox of Notification rows, each sent once.

Every e-mail goes the same way:
- a Notification row is inserted in the same transaction as the change that causes it (the
  submission, the decision, the reminder pass); its unique `dedupe_key` is the claim, so a
  second pass or a racing worker inserts nothing;
- after commit, the `plans.send_notification` task is queued, best effort: with the broker
  down the row simply waits;
- a worker claims the row with a lease (`lease_until`) before sending, by a conditional UPDATE,
  or in batches with `SELECT ... FOR UPDATE SKIP LOCKED` in the dispatcher that beat runs every
  minute; a row whose task was lost, whose worker was killed (lease run out), or whose retry is
  due (`next_attempt_at`) is sent by the dispatcher;
- transient SMTP failures are retried with backoff over EMAIL_RETRY_HOURS; marking the row sent
  is retried through a database blip, so a restart does not send it again. Each message carries
  a Message-ID derived from the row, so the rare second copy (a worker killed between the SMTP
  server's "250" and the UPDATE) is recognisable as the same message.
"""

import logging
import smtplib
import socket
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from core.permissions import SEND_REMINDERS
from core.queue import enqueue_on_commit
from members.actors import Actor
from members.models import Member

from .enums import Decision, NotificationKind, NotificationStatus, PlanStatus
from .models import Comment, Cycle, DeadlineExtension, Notification, Plan, PlanVersion, Review
from .selectors import effective_deadline

logger = logging.getLogger(__name__)

EVENT_KINDS = {
    "submitted": [NotificationKind.RECEIPT, NotificationKind.STAFF_SUBMISSION],
    "returned": [NotificationKind.RETURNED],
    "accepted": [NotificationKind.ACCEPTED],
}
STAFF_KINDS = {NotificationKind.STAFF_SUBMISSION, NotificationKind.ESCALATION}
# Chasing e-mails, and the plan statuses (None: no plan yet) in which each is still wanted.
CHASING_KINDS = {
    NotificationKind.REMINDER: {None, PlanStatus.DRAFT},
    NotificationKind.ESCALATION: {None, PlanStatus.DRAFT},
    NotificationKind.RESUBMIT: {PlanStatus.RETURNED},
}
# A row claimed this many times more than its retry schedule allows kept killing its worker
# (or its lease kept running out): it is given up on rather than claimed for ever.
CRASH_ALLOWANCE = 3


def delegation_recipients(member: Member) -> list[tuple[str, str]]:
    """(e-mail, language) of the member's active delegates."""
    return list(
        get_user_model()
        .objects.filter(delegate__member=member, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "language")
    )


def staff_recipients() -> list[tuple[str, str]]:
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "language")
    )


def plan_link(plan: Plan | None, *, staff: bool = False) -> str:
    """Absolute link to the plan: the delegation page, or the admin page for staff (and as fallback)."""
    if plan is None:
        path = reverse("admin:plans_plan_changelist") if staff else reverse("home")
        return f"{settings.SITE_URL}{path}"
    try:
        path = (
            reverse("admin:plans_plan_change", args=[plan.pk]) if staff else reverse("plan-detail-page", args=[plan.pk])
        )
    except NoReverseMatch:
        path = reverse("admin:plans_plan_change", args=[plan.pk])
    return f"{settings.SITE_URL}{path}"


def is_transient(exc: BaseException) -> bool:
    """Whether a failed send is worth retrying: connection trouble, timeouts, SMTP 4xx replies."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | socket.timeout)


# Claiming and queueing -----------------------------------------------------------------------


def notification_claim(
    *,
    kind: str,
    dedupe_key: str,
    cycle: Cycle,
    member: Member,
    recipients: list[str] | None = None,
    rung: str = "",
    plan: Plan | None = None,
    version: PlanVersion | None = None,
    comment: Comment | None = None,
) -> Notification | None:
    """Create the notification row, or return None if it already exists: the unique key is the claim."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                kind=kind,
                rung=rung,
                dedupe_key=dedupe_key,
                cycle=cycle,
                member=member,
                plan=plan,
                version=version,
                comment=comment,
                recipients=recipients or [],
            )
    except IntegrityError:
        return None


def notification_queue(notification: Notification) -> None:
    """Hand the row to a worker once the current transaction commits (best effort: the dispatcher is the net)."""
    enqueue_on_commit("plans.send_notification", notification_id=notification.pk)


def plan_event_notifications(
    *, plan: Plan, event: str, version: PlanVersion | None = None, review: Review | None = None
) -> list[Notification]:
    """Write the e-mails of a workflow event into the outbox, in the caller's transaction; queue them after commit.

    Called by the service that makes the change, inside its transaction: the rows commit (or roll
    back) with the submission or decision, so a broker outage loses nothing. Rows that exist
    already (the same event recorded twice) are not created again.
    """
    created = []
    for kind in EVENT_KINDS.get(event, []):
        notification = notification_claim(
            kind=kind,
            dedupe_key=f"{kind}:{plan.pk}:{version.pk if version else ''}:{review.pk if review else ''}",
            cycle=plan.cycle,
            member=plan.member,
            plan=plan,
            version=version,
        )
        if notification is not None:
            notification_queue(notification)
            created.append(notification)
    return created


def send_plan_event(*, plan_id: int, event: str, version_id: int | None = None, review_id: int | None = None) -> int:
    """Write the e-mails of an event that are not in the outbox yet; returns how many.

    Only messages queued by an older release reach this (services now write the rows themselves).
    """
    plan = Plan.objects.select_related("cycle", "member").filter(pk=plan_id).first()
    if plan is None:
        return 0
    with transaction.atomic():
        created = plan_event_notifications(
            plan=plan,
            event=event,
            version=PlanVersion.objects.filter(pk=version_id).first() if version_id else None,
            review=Review.objects.filter(pk=review_id).first() if review_id else None,
        )
    return len(created)


def send_comment_notice(*, comment_id: int) -> int:
    """Claim and queue the e-mail telling the delegation of a comment from the secretariat; 1 if claimed now.

    Internal comments, and the comment of a review decision (its own e-mail carries it), are not sent.
    """
    comment = (
        Comment.objects.select_related("plan__cycle", "plan__member")
        .filter(pk=comment_id, internal=False, review__isnull=True)
        .first()
    )
    if comment is None:
        return 0
    plan = comment.plan
    notification = notification_claim(
        kind=NotificationKind.COMMENT,
        dedupe_key=f"{NotificationKind.COMMENT}:{comment.pk}",
        cycle=plan.cycle,
        member=plan.member,
        plan=plan,
        version=comment.version,
        comment=comment,
    )
    if notification is None:
        return 0
    notification_queue(notification)
    return 1


def send_extension_notice(*, extension_id: int) -> int:
    """Claim and queue the e-mail telling the delegation of its new deadline; 1 if claimed now.

    One e-mail per deadline granted: granting the same deadline again sends nothing new.
    """
    extension = DeadlineExtension.objects.select_related("cycle", "member").filter(pk=extension_id).first()
    if extension is None:
        return 0
    notification = notification_claim(
        kind=NotificationKind.EXTENSION,
        dedupe_key=f"{NotificationKind.EXTENSION}:{extension.cycle_id}:{extension.member_id}:"
        f"{extension.deadline.timestamp():.0f}",
        cycle=extension.cycle,
        member=extension.member,
        plan=Plan.objects.filter(cycle=extension.cycle, member=extension.member).first(),
    )
    if notification is None:
        return 0
    notification_queue(notification)
    return 1


@transaction.atomic
def notification_retry(*, notification: Notification, actor: Actor) -> bool:
    """Put a failed or waiting notification back to pending and queue it again; False if it was neither."""
    if not actor.can(SEND_REMINDERS):
        raise NotAllowed(_("Only staff who send reminders retry e-mails."))
    reset = Notification.objects.filter(
        pk=notification.pk, status__in=[NotificationStatus.FAILED, NotificationStatus.WAITING]
    ).update(
        status=NotificationStatus.PENDING, attempts=0, last_error="", next_attempt_at=timezone.now(), lease_until=None
    )
    if reset:
        notification_queue(notification)
    return bool(reset)


# The retry schedule ---------------------------------------------------------------------------


def retry_delay(failures: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4, ... minutes, capped."""
    minutes = min(2 ** max(failures - 1, 0), settings.EMAIL_RETRY_MAX_DELAY_MINUTES)
    return timedelta(minutes=minutes)


def max_attempts() -> int:
    """Attempts made before a transiently failing e-mail is given up: retries span EMAIL_RETRY_HOURS."""
    budget = timedelta(hours=settings.EMAIL_RETRY_HOURS)
    attempts, waited = 1, timedelta(0)
    while waited + retry_delay(attempts) <= budget:
        waited += retry_delay(attempts)
        attempts += 1
    return attempts


def retry_schedule() -> list[timedelta]:
    """The waits between attempts, in order (what docs/operations.md describes)."""
    return [retry_delay(n) for n in range(1, max_attempts())]


# Claiming ------------------------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    return Q(status=NotificationStatus.PENDING, next_attempt_at__lte=now) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def _lease(now: datetime) -> dict:
    return {"lease_until": now + timedelta(seconds=settings.EMAIL_LEASE_SECONDS), "attempts": F("attempts") + 1}


def notification_lease(*, notification_id: int, now: datetime | None = None) -> bool:
    """Claim one due row for this worker until its lease ends; True only for the caller whose UPDATE changed it."""
    now = now or timezone.now()
    return bool(Notification.objects.filter(_claimable(now), pk=notification_id).update(**_lease(now)))


def notifications_lease_due(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim up to `limit` due rows (oldest due first) for this worker; returns their ids.

    On PostgreSQL the rows are read with FOR UPDATE SKIP LOCKED, so dispatchers running at once on
    several workers take different rows instead of queueing behind each other; the conditional
    UPDATE then re-checks each row, so a row claimed meanwhile by a send task is not taken twice.
    (SQLite has no row locks and runs one writer at a time: there the UPDATE alone decides.)
    """
    now = now or timezone.now()
    limit = limit or settings.EMAIL_DISPATCH_BATCH
    with transaction.atomic():
        due = list(
            Notification.objects.filter(_claimable(now))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(_claimable(now), pk__in=due).update(**_lease(now))
        return list(
            Notification.objects.filter(pk__in=due, lease_until=now + timedelta(seconds=settings.EMAIL_LEASE_SECONDS))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
        )


def notifications_release_waiting() -> int:
    """Waiting delegation e-mails of members that now have a delegate become due again; returns how many."""
    has_recipients = (
        get_user_model().objects.filter(is_active=True, delegate__member=OuterRef("member_id")).exclude(email="")
    )
    return Notification.objects.filter(Exists(has_recipients), status=NotificationStatus.WAITING).update(
        status=NotificationStatus.PENDING, next_attempt_at=timezone.now(), lease_until=None, attempts=0
    )


def notifications_give_up_crashed(*, now: datetime | None = None) -> int:
    """Fail the rows whose lease ran out more often than the schedule allows (each claim killed its worker)."""
    now = now or timezone.now()
    return Notification.objects.filter(_claimable(now), attempts__gte=max_attempts() + CRASH_ALLOWANCE).update(
        status=NotificationStatus.FAILED,
        lease_until=None,
        last_error="Given up: every attempt ended without a result (the worker stopped while sending).",
    )


def notifications_dispatch(*, now: datetime | None = None) -> dict[str, int]:
    """One dispatcher run: release waiting rows that can be addressed now, claim what is due, send it.

    Safe on several workers at once (leases), and after any crash (an unfinished claim expires).
    Returns how many rows ended in each status.
    """
    released = notifications_release_waiting()
    notifications_give_up_crashed(now=now)
    outcomes: dict[str, int] = {"released": released} if released else {}
    leased = notifications_lease_due(now=now)
    # A slow SMTP server (timeouts) must not keep rows leased past their lease or past the task's
    # time limit: after half the lease, the rows not tried yet are handed back for the next run.
    stop_at = time.monotonic() + settings.EMAIL_LEASE_SECONDS / 2
    for index, notification_id in enumerate(leased):
        if time.monotonic() > stop_at:
            Notification.objects.filter(pk__in=leased[index:], status=NotificationStatus.PENDING).update(
                lease_until=None, attempts=F("attempts") - 1
            )
            outcomes["handed_back"] = len(leased) - index
            break
        status = notification_send_leased(notification_id=notification_id)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


# Rendering and sending ----------------------------------------------------------------------


def render_message(template: str, context: dict, *, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of `plans/email/<template>` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"plans/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"plans/email/{template}.txt", context)
        html = render_to_string(f"plans/email/{template}.html", context)
    return " ".join(subject.split()), text, html


def message_id(notification: Notification, language: str) -> str:
    """The Message-ID of one language's message of a row: the same on every attempt, so a copy is recognisable."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}-{language}@{domain}>"


def _mark_sent(notification: Notification, changes: dict) -> None:
    """Record the send, retrying while the database is unreachable (EMAIL_MARK_SENT_RETRY_SECONDS).

    The mail has left: if this UPDATE were lost, the lease would run out and the dispatcher would
    send the mail again. A restart of PostgreSQL takes seconds, so waiting it out is worth it.
    """
    give_up_at = time.monotonic() + settings.EMAIL_MARK_SENT_RETRY_SECONDS
    pause = 0.5
    while True:
        try:
            Notification.objects.filter(pk=notification.pk, status=NotificationStatus.PENDING).update(**changes)
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() + pause > give_up_at or connection.in_atomic_block:
                raise
            logger.warning("could not mark %s sent yet, retrying", notification.dedupe_key, exc_info=True)
            connection.close()  # the next query opens a fresh connection
            time.sleep(pause)
            pause = min(pause * 2, 5)


def deliver(notification: Notification, template: str, context: dict, recipients: list[tuple[str, str]]) -> None:
    """Send one message per language group and record the outcome on the notification."""
    by_language: dict[str, list[str]] = {}
    for email, language in recipients:
        by_language.setdefault(language or "en", []).append(email)
    subject = ""
    for language, emails in sorted(by_language.items()):
        subject, text, html = render_message(template, {**context, "language": language}, language=language)
        message = EmailMultiAlternatives(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            emails,
            headers={"Message-ID": message_id(notification, language)},
        )
        message.attach_alternative(html, "text/html")
        message.send()
    _mark_sent(
        notification,
        {
            "status": NotificationStatus.SENT,
            "subject": subject[:300],
            "recipients": [email for email, _ in recipients],
            "sent_at": timezone.now(),
            "last_error": "",
            "lease_until": None,
        },
    )
    logger.info("sent %s %s to %s", notification.kind, notification.dedupe_key, ", ".join(e for e, _ in recipients))


def _days_to(deadline: datetime, now: datetime) -> int:
    """Whole calendar days from today to the deadline's day (negative once it has passed)."""
    return (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days


def message_for(notification: Notification) -> tuple[str, dict, list[tuple[str, str]]]:
    """(template, context, recipients) of a claimed notification, from the current state of its plan."""
    kind = notification.kind
    plan = notification.plan
    if plan is None and kind in {NotificationKind.REMINDER, NotificationKind.RESUBMIT, NotificationKind.ESCALATION}:
        plan = Plan.objects.filter(cycle_id=notification.cycle_id, member_id=notification.member_id).first()
    to_staff = kind in STAFF_KINDS
    deadline = effective_deadline(cycle=notification.cycle, member_id=notification.member_id)
    review = None
    if kind in {NotificationKind.RETURNED, NotificationKind.ACCEPTED} and notification.version_id:
        decision = Decision.RETURN if kind == NotificationKind.RETURNED else Decision.ACCEPT
        review = (
            Review.objects.filter(version_id=notification.version_id, decision=decision).order_by("-created_at").first()
        )
    days_to_deadline = _days_to(deadline, timezone.now())
    context = {
        "notification": notification,
        "plan": plan,
        "member": notification.member,
        "cycle": notification.cycle,
        "version": notification.version,
        "review": review,
        "comment": notification.comment,
        "extension": (
            DeadlineExtension.objects.filter(cycle_id=notification.cycle_id, member_id=notification.member_id).first()
            if kind == NotificationKind.EXTENSION
            else None
        ),
        "deadline": deadline,
        "days_left": max(days_to_deadline, 0),
        "days_overdue": max(-days_to_deadline, 0),
        "is_overdue": timezone.now() > deadline,
        "link": plan_link(plan, staff=to_staff),
    }
    recipients = staff_recipients() if to_staff else delegation_recipients(notification.member)
    return kind, context, recipients


def chasing_still_wanted(notification: Notification) -> bool:
    """A reminder queued before a submission (or waiting out a retry) must not chase a plan now in."""
    if notification.kind not in CHASING_KINDS:
        return True
    status = (
        Plan.objects.filter(cycle_id=notification.cycle_id, member_id=notification.member_id)
        .values_list("status", flat=True)
        .first()
    )
    return status in CHASING_KINDS[notification.kind]


def _record_failure(notification: Notification, error: str, *, retry_at: datetime | None = None) -> str:
    """Record a failed attempt: due again at `retry_at`, or failed for good without one."""
    changes: dict = {"last_error": error[:2000], "lease_until": None}
    if retry_at is None:
        changes["status"] = NotificationStatus.FAILED
    else:
        changes["next_attempt_at"] = retry_at
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.PENDING).update(**changes)
    return NotificationStatus.FAILED if retry_at is None else NotificationStatus.PENDING


def notification_send(*, notification_id: int) -> str:
    """Claim one due notification and send it now (the task queued after commit); returns its status.

    The claim is a conditional UPDATE that takes the lease, so a redelivered message, a second
    task or the dispatcher cannot send the same row at the same time: whoever loses returns.
    """
    if not notification_lease(notification_id=notification_id):
        return Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first() or ""
    return notification_send_leased(notification_id=notification_id)


def notification_send_leased(*, notification_id: int) -> str:
    """Send a row this worker holds the lease of, and record the outcome; returns its status."""
    notification = (
        Notification.objects.select_related("cycle", "member", "plan", "version", "comment")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return ""
    if not chasing_still_wanted(notification):
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.CANCELLED,
            lease_until=None,
            last_error="Not sent: the plan was submitted meanwhile.",
        )
        return NotificationStatus.CANCELLED
    template, context, recipients = message_for(notification)
    if not recipients:
        if notification.kind in STAFF_KINDS:
            error = "Nobody to send it to: no active staff user with an e-mail address."
            return _record_failure(notification, error)
        # Never failed silently: it waits, staff see it in the log, and it goes out once the
        # member has a delegate (the dispatcher checks every run).
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.WAITING,
            lease_until=None,
            last_error="Waiting: the member has no active delegate with an e-mail address.",
        )
        logger.warning("%s waits for a delegate of %s", notification.dedupe_key, notification.member.code)
        return NotificationStatus.WAITING
    try:
        deliver(notification, template, context, recipients)
    except SoftTimeLimitExceeded:
        raise  # the task ran out of time, not the mail: the lease runs out and it is tried again
    except (OperationalError, InterfaceError):
        # The mail went out but could not be marked sent: the lease runs out, and the mail is
        # sent again by the dispatcher (the same Message-ID). Logged loudly; nothing to record.
        logger.exception("sent %s but could not record it", notification.dedupe_key)
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if is_transient(exc) and notification.attempts < max_attempts():
            retry_at = timezone.now() + retry_delay(notification.attempts)
            logger.warning("sending %s failed, retrying at %s: %s", notification.dedupe_key, retry_at, error)
            return _record_failure(notification, error, retry_at=retry_at)
        logger.exception("sending %s failed for good", notification.dedupe_key)
        return _record_failure(notification, error)
    return NotificationStatus.SENT


def notifications_prune(*, now: datetime | None = None) -> int:
    """Delete sent, cancelled and failed rows older than NOTIFICATION_RETENTION_DAYS (0: keep all); returns how many.

    Pending and waiting rows are never pruned: they are work still to do.
    """
    if not settings.NOTIFICATION_RETENTION_DAYS:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _by_model = Notification.objects.filter(
        status__in=[NotificationStatus.SENT, NotificationStatus.CANCELLED, NotificationStatus.FAILED],
        created_at__lt=cutoff,
    ).delete()
    return deleted
