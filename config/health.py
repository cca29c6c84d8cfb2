"""`/health/`: is the database reachable, the broker up, a worker answering? JSON for probes.

No authentication (load balancers and docker-compose call it) and so no secrets in the
answer: only check names, ok flags, worker counts and exception class names.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

BROKER_TIMEOUT_SECONDS = 1.0
PING_TIMEOUT_SECONDS = 1.0


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the class name says which
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def check_redis() -> dict:
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


def check_workers() -> dict:
    from config.celery import app

    try:
        replies = app.control.ping(timeout=PING_TIMEOUT_SECONDS) or []
    except Exception as exc:
        return {"ok": False, "workers": 0, "error": type(exc).__name__}
    return {"ok": bool(replies), "workers": len(replies)}


@never_cache
@require_GET
def health(request) -> JsonResponse:
    checks = {"database": check_database()}
    if settings.CELERY_BROKER_URL:
        checks["redis"] = check_redis()
        checks["workers"] = check_workers() if checks["redis"]["ok"] else {"ok": False, "workers": 0}
    else:
        # No broker: tasks run in-process, so there is no worker to be missing.
        checks["workers"] = {"ok": True, "workers": 0, "mode": "in-process"}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


urlpatterns = [path("", health, name="health")]
