import pytest
from django.db import transaction

from core.queue import enqueue, enqueue_on_commit


def test_enqueue_runs_a_registered_task_by_name(db):
    # Eager mode in tests: the task runs in process, as a worker would run it.
    assert enqueue("core.prune_idempotency_keys") is True


def test_enqueue_of_an_unknown_task_is_logged_not_raised(caplog):
    assert enqueue("core.no_such_task") is False
    assert "could not queue core.no_such_task" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_waits_for_the_commit_and_skips_a_rollback(caplog):
    with transaction.atomic():
        enqueue_on_commit("core.no_such_task", marker=1)
        assert "core.no_such_task" not in caplog.text
    assert "could not queue core.no_such_task {'marker': 1}" in caplog.text
    caplog.clear()
    _queue_then_roll_back()
    assert caplog.text == ""


def _queue_then_roll_back():
    try:
        with transaction.atomic():
            enqueue_on_commit("core.no_such_task", marker=2)
            raise RuntimeError
    except RuntimeError:
        pass
