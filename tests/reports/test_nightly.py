from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from config.celery import app
from reports.models import ComplianceReport, ReportStatus
from reports.tasks import open_cycles, request_nightly_reports
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def test_the_nightly_entry_is_in_the_beat_schedule():
    task = PeriodicTask.objects.get(name="Nightly compliance reports")
    assert (task.task, task.enabled, task.crontab.hour, task.crontab.minute) == (
        "reports.request_nightly_reports",
        True,
        "2",
        "30",
    )
    assert task.task in app.tasks


@pytest.fixture
def cycles():
    return {
        # Closed long ago: more than 60 days after its review deadline.
        "old": CycleFactory(
            year=2024,
            opens_at=NOW - timedelta(days=400),
            deadline=NOW - timedelta(days=200),
            review_deadline=NOW - timedelta(days=61),
        ),
        # Deadline passed 100 days ago but review still within 60 days: still reported on.
        "reviewing": CycleFactory(
            year=2025,
            opens_at=NOW - timedelta(days=300),
            deadline=NOW - timedelta(days=100),
            review_deadline=NOW - timedelta(days=59),
        ),
        # No review deadline: the deadline counts, 10 days ago.
        "current": CycleFactory(year=2026, opens_at=NOW - timedelta(days=100), deadline=NOW - timedelta(days=10)),
        # Not open yet.
        "future": CycleFactory(year=2027, opens_at=NOW + timedelta(days=1), deadline=NOW + timedelta(days=200)),
    }


def test_open_cycles_are_those_opened_and_closed_at_most_60_days_ago(cycles):
    assert list(open_cycles(at=NOW).values_list("year", flat=True)) == [2025, 2026]


def test_nightly_pass_requests_one_report_per_open_cycle(cycles):
    with time_machine.travel(NOW, tick=False):
        ids = request_nightly_reports.apply().get()
    reports = ComplianceReport.objects.filter(pk__in=ids).order_by("cycle__year")
    assert [(r.cycle.year, r.status, r.requested_by) for r in reports] == [
        (2025, ReportStatus.QUEUED, None),
        (2026, ReportStatus.QUEUED, None),
    ]
