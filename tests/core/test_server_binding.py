"""On PostgreSQL a statement a connection runs often is prepared on the server, its values bound there."""

import pytest
from django.db import connection

from plans.models import Cycle
from tests.factories import CycleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_past_the_threshold_is_prepared_and_answers_with_each_calls_values():
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    years = [CycleFactory(year=year).year for year in (2031, 2032, 2033)]
    answers = [
        list(Cycle.objects.filter(year__gte=years[n % 3]).values_list("year", flat=True).order_by("year"))
        for n in range(3 * (threshold + 1))
    ]
    assert answers[:3] == [[2031, 2032, 2033], [2032, 2033], [2033]]
    assert answers[-3:] == answers[:3]  # the prepared statement, run with each call's value
    cycle_queries = [sql for sql in prepared_statements() if 'FROM "plans_cycle"' in sql and "$1" in sql]
    assert len(cycle_queries) == 1, prepared_statements()
