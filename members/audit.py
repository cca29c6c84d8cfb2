"""Security-log entries for changes of people's rights, whichever door makes them.

Receivers (connected in MembersConfig.ready) rather than calls in each admin form, because
groups, permissions and the staff flags change through the user admin, the group admin, the
shell and data migrations alike; the signal sees all of them.
"""

from django.contrib.auth.models import Group

from core.enums import SecurityEventKind
from core.services import security_event_record

from .models import User

FLAGS = ("is_staff", "is_superuser", "is_active")


def _record(**fields) -> None:
    security_event_record(**fields)


def on_user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Remember the flags before a save, so that the post-save receiver can log what changed."""
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(FLAGS)):
        instance._flags_before = None
        return
    instance._flags_before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()


def on_user_post_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    before = getattr(instance, "_flags_before", None)
    instance._flags_before = None
    if raw or created or not before:
        return
    changes = {
        flag: [before[flag], getattr(instance, flag)] for flag in FLAGS if before[flag] != getattr(instance, flag)
    }
    if not changes:
        return
    if changes.get("is_active") == [True, False]:
        _record(kind=SecurityEventKind.USER_DEACTIVATED, user=instance)
    rights = {flag: change for flag, change in changes.items() if flag != "is_active"}
    if rights:
        _record(kind=SecurityEventKind.PERMISSIONS_CHANGED, user=instance, detail={"flags": rights})


def _names(model, pk_set) -> list[str]:
    if not pk_set:
        return []
    if model is Group:
        return sorted(model.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    return sorted(
        f"{app}.{codename}"
        for app, codename in model.objects.filter(pk__in=pk_set).values_list("content_type__app_label", "codename")
    )


def on_user_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A user's groups or own permissions changed (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    field = "groups" if model is Group or isinstance(instance, Group) else "user_permissions"
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    if reverse:
        # group.user_set.add(user): `instance` is the group (or permission), `pk_set` the users.
        for user in User.objects.filter(pk__in=pk_set or []):
            _record(
                kind=SecurityEventKind.PERMISSIONS_CHANGED,
                user=user,
                detail={field: {verb: [str(instance)]}},
            )
        return
    _record(
        kind=SecurityEventKind.PERMISSIONS_CHANGED,
        user=instance,
        detail={field: {verb: _names(model, pk_set)}},
    )


def on_group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A group's permissions changed: every member's rights changed with them."""
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    _record(
        kind=SecurityEventKind.PERMISSIONS_CHANGED,
        identifier=f"group:{instance.name}"[:254],
        detail={"group": instance.name, "permissions": {verb: _names(model, pk_set)}},
    )
