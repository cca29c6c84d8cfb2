"""PostgreSQL's JSON path for capability lines answers what the row path answers.

Here rather than in tests/api because it needs PostgreSQL, which the integration stage runs on.
"""

import orjson
import pytest
from django.db import connection

from core.jsonwire import dumps
from plans import services
from plans.api import reads
from tests.api.test_read_paths import TRICKY_LINES
from tests.factories import valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_lines_json_equals_the_rows(cycle, estonia, as_alice):
    assert connection.vendor == "postgresql", "this test needs DATABASE_URL to name a PostgreSQL database"
    tricky = services.plan_create(
        cycle=cycle, member=estonia, actor=as_alice, content=valid_content(lines=TRICKY_LINES)
    ).plan
    fast = reads.lines_json_of([tricky.pk, 0])
    slow = reads.lines_of([tricky.pk, 0], as_text=True)
    assert orjson.loads(dumps(fast[tricky.pk])) == orjson.loads(dumps(slow[tricky.pk]))
    assert orjson.loads(dumps(fast[0])) == []
    assert 0 not in slow
    assert reads.lines_json_of([]) == {}
