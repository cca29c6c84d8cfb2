"""The worker's own health check: `manage.py worker_health` reads the heartbeat file."""

import os
import time

import pytest
from django.core.management import CommandError, call_command

from core.heartbeat import record_heartbeat


@pytest.fixture
def heartbeat_file(settings, tmp_path):
    settings.WORKER_HEARTBEAT_FILE = tmp_path / "beat" / "worker-heartbeat"
    return settings.WORKER_HEARTBEAT_FILE


def test_a_fresh_heartbeat_is_healthy(heartbeat_file, capsys):
    record_heartbeat("celery@here")
    call_command("worker_health")
    assert capsys.readouterr().out == "ok: heartbeat 0 s old\n"


def test_a_stale_heartbeat_fails(heartbeat_file):
    record_heartbeat("celery@here")
    old = time.time() - 61
    os.utime(heartbeat_file, (old, old))
    with pytest.raises(CommandError, match=r"the last heartbeat is 61 s old \(more than 60 s\)"):
        call_command("worker_health")
    call_command("worker_health", "--max-age", "90")


def test_no_heartbeat_file_fails(heartbeat_file):
    with pytest.raises(CommandError, match="no heartbeat file"):
        call_command("worker_health")
