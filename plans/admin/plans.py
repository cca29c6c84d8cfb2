from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    CapabilityLine,
    Comment,
    Cycle,
    DeadlineExtension,
    Partnership,
    Plan,
    PlanEvent,
    PlanVersion,
    Review,
)


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin):
    list_display = ["year", "opens_at", "deadline", "review_deadline", "spending_target_pct", "equipment_target_pct"]
    ordering = ["-year"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "cycle", "deadline", "reason", "granted_by", "granted_at"]
    list_filter = ["cycle"]
    list_select_related = ["member", "cycle", "granted_by"]
    search_fields = ["member__name", "member__code"]


class CapabilityLineInline(admin.TabularInline):
    model = CapabilityLine
    extra = 0


class PartnershipInline(admin.StackedInline):
    model = Partnership
    extra = 0
    filter_horizontal = ["partner_members"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["member", "cycle", "status", "revision", "latest_version", "assigned_reviewer", "updated_at"]
    list_filter = ["cycle", "status", "member"]
    list_select_related = ["member", "cycle", "latest_version", "assigned_reviewer"]
    search_fields = ["member__name", "member__code"]
    readonly_fields = ["status", "revision", "latest_version"]
    inlines = [CapabilityLineInline, PartnershipInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "submitted_at", "is_late", "sha256"]
    list_filter = ["is_late", "plan__cycle"]
    list_select_related = ["plan__member", "plan__cycle"]
    readonly_fields = [f.name for f in PlanVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["plan", "version", "decision", "reviewer", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["plan__member", "plan__cycle", "version__plan__member", "version__plan__cycle", "reviewer"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "author", "internal", "created_at"]
    list_filter = ["internal"]
    list_select_related = ["plan__member", "plan__cycle", "author"]


@admin.register(PlanEvent)
class PlanEventAdmin(admin.ModelAdmin):
    list_display = ["plan", "at", "action", "actor_label", "from_status", "to_status"]
    list_filter = ["action"]
    list_select_related = ["plan__member", "plan__cycle"]

    def has_change_permission(self, request, obj=None):
        return False
