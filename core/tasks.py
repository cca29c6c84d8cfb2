"""Periodic housekeeping of the core app. Thin: the service does the work."""

from celery import shared_task


@shared_task(name="core.prune_idempotency_keys", acks_late=True)
def prune_idempotency_keys() -> int:
    """Delete expired Idempotency-Keys. Safe to run twice or on several workers at once."""
    from .services import idempotency_keys_prune

    return idempotency_keys_prune()


@shared_task(name="core.prune_security_log", acks_late=True)
def prune_security_log() -> int:
    """Delete security events past their retention. Safe to run twice or on several workers at once."""
    from .services import security_events_prune

    return security_events_prune()
