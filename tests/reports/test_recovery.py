"""Report runs as an outbox: lost tasks queued again, runs whose worker stopped recovered once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from members.actors import Actor
from reports.models import ComplianceReport, ReportStatus
from reports.services import report_claim, report_request, reports_dispatch
from tests.broker import broker_down
from tests.reports.helpers import report_cycle

pytestmark = pytest.mark.django_db


def test_a_report_requested_with_the_broker_down_is_accepted_and_built_by_the_dispatcher(
    charlie, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    cycle = report_cycle()
    client = APIClient()
    client.force_authenticate(charlie)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reports/", {"cycle": cycle.year}, format="json")
    assert response.status_code == 202
    report = ComplianceReport.objects.get()
    assert report.status == ReportStatus.QUEUED
    assert reports_dispatch()["queued"] == 0  # too recent: its task may still be on its way
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert reports_dispatch() == {"requeued_stalled": 0, "failed_stalled": 0, "queued": 1}
    report.refresh_from_db()
    assert (report.status, report.attempts, bool(report.pdf)) == (ReportStatus.DONE, 1, True)


def test_a_run_whose_worker_stopped_is_queued_again_once_then_failed(settings, charlie):
    settings.REPORT_HEARTBEAT_TIMEOUT_SECONDS = 60
    cycle = report_cycle()
    with broker_down():
        report = report_request(cycle=cycle, actor=Actor.for_user(charlie))
    start = timezone.now()
    assert report_claim(report_id=report.pk)  # a worker starts it, then is killed
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert reports_dispatch()["requeued_stalled"] == 0
    with time_machine.travel(start + timedelta(seconds=61), tick=False), broker_down():
        assert reports_dispatch()["requeued_stalled"] == 1
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.QUEUED, 0)
    assert report.error == "The worker building it stopped: no heartbeat for 60 seconds. Queued again."

    later = start + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert report_claim(report_id=report.pk)  # the second attempt dies too
    with time_machine.travel(later + timedelta(seconds=61), tick=False):
        assert reports_dispatch()["failed_stalled"] == 1
        assert reports_dispatch() == {"requeued_stalled": 0, "failed_stalled": 0, "queued": 0}
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, 2)
    assert report.error == "The worker building it stopped: no heartbeat for 60 seconds. Not retried again."
