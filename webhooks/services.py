"""Events: recorded in the caller's transaction (the outbox), read as a feed, delivered to endpoints.

`event_record` is called by the services that make a change, inside their transaction: the event,
and a delivery for each endpoint that wants it, commit or roll back with the change itself. The
deliveries are queued after commit (`webhooks.deliver`).

The feed's order: each event takes the next `position` while holding a transaction-level
advisory lock (PostgreSQL), released only at commit or rollback. So a position is never given
while an earlier one is still uncommitted, and a reader that has seen position n will never later
find a committed event below n: a cursor `after=n` skips nothing and repeats nothing. Ids from a
sequence would not do: they are taken in insert order but become visible in commit order. The
lock is held from the event's insert to the commit, so services record their event last.
SQLite serialises writers anyway.
"""

import base64
import logging
import random
import secrets
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid, NotAllowed
from core.findings import Finding
from core.jsonwire import dumps, rfc3339
from core.permissions import MANAGE_WEBHOOKS, VIEW_ALL_PLANS, VIEW_PLAN
from core.queue import enqueue_on_commit
from members.actors import Actor
from members.models import Member

from .enums import DeliveryStatus, EventType
from .models import EXCERPT_LENGTH, Event, WebhookDelivery, WebhookEndpoint
from .outbound import Refused, check_target, post

logger = logging.getLogger(__name__)

# An arbitrary constant naming the feed's lock among the database's advisory locks.
FEED_LOCK = 0x5EED_0001
SECRET_BYTES = 32
# Retries: exponential from WEBHOOKS_FIRST_RETRY_SECONDS, doubled each time, capped, with "equal
# jitter" (half the step fixed, half random): about a day in all.
MAX_RETRY_SECONDS = 4 * 60 * 60
MAX_ATTEMPTS = 14


# Recording -----------------------------------------------------------------------------------


