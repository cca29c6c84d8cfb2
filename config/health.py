"""Health for orchestrators, and a detailed view for staff.

- `/health/live/`: the process answers. No dependency is asked, so a database or Redis outage
  never gets a healthy web process restarted.
- `/health/ready/`: the database and the cache answer and every migration this code knows is
  applied; a load balancer sends traffic only to a ready process.
- `/health/`: the detailed view, for staff (or a METRICS_TOKEN / METRICS_ALLOWED_NETWORKS
  caller): the checks above plus the broker and the workers' heartbeats. Workers are never
  pinged from here (a broadcast on every probe made a worker outage look like a web outage);
  each worker checks itself (core/heartbeat.py) and its heartbeat is only reported.

The probe answers hold no secrets: check names, ok flags and exception class names.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.metrics import metrics, metrics_allowed
from core.heartbeat import worker_heartbeats

BROKER_TIMEOUT_SECONDS = 1.0


def check_database() -> dict:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the class name says which
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def check_cache() -> dict:
    """Write and read back a value: the Redis backend hides errors as misses, so ask for a round trip."""
    key, value = "health-probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        ok = cache.get(key) == value
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True} if ok else {"ok": False, "error": "unreachable"}


_migrations_applied = False


def check_migrations() -> dict:
    """Every migration of this code applied. Once true it stays true for the process's life
    (a later deploy migrates further, never back), so the migration graph is loaded until then only."""
    global _migrations_applied
    if _migrations_applied:
        return {"ok": True}
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    _migrations_applied = not unapplied
    return {"ok": True} if not unapplied else {"ok": False, "unapplied": len(unapplied)}


def check_broker() -> dict:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        )
        client.ping()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _verdict(checks: dict) -> tuple[dict, int]:
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503


@never_cache
def live(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request) -> JsonResponse:
    checks = {"database": check_database()}
    # Without a database there is nothing to read migrations from.
    checks["migrations"] = check_migrations() if checks["database"]["ok"] else {"ok": False}
    checks["cache"] = check_cache()
    body, status = _verdict(checks)
    return JsonResponse(body, status=status)


@never_cache
@require_GET
def detail(request) -> JsonResponse:
    user = getattr(request, "user", None)
    if not ((user is not None and user.is_staff) or metrics_allowed(request)):
        return JsonResponse({"detail": "Staff only."}, status=403)
    checks = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"]["ok"] else {"ok": False}
    checks["cache"] = check_cache()
    if settings.CELERY_BROKER_URL:
        checks["broker"] = check_broker()
    body, status = _verdict(checks)
    # Reported, never judged: a missing worker is the worker's own health check's business
    # (and the plans_celery_workers_alive alert's), not a reason to call the web unhealthy.
    beats = worker_heartbeats() if checks["cache"]["ok"] else {}
    body["workers"] = {
        "mode": "broker" if settings.CELERY_BROKER_URL else "in-process",
        "max_age_seconds": settings.WORKER_HEARTBEAT_MAX_AGE,
        "heartbeats": beats,
        "alive": sum(age <= settings.WORKER_HEARTBEAT_MAX_AGE for age in beats.values()),
    }
    return JsonResponse(body, status=status)


# Answered before host validation, the HTTPS redirect, sessions and the rest of the stack.
EARLY = {"/health/live/": live, "/health/ready/": ready, "/metrics": metrics}


class ProbeMiddleware:
    """Answer the probes and the metrics scrape first, in a couple of microseconds of Python.

    Orchestrators and Prometheus call a container by its address, which ALLOWED_HOSTS rightly
    does not list, and over plain HTTP inside the private network, which SECURE_SSL_REDIRECT
    would bounce. These answers say nothing about any user's data (metrics need their token).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = EARLY.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


urlpatterns = [
    path("", detail, name="health"),
    path("live/", live, name="health-live"),
    path("ready/", ready, name="health-ready"),
]
