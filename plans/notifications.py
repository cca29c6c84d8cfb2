"""E-mails about plans: what goes to whom, recorded in Notification so each is sent once."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from members.models import Member

from .enums import NotificationKind, NotificationStatus
from .models import Cycle, Notification, Plan, PlanVersion, Review
from .selectors import effective_deadline

logger = logging.getLogger(__name__)

EVENT_KINDS = {
    "submitted": [NotificationKind.RECEIPT, NotificationKind.STAFF_SUBMISSION],
    "returned": [NotificationKind.RETURNED],
    "accepted": [NotificationKind.ACCEPTED],
}


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


def plan_link(plan: Plan, *, staff: bool = False) -> str:
    try:
        path = (
            reverse("admin:plans_plan_change", args=[plan.pk]) if staff else reverse("plan-detail-page", args=[plan.pk])
        )
    except NoReverseMatch:
        path = reverse("admin:plans_plan_change", args=[plan.pk])
    return f"{settings.SITE_URL}{path}"


def notification_claim(
    *,
    kind: str,
    dedupe_key: str,
    cycle: Cycle,
    member: Member,
    recipients: list[str],
    rung: str = "",
    plan: Plan | None = None,
    version: PlanVersion | None = None,
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
                recipients=recipients,
            )
    except IntegrityError:
        return None


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
        subject, text, html = render_message(template, context, language=language)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, emails)
        message.attach_alternative(html, "text/html")
        message.send()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT,
        subject=subject[:300],
        sent_at=timezone.now(),
        attempts=notification.attempts + 1,
        last_error="",
    )
    logger.info("sent %s %s to %s", notification.kind, notification.dedupe_key, ", ".join(e for e, _ in recipients))


def send_plan_event(*, plan_id: int, event: str, version_id: int | None = None, review_id: int | None = None) -> int:
    """Send the e-mails for a workflow event once each; returns how many were sent now."""
    plan = Plan.objects.select_related("cycle", "member").filter(pk=plan_id).first()
    if plan is None:
        return 0
    version = PlanVersion.objects.filter(pk=version_id).first() if version_id else None
    review = Review.objects.filter(pk=review_id).first() if review_id else None
    sent = 0
    for kind in EVENT_KINDS.get(event, []):
        to_staff = kind == NotificationKind.STAFF_SUBMISSION
        recipients = staff_recipients() if to_staff else delegation_recipients(plan.member)
        if not recipients:
            continue
        key = f"{kind}:{plan.pk}:{version_id or ''}:{review_id or ''}"
        notification = notification_claim(
            kind=kind,
            dedupe_key=key,
            cycle=plan.cycle,
            member=plan.member,
            recipients=[email for email, _ in recipients],
            plan=plan,
            version=version,
        )
        if notification is None:
            continue
        context = {
            "plan": plan,
            "member": plan.member,
            "cycle": plan.cycle,
            "version": version,
            "review": review,
            "deadline": effective_deadline(cycle=plan.cycle, member_id=plan.member_id),
            "link": plan_link(plan, staff=to_staff),
        }
        try:
            deliver(notification, kind, context, recipients)
            sent += 1
        except Exception as exc:  # recorded for staff; the task decides whether to retry
            Notification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.FAILED, attempts=notification.attempts + 1, last_error=str(exc)[:2000]
            )
            logger.exception("sending %s failed", key)
    return sent
