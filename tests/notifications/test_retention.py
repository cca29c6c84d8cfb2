"""Retention: finished notification rows are pruned after NOTIFICATION_RETENTION_DAYS; work to do never is."""

from datetime import timedelta

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from plans.models import Notification
from plans.tasks import dispatch_notifications, prune_notifications


def _row(cycle, member, name: str, status: str, age_days: int) -> Notification:
    return Notification.objects.create(
        kind="reminder",
        dedupe_key=name,
        cycle=cycle,
        member=member,
        status=status,
        created_at=timezone.now() - timedelta(days=age_days),
        next_attempt_at=timezone.now() + timedelta(days=1),
    )


def test_old_finished_rows_are_pruned_and_pending_or_waiting_ones_kept(cycle, estonia, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    for status in ("sent", "cancelled", "failed", "pending", "waiting"):
        _row(cycle, estonia, f"old-{status}", status, age_days=31)
    _row(cycle, estonia, "recent-sent", "sent", age_days=29)
    assert prune_notifications.apply().get() == 3
    assert prune_notifications.apply().get() == 0
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == [
        "old-pending",
        "old-waiting",
        "recent-sent",
    ]


def test_a_retention_of_zero_keeps_everything(cycle, estonia, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 0
    _row(cycle, estonia, "ancient", "sent", age_days=3000)
    assert prune_notifications.apply().get() == 0


def test_the_pruning_runs_daily_and_the_dispatchers_every_minute(db):
    prune = PeriodicTask.objects.get(task="plans.prune_notifications")
    assert (prune.enabled, prune.crontab.minute, prune.crontab.hour) == (True, "25", "3")
    for name in ("plans.dispatch_notifications", "reports.dispatch_reports"):
        task = PeriodicTask.objects.get(task=name)
        assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "minutes")
    assert dispatch_notifications.apply().get() == {}
