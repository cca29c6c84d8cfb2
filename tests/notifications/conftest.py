"""A cycle with a fixed deadline for the ladder tests: 2025-06-30 23:59 UTC, opened on 1 March."""

from datetime import UTC, datetime

import pytest

from plans.models import Cycle

DEADLINE = datetime(2025, 6, 30, 23, 59, tzinfo=UTC)


def at(text: str) -> datetime:
    """An aware UTC moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@pytest.fixture
def ladder_cycle(db) -> Cycle:
    return Cycle.objects.create(year=2025, opens_at=at("2025-03-01 00:00"), deadline=DEADLINE)
