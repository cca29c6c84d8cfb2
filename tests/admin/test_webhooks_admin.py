"""Staff and webhooks in the admin: register for any member or staff-wide, read the log, redeliver."""

import pytest
from django.urls import reverse

from plans import services as plan_services
from tests.factories import valid_content
from webhooks import services
from webhooks.enums import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint


def test_a_cycle_manager_registers_a_staff_wide_endpoint_and_sees_the_secret_once(manager_client):
    response = manager_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": "https://soc.example.org/hooks", "description": "SOC", "event_types": "[]", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.member, endpoint.secret.startswith("whsec_")) == (None, True)
    assert endpoint.secret in response.content.decode()
    page = manager_client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()


@pytest.mark.parametrize(
    ("url", "event_types", "field"),
    [
        ("https://169.254.169.254/latest/meta-data/", "[]", "url"),
        ("http://soc.example.org/hooks", "[]", "url"),
        ("https://soc.example.org/hooks", '["plan.lost"]', "event_types"),
    ],
)
def test_the_admin_gives_the_services_answer_on_add_and_change(manager_client, url, event_types, field):
    add = reverse("admin:webhooks_webhookendpoint_add")
    response = manager_client.post(add, {"url": url, "event_types": event_types, "is_active": "on"})
    assert (response.status_code, list(response.context["adminform"].form.errors)) == (200, [field])
    assert not WebhookEndpoint.objects.exists()
    manager_client.post(add, {"url": "https://soc.example.org/ok", "event_types": "[]", "is_active": "on"})
    endpoint = WebhookEndpoint.objects.get()
    change = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    response = manager_client.post(change, {"url": url, "event_types": event_types, "is_active": "on"})
    assert (response.status_code, list(response.context["adminform"].form.errors)) == (200, [field])
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types) == ("https://soc.example.org/ok", [])
    manager_client.post(
        change, {"url": "https://soc.example.org/new", "event_types": '["plan.submitted"]', "is_active": "on"}
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types) == ("https://soc.example.org/new", ["plan.submitted"])


def test_a_reviewer_has_no_webhook_admin(reviewer_client):
    assert reviewer_client.get(reverse("admin:webhooks_webhookendpoint_changelist")).status_code == 403


def test_the_delivery_log_shows_the_answer_and_redelivers(
    manager_client, settings, estonia, as_alice, as_charlie, cycle, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = services.endpoint_create(actor=as_alice, member=estonia, url="http://127.0.0.1:9/closed")
    plan = plan_services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_submit(plan=plan, actor=as_alice)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_error != "") == (DeliveryStatus.PENDING, 1, True)
    log = manager_client.get(reverse("admin:webhooks_webhookdelivery_changelist"))
    assert delivery.event.public_id in log.content.decode()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("admin:webhooks_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)  # tried again at once, still closed
