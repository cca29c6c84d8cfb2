import subprocess
import sys
from pathlib import Path

import pytest
import structlog
from celery import shared_task
from django.db import transaction

from core.queue import enqueue, enqueue_on_commit
from core.requestid import task_request_id

ROOT = Path(__file__).resolve().parents[2]


def test_enqueue_runs_a_registered_task_by_name(db):
    # Eager mode in tests: the task runs in process, as a worker would run it.
    assert enqueue("core.prune_idempotency_keys") is True


def test_enqueue_of_an_unknown_task_is_logged_not_raised(caplog):
    assert enqueue("core.no_such_task") is False
    assert "could not queue core.no_such_task" in caplog.text


def test_enqueue_on_commit_waits_for_the_commit_and_skips_a_rollback(db, caplog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue_on_commit("core.no_such_task", marker=1)
        assert "core.no_such_task" not in caplog.text  # not before the commit
        _queue_then_roll_back()
    assert len(callbacks) == 1
    assert "could not queue core.no_such_task {'marker': 1}" in caplog.text
    assert "'marker': 2" not in caplog.text


def _queue_then_roll_back():
    try:
        with transaction.atomic():
            enqueue_on_commit("core.no_such_task", marker=2)
            raise RuntimeError
    except RuntimeError:
        pass


def test_every_task_a_service_queues_by_name_is_known_to_the_web_process():
    # Services name tasks instead of importing them; a name nobody registered would only be
    # logged at run time (and the work left to a periodic pass), so check every name here.
    import re
    from pathlib import Path

    from celery import current_app

    root = Path(__file__).resolve().parents[2]
    sources = [p for app in ("core", "members", "plans", "reports") for p in (root / app).rglob("*.py")]
    names = {
        name for path in sources for name in re.findall(r'enqueue(?:_on_commit)?\(\s*"([\w.]+)"', path.read_text())
    }
    assert "plans.send_notification" in names
    assert sorted(names - set(current_app.tasks)) == []


SEEN: list = []


@shared_task(name="tests.remember_request_id")
def remember_request_id() -> None:
    SEEN.append(task_request_id(remember_request_id.request))


def test_enqueue_sends_the_bound_request_id_in_the_task_headers():
    SEEN.clear()
    with structlog.contextvars.bound_contextvars(request_id="req-0123456789"):
        assert enqueue("tests.remember_request_id") is True
    assert enqueue("tests.remember_request_id") is True
    assert SEEN == ["req-0123456789", None]


@pytest.mark.slow  # starts an interpreter
def test_a_fresh_web_process_finds_the_apps_tasks_by_name(tmp_path):
    """Nothing in a web process imports tasks modules; the lookup must import them itself."""
    code = (
        "import django; django.setup(); import config.urls; from core.queue import registered_task as task; "
        "print(task('plans.send_notification').name, task('reports.build_compliance_report').name)"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stdout.split() == ["plans.send_notification", "reports.build_compliance_report"], result.stderr
