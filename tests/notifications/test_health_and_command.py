import json
import socket

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from tests.notifications.conftest import at


def test_health_without_a_broker_reports_the_database(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/health/")
    assert (response.status_code, response.json()) == (
        200,
        {
            "status": "ok",
            "checks": {"database": {"ok": True}, "workers": {"ok": True, "workers": 0, "mode": "in-process"}},
        },
    )


def test_health_is_503_when_the_broker_is_down_and_leaks_no_url(client, db, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://:s3cret@127.0.0.1:{port}/0"
    response = client.get("/health/")
    body = response.json()
    assert (response.status_code, body["status"], body["checks"]["redis"]["ok"]) == (503, "unavailable", False)
    assert body["checks"]["workers"] == {"ok": False, "workers": 0}
    assert "s3cret" not in json.dumps(body)
    assert str(port) not in json.dumps(body)


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
