"""Cycles, deadline extensions and the compliance page of a cycle."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.permissions import MANAGE_CYCLES, SEND_REMINDERS, VIEW_COMPLIANCE
from members.admin_access import TableAdmin, actor_of, can
from members.models import Member

from .. import services
from ..errors import DomainError
from ..models import Cycle, DeadlineExtension
from .forms import CycleForm, ExtensionForm

LADDER_FIELDS = ["reminder_days_before", "overdue_days_after"]
# Rows of the compliance page that get a "remind now" button; whether one is sent is the reminders' call.
CHASED_ROW_STATUSES = {"missing", "draft", "returned"}


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin, TableAdmin):
    form = CycleForm
    add_permission = MANAGE_CYCLES
    change_permission = MANAGE_CYCLES
    delete_permission = False  # a cycle's plans and versions are the record of that year
    list_display = [
        "year",
        "opens_at",
        "deadline",
        "review_deadline",
        "spending_target_pct",
        "equipment_target_pct",
        "approval_levels",
        "compliance_link",
    ]
    ordering = ["-year"]
    fieldsets = [
        (None, {"fields": ["year", "opens_at", "deadline", "review_deadline"]}),
        (_("Guideline thresholds"), {"fields": ["spending_target_pct", "equipment_target_pct"]}),
        (_("Review"), {"fields": ["approval_levels"]}),
        (_("Reminders"), {"fields": LADDER_FIELDS}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The year names the cycle in URLs and JSON; a different year is a different cycle.
        return ["year"] if obj is not None else []

    @admin.display(description=_("compliance"))
    def compliance_link(self, cycle):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:plans_cycle_compliance", args=[cycle.pk]), gettext("Compliance")
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        cycle, _created = services.cycle_open(
            actor=actor_of(request),
            year=obj.year,
            **{field: data.get(field) for field in form.Meta.fields if field != "year"},
        )
        obj.pk = cycle.pk
        obj._state.adding = False

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
        from ..reminders import reminder_send_now

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
        from reports.selectors import compliance_rows, compliance_totals

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


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(SimpleHistoryAdmin, TableAdmin):
    form = ExtensionForm
    add_permission = MANAGE_CYCLES
    change_permission = MANAGE_CYCLES
    delete_permission = MANAGE_CYCLES
    list_display = ["member", "cycle", "deadline", "reason", "granted_by", "granted_at"]
    list_filter = ["cycle"]
    list_select_related = ["member", "cycle", "granted_by"]
    search_fields = ["member__name", "=member__code"]
    autocomplete_fields = ["member"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_readonly_fields(self, request, obj=None):
        # One extension per member and cycle: to move another member's deadline, add one for it.
        if obj is not None:
            return ["cycle", "member", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        extension = services.extension_grant(
            cycle=obj.cycle,
            member=obj.member,
            deadline=form.cleaned_data["deadline"],
            reason=form.cleaned_data["reason"],
            actor=actor_of(request),
        )
        obj.pk = extension.pk
        obj.granted_by = extension.granted_by
        obj.granted_at = extension.granted_at
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.extension_withdraw(extension=obj, actor=actor_of(request))

    def delete_queryset(self, request, queryset):
        for extension in queryset:
            services.extension_withdraw(extension=extension, actor=actor_of(request))
