from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import SecurityEventKind


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for a POST: the first response is replayed until `expires_at`."""

    principal = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expires_idx")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"

    @property
    def is_complete(self) -> bool:
        return self.response_status is not None


class ImmutableRecordError(Exception):
    """An append-only record was to be changed or deleted: no service ever does that."""


class ImmutableQuerySet(models.QuerySet):
    """Refuses bulk changes; the rows of an append-only table are written once.

    This is the application's guard, which SQLite relies on; PostgreSQL also has a trigger
    (django-pgtrigger) that refuses the UPDATE or DELETE whatever sends it.
    """

    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(f"{self.model.__name__} rows are never changed.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise ImmutableRecordError(f"{self.model.__name__} rows are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(f"{self.model.__name__} rows are never deleted.")

    delete.queryset_only = True  # type: ignore[attr-defined]  # as Django marks QuerySet.delete


class ImmutableModel(models.Model):
    """A row that is inserted once and never saved again nor deleted (see ImmutableQuerySet)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} {self.pk} is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(f"{type(self).__name__} {self.pk} is never deleted.")


# The database refuses to delete security events younger than this, whatever the application
# asks (settings.SECURITY_LOG_MINIMUM_DAYS says the same; a test keeps them equal). Changing it
# needs a migration, which reinstalls the trigger.
SECURITY_LOG_MINIMUM_DAYS = 30


class SecurityEvent(ImmutableModel):
    """One entry of the append-only security log: sign-ins, second steps, keys, downloads, rights.

    `user` is the account concerned; `actor` the person who acted when that is someone else
    (staff changing a user's groups). Users are never deleted once they appear here.
    """

    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("event"), max_length=40, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("done by"),
    )
    identifier = models.CharField(
        _("identifier"), max_length=254, blank=True, help_text=_("The e-mail address given, or the API key's prefix.")
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser or client"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        # Nobody adds, changes or deletes events by hand: only viewing and exporting are rights.
        default_permissions = ("view",)
        permissions = [("export_securityevent", _("Can export the security log"))]
        indexes = [
            models.Index(fields=["at"], name="security_event_at_idx"),
            models.Index(fields=["kind", "at"], name="security_event_kind_at_idx"),
            models.Index(fields=["user", "at"], name="security_event_user_at_idx"),
            models.Index(fields=["ip_address", "at"], name="security_event_ip_at_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="security_event_no_update", operation=pgtrigger.Update),
            pgtrigger.Protect(
                name="security_event_keep_recent",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition(f"OLD.\"at\" > NOW() - INTERVAL '{SECURITY_LOG_MINIMUM_DAYS} days'"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.identifier}"