def _next_position() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
    last = Event.objects.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def event_record(*, type: EventType, member: Member | int | None, data: dict[str, Any]) -> Event:
    """Write an event (and its deliveries) in the current transaction; `member` None: every member's."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record belongs in the transaction of the change it records")
    member_id = member.pk if isinstance(member, Member) else member
    # Stored as the JSON it is sent as: moments in UTC with Z, decimals as strings.
    event = Event.objects.create(
        type=type, member_id=member_id, data=orjson.loads(dumps(data)), position=_next_position()
    )
    endpoints = endpoints_for(event)
    if endpoints:
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=event.created_at) for endpoint in endpoints
        )
        for delivery in deliveries:
            enqueue_on_commit("webhooks.deliver", delivery_id=delivery.pk)
    return event


def endpoints_for(event: Event) -> list[WebhookEndpoint]:
    """The active endpoints that receive this event: its member's (or every member's), and staff-wide ones."""
    # An event for every member (member empty) goes to every endpoint; a member's event to that
    # member's endpoints and the staff-wide ones.
    audience = Q() if event.member_id is None else Q(member_id=event.member_id) | Q(member__isnull=True)
    endpoints = WebhookEndpoint.objects.filter(audience, is_active=True)
    return [e for e in endpoints if not e.event_types or event.type in e.event_types]


def event_body(event: Event) -> dict[str, Any]:
    """The event as a webhook carries it and the feed lists it (Standard Webhooks' payload shape)."""
    return {"id": event.public_id, "type": event.type, "timestamp": rfc3339(event.created_at), "data": event.data}


# The feed ------------------------------------------------------------------------------------


def events_visible_to(actor: Actor) -> QuerySet[Event]:
    """The events the actor may read: staff who read every plan, all; a member, its own and everyone's."""
    if actor.can(VIEW_ALL_PLANS):
        return Event.objects.all()
    member_id = actor.member_id
    if member_id is None or not actor.can(VIEW_PLAN, Member(pk=member_id)):
        raise NotAllowed(_("Only staff who read every plan, or a member's readers, follow events."))
    return Event.objects.filter(Q(member_id=member_id) | Q(member__isnull=True))


# Endpoints -----------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def endpoints_visible_to(actor: Actor) -> QuerySet[WebhookEndpoint]:
    """The endpoints the actor manages: all for staff who manage webhooks; a member's own for its managers."""
    if actor.member_id is None:
        return WebhookEndpoint.objects.all() if actor.can(MANAGE_WEBHOOKS) else WebhookEndpoint.objects.none()
    if not actor.can(MANAGE_WEBHOOKS, Member(pk=actor.member_id)):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(member_id=actor.member_id)


def _check_may_manage(actor: Actor, member: Member | None) -> None:
    allowed = actor.can(MANAGE_WEBHOOKS, member) if member is not None else actor.can(MANAGE_WEBHOOKS)
    if member is None and actor.member_id is not None:
        allowed = False  # a member's key or delegate never registers a staff-wide endpoint
    if not allowed:
        raise NotAllowed(_("You may not manage webhooks here."))


def endpoint_validate(*, url: str, event_types: list[str] | None) -> list[Finding]:
    """What `endpoint_create` and `endpoint_update` would refuse, per field; writes nothing."""
    findings = []
    try:
        check_target(url, resolve=False)
    except Refused as exc:
        findings.append(Finding("url", "refused", str(exc), "error"))
    unknown = sorted(set(event_types or []) - set(EventType.values))
    if unknown:
        findings.append(
            Finding("event_types", "invalid", _("Unknown event type(s): %s.") % ", ".join(unknown), "error")
        )
    return findings


def _check_own_member(actor: Actor, member: Member | None) -> None:
    if actor.member_id is not None and member is not None and member.pk != actor.member_id:
        raise Invalid([Finding("member", "not_own", _("A member registers endpoints for itself only."), "error")])


@transaction.atomic
def endpoint_create(
    *, actor: Actor, member: Member | None, url: str, description: str = "", event_types: list[str] | None = None
) -> WebhookEndpoint:
    """Register an endpoint with a new secret (the caller shows it once); `member` None: staff-wide."""
    _check_own_member(actor, member)
    _check_may_manage(actor, member)
    findings = endpoint_validate(url=url, event_types=event_types)
    if findings:
        raise Invalid(findings)
    return WebhookEndpoint.objects.create(
        member=member,
        url=url,
        description=description,
        event_types=sorted(set(event_types or [])),
        secret=new_secret(),
        created_by=actor.user if actor.api_key is None and actor.user and actor.user.is_authenticated else None,
        created_by_key=actor.api_key,
    )


@transaction.atomic
def endpoint_update(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Save an edited endpoint (the admin's form) under the rules of `endpoint_create`; the secret stays."""
    before = WebhookEndpoint.objects.select_related("member").get(pk=endpoint.pk)
    _check_may_manage(actor, before.member)
    _check_own_member(actor, endpoint.member)
    _check_may_manage(actor, endpoint.member)
    findings = endpoint_validate(url=endpoint.url, event_types=endpoint.event_types)
    if findings:
        raise Invalid(findings)
    endpoint.event_types = sorted(set(endpoint.event_types or []))
    endpoint.save(update_fields=["member", "url", "description", "event_types", "is_active"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing beside it for WEBHOOKS_SECRET_GRACE_HOURS."""
    _check_may_manage(actor, endpoint.member)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOKS_SECRET_GRACE_HOURS)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    _check_may_manage(actor, endpoint.member)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def endpoint_enable(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Turn a disabled endpoint on again; its failure clock starts afresh."""
    _check_may_manage(actor, endpoint.member)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, failing_since=None, disabled_at=None, disabled_reason=""
    )


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its grace period."""
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        found.append(endpoint.previous_secret)
    return found


# Delivering ----------------------------------------------------------------------------------


def retry_delay(attempt: int) -> float:
    """Seconds before retry `attempt` (1-based): exponential with full jitter, capped.

    The sum over MAX_ATTEMPTS is about a day (on average half the cap per late attempt).
    """
    ceiling = min(MAX_RETRY_SECONDS, settings.WEBHOOKS_FIRST_RETRY_SECONDS * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter, not a secret


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> tuple[str, float | None]:
    """Try one delivery now: (status, seconds until the next try or None).

    The attempt is claimed by a conditional UPDATE on the attempt counter that also leases the
    delivery (next_attempt_at moves WEBHOOKS_LEASE_SECONDS ahead), so two workers holding the same
    task, or the sweep finding it due meanwhile, do not both send this attempt.
    A receiver may still see an event twice (it answered, we crashed before recording it): it
    deduplicates by `webhook-id`, which is the event's id on every attempt.
    """
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return (delivery.status if delivery else ""), None
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return delivery.status, None
    now = now or timezone.now()
    # Only a due attempt is claimed: a task that comes early or twice (the broker may deliver a
    # delayed message again) finds nothing to do.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts, next_attempt_at__lte=now
    ).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        # The lease: not due again while this call may still be waiting (see WEBHOOKS_LEASE_SECONDS).
        next_attempt_at=now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS),
    )
    if not claimed:
        return DeliveryStatus.PENDING, None
    attempt = delivery.attempts + 1
    body = dumps(event_body(delivery.event))
    try:
        answer = post(
            endpoint.url,
            body=body,
            message_id=delivery.event.public_id,
            secrets=signing_secrets(endpoint, now),
            at=now,
        )
        ok, code, elapsed_ms, excerpt, error = 200 <= answer.status < 300, answer.status, answer.ms, answer.excerpt, ""
    except Refused as exc:
        ok, code, elapsed_ms, excerpt, error = False, None, None, "", f"refused: {exc}"
    except OSError as exc:
        ok, code, elapsed_ms, excerpt, error = False, None, None, "", f"{type(exc).__name__}: {exc}"
    if not ok and not error:
        error = _("The receiver answered %(code)s.") % {"code": code}
    changes: dict[str, Any] = {
        "response_status": code,
        "response_ms": elapsed_ms,
        "response_excerpt": excerpt[:EXCERPT_LENGTH],
        "last_error": error[:500],
    }
    if ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None, **changes
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(failing_since=None)
        return DeliveryStatus.SUCCEEDED, None
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    if attempt >= MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, **changes
        )
        endpoint_disable_if_failing(endpoint_id=endpoint.pk, now=now)
        return DeliveryStatus.FAILED, None
    delay = retry_delay(attempt)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + timedelta(seconds=delay), **changes)
    endpoint_disable_if_failing(endpoint_id=endpoint.pk, now=now)
    return DeliveryStatus.PENDING, delay


def endpoint_disable_if_failing(*, endpoint_id: int, now: datetime) -> bool:
    """Disable an endpoint that has failed for WEBHOOKS_DISABLE_AFTER_HOURS and tell its owners, once."""
    cutoff = now - timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    disabled = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True, failing_since__lte=cutoff).update(
        is_active=False,
        disabled_at=now,
        disabled_reason=_("Every delivery failed for %(hours)s hours.")
        % {"hours": settings.WEBHOOKS_DISABLE_AFTER_HOURS},
    )
    if disabled:
        enqueue_on_commit("webhooks.tell_disabled", endpoint_id=endpoint_id)
    return bool(disabled)


@transaction.atomic
def delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (staff, from the log): a fresh round of attempts, the same webhook-id."""
    _check_may_manage(actor, delivery.endpoint.member)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    enqueue_on_commit("webhooks.deliver", delivery_id=delivery.pk)
    return delivery


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due (a lost task, a worker restart): the periodic sweep."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        ).values_list("pk", flat=True)[:limit]
    )


def endpoint_owners(endpoint: WebhookEndpoint) -> list[tuple[str, str]]:
    """(e-mail, language) of who answers for an endpoint: the member's heads of delegation, or its registrant."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if endpoint.member_id is not None:
        owners = users.filter(delegate__member_id=endpoint.member_id, delegate__role="submitter")
    else:
        owners = users.filter(pk=endpoint.created_by_id) if endpoint.created_by_id else users.none()
        if not owners.exists():
            owners = users.filter(is_superuser=True)
    return list(owners.order_by("email").values_list("email", "language"))


def endpoint_tell_disabled(*, endpoint_id: int) -> int:
    """E-mail the owners of a disabled endpoint, each in their language; returns how many were told."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    endpoint = WebhookEndpoint.objects.select_related("member").filter(pk=endpoint_id, is_active=False).first()
    if endpoint is None:
        return 0
    owners = endpoint_owners(endpoint)
    for email, language in owners:
        with translation.override(language or "en"):
            context = {"endpoint": endpoint, "hours": settings.WEBHOOKS_DISABLE_AFTER_HOURS}
            subject = " ".join(render_to_string("webhooks/email/disabled_subject.txt", context).split())
            text = render_to_string("webhooks/email/disabled.txt", context)
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    logger.warning("webhook endpoint %s disabled; told %s", endpoint.pk, ", ".join(e for e, _l in owners))
    return len(owners)
