"""Prometheus metrics: django-prometheus's request, database-free and cache figures, plus our own.

Ours describe the background work, read from shared sources at scrape time so that any web
process answers for the whole service:
- `plans_celery_tasks_total{task,outcome}`: tasks finished by any worker (succeeded, failed,
  retried), counted in the shared cache by the workers' task signals;
- `plans_celery_queue_messages{queue}` and `plans_celery_unacked_messages`: messages waiting
  in the broker, and taken by a worker but not yet acknowledged;
- `plans_celery_workers_alive`: workers whose heartbeat is fresh;
- `plans_email_*`: the e-mail backlog (pending, failed, oldest pending), from the database;
- `plans_reports_*`: report runs queued or running, and the oldest of them.
A source that cannot be read (broker down) makes `plans_metrics_source_up{source}` 0 rather
than failing the whole scrape.

The endpoint is readable only with METRICS_TOKEN or from METRICS_ALLOWED_NETWORKS.
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterator

import prometheus_client
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from core.heartbeat import worker_heartbeats

logger = logging.getLogger(__name__)

TASK_OUTCOMES = ("succeeded", "failed", "retried")
# kombu's Redis transport keeps one list per priority step: "celery", "celery\x06\x163", ...
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
BROKER_TIMEOUT_SECONDS = 1.0


# Task counts, written by the workers -------------------------------------------------------


def _task_key(task_name: str, outcome: str) -> str:
    return f"metrics:tasks:{task_name}:{outcome}"


def count_task(task_name: str, outcome: str) -> None:
    """Add one finished task to the shared count (best effort: metrics never fail a task)."""
    key = _task_key(task_name, outcome)
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except Exception:
        logger.warning("could not count task %s %s", task_name, outcome, exc_info=True)


def on_task_success(sender=None, **kwargs) -> None:
    count_task(sender.name, "succeeded")


def on_task_failure(sender=None, **kwargs) -> None:
    count_task(sender.name, "failed")


def on_task_retry(sender=None, **kwargs) -> None:
    count_task(sender.name, "retried")


# What a scrape reads -----------------------------------------------------------------------


def _our_task_names() -> list[str]:
    autodiscover_modules("tasks")  # a web process has not imported them (see core.queue)
    return sorted(name for name in current_app.tasks if not name.startswith("celery."))


def task_counts() -> Iterator:
    family = CounterMetricFamily(
        "plans_celery_tasks", "Tasks finished by the workers, by task and outcome.", labels=["task", "outcome"]
    )
    keys = {_task_key(name, outcome): (name, outcome) for name in _our_task_names() for outcome in TASK_OUTCOMES}
    found = cache.get_many(list(keys))
    for key, (name, outcome) in keys.items():
        family.add_metric([name, outcome], found.get(key, 0))
    yield family


def broker_queues() -> Iterator:
    if not settings.CELERY_BROKER_URL:
        return  # tasks run in-process: there is no queue
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
    )
    queue = current_app.conf.task_default_queue
    pipe = client.pipeline(transaction=False)
    for step in PRIORITY_STEPS:
        pipe.llen(f"{queue}{PRIORITY_SEPARATOR}{step}" if step else queue)
    pipe.hlen("unacked")
    *lengths, unacked = pipe.execute()
    waiting = GaugeMetricFamily("plans_celery_queue_messages", "Messages waiting in the broker.", labels=["queue"])
    waiting.add_metric([queue], sum(lengths))
    yield waiting
    yield GaugeMetricFamily(
        "plans_celery_unacked_messages", "Messages taken by a worker and not yet acknowledged.", value=unacked
    )


def workers_alive() -> Iterator:
    fresh = [age for age in worker_heartbeats().values() if age <= settings.WORKER_HEARTBEAT_MAX_AGE]
    yield GaugeMetricFamily(
        "plans_celery_workers_alive", "Workers whose heartbeat is younger than the maximum age.", value=len(fresh)
    )


def _age_seconds(moment) -> float:
    return max(0.0, (timezone.now() - moment).total_seconds()) if moment else 0.0


def email_backlog() -> Iterator:
    from plans.enums import NotificationStatus
    from plans.models import Notification

    rows = {
        row["status"]: row
        for row in Notification.objects.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED, NotificationStatus.WAITING]
        )
        .values("status")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by()
    }
    pending = rows.get(NotificationStatus.PENDING, {})
    yield GaugeMetricFamily("plans_email_pending", "E-mails not sent yet.", value=pending.get("count", 0))
    yield GaugeMetricFamily(
        "plans_email_oldest_pending_age_seconds",
        "Age of the oldest e-mail not sent yet (0 when none waits).",
        value=_age_seconds(pending.get("oldest")),
    )
    yield GaugeMetricFamily(
        "plans_email_failed",
        "E-mails given up on, waiting for staff to retry them.",
        value=rows.get(NotificationStatus.FAILED, {}).get("count", 0),
    )
    yield GaugeMetricFamily(
        "plans_email_waiting",
        "Delegation e-mails waiting for the member to have a delegate with an address.",
        value=rows.get(NotificationStatus.WAITING, {}).get("count", 0),
    )


def report_runs() -> Iterator:
    from reports.models import ComplianceReport, ReportStatus

    unfinished = [ReportStatus.QUEUED, ReportStatus.RUNNING]
    rows = {
        row["status"]: row
        for row in ComplianceReport.objects.filter(status__in=unfinished)
        .values("status")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by()
    }
    runs = GaugeMetricFamily("plans_reports_unfinished", "Report runs queued or running.", labels=["status"])
    oldest = GaugeMetricFamily(
        "plans_reports_oldest_unfinished_age_seconds",
        "Age of the oldest report run queued or running, since it was requested.",
        labels=["status"],
    )
    for status in unfinished:
        runs.add_metric([status], rows.get(status, {}).get("count", 0))
        oldest.add_metric([status], _age_seconds(rows.get(status, {}).get("oldest")))
    yield runs
    yield oldest


SOURCES = {
    "tasks": task_counts,
    "broker": broker_queues,
    "workers": workers_alive,
    "email": email_backlog,
    "reports": report_runs,
}


class ServiceCollector:
    """The service-wide figures above, each source read on its own so one failure hides nothing else."""

    def collect(self) -> Iterator:
        up = GaugeMetricFamily("plans_metrics_source_up", "1 if the source could be read.", labels=["source"])
        started = time.monotonic()
        for name, source in SOURCES.items():
            try:
                families = list(source())
            except Exception:
                logger.warning("metrics source %s could not be read", name, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up
        yield GaugeMetricFamily(
            "plans_metrics_collect_seconds", "Time to read the sources.", value=time.monotonic() - started
        )


class _Registries:
    """What generate_latest needs (`collect`), over several collectors."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self) -> Iterator:
        for collector in self.collectors:
            yield from collector.collect()


# The endpoint -------------------------------------------------------------------------------


def metrics_enabled() -> bool:
    return bool(settings.METRICS_TOKEN or settings.METRICS_ALLOWED_NETWORKS)


def metrics_allowed(request) -> bool:
    """A request bearing METRICS_TOKEN, or coming from one of METRICS_ALLOWED_NETWORKS."""
    token = settings.METRICS_TOKEN
    supplied = request.META.get("HTTP_AUTHORIZATION", "")
    if token and supplied.startswith("Bearer ") and hmac.compare_digest(supplied[7:].encode(), token.encode()):
        return True
    if settings.METRICS_ALLOWED_NETWORKS:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)
    return False


@never_cache
def metrics(request) -> HttpResponse:
    if not metrics_enabled():
        return HttpResponse("Metrics are not enabled.\n", status=404, content_type="text/plain")
    if not metrics_allowed(request):
        return HttpResponse("Forbidden.\n", status=403, content_type="text/plain")
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # Several gunicorn workers: each writes its figures to files there; read them all.
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)
    else:
        process_registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(_Registries(process_registry, ServiceCollector()))
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
