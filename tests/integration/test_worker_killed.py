"""A worker killed with SIGKILL (its whole process group) while it sends: e-mails and webhooks.

The kill lands mid-send because the other side stalls: the SMTP server keeps the message and does
not answer its DATA, the webhook receiver keeps the event and does not answer its POST. That is the
worst case for doubles (the other side has the item, we could not record it). After a new worker
starts, every item is delivered; the one in flight goes out once more, with the same Message-ID or
webhook-id. Each test logs its counts (sent, lost, doubled) for docs/operations.md.
"""

import asyncio
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest

from config.celery import app as celery_app
from members.actors import Actor
from members.enums import Role
from members.models import Member
from plans import services
from plans.enums import NotificationStatus
from plans.models import Notification
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, valid_content
from tests.integration.conftest import Inbox, kill_worker, start_worker, stop_worker
from tests.local import smtp_server, wait_until
from tests.webhooks.receiver import Receiver
from webhooks import services as webhooks
from webhooks.enums import DeliveryStatus
from webhooks.models import Event, WebhookDelivery

logger = logging.getLogger(__name__)
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LEASE_SECONDS = 5


@pytest.fixture
def worker_env() -> dict[str, str]:
    return {
        # A killed worker's e-mails come back once their lease runs out: seconds here, not minutes.
        "EMAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        # Long enough that the worker is still waiting for the stalled side when it is killed.
        "EMAIL_TIMEOUT": "60",
        "WEBHOOKS_TIMEOUT_SECONDS": "60",
        # The delivery's lease, as short as the mails' (shorter than the timeout only here).
        "WEBHOOKS_LEASE_SECONDS": str(LEASE_SECONDS),
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
    }


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


class StallingInbox(Inbox):
    """Keeps every message; the `stall_at`-th one (if set) it keeps and then leaves without an answer until released."""

    def __init__(self):
        super().__init__()
        self.stall_at = 0
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        answer = await super().handle_DATA(server, session, envelope)
        if self.stall_at and len(self.messages) == self.stall_at:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return answer


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[StallingInbox, int]]:
    inbox = StallingInbox()
    with smtp_server(inbox) as port:
        try:
            yield inbox, port
        finally:
            inbox.release.set()


def test_worker_killed_mid_send_every_mail_arrives_the_one_in_flight_once_more_by_id(celery_worker, tmp_path):
    process, inbox = celery_worker
    inbox.stall_at = 3
    cycle = CycleFactory()
    StaffFactory(email="reviewer@staff.example.org", groups=["Reviewers"])
    content = valid_content()
    partners = {code for partnership in content["partnerships"] for code in partnership["partner_members"]}
    submissions = []
    for member in Member.objects.exclude(code__in=partners).order_by("code")[:5]:
        user = UserFactory(email=f"head@{member.code.lower()}.example.org")
        DelegateFactory(user=user, member=member, role=Role.SUBMITTER)
        actor = Actor.for_user(user)
        submissions.append((services.plan_create(cycle=cycle, member=member, actor=actor, content=content).plan, actor))
    for plan, actor in submissions:  # each queues a receipt and a staff notice after its commit
        services.plan_submit(plan=plan, actor=actor)
    expected = set(Notification.objects.values_list("pk", flat=True))
    assert len(expected) == 10

    # Two mails are through; the SMTP server has the third and does not answer: the worker waits.
    assert inbox.stalled.wait(timeout=30), "the worker never reached the third mail"
    kill_worker(process)
    killed_at = time.monotonic()
    inbox.release.set()  # the stalled session ends; the server keeps what it got (the worst case)
    at_kill = {
        "received": len(inbox.messages),
        "marked_sent": Notification.objects.filter(status=NotificationStatus.SENT).count(),
        "leased": Notification.objects.filter(status=NotificationStatus.PENDING, lease_until__isnull=False).count(),
    }

    second = start_worker(process.env, tmp_path / "worker-2.log")
    try:
        # What beat does every minute, here every 2 s: the dispatcher sends what is due, the
        # killed worker's mail once its lease has run out.
        def all_sent() -> bool:
            if Notification.objects.filter(status=NotificationStatus.SENT).count() == len(expected):
                return True
            celery_app.send_task("plans.dispatch_notifications")
            return False

        assert wait_until(all_sent, timeout=40, step=2)
        recovered_after = time.monotonic() - killed_at
        time.sleep(2)  # anything sent once more would have arrived by now
    finally:
        stop_worker(second)

    ids = Counter(message["Message-ID"] for message in inbox.messages)
    sent_ids = {int(message_id.split("-")[1]) for message_id in ids}
    # The same mail never goes out under two ids: one (recipients, subject) per Message-ID.
    contents = defaultdict(set)
    for message in inbox.messages:
        contents[message["Message-ID"]].add((message["X-Envelope-To"], message["Subject"]))
    assert all(len(seen) == 1 for seen in contents.values())
    assert len({next(iter(seen)) for seen in contents.values()}) == len(ids)
    counts = {
        "sent": len(ids),
        "lost": len(expected - sent_ids),
        "doubled": sum(n - 1 for n in ids.values()),
        **{f"at_kill_{key}": value for key, value in at_kill.items()},
        "recovered_after_seconds": round(recovered_after, 1),
    }
    logger.warning("worker killed mid-send counts: %s", counts)
    assert at_kill == {"received": 3, "marked_sent": 2, "leased": 1}
    assert (counts["sent"], counts["lost"], counts["doubled"]) == (10, 0, 1)
    stalled_id = inbox.messages[2]["Message-ID"]
    assert ids[stalled_id] == 2  # the one in flight, again, with its own Message-ID
    assert max(ids.values()) == 2


