"""Events (the outbox and the feed), the endpoints that receive them, and each delivery."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import ApiKey, Member

from .enums import DeliveryStatus, EventType

EXCERPT_LENGTH = 500  # of a receiver's answer: enough to see an error, never a whole page


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Event(models.Model):
    """A change a national system may care about, written in the same transaction as the change.

    `position` orders the feed: it is taken under a transaction-long lock (webhooks.services), so
    positions become visible in the order they were given and a cursor never skips one.
    """

    public_id = models.CharField(_("event id"), max_length=40, unique=True, default=new_event_id, editable=False)
    position = models.BigIntegerField(_("position"), unique=True, editable=False)
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    # The member whose event it is; empty for an event every member may see (a cycle opened).
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    data = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["position"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [models.CheckConstraint(condition=models.Q(type__in=EventType.values), name="event_type_valid")]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"


class WebhookEndpoint(models.Model):
    """A URL that receives a member's events (or, with no member, every event: staff-wide), signed."""

    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("member"),
        help_text=_("Leave empty for a staff endpoint that receives every member's events."),
    )
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(
        _("event types"), default=list, blank=True, help_text=_("Empty: every type, new ones included.")
    )
    # The signing secret must be readable to sign (HMAC); it is shown to its owner once.
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["member__code", "id"]
        permissions = [("manage_webhooks", "Can register, rotate and redeliver webhooks of any member")]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return f"{self.member.code if self.member_id else 'staff'}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: retried with backoff under the event's id until it succeeds or gives up."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    response_excerpt = models.CharField(_("response excerpt"), max_length=EXCERPT_LENGTH, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_event_and_endpoint"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"
