"""Background work for plans: e-mails and the periodic reminder pass. Thin: ids in, a service does the work."""

from celery import shared_task

from . import notifications, reminders


@shared_task(name="plans.notify_plan_event", acks_late=True)
def notify_plan_event(*, plan_id: int, event: str, version_id: int | None = None, review_id: int | None = None) -> int:
    """Write the e-mails of one workflow event if they are missing (messages of older releases). Safe to run twice."""
    return notifications.send_plan_event(plan_id=plan_id, event=event, version_id=version_id, review_id=review_id)


@shared_task(name="plans.notify_comment", acks_late=True)
def notify_comment(*, comment_id: int) -> int:
    """Claim and queue the delegation's e-mail about a new comment from the secretariat. Safe to run twice."""
    return notifications.send_comment_notice(comment_id=comment_id)


@shared_task(name="plans.notify_extension", acks_late=True)
def notify_extension(*, extension_id: int) -> int:
    """Claim and queue the delegation's e-mail about its extended deadline. Safe to run twice."""
    return notifications.send_extension_notice(extension_id=extension_id)


@shared_task(name="plans.send_notification", acks_late=True)
def send_notification(*, notification_id: int) -> str:
    """Send one e-mail of the outbox now if nobody holds it; retries are the dispatcher's (next_attempt_at)."""
    return notifications.notification_send(notification_id=notification_id)


@shared_task(name="plans.dispatch_notifications", acks_late=True)
def dispatch_notifications() -> dict[str, int]:
    """The outbox dispatcher (every minute): send whatever is due. Safe on several workers at once."""
    return notifications.notifications_dispatch()


@shared_task(name="plans.prune_notifications", acks_late=True)
def prune_notifications() -> int:
    """Delete finished notification rows past NOTIFICATION_RETENTION_DAYS. Safe to run twice or in parallel."""
    return notifications.notifications_prune()


@shared_task(name="plans.send_reminders", acks_late=True)
def send_reminders() -> int:
    """One reminder pass: claim the rungs now due and queue their e-mails. Safe to run twice or in parallel."""
    return len(reminders.reminder_pass())


@shared_task(name="plans.verify_versions", acks_late=True)
def verify_versions() -> int:
    """Recompute every version's hash and chain; e-mail staff about any break. Read-only, safe to repeat."""
    from .integrity import versions_verify_and_alert

    return versions_verify_and_alert()
