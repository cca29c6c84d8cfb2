"""Background work for plans: e-mails and the periodic reminder pass. Thin: ids in, a service does the work."""

from celery import shared_task

from . import notifications, reminders


@shared_task(name="plans.notify_plan_event", acks_late=True)
def notify_plan_event(*, plan_id: int, event: str, version_id: int | None = None, review_id: int | None = None) -> int:
    """Claim and queue the e-mails of one workflow event (receipt, decision notices). Safe to run twice."""
    return notifications.send_plan_event(plan_id=plan_id, event=event, version_id=version_id, review_id=review_id)


@shared_task(name="plans.notify_comment", acks_late=True)
def notify_comment(*, comment_id: int) -> int:
    """Claim and queue the delegation's e-mail about a new comment from the secretariat. Safe to run twice."""
    return notifications.send_comment_notice(comment_id=comment_id)


@shared_task(name="plans.notify_extension", acks_late=True)
def notify_extension(*, extension_id: int) -> int:
    """Claim and queue the delegation's e-mail about its extended deadline. Safe to run twice."""
    return notifications.send_extension_notice(extension_id=extension_id)


@shared_task(
    name="plans.send_notification",
    bind=True,
    acks_late=True,
    autoretry_for=(notifications.TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=notifications.MAX_ATTEMPTS - 1,
)
def send_notification(self, *, notification_id: int) -> str:
    """Send one claimed e-mail; transient failures are retried with backoff, the last one is recorded."""
    return notifications.notification_send(
        notification_id=notification_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task(name="plans.send_reminders", acks_late=True)
def send_reminders() -> int:
    """One reminder pass: claim the rungs now due and queue their e-mails. Safe to run twice or in parallel."""
    try:
        claimed = reminders.reminder_pass()
    finally:
        # Mail claimed earlier whose task was lost goes out again even if this pass failed.
        notifications.notifications_requeue_stale()
    return len(claimed)


@shared_task(name="plans.verify_versions", acks_late=True)
def verify_versions() -> int:
    """Recompute every version's hash and chain; e-mail staff about any break. Read-only, safe to repeat."""
    from .integrity import versions_verify_and_alert

    return versions_verify_and_alert()
