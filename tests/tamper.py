"""What someone with write access to the database could do to a submitted version: an UPDATE past
the service, its guard and (on PostgreSQL) the trigger that refuses it."""

from django.db import connection, models

from plans.models import PlanVersion


def tamper(version: PlanVersion, **fields) -> None:
    # Switching the table's triggers off for the one statement, inside the test's transaction, as an
    # owner of the table could. (pgtrigger.ignore prepends a statement to each query, which values
    # bound on the server do not allow.)
    table = connection.ops.quote_name(PlanVersion._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may wait on the table
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            models.QuerySet.update(PlanVersion.objects.filter(pk=version.pk), **fields)
        finally:
            if postgresql:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
