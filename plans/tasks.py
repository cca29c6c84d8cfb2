from celery import shared_task

from . import notifications


@shared_task(name="plans.notify_plan_event", acks_late=True)
def notify_plan_event(*, plan_id: int, event: str, version_id: int | None = None, review_id: int | None = None) -> int:
    """Send the e-mails of one workflow event (receipt, decision notices). Safe to run twice."""
    return notifications.send_plan_event(plan_id=plan_id, event=event, version_id=version_id, review_id=review_id)
