"""The reminder and notification log: what was sent to whom, when, on which rung, and why it failed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.permissions import SEND_REMINDERS
from members.admin_access import actor_of, can

from ..enums import NotificationStatus
from ..models import Notification
from ..notifications import notification_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "rung",
        "member",
        "cycle",
        "recipient_list",
        "status",
        "attempts",
        "sent_at",
        "error_summary",
    ]
    list_filter = ["status", "kind", "rung", "cycle", "member"]
    list_select_related = ["member", "cycle"]
    search_fields = ["member__code", "member__name", "subject", "dedupe_key", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    fields = [
        "kind",
        "rung",
        "member",
        "cycle",
        "plan",
        "version",
        "recipients",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "dedupe_key",
    ]
    readonly_fields = fields

    @admin.display(description=_("recipients"))
    def recipient_list(self, notification: Notification) -> str:
        return ", ".join(notification.recipients)

    @admin.display(description=_("last error"))
    def error_summary(self, notification: Notification) -> str:
        return notification.last_error[:120]

    # The log is written by the service only: staff read it, and retry failures with the action.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_remind_permission(self, request) -> bool:
        return can(request, SEND_REMINDERS)

    @admin.action(description=_("Retry the selected failed or waiting notifications"), permissions=["remind"])
    def retry_failed(self, request, queryset):
        retried = sum(
            notification_retry(notification=notification, actor=actor_of(request))
            for notification in queryset.filter(status__in=[NotificationStatus.FAILED, NotificationStatus.WAITING])
        )
        self.message_user(
            request,
            ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", retried)
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
