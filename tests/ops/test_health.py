"""Liveness, readiness and the staff-only detailed health view."""

import json
import time

import pytest

from core.heartbeat import record_heartbeat

pytestmark = pytest.mark.django_db


def test_live_answers_without_asking_any_dependency(client, settings, closed_port, django_assert_num_queries):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_checks_database_migrations_and_cache(client):
    response = client.get("/health/ready/")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "checks": {"database": {"ok": True}, "migrations": {"ok": True}, "cache": {"ok": True}}},
    )


def test_ready_is_503_when_the_shared_cache_is_down(client, dead_redis_cache):
    response = client.get("/health/ready/")
    assert (response.status_code, response.json()["checks"]["cache"]) == (503, {"ok": False, "error": "unreachable"})


def test_ready_ignores_a_broker_outage_and_missing_workers(client, settings, closed_port):
    """Workers are not the web's business: a broker or worker outage leaves the web ready."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/health/ready/")
    assert (response.status_code, response.json()["status"]) == (200, "ok")


@pytest.mark.parametrize("path", ["/health/live/", "/health/ready/"])
def test_probes_answer_an_address_host_over_plain_http_in_production(client, settings, path):
    """Orchestrators call the container by address over plain HTTP: no DisallowedHost, no redirect."""
    settings.ALLOWED_HOSTS = ["plans.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200


def test_the_detailed_view_is_for_staff_only(client, alice, charlie):
    assert client.get("/health/").status_code == 403
    client.force_login(alice)
    assert client.get("/health/").status_code == 403
    client.force_login(charlie)
    assert client.get("/health/").status_code == 200


def test_the_detailed_view_reports_worker_heartbeats(client, charlie, settings):
    settings.CELERY_BROKER_URL = ""
    now = time.time()
    record_heartbeat("celery@fresh", now=now - 5)
    record_heartbeat("celery@stale", now=now - 500)
    client.force_login(charlie)
    body = client.get("/health/").json()
    ages = body["workers"].pop("heartbeats")
    assert body == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "migrations": {"ok": True}, "cache": {"ok": True}},
        "workers": {"mode": "in-process", "max_age_seconds": 60, "alive": 1},
    }
    assert sorted(ages) == ["celery@fresh", "celery@stale"]
    # Seconds since each beat, give or take the time the request took.
    assert (5 <= ages["celery@fresh"] < 30, 500 <= ages["celery@stale"] < 525) == (True, True)


def test_the_detailed_view_is_503_when_the_broker_is_down_and_leaks_no_url(client, charlie, settings, closed_port):
    settings.CELERY_BROKER_URL = f"redis://:s3cret@127.0.0.1:{closed_port}/0"
    client.force_login(charlie)
    response = client.get("/health/")
    body = response.json()
    assert (response.status_code, body["status"], body["checks"]["broker"]["ok"]) == (503, "unavailable", False)
    assert body["workers"]["alive"] == 0
    assert "s3cret" not in json.dumps(body)
    assert str(closed_port) not in json.dumps(body)


def test_the_detailed_view_opens_to_the_metrics_token(client, metrics_token):
    response = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
    assert (response.status_code, response.json()["status"]) == (200, "ok")
    assert client.get("/health/", HTTP_AUTHORIZATION="Bearer wrong-token-0123456789").status_code == 403
