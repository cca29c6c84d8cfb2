"""On PostgreSQL: dispatchers racing in threads (several workers at once) send each e-mail once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from members.actors import Actor
from plans import services
from plans.models import Notification
from plans.notifications import notifications_dispatch
from tests.broker import broker_down
from tests.factories import CycleFactory, valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_racing_dispatchers_send_each_email_once(estonia, alice, charlie, settings):
    assert connection.vendor == "postgresql"
    settings.EMAIL_DISPATCH_BATCH = 3  # each dispatcher takes a few rows: they must interleave
    actor = Actor.for_user(alice)
    with broker_down():  # the after-commit tasks are lost: only the dispatchers send
        for year in range(2030, 2036):
            plan = services.plan_create(
                cycle=CycleFactory(year=year), member=estonia, actor=actor, content=valid_content()
            ).plan
            services.plan_submit(plan=plan, actor=actor)
    assert Notification.objects.filter(status="pending").count() == 12

    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            while notifications_dispatch():
                pass
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert (len(ids), len(set(ids))) == (12, 12)
    assert Notification.objects.filter(status="sent").count() == 12
