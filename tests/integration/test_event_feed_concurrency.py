"""The event feed under concurrent writers on PostgreSQL: a reader following the cursor sees every
committed event exactly once, in order, although transactions commit in another order than they began.

Each writer thread has its own connection; some hold their transaction open after writing the
event (as a slow service would), some roll back. A reader polls `after=<cursor>` meanwhile.
"""

import random
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from members.actors import Actor
from members.models import Member
from webhooks.enums import EventType
from webhooks.models import Event
from webhooks.services import event_record, events_visible_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WRITERS = 6
EVENTS_EACH = 15


@pytest.fixture(autouse=True)
def postgresql():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("concurrency tests need PostgreSQL: set DATABASE_URL")


class Rollback(Exception):
    pass


def test_a_cursor_never_skips_nor_repeats_under_concurrent_writes():
    member_ids = list(Member.objects.order_by("code").values_list("pk", flat=True)[:WRITERS])
    done = threading.Event()
    errors: list[BaseException] = []
    seen: list[str] = []

    def write(index: int) -> None:
        rng = random.Random(index)  # test timing only
        try:
            for number in range(EVENTS_EACH):
                try:
                    with transaction.atomic():
                        event_record(
                            type=EventType.PLAN_SUBMITTED,
                            member=member_ids[index],
                            data={"writer": index, "number": number},
                        )
                        time.sleep(rng.uniform(0, 0.02))  # the change goes on after its event
                        if rng.random() < 0.15:
                            raise Rollback
                except Rollback:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def read() -> None:
        cursor = 0
        try:
            while True:
                finished = done.is_set()
                page = list(events_visible_to(Actor.system()).filter(position__gt=cursor).order_by("position")[:50])
                seen.extend(event.public_id for event in page)
                if page:
                    cursor = page[-1].position
                elif finished:
                    return
                else:
                    time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(index,)) for index in range(WRITERS)]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    reader.join(timeout=60)

    assert errors == []
    committed = list(Event.objects.order_by("position").values_list("public_id", flat=True))
    assert len(committed) > WRITERS * EVENTS_EACH // 2  # most committed, some rolled back
    assert len(seen) == len(set(seen))  # no repeat
    assert seen == committed  # no gap, in order
