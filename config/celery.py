"""Celery application: Redis broker from CELERY_BROKER_URL, settings under the CELERY_ prefix.

Without a broker (development, `make run`) settings.py makes tasks run eagerly in-process.
The worker logs through Django's LOGGING (structured, with the request id that queued each
task), beats a heartbeat for its own health check, and counts finished tasks for /metrics.
"""

import os

from celery import Celery, signals
from django_structlog.celery import signals as structlog_signals
from django_structlog.celery.steps import DjangoStructLogInitStep

from config.metrics import on_task_failure, on_task_retry, on_task_success
from core.heartbeat import HeartbeatStep
from core.requestid import bind_task_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("plans_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# task_started / task_succeeded / task_failed lines with the task's id, and the request id
# that core.queue sent in the headers bound before the first of them.
app.steps["worker"].add(DjangoStructLogInitStep)
structlog_signals.bind_extra_task_metadata.connect(bind_task_request_id, weak=False)
app.steps["consumer"].add(HeartbeatStep)

signals.task_success.connect(on_task_success, weak=False)
signals.task_failure.connect(on_task_failure, weak=False)
signals.task_retry.connect(on_task_retry, weak=False)


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Leave logging as Django's LOGGING set it: with a receiver here, Celery adds no handlers
    of its own (which would print the worker's lines in another, unstructured format)."""
