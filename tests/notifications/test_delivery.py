"""Sending through a real local SMTP server: transient failures retried over hours, permanent ones recorded."""

from datetime import timedelta

import time_machine
from django.core import mail

from members.actors import Actor
from plans.enums import NotificationStatus
from plans.models import Notification
from plans.notifications import max_attempts, notification_retry, notifications_dispatch, retry_schedule
from plans.reminders import reminder_pass
from tests.local import free_port
from tests.notifications.conftest import at, text_body


def _pass(capture) -> list[Notification]:
    with time_machine.travel(at("2025-06-23 09:00"), tick=False), capture(execute=True):
        claimed = reminder_pass(at=at("2025-06-23 09:00"))
    return [Notification.objects.get(pk=n.pk) for n in claimed if n.member.code == "EE"]


def _dispatch_until_done(start, notification_pk: int, limit: int = 40) -> tuple[Notification, list]:
    """Run the dispatcher at each moment a retry falls due, until the row leaves `pending`."""
    moments = []
    moment = start
    for _ in range(limit):
        notification = Notification.objects.get(pk=notification_pk)
        if notification.status != NotificationStatus.PENDING:
            break
        moment = max(moment, notification.next_attempt_at)
        moments.append(moment)
        with time_machine.travel(moment, tick=False):
            notifications_dispatch(now=moment)
    return Notification.objects.get(pk=notification_pk), moments


def test_a_transient_smtp_failure_is_retried_by_the_dispatcher_then_delivered(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 1
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert (notification.status, notification.attempts, notification.next_attempt_at) == (
        NotificationStatus.PENDING,
        1,
        at("2025-06-23 09:01"),
    )
    assert "451" in notification.last_error
    with time_machine.travel(at("2025-06-23 09:00") + timedelta(seconds=30), tick=False):
        assert notifications_dispatch() == {}  # not due yet
    notification, _moments = _dispatch_until_done(at("2025-06-23 09:01"), notification.pk)
    assert (notification.status, notification.attempts, notification.last_error) == (NotificationStatus.SENT, 2, "")
    assert smtp_server.attempts == 2
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["alice@ee.example.org"]
    assert smtp_server.messages[0]["Message-ID"] == f"<notification-{notification.pk}-en@127.0.0.1>"
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


def test_the_retry_schedule_spans_hours_not_minutes(settings):
    settings.EMAIL_RETRY_HOURS, settings.EMAIL_RETRY_MAX_DELAY_MINUTES = 8, 60
    minutes = [int(wait.total_seconds() // 60) for wait in retry_schedule()]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]
    assert (max_attempts(), sum(minutes)) == (13, 423)  # seven hours of retries before "failed"


def test_retries_stop_after_the_retry_period_and_the_last_error_is_recorded(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 99
    [notification] = _pass(django_capture_on_commit_callbacks)
    notification, moments = _dispatch_until_done(at("2025-06-23 09:01"), notification.pk)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, max_attempts())
    assert smtp_server.attempts == max_attempts()
    assert moments[-1] - at("2025-06-23 09:00") == timedelta(minutes=423)
    assert "451" in notification.last_error


def test_an_smtp_server_down_for_fifteen_minutes_loses_no_mail(
    ladder_cycle, estonia, alice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.failures = 5  # attempts at 09:00, :01, :03, :07 and :15 fail; :31 succeeds
    [notification] = _pass(django_capture_on_commit_callbacks)
    notification, moments = _dispatch_until_done(at("2025-06-23 09:01"), notification.pk)
    assert (notification.status, notification.attempts, len(smtp_server.messages)) == (NotificationStatus.SENT, 6, 1)
    assert moments[-1] == at("2025-06-23 09:31")


def test_a_connection_refused_is_retried_and_recorded(
    ladder_cycle, estonia, alice, settings, django_capture_on_commit_callbacks
):
    port = free_port()  # a port nobody listens on
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_RETRY_HOURS = 0.1  # waits of 1 and 2 minutes, then failed
    [notification] = _pass(django_capture_on_commit_callbacks)
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)
    notification, _moments = _dispatch_until_done(at("2025-06-23 09:01"), notification.pk)
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 3)
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


def test_the_dispatcher_sends_a_pending_notification_whose_task_was_lost(
    ladder_cycle, estonia, alice, django_capture_on_commit_callbacks
):
    from plans.tasks import dispatch_notifications

    with time_machine.travel(at("2025-06-23 09:00"), tick=False), django_capture_on_commit_callbacks():
        reminder_pass()  # written, but its task never ran (the callbacks are dropped: a broker outage)
    with time_machine.travel(at("2025-06-23 09:01"), tick=False):
        # The other 31 allies have no delegate: their reminders wait for one.
        assert dispatch_notifications.apply().get() == {"sent": 1, "waiting": 31}
        assert dispatch_notifications.apply().get() == {}
    reminder = Notification.objects.get(member=estonia)
    assert (reminder.status, [m.to for m in mail.outbox]) == (NotificationStatus.SENT, [["alice@ee.example.org"]])
