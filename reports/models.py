from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Cycle


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportLanguage(models.TextChoices):
    """The language of every file of a run (the service's two languages)."""

    ENGLISH = "en", "English"
    FRENCH = "fr", "Français"


def report_upload_to(instance: "ComplianceReport", filename: str) -> str:
    return f"reports/{instance.cycle.year}/{instance.pk}/{filename}"


class ComplianceReport(models.Model):
    """One run of the compliance report for a cycle, built by a worker into XLSX, PDF and CSV."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The building worker's sign of life, renewed with every progress step; a running report
    # without one for REPORT_HEARTBEAT_TIMEOUT_SECONDS lost its worker (reports.services).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    xlsx = models.FileField(_("XLSX"), upload_to=report_upload_to, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, blank=True)
    csv = models.FileField(_("CSV"), upload_to=report_upload_to, blank=True)
    brief = models.FileField(_("summit brief (PDF)"), upload_to=report_upload_to, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=ReportLanguage.choices, default=ReportLanguage.ENGLISH
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("compliance report")
        verbose_name_plural = _("compliance reports")
        permissions = [
            ("view_compliance", "Can read compliance and request compliance reports"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max_100"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.year} report #{self.pk} ({self.get_status_display()})"
