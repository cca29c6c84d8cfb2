"""Querysets built and compiled once per process, run with each call's values.

On the API's hot reads the ORM's building of a queryset (filters, annotations, joins) and its
compiling to SQL cost more CPU than PostgreSQL spends answering: a plan fetched by id with the
rules' figures took some 3 ms of Python before the query was sent. The shape of such a query
never changes; only a few scalar values do (an id, a member, the time).

`Prepared` builds the queryset once with placeholder values, compiles it, and remembers where
each placeholder sits in the SQL's parameters. Each call then clones the built queryset (cheap:
no expression is resolved again) and runs the remembered SQL with the call's values through
Django's own iterables, so rows come back as they would from the queryset: model instances with
their `select_related` objects and annotations, dicts or tuples. The queryset never leaves this
module, so nothing can filter it after its SQL was fixed.

Preparing checks itself: the queryset is built with two sets of placeholders, and the two SQL
texts must be equal and their parameters differ exactly where the placeholders are. A value the
ORM transforms (`icontains` wraps it in `%`), a list whose length shapes the SQL, or a value that
changes the SQL's shape is refused there, at the first call, rather than answered wrongly.

PostgreSQL only: other databases (SQLite for the local demo) adapt some values while compiling
(a datetime becomes text), so there the queryset is simply built and run on each call.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

KINDS = (int, str, datetime)


def _placeholder(kind: type, index: int, build: int) -> Any:
    """A value unlikely in a real query, different for each value (`index`) and each of the two builds.

    Integers stay within every integer column's range (the smallest, a positive small integer,
    ends at 32767): the ORM turns a lookup with a value its column cannot hold into another
    condition. Datetimes keep a timezone: USE_TZ is on and the ORM would warn about a naive one.
    """
    number = 2 * index + build
    if kind is int:
        return 32_749 - number
    if kind is str:
        return f"\x1fprepared-{number}\x1f"
    return datetime(1901, 2, 3, 4, 5, 6, number, tzinfo=UTC)


@dataclass(frozen=True)
class _Statement:
    """The compiled query: its SQL, its parameters with placeholders, and what the compiler learned."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str, type], ...]  # (position in params, name of the value, its type there)
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool
    # What turns each column's value into Python (a field's from_db_value, an annotation's output
    # type), as the compiler finds on every run: found once per database connection instead.
    converters: WeakKeyDictionary = field(default_factory=WeakKeyDictionary, compare=False)

    def converters_for(self, compiler: Any) -> dict[int, Any]:
        converters = self.converters.get(compiler.connection)
        if converters is None:
            converters = type(compiler).get_converters(compiler, self.fields)
            self.converters[compiler.connection] = converters
        return converters

    @property
    def fields(self) -> list[Any]:
        """The selected expressions, as the compiler's results_iter lists them."""
        return [column[0] for column in self.select[0 : self.col_count]]


class _PreparedQuery(Query):
    """A clone of the built query whose compiler answers the statement's SQL instead of compiling."""

    statement: _Statement
    sql: str
    values: list[Any]

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = super().get_compiler(using, connection, elide_empty)
        statement, sql, values = self.statement, self.sql, self.values

        def as_sql(with_limits: bool = True, with_col_aliases: bool = False) -> tuple[str, list[Any]]:
            # What pre_sql_setup() would have set while compiling; the iterables read it back.
            compiler.select = statement.select
            compiler.klass_info = statement.klass_info
            compiler.annotation_col_map = statement.annotation_col_map
            compiler.col_count = statement.col_count
            compiler.has_extra_select = statement.has_extra_select
            return sql, values

        def get_converters(expressions: list[Any]) -> dict[int, Any]:
            fields = statement.select
            if len(expressions) == statement.col_count and all(
                expression is column[0] for expression, column in zip(expressions, fields, strict=False)
            ):
                return statement.converters_for(compiler)
            return type(compiler).get_converters(compiler, expressions)

        compiler.as_sql = as_sql  # this one compiler only
        compiler.get_converters = get_converters
        return compiler


