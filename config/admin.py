"""The staff site: Django's admin under the service's name, with the staff pages beside the models.

Installed through `config.apps.StaffAdminConfig` (Django's documented way to replace the default
site), so `admin.site` everywhere is this site.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import VIEW_COMPLIANCE
from members.admin_access import can


class StaffAdminSite(admin.AdminSite):
    site_header = _("Defence industrial plans")
    site_title = _("Defence industrial plans: staff")
    index_title = _("Review workspace")

    def get_app_list(self, request, app_label=None):
        """The models, plus the compliance dashboard under Reports (index and sidebar alike)."""
        apps = super().get_app_list(request, app_label)
        if not can(request, VIEW_COMPLIANCE) or app_label not in (None, "reports"):
            return apps
        dashboard = {
            "name": _("Compliance dashboard"),
            "object_name": "ComplianceDashboard",
            "admin_url": reverse("reports:index"),
            "add_url": None,
            "view_only": True,
            "perms": {"view": True},
        }
        reports = next((app for app in apps if app["app_label"] == "reports"), None)
        if reports is None:
            reports = {
                "name": _("Compliance reports"),
                "app_label": "reports",
                "app_url": reverse("reports:index"),
                "has_module_perms": True,
                "models": [],
            }
            apps.append(reports)
        reports["models"].insert(0, dashboard)
        return apps
