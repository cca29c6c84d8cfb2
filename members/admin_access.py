"""The admin asks the same question as every other door: `Actor.can(permission, obj)`.

Model admins name the permission each of their actions needs; these helpers answer it for
the signed-in staff member, so no admin class writes a rule of its own.
"""

from django.contrib import admin

from .actors import Actor


def actor_of(request) -> Actor:
    """The acting staff member, built once per request."""
    cached = getattr(request, "_admin_actor", None)
    if cached is None or cached.user is not request.user:
        cached = Actor.for_user(request.user)
        request._admin_actor = cached
    return cached


def can(request, permission: str, obj=None) -> bool:
    return actor_of(request).can(permission, obj)


def add_findings(form, findings) -> None:
    """Put a service's findings beside their fields (or above the form for the others)."""
    for finding in findings:
        form.add_error(finding.field if finding.field in form.fields else None, finding.message)


class TableAdmin(admin.ModelAdmin):
    """A model admin whose view/add/change/delete permissions come from core.permissions.

    Each attribute names the permission; None keeps Django's model permission, False refuses
    the action to everyone (records that only services write).
    """

    view_permission: str | bool | None = None
    add_permission: str | bool | None = None
    change_permission: str | bool | None = None
    delete_permission: str | bool | None = None

    def _answer(self, request, permission, obj, default) -> bool:
        if permission is None:
            return default()
        if permission is False:
            return False
        return can(request, permission, obj)

    def has_view_permission(self, request, obj=None):
        return self._answer(
            request, self.view_permission, obj, lambda: super(TableAdmin, self).has_view_permission(request, obj)
        )

    def has_add_permission(self, request, *args):
        return self._answer(
            request, self.add_permission, None, lambda: super(TableAdmin, self).has_add_permission(request, *args)
        )

    def has_change_permission(self, request, obj=None):
        return self._answer(
            request, self.change_permission, obj, lambda: super(TableAdmin, self).has_change_permission(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return self._answer(
            request, self.delete_permission, obj, lambda: super(TableAdmin, self).has_delete_permission(request, obj)
        )
