"""Queueing background work after commit, by task name.

Services name the task instead of importing it, so that the layers stay one way (tasks, a
door, import their service; a service never imports a task) and no import circle forms.
The task is looked up in the Celery app's registry, so eager mode (no broker) runs it in
process as `apply_async` would. The request id of the request (or task) that queues it travels
in the message's headers, so the worker's log lines for the task carry it too (core.requestid).
"""

import logging
from typing import Any

from celery import Task, current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from .requestid import current_request_id

logger = logging.getLogger(__name__)


def registered_task(task_name: str) -> Task:
    """The task registered under this name, importing the apps' tasks modules on first need.

    Celery's autodiscovery imports them when a worker starts, but nothing does in a web process
    (services never import tasks), so there the registry starts empty and a lookup by name
    would fail with NotRegistered.
    """
    try:
        return current_app.tasks[task_name]
    except NotRegistered:
        # Django's own helper, as the admin finds admin modules: import `tasks` of every app.
        # (Celery's import_default_modules would also re-run django.setup() and its checks.)
        autodiscover_modules("tasks")
        return current_app.tasks[task_name]


def enqueue(task_name: str, **kwargs: Any) -> bool:
    """Hand a task to the broker now; True if it was handed over.

    Best effort: a broker that cannot be reached is logged, never raised, because the caller's
    write has committed and must not turn into an error. Whatever the task was to do must be
    recoverable from the database (a periodic pass picks it up).
    """
    try:
        request_id = current_request_id()
        headers = {"request_id": request_id} if request_id else None
        registered_task(task_name).apply_async(kwargs=kwargs, headers=headers)
    except Exception:
        logger.exception("could not queue %s %s; a periodic pass will pick it up", task_name, kwargs)
        return False
    return True


def enqueue_on_commit(task_name: str, **kwargs: Any) -> None:
    """Queue the task once the current transaction commits (never for a rollback)."""
    transaction.on_commit(lambda: enqueue(task_name, **kwargs))
