"""Faults survived with real processes: a broker stopped during submissions, a worker killed mid-report.

The broker here is a redis-server of the test's own (it is stopped and started again), the
worker a real `celery worker`, the mail a local SMTP server. Each test prints its counts
(sent, lost, doubled) for docs/operations.md.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app as celery_app
from members.actors import Actor
from members.enums import Role
from members.models import Member
from members.services import api_key_issue
from plans import services
from plans.models import Notification
from reports.models import ComplianceReport, ReportStatus
from reports.services import report_request, reports_dispatch
from tests.broker import broker_at, fresh_broker_connections
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, valid_content
from tests.integration.conftest import start_worker
from tests.local import free_port, wait_until

logger = logging.getLogger(__name__)
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class RedisServer:
    """A redis-server on a free local port, without persistence, that a test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/3"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_broker() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    try:
        with broker_at(server.url, eager=celery_app.conf.task_always_eager):
            yield server
    finally:
        server.stop()


@pytest.fixture
def worker_env(own_broker) -> dict[str, str]:
    return {"CELERY_BROKER_URL": own_broker.url, "REPORT_HEARTBEAT_TIMEOUT_SECONDS": "3"}


def test_broker_stopped_during_20_api_submissions_every_receipt_is_delivered_once(own_broker, celery_worker):
    _process, inbox = celery_worker
    cycle = CycleFactory()
    StaffFactory(email="reviewer@staff.example.org", groups=["Reviewers"])
    clients = []
    content = valid_content()
    partners = {code for partnership in content["partnerships"] for code in partnership["partner_members"]}
    for member in Member.objects.exclude(code__in=partners).order_by("code")[:20]:
        user = UserFactory(email=f"head@{member.code.lower()}.example.org")
        DelegateFactory(user=user, member=member, role=Role.SUBMITTER)
        plan = services.plan_create(cycle=cycle, member=member, actor=Actor.for_user(user), content=content).plan
        _key, secret = api_key_issue(actor=Actor.system(), member=member, name="erp", scopes=["read", "submit"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        clients.append((client, plan))

    own_broker.stop()
    started = time.monotonic()
    answers = [
        client.post(f"/api/v1/plans/{plan.pk}/submit/", HTTP_IDEMPOTENCY_KEY=f"submit-{plan.pk}")
        for client, plan in clients
    ]
    during_outage = time.monotonic() - started
    client, plan = clients[0]
    replay = client.post(f"/api/v1/plans/{plan.pk}/submit/", HTTP_IDEMPOTENCY_KEY=f"submit-{plan.pk}")
    assert [a.status_code for a in answers] == [201] * 20
    assert (replay.status_code, replay.json()["sha256"]) == (201, answers[0].json()["sha256"])
    assert Notification.objects.filter(status="pending").count() == 40

    own_broker.start()
    fresh_broker_connections()
    # The worker reconnects by itself; the dispatcher (beat runs it every minute) sends the backlog.
    assert wait_until(lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=30)
    celery_app.send_task("plans.dispatch_notifications")
    messages = inbox.wait_for(40, timeout=40)
    time.sleep(1)  # anything doubled would arrive now
    ids = Counter(m["Message-ID"] for m in inbox.messages)
    receipts = [m for m in inbox.messages if m["Subject"].startswith("Receipt:")]
    expected = set(Notification.objects.values_list("pk", flat=True))
    sent_ids = {int(message_id.split("-")[1]) for message_id in ids}
    counts = {
        "sent": len(ids),
        "lost": len(expected - sent_ids),
        "doubled": sum(n - 1 for n in ids.values()),
        "outage_seconds_for_20_submissions": round(during_outage, 1),
    }
    logger.warning("broker outage counts: %s", counts)
    assert (counts["sent"], counts["lost"], counts["doubled"]) == (40, 0, 0)
    assert (len(receipts), len(messages)) == (20, 40)
    assert wait_until(lambda: Notification.objects.filter(status="sent").count() == 40, timeout=10)


def test_worker_killed_mid_report_the_run_ends_done_after_the_heartbeat_timeout(celery_worker, tmp_path, settings):
    process, _inbox = celery_worker
    settings.REPORT_HEARTBEAT_TIMEOUT_SECONDS = 3  # as the worker has it (worker_env)
    charlie = StaffFactory(email="charlie@staff.example.org", groups=["Reviewers"])
    cycle = CycleFactory()
    report = report_request(cycle=cycle, actor=Actor.for_user(charlie))

    def running() -> bool:
        report.refresh_from_db()
        return report.status == ReportStatus.RUNNING

    assert wait_until(running, timeout=20, step=0.02)
    os.kill(process.pid, signal.SIGKILL)  # mid-build: no chance to record anything
    process.wait(timeout=10)
    killed_at_progress = report.progress
    connection.close()

    second = start_worker(process.env, tmp_path / "worker-2.log")
    try:
        time.sleep(3.5)  # the heartbeat timeout
        assert reports_dispatch()["requeued_stalled"] == 1  # what beat runs every minute

        def finished() -> bool:
            report.refresh_from_db()
            return report.status in {ReportStatus.DONE, ReportStatus.FAILED}

        assert wait_until(finished, timeout=40)
    finally:
        second.terminate()
        second.wait(timeout=20)
    logger.warning("report killed at %s%% -> %s after %s attempts", killed_at_progress, report.status, report.attempts)
    assert (report.status, report.attempts, report.progress) == (ReportStatus.DONE, 2, 100)
    assert report.error.startswith("The worker building it stopped: no heartbeat for 3 seconds.")
    assert ComplianceReport.objects.get(pk=report.pk).pdf
