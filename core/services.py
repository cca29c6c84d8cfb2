"""Writes on what the core app owns."""

from datetime import datetime

from django.utils import timezone

from .models import IdempotencyKey


def idempotency_keys_prune(*, now: datetime | None = None) -> int:
    """Delete the Idempotency-Keys whose replay window has ended; returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
