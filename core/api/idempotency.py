"""`Idempotency-Key` for POSTs that create something (a draft, a submission).

The key is claimed by inserting its row before the work starts (committed at once, outside
any transaction), so that a retry arriving while the first request still runs finds the row
without a response and gets 409 instead of doing the work twice; the unique constraint on
(principal, key) makes the claim a database fact even for two simultaneous requests. The
first successful response is stored and replayed for 24 hours. A failed request releases its
key, so that the client can fix the problem and retry with the same key.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from core.jsonwire import dumps
from core.models import IdempotencyKey

from .errors import Conflict, Unprocessable
from .principal import principal as principal_of

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
REPLAYED_HEADERS = ("ETag", "Location")

PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e](?:[\\x20-\\x7e]*[\\x21-\\x7e])?$"},
    OpenApiParameter.HEADER,
    description=(
        "Optional. A unique string (1-255 printable ASCII characters) per intended operation. A retry "
        "with the same key and body within 24 hours replays the first successful response and does "
        "nothing new; the same key with another body gets 422; a retry while the first request is "
        "still running gets 409. Keys expire after 24 hours; a failed request frees its key."
    ),
)


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def request_hash(endpoint: str, data: Any) -> str:
    """What makes two requests the same: the endpoint and the parsed body.

    Python's json, not orjson: a body the parser accepted may hold what orjson refuses to write
    (an integer past 64 bits, nesting past 255 levels), and hashing must not fail on any of it.
    Written compactly and unescaped, it gives the bytes orjson gives where orjson can write them.
    """
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(endpoint.encode() + b"\n" + body.encode()).hexdigest()


def _valid_key(value: str) -> bool:
    return 0 < len(value) <= 255 and all(32 <= ord(char) < 127 for char in value)


def idempotent(request: Request, work: Callable[[], Response]) -> Response:
    """Run `work` once per (caller, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    if not _valid_key(key):
        raise exceptions.ValidationError({HEADER: [_("Give 1 to 255 printable ASCII characters.")]}, code="invalid")
    principal = principal_of(request) or "anonymous"
    endpoint = request.path[:200]
    body_hash = request_hash(endpoint, request.data)
    now = timezone.now()

    IdempotencyKey.objects.filter(principal=principal, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(
                principal=principal,
                key=key,
                endpoint=endpoint,
                request_hash=body_hash,
                created_at=now,
                expires_at=now + LIFETIME,
            )
    except IntegrityError:
        return _replay(principal=principal, key=key, endpoint=endpoint, request_hash=body_hash)

    try:
        response = work()
    except BaseException:
        IdempotencyKey.objects.filter(pk=claim.pk).delete()
        raise
    if not 200 <= response.status_code < 300:
        IdempotencyKey.objects.filter(pk=claim.pk).delete()
        return response
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        response_status=response.status_code,
        response_body=orjson.loads(dumps(response.data)),
        response_headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
    )
    return response


def _replay(*, principal: str, key: str, endpoint: str, request_hash: str) -> Response:
    stored = IdempotencyKey.objects.filter(principal=principal, key=key).first()
    if stored is None:  # released by a failed first request in the meantime
        raise Conflict(_("A request with this Idempotency-Key has just failed; retry it."))
    if stored.endpoint != endpoint or stored.request_hash != request_hash:
        raise Unprocessable(_("This Idempotency-Key was used with another request body or endpoint."))
    if not stored.is_complete:
        raise Conflict(_("A request with this Idempotency-Key is still in progress; retry later."))
    response = Response(stored.response_body, status=stored.response_status, headers=stored.response_headers)
    response["Idempotent-Replayed"] = "true"
    return response
