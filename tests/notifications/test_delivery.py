"""Sending through a real local SMTP server: transient failures retried, permanent ones recorded."""

import time_machine
from django.core import mail

from members.actors import Actor
from plans.enums import NotificationStatus
from plans.models import Notification
from plans.notifications import MAX_ATTEMPTS, notification_retry
from plans.reminders import reminder_pass
from tests.notifications.conftest import at, text_body


def _pass(capture) -> list[Notification]:
    with time_machine.travel(at("2025-06-23 09:00"), tick=False), capture(execute=True):
        claimed = reminder_pass(at=at("2025-06-23 09:00"))
    return [Notification.objects.get(pk=n.pk) for n in claimed if n.member.code == "EE"]


def test_a_transient_smtp_failure_is_retried_then_delivered(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 1
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert (notification.status, notification.attempts, notification.last_error) == (NotificationStatus.SENT, 2, "")
    assert smtp_server.attempts == 2
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["alice@ee.example.org"]
    assert "The plan of Estonia for 2025 is due in 7 days." in text_body(smtp_server.messages[0])


def test_a_permanent_smtp_failure_is_recorded_and_not_retried(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 99
    smtp_server.reply = "554 5.7.1 Message rejected"
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert (notification.status, notification.attempts, smtp_server.attempts) == (NotificationStatus.FAILED, 1, 1)
    assert "554" in notification.last_error
    assert "Message rejected" in notification.last_error
    assert smtp_server.messages == []


def test_retries_stop_at_the_cap_and_the_last_error_is_recorded(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 99
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, MAX_ATTEMPTS)
    assert smtp_server.attempts == MAX_ATTEMPTS
    assert "451" in notification.last_error


def test_a_connection_refused_is_retried_and_recorded(
    ladder_cycle, estonia, alice, settings, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, MAX_ATTEMPTS)
    assert notification.last_error.startswith("ConnectionRefusedError")


def test_staff_retry_sends_a_failed_notification_once(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 1
    smtp_server.reply = "550 5.1.1 Mailbox unavailable"
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert notification.status == NotificationStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_retry(notification=notification, actor=Actor.system())
        second = notification_retry(notification=notification, actor=Actor.system())
    notification.refresh_from_db()
    assert (first, second, notification.status, len(smtp_server.messages)) == (True, False, "sent", 1)


def test_a_sent_notification_is_not_sent_again_by_a_second_task(
    ladder_cycle, estonia, alice, django_capture_on_commit_callbacks
):
    from plans.tasks import send_notification

    [notification] = _pass(django_capture_on_commit_callbacks)
    result = send_notification.apply(kwargs={"notification_id": notification.pk}).get()
    assert (result, len(mail.outbox)) == ("sent", 1)


def test_a_task_for_a_deleted_notification_returns_quietly(db):
    from plans.tasks import send_notification

    assert send_notification.apply(kwargs={"notification_id": 987654}).get() == ""


def test_a_reminder_queued_before_a_submission_is_not_sent(
    ladder_cycle, estonia, alice, as_alice, django_capture_on_commit_callbacks
):
    from plans import services
    from tests.factories import valid_content

    with time_machine.travel(at("2025-06-23 09:00"), tick=False):
        plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        with django_capture_on_commit_callbacks() as queued:  # claimed, not yet sent
            reminder_pass()
        services.plan_submit(plan=plan, actor=as_alice)
        for send in queued:
            send()
    reminder = Notification.objects.get(kind="reminder", member=estonia)
    assert (reminder.status, reminder.last_error) == (
        NotificationStatus.CANCELLED,
        "Not sent: the plan was submitted meanwhile.",
    )
    assert mail.outbox == []


def test_the_periodic_task_queues_again_a_pending_notification_whose_task_was_lost(
    ladder_cycle, estonia, alice, django_capture_on_commit_callbacks
):
    from plans.tasks import send_reminders

    with time_machine.travel(at("2025-06-23 09:00"), tick=False), django_capture_on_commit_callbacks():
        reminder_pass()  # claimed, but its task never ran (the callbacks are dropped)
    with time_machine.travel(at("2025-06-23 09:30"), tick=False), django_capture_on_commit_callbacks(execute=True):
        send_reminders.apply()
    assert mail.outbox == []  # too recent to be presumed lost: its task may still be waiting
    with time_machine.travel(at("2025-06-23 10:30"), tick=False), django_capture_on_commit_callbacks(execute=True):
        send_reminders.apply()
    reminder = Notification.objects.get(member=estonia)
    assert (reminder.status, [m.to for m in mail.outbox]) == (NotificationStatus.SENT, [["alice@ee.example.org"]])
