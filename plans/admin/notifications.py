from django.contrib import admin

from ..models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "rung", "member", "cycle", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "status", "cycle"]
    list_select_related = ["member", "cycle"]
