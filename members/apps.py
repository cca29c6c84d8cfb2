from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and access")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.models import Group
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import m2m_changed, post_save, pre_save

        # Services queue tasks by name (core.queue); a task is known by name once its module is imported.
        from . import audit, signin, tasks  # noqa: F401
        from .models import User

        user_login_failed.connect(signin.on_login_failed, dispatch_uid="members.login_failed")
        user_logged_in.connect(signin.on_logged_in, dispatch_uid="members.logged_in")
        user_logged_out.connect(signin.on_logged_out, dispatch_uid="members.logged_out")
        user_locked_out.connect(signin.on_locked_out, dispatch_uid="members.locked_out")
        pre_save.connect(audit.on_user_pre_save, sender=User, dispatch_uid="members.user_pre_save")
        post_save.connect(audit.on_user_post_save, sender=User, dispatch_uid="members.user_post_save")
        m2m_changed.connect(audit.on_user_m2m_changed, sender=User.groups.through, dispatch_uid="members.groups")
        m2m_changed.connect(
            audit.on_user_m2m_changed, sender=User.user_permissions.through, dispatch_uid="members.permissions"
        )
        m2m_changed.connect(
            audit.on_group_permissions_changed, sender=Group.permissions.through, dispatch_uid="members.group_perms"
        )
