"""Through a real Celery worker and a local SMTP server: API submission receipts and reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from members.actors import Actor
from members.services import api_key_issue
from plans import services
from plans.enums import NotificationStatus
from plans.models import Cycle, Notification
from plans.reminders import reminder_pass
from tests.factories import valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def wait_for_status(pk: int, status: str, timeout: float = 30) -> Notification:
    import time

    deadline = time.monotonic() + timeout
    notification = Notification.objects.get(pk=pk)
    while notification.status != status and time.monotonic() < deadline:
        time.sleep(0.2)
        notification.refresh_from_db()
    return notification


def test_an_api_submission_gets_its_receipt_through_the_worker(celery_worker, cycle, estonia, alice, charlie, as_alice):
    _process, inbox = celery_worker
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    _record, key = api_key_issue(
        actor=Actor.system(), member=estonia, name="ee-erp", scopes=["read", "write", "submit"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.post(f"/api/v1/plans/{plan.pk}/submit/")
    assert response.status_code == 201
    sha256 = response.json()["sha256"]

    messages = inbox.wait_for(2)
    by_recipient = {m["X-Envelope-To"]: m for m in messages}
    assert sorted(by_recipient) == ["alice@ee.example.org", "charlie@staff.example.org"]
    receipt = text_of(by_recipient["alice@ee.example.org"])
    assert f"SHA-256: {sha256}" in receipt
    assert "This submission is on time." in receipt
    assert by_recipient["alice@ee.example.org"]["Subject"] == "Receipt: Estonia plan 2025, version 1"
    receipt_row = Notification.objects.get(kind="receipt")
    assert wait_for_status(receipt_row.pk, NotificationStatus.SENT).recipients == ["alice@ee.example.org"]


def test_a_reminder_pass_queued_to_the_worker_is_delivered(celery_worker, estonia, alice):
    _process, inbox = celery_worker
    now = timezone.now()
    Cycle.objects.create(year=2026, opens_at=now - timedelta(days=20), deadline=now + timedelta(days=3))
    claimed = reminder_pass()
    estonian = next(n for n in claimed if n.member.code == "EE")
    messages = [m for m in inbox.wait_for(1) if m["X-Envelope-To"] == "alice@ee.example.org"]
    assert len(messages) == 1
    assert "The plan of Estonia for 2026 is due in" in text_of(messages[0])
    assert wait_for_status(estonian.pk, NotificationStatus.SENT).rung == "before-7"