def test_worker_killed_mid_webhook_delivery_the_event_arrives_at_most_twice_by_id(
    celery_worker, tmp_path, cycle, estonia, as_alice, as_charlie
):
    process, _inbox = celery_worker
    with Receiver(stall=1) as receiver:
        endpoint = webhooks.endpoint_create(actor=as_alice, member=estonia, url=receiver.url)
        receiver.secrets = [endpoint.secret]
        plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        services.plan_submit(plan=plan, actor=as_alice)
        services.plan_decide(plan=plan, actor=as_charlie, decision="start_review")
        services.plan_decide(plan=plan, actor=as_charlie, decision="return", comment="Stockpiles?")
        expected = set(Event.objects.filter(member=estonia).values_list("public_id", flat=True))
        assert len(expected) >= 2

        # The receiver has the first event and does not answer: the worker waits in its POST.
        assert receiver.stalled.wait(timeout=30), "the worker never posted the first event"
        kill_worker(process)
        killed_at = time.monotonic()
        stalled_id = receiver.received[0][0]
        receiver.release.set()
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)

        second = start_worker(process.env, tmp_path / "worker-2.log")
        try:
            # What beat does every minute, here every 2 s: the sweep queues the due deliveries,
            # the killed worker's among them (claimed, never recorded, still due).
            def all_delivered() -> bool:
                if set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}:
                    return True
                celery_app.send_task("webhooks.sweep")
                return False

            assert wait_until(all_delivered, timeout=40, step=2)
            recovered_after = time.monotonic() - killed_at
            time.sleep(2)  # anything sent once more would have arrived by now
        finally:
            stop_worker(second)

    ids = Counter(webhook_id for webhook_id, _body in receiver.received)
    # A copy is the same event: the same webhook-id carries the same body.
    bodies = defaultdict(list)
    for webhook_id, body in receiver.received:
        bodies[webhook_id].append(body)
    assert all(all(body == seen[0] for body in seen) for seen in bodies.values())
    counts = {
        "events": len(expected),
        "delivered": len(set(ids) & expected),
        "lost": len(expected - set(ids)),
        "doubled": sum(n - 1 for n in ids.values()),
        "attempts_of_the_one_in_flight": deliveries.get(event__public_id=stalled_id).attempts,
        "recovered_after_seconds": round(recovered_after, 1),
    }
    logger.warning("worker killed mid-delivery counts: %s", counts)
    assert receiver.refused == []
    assert (counts["delivered"], counts["lost"], counts["doubled"]) == (len(expected), 0, 1)
    assert ids[stalled_id] == 2  # the one in flight, again, with the same webhook-id
    assert counts["attempts_of_the_one_in_flight"] == 2
