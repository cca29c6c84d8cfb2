"""A broker that does not answer, for tests of what a broker outage must not break."""

from collections.abc import Iterator
from contextlib import contextmanager

from config.celery import app as celery_app


def fresh_broker_connections() -> None:
    """Forget pooled broker connections, so the next message connects to the broker now configured."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_down() -> Iterator[None]:
    """Tasks go to a broker that does not answer (a port nobody listens on), as in production."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:8419/0"
    fresh_broker_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        fresh_broker_connections()
