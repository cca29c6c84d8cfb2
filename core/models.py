from django.db import models
from django.utils import timezone


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
