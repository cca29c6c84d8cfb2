"""Writes on what the core app owns."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import IdempotencyKey, SecurityEvent
from .security import client_ip, current_request, user_agent


def idempotency_keys_prune(*, now: datetime | None = None) -> int:
    """Delete the Idempotency-Keys whose replay window has ended; returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _person(user: Any) -> Any:
    """A user row, or None for the anonymous and for API keys (which have no pk)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return user


def security_event_record(
    *,
    kind: str,
    user: Any = None,
    actor: Any = None,
    identifier: str = "",
    ip_address: str | None = None,
    detail: dict | None = None,
    request: Any = None,
) -> SecurityEvent:
    """Append one event to the security log.

    The address, client and acting person come from `request`, or from the request being
    served when none is given (services called by a door), unless given explicitly.
    """
    request = request if request is not None else current_request()
    agent = ""
    if request is not None:
        ip_address = ip_address or client_ip(request)
        agent = user_agent(request)
        if actor is None:
            actor = _person(getattr(request, "user", None))
    user = _person(user)
    actor = _person(actor)
    if user is not None and actor is not None and actor.pk == user.pk:
        actor = None  # the account acted itself: one name is enough
    if not identifier and user is not None:
        identifier = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor,
        identifier=identifier[:254],
        ip_address=ip_address,
        user_agent=agent,
        detail=detail or {},
    )


def security_events_prune(*, now: datetime | None = None) -> int:
    """Delete the security events older than SECURITY_LOG_RETENTION_DAYS; returns how many.

    The only deletion of the log: the app-level guard is stepped around on purpose here, and
    on PostgreSQL the trigger still refuses any row younger than SECURITY_LOG_MINIMUM_DAYS.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS)
    expired = SecurityEvent.objects.filter(at__lt=cutoff)
    deleted, _by_model = models.QuerySet.delete(expired)
    return deleted
