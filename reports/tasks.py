"""Celery tasks for reports: thin wrappers that take ids and call a service."""

from datetime import datetime, timedelta

from celery import shared_task
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.actors import Actor
from plans.models import Cycle

from .services import report_build, report_request, reports_dispatch

# A cycle still gets nightly reports this long after its review deadline (or deadline).
OPEN_CYCLE_GRACE = timedelta(days=60)


@shared_task(name="reports.build_compliance_report", acks_late=True, ignore_result=True)
def build_compliance_report(*, report_id: int) -> None:
    report_build(report_id=report_id)


@shared_task(name="reports.dispatch_reports", acks_late=True)
def dispatch_reports() -> dict[str, int]:
    """Every minute: runs whose worker stopped are queued again once (then failed), lost runs queued again."""
    return reports_dispatch()


def open_cycles(at: datetime | None = None):
    """Cycles already open whose review deadline (or deadline) is at most OPEN_CYCLE_GRACE ago."""
    now = at or timezone.now()
    return (
        Cycle.objects.annotate(closes_at=Coalesce("review_deadline", "deadline"))
        .filter(Q(opens_at__lte=now) & Q(closes_at__gte=now - OPEN_CYCLE_GRACE))
        .order_by("year")
    )


@shared_task(name="reports.request_nightly_reports", acks_late=True, ignore_result=True)
def request_nightly_reports() -> list[int]:
    """Queue one report per open cycle (the nightly beat entry)."""
    return [report_request(cycle=cycle, actor=Actor.system()).pk for cycle in open_cycles()]
