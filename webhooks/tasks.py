"""Background work for webhooks: one delivery attempt, the sweep of due retries, the disabled notice."""

from celery import shared_task

# Retries shorter than this are queued with a countdown; longer ones are left to the sweep, since
# a broker may hand a long-delayed message out again (Redis's visibility timeout).
COUNTDOWN_LIMIT = 15 * 60


@shared_task(name="webhooks.deliver", acks_late=True)
def deliver(*, delivery_id: int) -> str:
    """Try one delivery now; queue the next try if it failed and is due soon. Safe to run twice."""
    from .services import delivery_attempt

    status, delay = delivery_attempt(delivery_id=delivery_id)
    if delay is not None and delay <= COUNTDOWN_LIMIT:
        deliver.apply_async(kwargs={"delivery_id": delivery_id}, countdown=delay)
    return status


@shared_task(name="webhooks.sweep", acks_late=True)
def sweep() -> int:
    """Queue every delivery whose next try is due (retries, tasks lost with a worker). Run every minute."""
    from .services import deliveries_due

    due = deliveries_due()
    for delivery_id in due:
        deliver.apply_async(kwargs={"delivery_id": delivery_id})
    return len(due)


@shared_task(name="webhooks.tell_disabled", acks_late=True)
def tell_disabled(*, endpoint_id: int) -> int:
    """E-mail an endpoint's owners that it was disabled."""
    from .services import endpoint_tell_disabled

    return endpoint_tell_disabled(endpoint_id=endpoint_id)
