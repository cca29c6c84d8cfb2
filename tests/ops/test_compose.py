"""docker-compose.yml, checked as data (Docker itself does not run in CI): services, probes, variables."""

from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_services_and_the_optional_object_store(compose):
    services = compose["services"]
    assert sorted(services) == ["beat", "db", "minio", "minio-init", "redis", "web", "worker"]
    assert {name: service.get("profiles") for name, service in services.items() if service.get("profiles")} == {
        "minio": ["s3"],
        "minio-init": ["s3"],
    }


def test_every_long_running_service_has_a_health_check_of_its_own(compose):
    checks = {
        name: service["healthcheck"]["test"]
        for name, service in compose["services"].items()
        if "healthcheck" in service
    }
    assert sorted(checks) == ["db", "minio", "redis", "web", "worker"]
    assert "http://127.0.0.1:8000/health/ready/" in checks["web"][-1]
    # The worker checks itself (its heartbeat file); the web never pings workers.
    assert checks["worker"] == ["CMD", "python", "manage.py", "worker_health"]


def test_the_app_waits_for_healthy_dependencies(compose):
    services = compose["services"]
    healthy = {"condition": "service_healthy"}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"db": healthy, "redis": healthy}
    assert services["beat"]["depends_on"] == {"web": healthy}
    assert services["minio-init"]["depends_on"] == {"minio": healthy}


def test_the_operations_variables_reach_every_app_process(compose):
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["CACHE_URL"] == "redis://redis:6379/1"
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert environment["METRICS_TOKEN"] == "${METRICS_TOKEN:-}"  # from the environment, never a default
        assert environment["SENTRY_DSN"] == "${SENTRY_DSN:-}"
        assert environment["MEDIA_STORAGE"] == "${MEDIA_STORAGE:-local}"
        assert environment["LOG_FORMAT"] == "json"
    web = compose["services"]["web"]
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"] == "/tmp/prometheus"
    assert "-c config/gunicorn.py" in web["command"]
