from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Service")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Services queue tasks by name (core.queue); a task is known by name once its module is imported.
        from . import tasks  # noqa: F401
        from .middleware import session_signed_in

        user_logged_in.connect(session_signed_in, dispatch_uid="core.session_signed_in")
