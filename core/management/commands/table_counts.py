from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = (
        "Print every table of the database with its exact row count, one `table count` line each, "
        "sorted by name: what the backup and restore scripts compare."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.table_names(cursor)):
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # nosec B608: names from the catalogue, quoted
                self.stdout.write(f"{table} {cursor.fetchone()[0]}")
