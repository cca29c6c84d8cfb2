"""Writes for compliance reports: request one, and build it (the worker's side)."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.permissions import VIEW_COMPLIANCE
from core.queue import enqueue_on_commit
from members.actors import Actor
from plans.models import Cycle

from .builders.brief import build_brief
from .builders.data import report_data
from .builders.pdf import build_pdf
from .builders.tables import build_csv, build_xlsx
from .models import ComplianceReport, ReportLanguage, ReportStatus

logger = logging.getLogger(__name__)


def report_request(*, cycle: Cycle, actor: Actor, language: str = ReportLanguage.ENGLISH) -> ComplianceReport:
    """Queue a report for the cycle, its files in `language`; a worker builds it once the transaction commits."""
    if not actor.can(VIEW_COMPLIANCE):
        raise NotAllowed(_("Only staff who read compliance request compliance reports."))
    if language not in ReportLanguage.values:
        raise DomainError(_("Choose English or French."))
    report = ComplianceReport.objects.create(cycle=cycle, requested_by=actor.user, language=language)
    enqueue_on_commit("reports.build_compliance_report", report_id=report.pk)
    return report


def _set_progress(report_id: int, progress: int) -> None:
    # A plain UPDATE outside any transaction, so that readers see it while the build goes on.
    ComplianceReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(progress=progress)


def report_claim(*, report_id: int) -> bool:
    """Move a queued report to running; only the caller whose UPDATE changed the row builds it.

    A redelivered message (acks late) or a second worker finds it no longer queued and stops.
    """
    claimed = ComplianceReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), progress=1, error=""
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
            # Charts are most of the work: the PDF covers 25-55, the brief 55-95.
            pdf = build_pdf(data, progress=lambda pct: _set_progress(report_id, 25 + pct * 30 // 100))
            brief = build_brief(data, progress=lambda pct: _set_progress(report_id, 55 + pct * 40 // 100))
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
