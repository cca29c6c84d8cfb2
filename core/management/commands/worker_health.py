from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.heartbeat import heartbeat_file_age


class Command(BaseCommand):
    help = (
        "The worker container's health check: exit 0 if this host's worker touched its heartbeat "
        "file within WORKER_HEARTBEAT_MAX_AGE seconds, 1 otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-age", type=int, default=None, help="Seconds (default WORKER_HEARTBEAT_MAX_AGE).")

    def handle(self, *args: Any, max_age: int | None = None, **options: Any) -> None:
        max_age = max_age or settings.WORKER_HEARTBEAT_MAX_AGE
        age = heartbeat_file_age(settings.WORKER_HEARTBEAT_FILE)
        if age is None:
            raise CommandError(f"no heartbeat file at {settings.WORKER_HEARTBEAT_FILE}: the worker is not consuming")
        if age > max_age:
            raise CommandError(f"the last heartbeat is {age:.0f} s old (more than {max_age} s)")
        self.stdout.write(f"ok: heartbeat {age:.0f} s old")
