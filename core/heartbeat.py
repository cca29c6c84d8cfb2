"""The worker's own health: a heartbeat it writes while it consumes, and what reads it.

The web never asks a worker whether it is alive (a broadcast ping on every probe made a worker
outage look like a web outage). Instead each worker, on its own timer:
- touches WORKER_HEARTBEAT_FILE, which `manage.py worker_health` (the worker container's health
  check) compares with WORKER_HEARTBEAT_MAX_AGE;
- records the time in the shared cache under its host name, which the staff /health/ view and
  the `plans_celery_workers_alive` metric read.
The timer runs in the consumer, so it stops while the worker has lost its broker connection
(the consumer restarts) or is wedged; the heartbeat going stale is exactly "not consuming".
"""

import logging
import time
from pathlib import Path
from typing import Any

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

HEARTBEATS_KEY = "worker-heartbeats"


def heartbeat_file_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the worker last touched its heartbeat file; None if there is none."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (now or time.time()) - modified


def record_heartbeat(hostname: str, now: float | None = None) -> None:
    """Touch the heartbeat file and note the time in the shared cache (best effort)."""
    path = settings.WORKER_HEARTBEAT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    now = now or time.time()
    try:
        # A read-modify-write without a lock: two workers writing at the same instant may drop
        # one beat, which the next beat (seconds later) repairs. Entries of workers gone for
        # an hour are dropped.
        beats = {name: at for name, at in (cache.get(HEARTBEATS_KEY) or {}).items() if now - at < 3600}
        beats[hostname] = now
        cache.set(HEARTBEATS_KEY, beats, timeout=None)
    except Exception:  # the cache is a convenience for the staff view; the file is the check
        logger.warning("could not record the worker heartbeat in the cache", exc_info=True)


def worker_heartbeats(now: float | None = None) -> dict[str, float]:
    """Each worker's host name and the seconds since its last heartbeat, from the shared cache."""
    now = now or time.time()
    return {name: round(now - at, 1) for name, at in sorted((cache.get(HEARTBEATS_KEY) or {}).items())}


class HeartbeatStep(bootsteps.StartStopStep):
    """A consumer bootstep (Celery's documented way to run code on the worker's own timer)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_ref = None

    def start(self, consumer: Any) -> None:
        hostname = consumer.hostname
        record_heartbeat(hostname)
        self.timer_ref = consumer.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS, record_heartbeat, (hostname,), priority=10
        )

    def stop(self, consumer: Any) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None

    def shutdown(self, consumer: Any) -> None:
        self.stop(consumer)
        # A worker that stops on purpose is not "stale": its container stops too.
        settings.WORKER_HEARTBEAT_FILE.unlink(missing_ok=True)
