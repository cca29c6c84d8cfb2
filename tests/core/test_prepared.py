"""core.prepared: a queryset's SQL built once, run with each call's values, refused where that would be wrong."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import ExpressionWrapper, F, FloatField
from django.utils import timezone

from core.prepared import Prepared
from plans.models import Cycle, Plan
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

BY_YEAR = Prepared(lambda year: Cycle.objects.filter(year__gte=year).order_by("year"), year=int)


@pytest.fixture
def cycles():
    return [CycleFactory(year=year) for year in (2031, 2032, 2033, 2034)]


def test_each_call_runs_with_its_own_values(cycles):
    for year in (2030, 2032, 2034, 2040):
        assert BY_YEAR.fetch(year=year) == list(Cycle.objects.filter(year__gte=year).order_by("year"))


def test_limit_and_offset_are_values_too(cycles):
    assert [cycle.year for cycle in BY_YEAR.fetch(year=2031, limit=2, offset=1)] == [2032, 2033]
    assert [cycle.year for cycle in BY_YEAR.fetch(year=2031, limit=2, offset=3)] == [2034]
    assert BY_YEAR.fetch(year=2031, limit=2, offset=10) == []


def test_rows_come_as_the_queryset_gives_them(cycles):
    # values_list, annotations and datetimes (converted as the ORM converts them) come through.
    opens = timezone.now() - timedelta(days=60)
    prepared = Prepared(
        lambda after: (
            Cycle.objects.filter(opens_at__gte=after)
            .annotate(next_year=F("year") + 1)
            .order_by("year")
            .values_list("year", "next_year", "opens_at")
        ),
        after=datetime,
    )
    expected = list(
        Cycle.objects.filter(opens_at__gte=opens)
        .annotate(next_year=F("year") + 1)
        .order_by("year")
        .values_list("year", "next_year", "opens_at")
    )
    assert expected
    assert prepared.fetch(after=opens) == expected


def test_values_are_converted_on_every_call_as_the_orm_converts_them(cycles):
    # The annotation's output type converts PostgreSQL's integer into a float: found once, used each time.
    prepared = Prepared(
        lambda year: (
            Cycle.objects.filter(year__gte=year)
            .annotate(half=ExpressionWrapper(F("year") / 2, output_field=FloatField()))
            .order_by("year")
            .values_list("year", "half")
        ),
        year=int,
    )
    for year in (2031, 2033, 2031):
        rows = prepared.fetch(year=year)
        assert rows == [(cycle.year, float(cycle.year // 2)) for cycle in cycles if cycle.year >= year]
        assert {type(half) for _year, half in rows} == {float}


# Elsewhere the queryset is built on each call, so there is nothing to check or refuse.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL is built once on PostgreSQL only"
)


@postgresql_only
def test_the_sql_is_built_once():
    assert BY_YEAR.sql() is BY_YEAR.sql()
    assert "%s" in BY_YEAR.sql()


@postgresql_only
def test_a_value_the_orm_transforms_is_refused():
    # icontains sends "%value%": the placeholder is nowhere among the parameters as given.
    prepared = Prepared(lambda text: Plan.objects.filter(summary__icontains=text), text=str)
    with pytest.raises(ImproperlyConfigured, match="transforms its value"):
        prepared.fetch(text="x")


@postgresql_only
def test_sql_whose_shape_follows_the_values_is_refused():
    prepared = Prepared(lambda year: Cycle.objects.order_by("year" if year % 2 else "-year"), year=int)
    with pytest.raises(ImproperlyConfigured, match="depends on the values"):
        prepared.fetch(year=2030)


@postgresql_only
def test_a_parameter_computed_from_a_value_is_refused():
    prepared = Prepared(lambda year: Cycle.objects.filter(year=year, approval_levels=abs(year) % 3), year=int)
    with pytest.raises(ImproperlyConfigured, match="computed from one"):
        prepared.fetch(year=2030)


@postgresql_only
def test_a_slice_in_the_build_is_refused():
    prepared = Prepared(lambda year: Cycle.objects.filter(year=year)[:1], year=int)
    with pytest.raises(ImproperlyConfigured, match="slice"):
        prepared.fetch(year=2030)


def test_values_must_be_named_as_declared():
    with pytest.raises(TypeError):
        BY_YEAR.fetch(yaer=2030)
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda numbers: Cycle.objects.filter(year__in=numbers), numbers=list)


def test_a_number_its_column_cannot_hold_is_answered_as_the_orm_answers_it(cycles):
    # The year is a small integer: the ORM turns such a lookup into a condition on no or every row.
    for year in (40_000, -40_000, 2**70):
        assert BY_YEAR.fetch(year=year) == list(Cycle.objects.filter(year__gte=year).order_by("year"))
