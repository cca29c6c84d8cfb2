"""The shared cache: two gunicorn workers count one API key's requests together."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from members.actors import Actor
from members.services import api_key_issue
from tests.factories import member
from tests.integration.conftest import _database_url
from tests.local import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
RATE = 5


def get(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_worker_web(tmp_path):
    """gunicorn with two worker processes on the test database, the cache on the test Redis."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CACHE_URL": settings.CELERY_BROKER_URL,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # the test's own keys in a shared Redis
        "API_THROTTLE_KEY_RATE": f"{RATE}/min",
        "DEBUG": "false",
        "SECRET_KEY": "integration-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_URL": "dummymail://",
        "VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    log = open(tmp_path / "web.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/ready/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("gunicorn did not start:\n" + (tmp_path / "web.log").read_text()[-3000:])
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_an_api_keys_throttle_is_counted_once_for_every_web_process(two_worker_web):
    _record, key = api_key_issue(actor=Actor.system(), member=member("EE"), name="throttle drill", scopes=["read"])
    statuses = [get(f"{two_worker_web}/api/v1/members/", key) for _ in range(RATE + 7)]
    # Each request on a new connection, spread over both workers; one count in Redis for all.
    assert (statuses.count(200), statuses.count(429)) == (RATE, 7)
