"""Inserting many rows of one model at once: PostgreSQL's COPY, bulk_create elsewhere.

Django has no COPY. bulk_create builds a model instance per row, then prepares each value of
each instance through its field and sends one parameter per value: for a plan's 200 lines that
was most of a create's time spent writing (some 30 ms of CPU). psycopg's COPY (its documented
`Cursor.copy()` and `Copy.write_row()`, written in C in psycopg's binary package) streams the
rows' Python values as they are, and PostgreSQL reads each as its column's type, as it reads a
parameter of an INSERT.
"""

from collections.abc import Sequence
from typing import Any, cast

from django.db import connections
from django.db.models import Field, Model


def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]], *, using: str = "default") -> None:
    """Insert `rows` (dicts of field names or attnames, such as `plan_id`, to values) into the model's table.

    Every row gives the same keys. Fields left out take their default, as a new instance would
    (the primary key, its sequence's). Nothing is answered: the ids are not read back, and no signal is sent
    (bulk_create sends none either). Values are what the model's fields hold (Decimal, int, str,
    bool, UUID or its text, None); no field's `pre_save` runs (auto_now is not set).
    """
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(model(**row) for row in rows)
        return
    meta = model._meta
    given = list(rows[0])
    # Each name given is a concrete field's (a relation's reverse side holds no column).
    by_name = {name: cast(Field, meta.get_field(name)) for name in given}
    # As a model instance would have them: the field's default, or its empty value (None or "").
    missing: list[Field] = [
        field for field in meta.concrete_fields if field not in by_name.values() and field is not meta.pk
    ]
    quote = connection.ops.quote_name
    columns = [cast(str, field.column) for field in (*(by_name[name] for name in given), *missing)]
    # Only quoted names from the model's metadata are formatted in; the values are streamed.
    statement = f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in given]
            if missing:
                values += [field.get_default() for field in missing]
            copy.write_row(values)
