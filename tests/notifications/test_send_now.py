import pytest
import time_machine
from django.core import mail

from plans.enums import NotificationKind, NotificationStatus
from plans.errors import NotAllowed
from plans.models import Notification
from plans.reminders import reminder_send_now
from tests.notifications.conftest import at


@time_machine.travel(at("2025-06-25 09:00"), tick=False)
def test_send_now_sends_the_rung_due_then_a_manual_reminder(
    ladder_cycle, estonia, alice, as_charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_charlie)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_charlie)
    first.refresh_from_db()
    second.refresh_from_db()
    assert [(first.kind, first.rung, first.status), (second.kind, second.rung, second.status)] == [
        (NotificationKind.REMINDER, "before-7", NotificationStatus.SENT),
        (NotificationKind.REMINDER, "manual", NotificationStatus.SENT),
    ]
    assert [m.to for m in mail.outbox] == [["alice@ee.example.org"], ["alice@ee.example.org"]]


@time_machine.travel(at("2025-06-25 09:00"), tick=False)
def test_send_now_twice_in_a_minute_sends_one_manual_reminder(
    ladder_cycle, estonia, alice, as_charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_charlie)
        manual = reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_charlie)
        again = reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_charlie)
    assert (manual is not None, again) == (True, None)
    assert len(mail.outbox) == 2


def test_send_now_is_for_staff_only(ladder_cycle, estonia, alice, as_alice):
    with pytest.raises(NotAllowed):
        reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_alice)
    assert mail.outbox == []


def test_send_now_skips_a_member_whose_plan_is_in(ladder_cycle, estonia, alice, as_alice, as_charlie):
    from plans import services
    from tests.factories import valid_content

    plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    assert reminder_send_now(cycle=ladder_cycle, member=estonia, actor=as_charlie) is None
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER).exists()
