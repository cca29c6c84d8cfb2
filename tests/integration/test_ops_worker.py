"""A real worker: the request id in its log lines, its heartbeat and its own health check."""

import json
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from reports.models import ComplianceReport
from tests.integration.test_reports_worker import wait_until_finished
from tests.reports.helpers import report_cycle

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REQUEST_ID = "drill-7f3a9c2e-request"


@pytest.fixture
def shared_cache(settings) -> Iterator[dict[str, str]]:
    """The worker's and this process's cache on the test Redis, under keys of this test's own."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield {"CACHE_URL": settings.CELERY_BROKER_URL, "CACHE_KEY_PREFIX": prefix}
    cache.delete_pattern("*")  # django-redis: only this prefix's keys (heartbeats, task counts)


@pytest.fixture
def worker_env(tmp_path, shared_cache) -> dict[str, str]:
    return {
        **shared_cache,
        "LOG_FORMAT": "json",
        "WORKER_HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_HEARTBEAT_MAX_AGE": "5",
    }


def json_lines(path: Path) -> list[dict]:
    """The worker's JSON log lines (Celery's start-up banner is plain text, and skipped)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_the_request_id_follows_an_api_request_into_the_task_it_queued(celery_worker, charlie, settings, tmp_path):
    settings.REQUEST_ID_TRUST_HEADER = True  # as behind a proxy that sets X-Request-ID
    cycle = report_cycle()
    client = Client()
    client.force_login(charlie)
    response = client.post(
        "/api/v1/reports/",
        {"cycle": cycle.year},
        content_type="application/json",
        secure=True,
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    assert (response.status_code, response["X-Request-ID"]) == (202, REQUEST_ID)
    report, _ = wait_until_finished(ComplianceReport.objects.get(pk=response.json()["id"]))
    try:
        time.sleep(0.5)  # task_succeeded is logged just after the report is marked done
        lines = [line for line in json_lines(tmp_path / "worker.log") if line.get("request_id") == REQUEST_ID]
        assert [(line["event"], line.get("task")) for line in lines if line["event"] == "task_started"] == [
            ("task_started", "reports.build_compliance_report")
        ]
        assert [line["event"] for line in lines if line["event"] == "task_succeeded"] == ["task_succeeded"]
        assert {line["task_id"] for line in lines} == {lines[0]["task_id"]}
    finally:
        for field in (report.xlsx, report.pdf, report.csv):
            if field:
                field.delete(save=False)


def test_the_worker_heartbeat_keeps_its_health_check_green_until_it_dies(celery_worker, settings, tmp_path):
    process, _ = celery_worker
    settings.WORKER_HEARTBEAT_FILE = tmp_path / "heartbeat"
    first = settings.WORKER_HEARTBEAT_FILE.stat().st_mtime
    time.sleep(2.5)
    assert settings.WORKER_HEARTBEAT_FILE.stat().st_mtime > first  # beating, not only touched at start
    call_command("worker_health", "--max-age", "5")
    # Killed outright (no shutdown to tidy up): the file stays and goes stale.
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(5.5)
    with pytest.raises(CommandError, match="the last heartbeat is"):
        call_command("worker_health", "--max-age", "5")


def test_the_staff_health_view_sees_the_worker_through_the_shared_cache(celery_worker, charlie, settings):
    client = Client()
    client.force_login(charlie)
    time.sleep(1.5)  # at least one beat on the worker's timer after its start
    body = client.get("/health/", secure=True).json()
    beats = body["workers"].pop("heartbeats")
    assert body == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "migrations": {"ok": True},
            "cache": {"ok": True},
            "broker": {"ok": True},
        },
        "workers": {"mode": "broker", "max_age_seconds": settings.WORKER_HEARTBEAT_MAX_AGE, "alive": 1},
    }
    assert [(name.startswith("celery@"), age < 3) for name, age in beats.items()] == [(True, True)]
