"""A real Celery worker process and a real SMTP server, for the integration tests.

They need PostgreSQL (`DATABASE_URL`) and Redis (`CELERY_BROKER_URL`); `.ci/stages/` runs them
with `pytest -m integration`. Tests here must be transactional (the worker reads what they
commit) and use `serialized_rollback=True` so the 32 allies survive the flush.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from tests.local import smtp_server

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = message_from_bytes(envelope.original_content or envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return list(self.messages)


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("integration tests need PostgreSQL: set DATABASE_URL")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker_env() -> dict[str, str]:
    """Extra environment of the worker process; a test module overrides this fixture to set some."""
    return {}


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start `celery worker` with this environment and wait until it answers a ping; output to log_path.

    The worker leads a process group of its own, so that a test can kill it and every process it
    started at once (`kill_worker`), as a crashed host or the OOM killer would, and pytest is not
    in that group.
    """
    log = open(log_path, "a")  # noqa: SIM115 (the process owns it; closed when the test's tmp_path goes)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.env = env  # type: ignore[attr-defined]  # for a test that starts a second worker alike
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            log.flush()
            pytest.fail("the Celery worker did not start:\n" + log_path.read_text()[-3000:])
    return process


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL to the worker's whole process group: nothing it was doing gets a chance to finish or record."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker(transactional_db, smtp_inbox, tmp_path, worker_env) -> Iterator[tuple[subprocess.Popen, "Inbox"]]:
    """Start `celery worker` against the test database and broker; tasks stop running eagerly.

    Its output goes to `tmp_path / "worker.log"`.
    """
    if not settings.CELERY_BROKER_URL:
        pytest.fail("integration tests need Redis: set CELERY_BROKER_URL")
    inbox, port = smtp_inbox
    env = {
        **os.environ,
        # The worker runs as deployed (pytest exported the test settings to this process's environment).
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DEBUG": "true",
        "VAR_DIR": str(settings.VAR_DIR),
        **worker_env,
    }
    celery_app.control.purge()
    process = start_worker(env, tmp_path / "worker.log")
    try:
        celery_app.conf.task_always_eager = False
        yield process, inbox
    finally:
        celery_app.conf.task_always_eager = True
        stop_worker(process)
