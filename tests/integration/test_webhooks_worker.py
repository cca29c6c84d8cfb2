"""Webhooks through a real Celery worker to a real HTTP receiver on loopback that verifies every
signature with the `standardwebhooks` library: each event arrives once by id; a receiver that is
down for a while gets its events after retries, not twice."""

import time
from datetime import timedelta

import pytest

from members.actors import Actor
from plans import reminders, services
from tests.factories import valid_content
from tests.local import free_port, wait_until
from tests.webhooks.receiver import Receiver
from webhooks import services as webhooks
from webhooks.enums import DeliveryStatus, EventType
from webhooks.models import Event, WebhookDelivery

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker_env():
    return {"WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true", "WEBHOOKS_FIRST_RETRY_SECONDS": "1"}


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


def the_whole_story(cycle, estonia, as_alice, as_charlie, as_manager) -> None:
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_decide(plan=plan, actor=as_charlie, decision="start_review")
    services.plan_decide(plan=plan, actor=as_charlie, decision="return", comment="Stockpiles?", reasons=["incomplete"])
    services.comment_add(plan=plan, actor=as_charlie, body="See line 2.")
    services.extension_grant(
        cycle=cycle, member=estonia, deadline=cycle.deadline + timedelta(days=7), reason="Elections.", actor=as_manager
    )
    reminders.reminder_send_now(cycle=cycle, member=estonia, actor=as_manager)
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_decide(plan=plan, actor=as_charlie, decision="accept")
    services.cycle_open(actor=Actor.system(), year=2031, deadline=cycle.deadline + timedelta(days=2000))


def test_every_event_type_arrives_once_signed(celery_worker, cycle, estonia, alice, as_alice, as_charlie, as_manager):
    with Receiver() as receiver:
        endpoint = webhooks.endpoint_create(actor=as_alice, member=estonia, url=receiver.url)
        receiver.secrets = [endpoint.secret]
        the_whole_story(cycle, estonia, as_alice, as_charlie, as_manager)
        expected = set(Event.objects.values_list("public_id", flat=True))
        assert wait_until(lambda: {message_id for message_id, _ in receiver.received} >= expected)
        time.sleep(2)  # anything sent twice would have arrived by now
    ids = [message_id for message_id, _ in receiver.received]
    assert sorted(ids) == sorted(expected)  # once each
    assert {body["type"] for _, body in receiver.received} == set(EventType.values)
    assert receiver.refused == []
    returned = next(body for _, body in receiver.received if body["type"] == "plan.returned")
    assert (returned["data"]["review"]["comment"], returned["data"]["review"]["reasons"]) == (
        "Stockpiles?",
        ["incomplete"],
    )


def test_a_receiver_down_for_a_while_gets_its_events_after_retries_once(
    celery_worker, cycle, estonia, alice, as_alice, as_charlie
):
    port = free_port()
    endpoint = webhooks.endpoint_create(actor=as_alice, member=estonia, url=f"http://127.0.0.1:{port}/hook")
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_decide(plan=plan, actor=as_charlie, decision="return", comment="Again.")
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    # A fresh query each time (a queryset, once iterated, keeps its rows).
    assert wait_until(
        lambda: [a >= 2 for a in deliveries.values_list("attempts", flat=True)] == [True, True], timeout=30
    )
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}

    with Receiver(secret=endpoint.secret, port=port) as receiver:
        assert wait_until(
            lambda: set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}, timeout=90
        )
        time.sleep(2)
    ids = [message_id for message_id, _ in receiver.received]
    assert sorted(ids) == sorted(Event.objects.filter(member=estonia).values_list("public_id", flat=True))
    assert len(ids) == len(set(ids)) == 2
