import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from tests.notifications.conftest import at


def test_the_reminder_pass_is_scheduled_hourly_in_the_database(db):
    task = PeriodicTask.objects.get(task="plans.send_reminders")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "hours")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_reminders_runs_one_pass_and_prints_what_it_sent(ladder_cycle, estonia, alice, capsys):
    """Transactional: the pass commits, and its e-mails go out before it prints."""
    from members.models import Member
    from plans.models import Plan

    Plan.objects.bulk_create(
        Plan(cycle=ladder_cycle, member=member, status="accepted") for member in Member.objects.exclude(code="EE")
    )
    with time_machine.travel(at("2025-06-23 09:00"), tick=False):
        call_command("send_reminders")
        call_command("send_reminders")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "sent reminder before-7 EE 2025 to alice@ee.example.org",
        "1 reminder(s) claimed.",
        "0 reminder(s) claimed.",
    ]
    assert len(mail.outbox) == 1


def test_send_reminders_dry_run_claims_nothing(ladder_cycle, estonia, alice, capsys):
    with time_machine.travel(at("2025-06-23 09:00"), tick=False):
        call_command("send_reminders", "--dry-run")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 32
    assert out[0].startswith("due reminder before-7 reminder:")
    assert mail.outbox == []
