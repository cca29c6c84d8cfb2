from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Service")

    def ready(self):
        # Services queue tasks by name (core.queue); a task is known by name once its module is imported.
        from . import tasks  # noqa: F401
