"""Django authentication backends that answer `user.has_perm()` from core.permissions' table.

Django's ModelBackend answers only global permissions (none for an object) and answers them
for any user. Here:
- staff hold their groups' permissions for every object (a reviewer reviews any plan), less the
  member-only ones, with the implications of the table;
- a person who is not staff holds no global permission at all (a delegate is never given
  admin rights by accident), only their role's permissions on their own member's objects.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from core.permissions import role_permissions, staff_permissions

from .models import Delegate, member_id_of

_STAFF_CACHE = "_staff_table_perm_cache"


class StaffPermissionBackend(ModelBackend):
    """Signs people in by e-mail and password (as ModelBackend does) and answers staff permissions."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or not user_obj.is_staff:
            return set()
        if not hasattr(user_obj, _STAFF_CACHE):
            setattr(user_obj, _STAFF_CACHE, set(staff_permissions(self._granted(user_obj))))
        return getattr(user_obj, _STAFF_CACHE)

    @staticmethod
    def _granted(user_obj) -> set[str]:
        # One query for the user's own and their groups' permissions (Django's ModelBackend makes two).
        permissions = Permission.objects.all()
        if not user_obj.is_superuser:
            permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
        rows = permissions.values_list("content_type__app_label", "codename").distinct()
        return {f"{app_label}.{codename}" for app_label, codename in rows}

    def get_user_permissions(self, user_obj, obj=None):
        return set() if not user_obj.is_staff else super().get_user_permissions(user_obj)

    def get_group_permissions(self, user_obj, obj=None):
        return set() if not user_obj.is_staff else super().get_group_permissions(user_obj)


class DelegateRoleBackend(BaseBackend):
    """A delegate's role permissions, on objects of their own member only. Signs nobody in."""

    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or not user_obj.is_active or user_obj.is_anonymous or user_obj.is_staff:
            return False
        delegate = delegate_of(user_obj)
        return (
            delegate is not None and member_id_of(obj) == delegate.member_id and perm in role_permissions(delegate.role)
        )


def delegate_of(user) -> Delegate | None:
    """The user's delegate row; Django caches it (or its absence) on the user object."""
    try:
        return user.delegate
    except Delegate.DoesNotExist:
        return None