class Prepared:
    """`build(**values)` → a queryset, built and compiled once per process and database.

    `names` maps each value to its type (int, str or datetime). Call `fetch(**values)` for the
    rows as a list.
    """

    def __init__(self, build: Callable[..., QuerySet], **names: type) -> None:
        unknown = {name: kind for name, kind in names.items() if kind not in KINDS}
        if unknown:
            raise ImproperlyConfigured(f"Prepared values must be int, str or datetime: {unknown}")
        self.build = build
        self.names = names
        self._prepared: dict[str, tuple[QuerySet, _Statement]] = {}
        self._lock = Lock()

    def fetch(self, using: str = "default", *, limit: int | None = None, offset: int = 0, **values: Any) -> list[Any]:
        """The rows for `values`; with `limit`, `limit` rows from `offset` (LIMIT and OFFSET are parameters too)."""
        if set(values) != set(self.names):
            raise TypeError(f"fetch() takes exactly {sorted(self.names)}, got {sorted(values)}")
        if connections[using].vendor != "postgresql":
            queryset = self.build(**values).using(using)
            return list(queryset if limit is None else queryset[offset : offset + limit])
        queryset, statement = self._statement(using)
        if not all(_fits(kind, values[name]) for _, name, kind in statement.slots):
            # A number its column cannot hold: the ORM makes that an empty or an unbounded condition.
            queryset = self.build(**values).using(using)
            return list(queryset if limit is None else queryset[offset : offset + limit])
        clone = queryset._chain()  # type: ignore[attr-defined]  # Django's own clone, as filter() makes
        params = list(statement.params)
        for position, name, kind in statement.slots:
            # As the ORM sent it: the backend marks a small integer as psycopg's Int2, for one.
            params[position] = values[name] if kind in KINDS else kind(values[name])
        clone.query.statement = statement
        if limit is None:
            clone.query.sql = statement.sql
        else:
            clone.query.sql = f"{statement.sql} LIMIT %s OFFSET %s"
            params += [limit, offset]
        clone.query.values = params
        return list(clone)

    def sql(self, using: str = "default") -> str:
        """The SQL every call runs (for tests and EXPLAIN)."""
        return self._statement(using)[1].sql

    def _statement(self, using: str) -> tuple[QuerySet, _Statement]:
        prepared = self._prepared.get(using)
        if prepared is None:
            with self._lock:
                prepared = self._prepared.get(using) or self._prepare(using)
                self._prepared[using] = prepared
        return prepared

    def _prepare(self, using: str) -> tuple[QuerySet, _Statement]:
        first = {name: _placeholder(kind, index, 0) for index, (name, kind) in enumerate(self.names.items())}
        second = {name: _placeholder(kind, index, 1) for index, (name, kind) in enumerate(self.names.items())}
        queryset = self.build(**first).using(using)
        if queryset.query.is_sliced:
            # A slice is written into the SQL as it is; fetch(limit=, offset=) makes them parameters.
            raise ImproperlyConfigured(f"{self.build.__qualname__}: slice with fetch(limit=, offset=), not in build")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        other_sql, other_params = self.build(**second).using(using).query.get_compiler(using=using).as_sql()
        slots = _slots(first, params, second, other_params)
        if other_sql != sql or len(params) != len(other_params):
            raise ImproperlyConfigured(f"{self.build.__qualname__}: its SQL depends on the values given")
        missing = set(self.names) - {name for _, name, _ in slots}
        if missing:
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: {sorted(missing)} not found among the parameters as given: "
                "a lookup that transforms its value cannot be prepared"
            )
        statement = _Statement(
            sql=sql,
            params=tuple(params),
            slots=slots,
            select=compiler.select,
            klass_info=compiler.klass_info,
            annotation_col_map=compiler.annotation_col_map,
            col_count=compiler.col_count,
            has_extra_select=compiler.has_extra_select,
        )
        queryset.query.__class__ = _PreparedQuery
        return queryset, statement


def _slots(
    first: dict[str, Any], params: Iterable[Any], second: dict[str, Any], other_params: Iterable[Any]
) -> tuple[tuple[int, str, type], ...]:
    """Where each value's placeholder sits, checked against the second build.

    Every other parameter must be the same in both builds: one that changed with the values
    means the ORM transformed a value on its way into the SQL.
    """
    by_value = {_key(value): name for name, value in first.items()}
    other_by_value = {_key(value): name for name, value in second.items()}
    slots = []
    for position, (param, other) in enumerate(zip(params, other_params, strict=False)):
        name = by_value.get(_key(param))
        if name is not None and other_by_value.get(_key(other)) == name:
            slots.append((position, name, type(param)))
        elif param != other:
            raise ImproperlyConfigured(
                f"parameter {position} changed with the values but is no placeholder: a lookup that "
                "transforms its value, or a value computed from one, cannot be prepared"
            )
    return tuple(slots)


def _key(value: Any) -> tuple[type, Any] | None:
    """A parameter as a placeholder would be found: its kind and value (True is no 1); None if unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    kind = next((kind for kind in KINDS if isinstance(value, kind)), type(value))
    return (type(value) if isinstance(value, bool) else kind), value


# psycopg's integer types, as the backend marks some parameters, and the numbers each holds.
_INTEGER_BITS = {"Int2": 16, "Int4": 32, "Int8": 64}


def _fits(kind: type, value: Any) -> bool:
    bits = _INTEGER_BITS.get(kind.__name__) or (64 if kind is int else None)
    return bits is None or -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)
