"""Staff and webhooks in the admin: register for any member or staff-wide, read the log, redeliver."""

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
