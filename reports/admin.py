"""Report runs in the admin: "add" asks for a cycle and queues a build; the list links the files."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.permissions import VIEW_COMPLIANCE
from members.admin_access import TableAdmin, actor_of
from plans.models import Cycle

from .models import ComplianceReport, ReportStatus
from .services import report_request

FILE_KINDS = ("xlsx", "pdf", "csv")


class ReportRequestForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.order_by("-year"), label=_("Cycle"), empty_label=None, to_field_name="year"
    )


@admin.register(ComplianceReport)
class ComplianceReportAdmin(TableAdmin):
    view_permission = VIEW_COMPLIANCE
    add_permission = VIEW_COMPLIANCE
    change_permission = False  # runs are records of what a worker built
    delete_permission = False

    list_display = ["__str__", "cycle", "status", "progress", "requested_by", "created_at", "finished_at", "files"]
    list_filter = ["status", "cycle"]
    list_select_related = ["cycle", "requested_by"]
    readonly_fields = [
        "cycle",
        "status",
        "progress",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "files",
    ]
    fields = readonly_fields

    @admin.display(description=_("files"))
    def files(self, report: ComplianceReport) -> str:
        if report.status != ReportStatus.DONE:
            return "-"
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse("reports:download", args=[report.pk, kind]), kind.upper()) for kind in FILE_KINDS),
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReportRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                report = report_request(cycle=form.cleaned_data["cycle"], actor=actor_of(request))
            self.message_user(
                request,
                format_html(
                    _("Report {} for {} is queued; its files appear in the list when it is done."),
                    report.pk,
                    report.cycle.year,
                ),
                messages.SUCCESS,
            )
            return redirect("admin:reports_compliancereport_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Build a compliance report"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/reports/compliancereport/request.html", context)
