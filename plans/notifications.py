"""E-mails about plans: what goes to whom, recorded in Notification so each is sent once.

Every e-mail goes the same way: a Notification row is inserted first (its unique
`dedupe_key` is the claim, so a second pass or a racing worker gets an IntegrityError and
sends nothing), then the `plans.send_notification` task is queued after commit, and that
task renders and sends it, retrying transient SMTP failures and recording permanent ones.
"""

import logging
import smtplib
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
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
# A pending row older than this whose task never ran (a broker outage, a crash between the
# commit and the queueing) is queued again by the periodic pass, so no claimed mail is lost.
STALE_PENDING_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 7


class TransientSendError(Exception):
    """A send that may succeed later (connection trouble, SMTP 4xx): the task retries it."""


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
    """Send the notification from a worker once the current transaction commits (never for a rollback)."""
    enqueue_on_commit("plans.send_notification", notification_id=notification.pk)


def send_plan_event(*, plan_id: int, event: str, version_id: int | None = None, review_id: int | None = None) -> int:
    """Claim and queue the e-mails of a workflow event, once each; returns how many were claimed now."""
    plan = Plan.objects.select_related("cycle", "member").filter(pk=plan_id).first()
    if plan is None:
        return 0
    version = PlanVersion.objects.filter(pk=version_id).first() if version_id else None
    claimed = 0
    for kind in EVENT_KINDS.get(event, []):
        notification = notification_claim(
            kind=kind,
            dedupe_key=f"{kind}:{plan.pk}:{version_id or ''}:{review_id or ''}",
            cycle=plan.cycle,
            member=plan.member,
            plan=plan,
            version=version,
        )
        if notification is not None:
            notification_queue(notification)
            claimed += 1
    return claimed


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
    """Put a failed notification back to pending and queue it again; False if it was not failed."""
    if not actor.can(SEND_REMINDERS):
        raise NotAllowed(_("Only staff who send reminders retry e-mails."))
    reset = Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, attempts=0, last_error=""
    )
    if reset:
        notification_queue(notification)
    return bool(reset)


def notifications_requeue_stale(*, now: datetime | None = None) -> int:
    """Queue again the pending notifications whose task seems lost; returns how many."""
    cutoff = (now or timezone.now()) - STALE_PENDING_AFTER
    stale = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:500]
    )
    for pk in stale:
        notification_queue(Notification(pk=pk))
    return len(stale)


# Rendering and sending ----------------------------------------------------------------------


def render_message(template: str, context: dict, *, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of `plans/email/<template>` in `language`."""
    with translation.override(language):
        subject = render_to_string(f"plans/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"plans/email/{template}.txt", context)
        html = render_to_string(f"plans/email/{template}.html", context)
    return " ".join(subject.split()), text, html


def deliver(notification: Notification, template: str, context: dict, recipients: list[tuple[str, str]]) -> None:
    """Send one message per language group and record the outcome on the notification."""
    by_language: dict[str, list[str]] = {}
    for email, language in recipients:
        by_language.setdefault(language or "en", []).append(email)
    subject = ""
    for language, emails in sorted(by_language.items()):
        subject, text, html = render_message(template, {**context, "language": language}, language=language)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, emails)
        message.attach_alternative(html, "text/html")
        message.send()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT,
        subject=subject[:300],
        recipients=[email for email, _ in recipients],
        sent_at=timezone.now(),
        last_error="",
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


def _record_failure(notification: Notification, error: str, *, final: bool) -> None:
    changes = {"last_error": error[:2000]}
    if final:
        changes["status"] = NotificationStatus.FAILED
    Notification.objects.filter(pk=notification.pk).update(**changes)


def notification_send(*, notification_id: int, final_attempt: bool = False) -> str:
    """Send one claimed notification now; returns its status. Raises TransientSendError to be retried.

    A pending row is claimed for this attempt by a conditional UPDATE on its attempt counter,
    so two deliveries of the same task (a redelivery racing a slow worker) cannot both send.
    """
    notification = (
        Notification.objects.select_related("cycle", "member", "plan", "version", "comment")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return ""
    if notification.status != NotificationStatus.PENDING:
        return notification.status
    claimed = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.PENDING, attempts=notification.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return NotificationStatus.PENDING
    final_attempt = final_attempt or notification.attempts + 1 >= MAX_ATTEMPTS
    if not chasing_still_wanted(notification):
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.CANCELLED, last_error="Not sent: the plan was submitted meanwhile."
        )
        return NotificationStatus.CANCELLED
    template, context, recipients = message_for(notification)
    if not recipients:
        _record_failure(notification, "Nobody to send it to: no active user with an e-mail address.", final=True)
        return NotificationStatus.FAILED
    try:
        deliver(notification, template, context, recipients)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if is_transient(exc) and not final_attempt:
            _record_failure(notification, error, final=False)
            logger.warning("sending %s failed, will retry: %s", notification.dedupe_key, error)
            raise TransientSendError(error) from exc
        _record_failure(notification, error, final=True)
        logger.exception("sending %s failed for good", notification.dedupe_key)
        return NotificationStatus.FAILED
    return NotificationStatus.SENT
