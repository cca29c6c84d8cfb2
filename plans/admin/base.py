"""What the plan's admin pages share: read-only record admins and inlines."""

from django.contrib import admin

from core.permissions import VIEW_ALL_PLANS
from members.admin_access import TableAdmin, can


class RecordAdmin(TableAdmin):
    """Read-only: plans and their records change only through the workflow services.

    Whoever may read every member's plans may read their records.
    """

    view_permission = VIEW_ALL_PLANS
    add_permission = False
    change_permission = False
    delete_permission = False


class ReadOnlyInline(admin.TabularInline):
    """A plan's records listed on its page; whoever reads the plan reads them."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return can(request, VIEW_ALL_PLANS)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
