"""Webhook endpoints and deliveries: signed per Standard Webhooks, retried, disabled, guarded against SSRF."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import Invalid
from members.actors import Actor
from plans import services as plan_services
from webhooks import services
from webhooks.enums import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.outbound import Refused, check_target

from .receiver import Receiver


@pytest.fixture
def loopback(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2


def register(client, url, **extra):
    return client.post("/api/v1/webhooks/", {"url": url, **extra}, format="json")


# Registration over the API -------------------------------------------------------------------


def test_a_member_registers_an_endpoint_and_sees_its_secret_once(loopback, alice_key):
    created = register(alice_key, "https://erp.example.ee/hooks", event_types=["plan.returned"])
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["member"], body["event_types"], body["secret"].startswith("whsec_")) == ("EE", ["plan.returned"], True)
    listed = alice_key.get("/api/v1/webhooks/").json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in alice_key.get(f"/api/v1/webhooks/{body['id']}/").json()


def test_another_member_gets_404_on_an_endpoint(alice_key, bob_key):
    endpoint_id = register(alice_key, "https://erp.example.ee/hooks").json()["id"]
    for method, path in [
        ("get", ""),
        ("delete", ""),
        ("post", "rotate/"),
        ("post", "enable/"),
    ]:
        response = getattr(bob_key, method)(f"/api/v1/webhooks/{endpoint_id}/{path}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert bob_key.get("/api/v1/webhooks/").json() == []
    assert WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


def test_a_read_only_key_may_not_register(reader_key):
    response = register(reader_key, "https://erp.example.ee/hooks")
    assert (response.status_code, WebhookEndpoint.objects.count()) == (403, 0)


@pytest.mark.parametrize(
    "url",
    [
        "http://erp.example.ee/hooks",
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hooks",
        "https://user:pw@erp.example.ee/hooks",
        "ftp://erp.example.ee/",
    ],
)
def test_registration_refuses_non_https_and_private_targets(alice_key, url):
    response = register(alice_key, url)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["url"])


def test_unknown_fields_and_event_types_are_refused(alice_key):
    assert list(register(alice_key, "https://a.example.ee/", colour="red").json()["errors"]) == ["colour"]
    assert list(register(alice_key, "https://a.example.ee/", event_types=["plan.lost"]).json()["errors"]) == [
        "event_types[0]"
    ]


# The SSRF guard at call time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resolved", "refused"),
    [
        ("127.0.0.1", True),
        ("10.0.0.5", True),
        ("192.168.1.10", True),
        ("172.16.0.1", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("fe80::1", True),
        ("::ffff:127.0.0.1", True),
        ("100.64.0.1", True),
        ("93.184.215.14", False),
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused(db, monkeypatch, resolved, refused):
    family = socket.AF_INET6 if ":" in resolved else socket.AF_INET

    def fake_dns(host, port, *args, **kwargs):  # DNS is the outside world here, not our code
        return [(family, socket.SOCK_STREAM, 6, "", (resolved, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    if refused:
        with pytest.raises(Refused):
            check_target("https://hooks.example.org/x")
    else:
        assert check_target("https://hooks.example.org/x") == [resolved]


def test_loopback_is_allowed_only_by_the_setting(db, settings):
    with pytest.raises(Refused):
        check_target("http://127.0.0.1:9/hook")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert check_target("http://127.0.0.1:9/hook") == ["127.0.0.1"]


# Delivering ------------------------------------------------------------------------------------


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs what a block queues after commit (the deliveries), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def endpoint_for(db, loopback, estonia, as_alice):
    def make(url: str, **extra) -> WebhookEndpoint:
        return services.endpoint_create(actor=as_alice, member=estonia, url=url, **extra)

    return make


def test_an_event_arrives_signed_and_the_log_keeps_the_answer(sent, endpoint_for, submitted, as_charlie):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver.url)
        receiver.secrets = [endpoint.secret]
        with sent():
            plan_services.plan_return(plan=submitted, actor=as_charlie, comment="Why?", reasons=["incomplete"])
    (message_id, body), *_ = receiver.received
    assert body["type"] == "plan.returned"
    assert (body["data"]["review"]["comment"], body["data"]["review"]["reasons"]) == ("Why?", ["incomplete"])
    delivery = WebhookDelivery.objects.get(event__public_id=message_id)
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.response_excerpt) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
        "ok",
    )
    assert receiver.refused == []


def test_a_failed_delivery_is_retried_with_the_same_id_and_an_excerpt(sent, endpoint_for, submitted, as_charlie):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver.url)
        receiver.secrets = [endpoint.secret]
        receiver.status = 503
        with sent():
            plan_services.plan_decide(plan=submitted, actor=as_charlie, decision="start_review")
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.PENDING, 1, 503)
        assert len(delivery.response_excerpt) == 500  # the answer was 10,000 bytes: an excerpt is kept
        assert delivery.next_attempt_at > timezone.now()
        # Not due yet: a task that comes early does nothing.
        assert services.delivery_attempt(delivery_id=delivery.pk)[0] == DeliveryStatus.PENDING
        assert receiver.calls == 1
        receiver.status = 200
        later = delivery.next_attempt_at + timedelta(seconds=1)
        assert services.delivery_attempt(delivery_id=delivery.pk, now=later)[0] == DeliveryStatus.SUCCEEDED
    assert [message_id for message_id, _body in receiver.received] == [delivery.event.public_id]


def test_a_redirect_is_not_followed(sent, endpoint_for, submitted, as_charlie):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver.url)
        receiver.secrets = [endpoint.secret]
        receiver.status = 302
        with sent():
            plan_services.plan_decide(plan=submitted, actor=as_charlie, decision="start_review")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status, receiver.calls) == (DeliveryStatus.PENDING, 302, 1)


def test_retries_back_off_exponentially_with_jitter_over_about_a_day(settings):
    delays = [services.retry_delay(attempt) for attempt in range(1, services.MAX_ATTEMPTS)]
    assert all(delays[i] <= delays[i + 1] * 2 for i in range(len(delays) - 1))
    ceilings = [min(services.MAX_RETRY_SECONDS, 30 * 2 ** (a - 1)) for a in range(1, services.MAX_ATTEMPTS)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert 12 * 3600 <= sum(ceilings) * 0.75 <= 36 * 3600  # the average schedule spans about a day


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owners_told(
    sent, endpoint_for, submitted, as_charlie, alice, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver.url)
        receiver.secrets = [endpoint.secret]
        receiver.status = 500
        with sent():
            plan_services.plan_decide(plan=submitted, actor=as_charlie, decision="start_review")
        delivery = WebhookDelivery.objects.get()
        tomorrow = timezone.now() + timedelta(hours=25)
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_attempt(delivery_id=delivery.pk, now=tomorrow)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_at is not None) == (False, True)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "failed for 24 hours" in mail.outbox[0].body


def test_after_a_rotation_both_secrets_sign_in_the_grace_period(sent, endpoint_for, submitted, as_alice, as_charlie):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver.url)
        old_secret = endpoint.secret
        rotated = services.endpoint_rotate_secret(actor=as_alice, endpoint=endpoint)
        receiver.secrets = [old_secret]  # a receiver that has not switched yet
        with sent():
            plan_services.plan_decide(plan=submitted, actor=as_charlie, decision="start_review")
        receiver.secrets = [rotated.secret]  # one that has
        with sent():
            plan_services.plan_return(plan=submitted, actor=as_charlie, comment="Again.")
    assert [body["type"] for _id, body in receiver.received] == ["plan.review_started", "plan.returned"]
    assert rotated.secret != old_secret
    assert services.signing_secrets(rotated, timezone.now() + timedelta(hours=25)) == [rotated.secret]


def test_staff_redeliver_with_the_same_webhook_id(sent, endpoint_for, submitted, as_charlie, charlie):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver.url)
        receiver.secrets = [endpoint.secret]
        with sent():
            plan_services.plan_decide(plan=submitted, actor=as_charlie, decision="start_review")
        delivery = WebhookDelivery.objects.get()
        with sent():
            services.delivery_redeliver(actor=Actor.system(), delivery=delivery)
    assert [message_id for message_id, _body in receiver.received] == [delivery.event.public_id] * 2


# Two threads, two connections: the claim must be committed for the other worker to see it. The
# allies come from a data migration: serialized_rollback keeps them for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_in_flight_is_leased_so_no_other_worker_posts_it_again(endpoint_for, submitted, as_charlie):
    import threading

    from django.db import connection

    with Receiver(stall=1) as receiver:
        endpoint = endpoint_for(receiver.url)
        receiver.secrets = [endpoint.secret]
        receiver.status = 503
        receiver.stall = 0
        plan_services.plan_decide(plan=submitted, actor=as_charlie, decision="start_review")
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        due = delivery.next_attempt_at + timedelta(seconds=1)

        # A worker makes the next attempt; the receiver takes the event and keeps it waiting.
        receiver.status, receiver.stall = 200, 1
        results: list = []

        def attempt() -> None:
            try:
                results.append(services.delivery_attempt(delivery_id=delivery.pk, now=due))
            finally:
                connection.close()  # this thread's own connection, so the test database can be flushed

        worker = threading.Thread(target=attempt)
        worker.start()
        assert receiver.stalled.wait(timeout=10)
        # Meanwhile the sweep on another worker finds nothing due, and a second task posts nothing.
        assert delivery.pk not in services.deliveries_due(now=due)
        assert services.delivery_attempt(delivery_id=delivery.pk, now=due)[0] == DeliveryStatus.PENDING
        assert receiver.calls == 2
        receiver.release.set()
        worker.join(timeout=10)

    assert results[0][0] == DeliveryStatus.SUCCEEDED
    assert [message_id for message_id, _body in receiver.received] == [delivery.event.public_id]


def test_a_member_registers_endpoints_for_itself_only(alice_key, as_alice, latvia):
    response = register(alice_key, "https://erp.example.ee/hooks", member="LV")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["member"])
    assert register(alice_key, "https://erp.example.ee/hooks", member="EE").status_code == 201
    # The rule is the service's, so every door gives the same answer.
    with pytest.raises(Invalid) as refused:
        services.endpoint_create(actor=as_alice, member=latvia, url="https://erp.example.ee/other")
    assert [finding.field for finding in refused.value.findings] == ["member"]
    assert WebhookEndpoint.objects.count() == 1
