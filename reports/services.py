"""Writes for compliance reports: request one, and build it (the worker's side)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.permissions import VIEW_COMPLIANCE
from core.queue import enqueue, enqueue_on_commit
from members.actors import Actor
from plans.models import Cycle

from .builders import charts
from .builders.brief import build_brief
from .builders.data import report_data
from .builders.pdf import build_pdf
from .builders.tables import build_csv, build_xlsx
from .models import ComplianceReport, ReportLanguage, ReportStatus

logger = logging.getLogger(__name__)


# A queued run older than this whose task has not started (lost in a broker outage) is queued again.
QUEUED_GRACE = timedelta(minutes=1)


def report_request(*, cycle: Cycle, actor: Actor, language: str = ReportLanguage.ENGLISH) -> ComplianceReport:
    """Create a queued report for the cycle, its files in `language`; a worker builds it once the transaction commits.

    The row is the outbox: queueing after commit is best effort, and the dispatcher queues any
    run still waiting a minute later, so a broker outage delays the report instead of losing it.
    """
    if not actor.can(VIEW_COMPLIANCE):
        raise NotAllowed(_("Only staff who read compliance request compliance reports."))
    if language not in ReportLanguage.values:
        raise DomainError(_("Choose English or French."))
    report = ComplianceReport.objects.create(cycle=cycle, requested_by=actor.user, language=language)
    enqueue_on_commit("reports.build_compliance_report", report_id=report.pk)
    return report


def _set_progress(report_id: int, progress: int) -> None:
    # A plain UPDATE outside any transaction, so that readers see it while the build goes on;
    # it is also the run's heartbeat.
    ComplianceReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        progress=progress, heartbeat_at=timezone.now()
    )


def report_claim(*, report_id: int) -> bool:
    """Move a queued report to running; only the caller whose UPDATE changed the row builds it.

    A redelivered message (acks late) or a second worker finds it no longer queued and stops.
    """
    now = timezone.now()
    claimed = ComplianceReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=now, heartbeat_at=now, progress=1, attempts=F("attempts") + 1
    )
    return claimed == 1


def report_build(*, report_id: int) -> ComplianceReport | None:
    """Claim the report, build its XLSX, PDF and CSV files, and mark it done (or failed, with the error)."""
    if not report_claim(report_id=report_id):
        return None
    report = ComplianceReport.objects.select_related("cycle").get(pk=report_id)
    try:
        # The files are in the language asked for, whatever language the worker or the
        # requesting request happened to be in.
        with translation.override(report.language or settings.LANGUAGE_CODE):
            data = report_data(cycle=report.cycle)
            _set_progress(report_id, 15)
            xlsx = build_xlsx(data)
            _set_progress(report_id, 25)
            # The PDF and the brief show the same charts, most of their work: drawn once (25-55).
            drawn = charts.draw(data, progress=lambda pct: _set_progress(report_id, 25 + pct * 30 // 100))
            pdf = build_pdf(data, drawn=drawn)
            _set_progress(report_id, 65)
            brief = build_brief(data, drawn=drawn)
            csv = build_csv(data)
        name = f"compliance-{report.cycle.year}-{report.pk}"
        report.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
        report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        report.csv.save(f"{name}.csv", ContentFile(csv), save=False)
        report.brief.save(
            f"brief-{report.cycle.year}-{report.pk}-{report.language}.pdf", ContentFile(brief), save=False
        )
        report.status = ReportStatus.DONE
        report.progress = 100
        report.finished_at = timezone.now()
        report.save(update_fields=["xlsx", "pdf", "csv", "brief", "status", "progress", "finished_at"])
    except Exception as exc:
        # Anything here is a bug or a broken disk, not worth retrying: staff see it on the report.
        logger.exception("Compliance report %s failed", report_id)
        ComplianceReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        report.refresh_from_db()
    return report


def reports_recover_stalled(*, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Runs whose worker stopped (no heartbeat for REPORT_HEARTBEAT_TIMEOUT_SECONDS): queue again once, then fail.

    Returns (queued again, failed). Each change is a conditional UPDATE on the stale heartbeat,
    so dispatchers running at once on several workers act on a run once.
    """
    now = now or timezone.now()
    timeout = settings.REPORT_HEARTBEAT_TIMEOUT_SECONDS
    stalled = ComplianceReport.objects.filter(
        status=ReportStatus.RUNNING, heartbeat_at__lt=now - timedelta(seconds=timeout)
    )
    reason = f"The worker building it stopped: no heartbeat for {timeout} seconds."
    requeued: list[int] = []
    failed: list[int] = []
    for report_id, attempts, heartbeat_at in stalled.values_list("pk", "attempts", "heartbeat_at"):
        again = attempts < settings.REPORT_MAX_ATTEMPTS
        changed = ComplianceReport.objects.filter(
            pk=report_id, status=ReportStatus.RUNNING, heartbeat_at=heartbeat_at
        ).update(
            status=ReportStatus.QUEUED if again else ReportStatus.FAILED,
            error=f"{reason} Queued again." if again else f"{reason} Not retried again.",
            progress=0,
            finished_at=None if again else now,
        )
        if changed:
            logger.warning("report %s: %s", report_id, "queued again" if again else "failed")
            (requeued if again else failed).append(report_id)
            if again:
                enqueue("reports.build_compliance_report", report_id=report_id)
    return requeued, failed


def reports_dispatch(*, now: datetime | None = None) -> dict[str, int]:
    """The reports' dispatcher (every minute): recover stalled runs, queue again runs whose task was lost.

    A run queued twice is built once (report_claim), so queueing again is always safe.
    """
    now = now or timezone.now()
    requeued, failed = reports_recover_stalled(now=now)
    waiting = list(
        ComplianceReport.objects.filter(status=ReportStatus.QUEUED, created_at__lt=now - QUEUED_GRACE)
        .exclude(pk__in=requeued)
        .values_list("pk", flat=True)[:100]
    )
    queued = sum(enqueue("reports.build_compliance_report", report_id=report_id) for report_id in waiting)
    return {"requeued_stalled": len(requeued), "failed_stalled": len(failed), "queued": queued}
