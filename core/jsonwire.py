"""JSON as the service writes it everywhere (API answers, stored events, webhook bodies).

orjson, with decimals in fixed notation and every moment in RFC 3339 UTC with `Z`.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import orjson
from django.utils.encoding import force_str
from django.utils.functional import Promise


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
