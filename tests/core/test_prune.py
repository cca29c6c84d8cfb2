from datetime import timedelta

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.models import IdempotencyKey
from core.services import idempotency_keys_prune
from core.tasks import prune_idempotency_keys


def _key(name: str, expires_in: timedelta) -> IdempotencyKey:
    now = timezone.now()
    return IdempotencyKey.objects.create(
        principal="key:abc", key=name, endpoint="/api/v1/plans/", request_hash="0" * 64, expires_at=now + expires_in
    )


def test_prune_deletes_only_expired_keys(db):
    _key("old", -timedelta(seconds=1))
    _key("fresh", timedelta(hours=1))
    assert idempotency_keys_prune() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_prune_task_runs_the_service_and_is_scheduled_daily(db):
    _key("old", -timedelta(minutes=5))
    assert prune_idempotency_keys.apply().get() == 1
    assert prune_idempotency_keys.apply().get() == 0
    task = PeriodicTask.objects.get(task="core.prune_idempotency_keys")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "days")
