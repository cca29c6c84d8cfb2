"""Pointing this process's Celery app at another broker, for tests of what a broker outage must not break."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from config.celery import app as celery_app

# A local port nobody listens on: connections are refused at once, as with a stopped Redis.
UNREACHABLE = "redis://127.0.0.1:8419/0"


def fresh_broker_connections() -> None:
    """Forget pooled broker connections, so the next message connects to the broker now configured."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str, *, eager: bool = False) -> Iterator[None]:
    """Send this process's tasks to `url` (Celery reads CELERY_BROKER_URL from the environment first)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    conf.task_always_eager, conf.broker_url = eager, url
    os.environ["CELERY_BROKER_URL"] = url
    fresh_broker_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved[0], saved[1]
        if saved[2] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved[2]
        fresh_broker_connections()


@contextmanager
def broker_down() -> Iterator[None]:
    """Tasks go to a broker that does not answer, as in production during an outage."""
    with broker_at(UNREACHABLE):
        yield
