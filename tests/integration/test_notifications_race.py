"""On PostgreSQL: reminder passes racing in threads, each with its own connection, send each reminder once."""

import threading
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection

from plans.models import Cycle, Notification
from plans.reminders import reminder_pass
from tests.factories import DelegateFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(moment: datetime, passes: int) -> list[list[str]]:
    """Run `passes` reminder passes at the same moment in threads; returns the keys each claimed."""
    barrier = threading.Barrier(passes)
    claimed: list[list[str]] = [[] for _ in range(passes)]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            claimed[index] = [n.dedupe_key for n in reminder_pass(at=moment)]
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(passes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return claimed


def test_racing_passes_send_each_reminder_once(estonia, latvia):
    assert connection.vendor == "postgresql"
    Cycle.objects.create(
        year=2025,
        opens_at=datetime(2025, 3, 1, tzinfo=UTC),
        deadline=datetime(2025, 6, 30, 23, 59, tzinfo=UTC),
    )
    for member in (estonia, latvia):
        DelegateFactory(user=UserFactory(email=f"head@{member.code.lower()}.example.org"), member=member)
    for moment in (datetime(2025, 6, 16, 9, tzinfo=UTC), datetime(2025, 6, 23, 9, tzinfo=UTC)):
        claimed = race(moment, passes=4)
        keys = [key for keys in claimed for key in keys]
        assert len(keys) == len(set(keys)) == 32  # every ally once, whichever pass won it
    assert Notification.objects.count() == 64
    # The wording follows the real clock at sending time; what matters is one mail per rung.
    to_estonia = [m.subject for m in mail.outbox if m.to == ["head@ee.example.org"]]
    assert len(to_estonia) == 2
    assert all("Estonia plan 2025" in subject for subject in to_estonia)
    assert len(mail.outbox) == 4


def test_two_claims_of_one_key_at_the_same_moment_make_one_row(estonia):
    """The insert itself is the claim: without any prior read, only one of two racing inserts wins."""
    from plans.notifications import notification_claim

    cycle = Cycle.objects.create(
        year=2025, opens_at=datetime(2025, 3, 1, tzinfo=UTC), deadline=datetime(2025, 6, 30, 23, 59, tzinfo=UTC)
    )
    barrier = threading.Barrier(2)
    results: list = []

    def claim() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                notification_claim(kind="reminder", dedupe_key="race:one", cycle=cycle, member=estonia, rung="x")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(result is None for result in results) == [False, True]
    assert Notification.objects.filter(dedupe_key="race:one").count() == 1
