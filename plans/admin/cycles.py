"""Cycles and deadline extensions. The compliance page of a cycle is the reports app's (reports/admin.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.permissions import MANAGE_CYCLES
from members.admin_access import TableAdmin, actor_of

from .. import services
from ..models import Cycle, DeadlineExtension
from .forms import CycleForm, ExtensionForm

LADDER_FIELDS = ["reminder_days_before", "overdue_days_after"]


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
    ]
    ordering = ["-year"]
    fieldsets = [
        (None, {"fields": ["year", "opens_at", "deadline", "review_deadline"]}),
        (_("Guideline thresholds"), {"fields": ["spending_target_pct", "equipment_target_pct"]}),
        (_("Review"), {"fields": ["approval_levels"]}),
        (_("Reminders"), {"fields": LADDER_FIELDS}),
        (_("Summit brief"), {"fields": ["classification"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The year names the cycle in URLs and JSON; a different year is a different cycle.
        return ["year"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        cycle, _created = services.cycle_open(
            actor=actor_of(request),
            year=obj.year,
            **{field: data.get(field) for field in form.Meta.fields if field != "year"},
        )
        obj.pk = cycle.pk
        obj._state.adding = False


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
