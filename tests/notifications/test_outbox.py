"""The e-mail outbox: rows written with the change, sent after commit, claimed with a lease, sent once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from plans import services
from plans.models import Notification
from plans.notifications import notification_lease, notifications_dispatch, notifications_lease_due
from plans.tasks import send_notification
from tests.api.conftest import key_client
from tests.broker import broker_down
from tests.factories import valid_content


@pytest.fixture
def draft(cycle, estonia, alice, charlie, as_alice):
    return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


def kinds(**filters) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(**filters).values_list("kind", "status"))


def test_a_rolled_back_submission_leaves_no_email(draft, as_alice, django_capture_on_commit_callbacks):
    def submit_then_fail() -> None:
        with transaction.atomic():
            services.plan_submit(plan=draft, actor=as_alice)
            raise RuntimeError("the caller's transaction fails after the submission")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        submit_then_fail()
    assert (callbacks, Notification.objects.count(), mail.outbox) == ([], 0, [])


def test_an_api_submission_with_the_broker_down_answers_201_and_its_emails_wait(
    draft, django_capture_on_commit_callbacks
):
    client = key_client(draft.member, ["read", "write", "submit"], name="ee-erp")
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/v1/plans/{draft.pk}/submit/", HTTP_IDEMPOTENCY_KEY="submit-1")
        again = client.post(f"/api/v1/plans/{draft.pk}/submit/", HTTP_IDEMPOTENCY_KEY="submit-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["sha256"] == again.json()["sha256"]
    assert kinds() == [("receipt", "pending"), ("staff_submission", "pending")]
    assert mail.outbox == []

    # The broker is back: the dispatcher sends both, once.
    assert notifications_dispatch() == {"sent": 2}
    assert notifications_dispatch() == {}
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@ee.example.org", "charlie@staff.example.org"]


def test_a_web_submission_with_the_broker_down_shows_the_receipt(
    draft, alice, client, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/plans/{draft.pk}/submit/", follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.latest_version.sha256 in response.content.decode()
    assert kinds() == [("receipt", "pending"), ("staff_submission", "pending")]


def test_a_leased_row_is_not_sent_by_anyone_else_until_its_lease_runs_out(
    draft, as_alice, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_LEASE_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=False):  # the after-commit tasks are lost
        services.plan_submit(plan=draft, actor=as_alice)
    receipt = Notification.objects.get(kind="receipt")
    now = timezone.now()
    # A worker claims the receipt, then is killed before it sends anything.
    assert notification_lease(notification_id=receipt.pk, now=now) is True
    assert notification_lease(notification_id=receipt.pk, now=now) is False
    assert send_notification.apply(kwargs={"notification_id": receipt.pk}).get() == "pending"
    with time_machine.travel(now + timedelta(seconds=299), tick=False):
        assert notifications_dispatch() == {"sent": 1}  # the staff notice only
    with time_machine.travel(now + timedelta(seconds=301), tick=False):
        assert notifications_dispatch() == {"sent": 1}  # the receipt, once its lease ran out
    receipt.refresh_from_db()
    assert (receipt.status, receipt.attempts, receipt.lease_until) == ("sent", 2, None)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@ee.example.org", "charlie@staff.example.org"]


def test_two_dispatchers_claim_disjoint_rows(draft, as_alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.plan_submit(plan=draft, actor=as_alice)
    first_worker = notifications_lease_due(limit=1)
    second_worker = notifications_lease_due(limit=10)
    third_worker = notifications_lease_due(limit=10)
    assert (len(first_worker), len(second_worker), third_worker) == (1, 1, [])
    assert set(first_worker) | set(second_worker) == set(Notification.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_marking_a_mail_sent_survives_a_database_blip(draft, as_alice, settings):
    settings.EMAIL_MARK_SENT_RETRY_SECONDS = 10
    with broker_down():  # the e-mails wait for the dispatcher
        services.plan_submit(plan=draft, actor=as_alice)
    failures = []

    def database_blip(execute, sql, params, many, context):
        # The database drops the first UPDATE that records a send, as during a restart.
        if sql.startswith('UPDATE "plans_notification"') and "sent" in (params or ()) and not failures:
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_blip):
        outcome = notifications_dispatch()
    assert (outcome, len(failures)) == ({"sent": 2}, 1)
    assert kinds() == [("receipt", "sent"), ("staff_submission", "sent")]
    assert len(mail.outbox) == 2
    assert notifications_dispatch() == {}  # nothing to send again


def test_each_message_carries_a_message_id_derived_from_its_row(draft, as_alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=draft, actor=as_alice)
    receipt = Notification.objects.get(kind="receipt")
    [message] = [m for m in mail.outbox if m.to == ["alice@ee.example.org"]]
    assert message.extra_headers["Message-ID"] == f"<notification-{receipt.pk}-en@127.0.0.1>"


def test_a_dispatcher_out_of_time_hands_the_rows_it_did_not_try_back(draft, as_alice, settings):
    with broker_down():
        services.plan_submit(plan=draft, actor=as_alice)
    settings.EMAIL_LEASE_SECONDS = 0  # half of it is over before the first send
    assert notifications_dispatch() == {"handed_back": 2}
    assert list(Notification.objects.values_list("status", "attempts", "lease_until")) == [("pending", 0, None)] * 2
    settings.EMAIL_LEASE_SECONDS = 300
    assert notifications_dispatch() == {"sent": 2}
