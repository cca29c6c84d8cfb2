"""Background work of the members app. Thin: ids in, a service does the work."""

import smtplib

from celery import shared_task


@shared_task(
    name="members.send_account_email",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
)
def send_account_email(*, user_id: int, kind: str) -> bool:
    """Send a password reset or invitation e-mail (the link is made here, not in the queue)."""
    from .accounts import account_email_send

    return account_email_send(user_id=user_id, kind=kind)
