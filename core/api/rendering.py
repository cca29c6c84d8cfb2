"""JSON in and out for the API: orjson rendering, and strict, size-limited JSON parsing.

DRF's own JSONParser reads the whole stream without Django's DATA_UPLOAD_MAX_MEMORY_SIZE check
and turns decimal numbers into floats; money must stay exact, so this parser keeps them Decimal.
"""

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import IO, Any, NoReturn

import orjson
from django.conf import settings
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is larger than the limit.")
    default_code = "too_large"


def rfc3339(value: datetime) -> str:
    """A moment as the API writes every one: RFC 3339 in UTC with `Z` (`2025-06-30T21:59:59Z`).

    The one place the API formats a moment: DRF's DateTimeField hands its datetime over as it
    is (REST_FRAMEWORK["DATETIME_FORMAT"] = None), and plain dicts from `.values()` carry theirs.
    A naive datetime (none should reach here with USE_TZ) is taken as UTC.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Fixed notation, never an exponent, exactly as DRF's DecimalField would render it.
        return format(value, "f")
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> bytes:
    # orjson would write datetimes itself, keeping their offset (`+00:00`, or `+02:00` for a value
    # parsed from a form); passed through, they go to rfc3339.
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME)


class ORJSONRenderer(BaseRenderer):
    """Renders plain dicts built from `.values()`; several times faster than DRF's JSONRenderer."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        return dumps(data)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self, stream: IO[Any] | None, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(_("The request body is larger than the limit of %(limit)d bytes.") % {"limit": limit})
        if not raw.strip():
            return {}
        try:
            text = raw.decode("utf-8")
            data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
            # Lone surrogates ("\ud800") parse but cannot be stored; refuse them here.
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        except (UnicodeError, ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
        return data
