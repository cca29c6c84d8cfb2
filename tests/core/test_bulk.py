"""core.bulk.insert_rows writes what bulk_create writes: PostgreSQL's COPY, bulk_create elsewhere."""

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.bulk import insert_rows
from plans.models import CapabilityLine
from tests.factories import PlanFactory, member

pytestmark = pytest.mark.django_db

COLUMNS = [field.attname for field in CapabilityLine._meta.concrete_fields if not field.primary_key]


def rows(plan_id: int) -> list[dict]:
    return [
        {
            "plan_id": plan_id,
            "position": 0,
            "key": str(uuid.UUID(int=1)),  # as the content carries it: text
            "item_code_id": None,
            "category": "ammunition",
            "item": 'Shells, "155 mm"\tand a tab\nover two lines \\ ✓',
            "unit": "rounds",
            "baseline_capacity": Decimal("1000"),
            "target_capacity": Decimal("5000.005"),  # the column keeps two places, as for an INSERT
            "target_year": 2030,
            "stockpile_current": None,
            "stockpile_target": Decimal("0.1"),
            "planned_investment": Decimal("2500000.50"),
            "notes": "",
        },
        {
            "plan_id": plan_id,
            "position": 1,
            "key": uuid.UUID(int=2),
            "item_code_id": "art-155",
            "category": "ammunition",
            "item": "",
            "unit": "rounds",
            "baseline_capacity": Decimal("0"),
            "target_capacity": Decimal("7.5"),
            "target_year": 2031,
            "stockpile_current": Decimal("3"),
            "stockpile_target": None,
            "planned_investment": None,
            "notes": "N",
        },
    ]


def stored(plan) -> list[tuple]:
    return list(CapabilityLine.objects.filter(plan=plan).order_by("position").values_list(*COLUMNS))


def test_insert_rows_stores_what_bulk_create_stores():
    copied, created = PlanFactory(), PlanFactory(member=member("LV"))
    insert_rows(CapabilityLine, rows(copied.pk))
    CapabilityLine.objects.bulk_create(CapabilityLine(**row) for row in rows(created.pk))
    expected = [(copied.pk, *row[1:]) for row in stored(created)]
    assert stored(copied) == expected
    # Fields left out take their defaults, as a new instance has them.
    assert [line[COLUMNS.index("funding")] for line in expected] == ["national", "national"]


def test_a_refused_row_is_django_s_integrity_error():
    plan = PlanFactory()
    twice = [rows(plan.pk)[0], {**rows(plan.pk)[0], "position": 5}]  # one key twice in a plan
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(CapabilityLine, twice)
    assert not CapabilityLine.objects.filter(plan=plan).exists()


def test_no_rows_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        insert_rows(CapabilityLine, [])
    assert len(queries) == 0
