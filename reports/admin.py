"""Reports in the admin: the compliance page of a cycle, and report runs ("add" asks for a cycle and
queues a build; the list links the files)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.permissions import SEND_REMINDERS, VIEW_COMPLIANCE
from members.admin_access import TableAdmin, actor_of, can
from members.models import Member
from plans.admin.cycles import CycleAdmin
from plans.models import Cycle
from plans.reminders import reminder_send_now

from .models import ComplianceReport, ReportLanguage, ReportStatus
from .selectors import compliance_rows, compliance_totals
from .services import report_request

FILE_KINDS = ("xlsx", "pdf", "csv", "brief")
# Rows of the compliance page that get a "remind now" button; whether one is sent is the reminders' call.
CHASED_ROW_STATUSES = {"missing", "draft", "returned"}


# The plans app's cycle admin, plus the compliance page of a cycle: its figures are the reports
# app's, and plans sits below reports, so the page is added here rather than in plans.
admin.site.unregister(Cycle)


@admin.register(Cycle)
class CycleWithComplianceAdmin(CycleAdmin):
    list_display = [*CycleAdmin.list_display, "compliance_link"]

    @admin.display(description=_("compliance"))
    def compliance_link(self, cycle):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:plans_cycle_compliance", args=[cycle.pk]), gettext("Compliance")
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/compliance/",
                self.admin_site.admin_view(self.compliance_view),
                name="plans_cycle_compliance",
            ),
            path(
                "<path:object_id>/remind/<str:member_code>/",
                self.admin_site.admin_view(self.remind_view),
                name="plans_cycle_remind",
            ),
            *super().get_urls(),
        ]

    def remind_view(self, request, object_id, member_code):
        """Send one member the reminder now due (or a manual one), from its row on the compliance page."""
        if request.method != "POST" or not can(request, SEND_REMINDERS):
            raise PermissionDenied
        cycle = self.get_object(request, unquote(object_id))
        member = Member.objects.filter(code=member_code).first()
        if cycle is None or member is None:
            raise Http404(gettext("No such cycle or member."))
        try:
            notification = reminder_send_now(cycle=cycle, member=member, actor=actor_of(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if notification is None:
                messages.warning(request, gettext("%(member)s: no reminder to send.") % {"member": member.name})
            else:
                messages.success(request, gettext("%(member)s: reminder queued.") % {"member": member.name})
        return HttpResponseRedirect(reverse("admin:plans_cycle_compliance", args=[cycle.pk]))

    def compliance_view(self, request, object_id):
        if not can(request, VIEW_COMPLIANCE):
            raise PermissionDenied
        cycle = self.get_object(request, unquote(object_id))
        if cycle is None:
            raise Http404(gettext("No such cycle."))
        rows = compliance_rows(cycle=cycle)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": cycle,
            "cycle": cycle,
            "title": gettext("Compliance in %(year)s") % {"year": cycle.year},
            "rows": rows,
            "totals": compliance_totals(rows),
            "can_remind": can(request, SEND_REMINDERS),
            "chased_statuses": CHASED_ROW_STATUSES,
        }
        return TemplateResponse(request, "admin/plans/cycle/compliance.html", context)


class ReportRequestForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.order_by("-year"), label=_("Cycle"), empty_label=None, to_field_name="year"
    )
    language = forms.ChoiceField(
        choices=ReportLanguage.choices, label=_("Language of the files"), initial="en", required=False
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
        "language",
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
            (
                (
                    reverse("reports:download", args=[report.pk, kind]),
                    gettext("Summit brief") if kind == "brief" else kind.upper(),
                )
                for kind in FILE_KINDS
                if kind != "brief" or report.brief  # runs made before the brief existed have none
            ),
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReportRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                report = report_request(
                    cycle=form.cleaned_data["cycle"],
                    actor=actor_of(request),
                    language=form.cleaned_data["language"] or ReportLanguage.ENGLISH,
                )
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
