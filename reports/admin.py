from django.contrib import admin

from .models import ComplianceReport


@admin.register(ComplianceReport)
class ComplianceReportAdmin(admin.ModelAdmin):
    list_display = ["cycle", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "cycle"]
    list_select_related = ["cycle", "requested_by"]
