"""The capability catalogue, maintained by cycle managers: add, rename, group, retire; never delete an item in use."""

from django.contrib import admin, messages
from django.db.models import Count, ProtectedError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.permissions import MANAGE_CYCLES, VIEW_ALL_PLANS
from members.admin_access import TableAdmin

from ..models import CatalogueItem


@admin.register(CatalogueItem)
class CatalogueItemAdmin(TableAdmin):
    view_permission = VIEW_ALL_PLANS
    add_permission = MANAGE_CYCLES
    change_permission = MANAGE_CYCLES
    # Only an item no line has ever named can go (a mistake just made); the others are retired.
    delete_permission = MANAGE_CYCLES
    list_display = ["code", "name_en", "name_fr", "category", "unit", "parent", "active", "line_count"]
    list_filter = ["active", "category", "unit"]
    search_fields = ["code", "name_en", "name_fr"]
    list_select_related = ["parent"]
    ordering = ["category", "position", "code"]
    autocomplete_fields = ["parent"]
    fields = ["code", "name_en", "name_fr", "category", "unit", "parent", "position", "active"]
    actions = ["retire", "reinstate"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_total=Count("lines"))

    @admin.display(description=_("lines"), ordering="line_total")
    def line_count(self, obj) -> int:
        return obj.line_total

    def get_readonly_fields(self, request, obj=None):
        # Lines and versions name the item by its code, and its unit is what their figures count:
        # once lines use it, a different code or unit is a different item (add it, retire this one).
        if obj is not None and obj.lines.exists():
            return ["code", "unit"]
        return ["code"] if obj is not None else []

    @admin.action(description=_("Retire the selected items (lines keep them; new lines cannot pick them)"))
    def retire(self, request, queryset):
        count = queryset.update(active=False)
        self.message_user(request, gettext("%(count)d items retired.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Bring the selected items back into use"))
    def reinstate(self, request, queryset):
        count = queryset.update(active=True)
        self.message_user(request, gettext("%(count)d items back in use.") % {"count": count}, messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("retire", None)
            actions.pop("reinstate", None)
        return actions

    def delete_model(self, request, obj):
        try:
            super().delete_model(request, obj)
        except ProtectedError:
            # Reached only if a line named the item between the confirmation page and the delete.
            self.message_user(request, _in_use_message(), messages.ERROR)

    def delete_queryset(self, request, queryset):
        try:
            super().delete_queryset(request, queryset)
        except ProtectedError:
            self.message_user(request, _in_use_message(), messages.ERROR)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Django lists the protected lines; say what to do instead.
            messages.warning(request, _in_use_message())
        return deleted, model_count, perms_needed, protected


def _in_use_message() -> str:
    return gettext(
        "Capability lines use this catalogue item, so it cannot be deleted: retire it instead "
        "(untick “active”, or use the “Retire” action). Lines keep it; new lines cannot pick it."
    )
