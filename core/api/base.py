"""What every API view shares: orjson in and out, throttles, errors, pagination, schema helpers."""

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.fields import SkipField, empty
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import APIView

from core.prepared import Prepared

from .errors import api_exception_handler
from .rendering import ORJSONRenderer, StrictJSONParser
from .throttling import ApiKeyRateThrottle, UserRateThrottle


class ApiView(APIView):
    renderer_classes = [ORJSONRenderer]
    parser_classes = [StrictJSONParser]
    throttle_classes = [ApiKeyRateThrottle, UserRateThrottle]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler


PAGE_TOTAL = "page_total_rows"
PAGE_TOTAL_EXPRESSION = Window(Count("*"))
MAX_OFFSET = 2**31


class PreparedRows:
    """A list read a page at a time through a prepared query (core.prepared) whose rows carry PAGE_TOTAL."""

    def __init__(self, prepared: Prepared, **values: Any) -> None:
        self.prepared = prepared
        self.values = values

    def rows(self, offset: int, limit: int) -> list[Any]:
        return self.prepared.fetch(limit=limit, offset=offset, **self.values)

    def count(self) -> int:
        """The total, as the first row carries it (asked only for `page=last`)."""
        first = self.rows(0, 1)
        return getattr(first[0], PAGE_TOTAL) if first else 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[Any]:
        return self.rows(page.start or 0, page.stop - (page.start or 0))


class CountingPaginator(DjangoPaginator):
    """Reads a page of a queryset and the total in one query: `COUNT(*) OVER ()` on each row.

    Only an empty page needs the total elsewhere: the first page is then empty (count 0) and
    any later one does not exist, as Django's Paginator would say. Lists of other things
    (already evaluated) are paged as Django pages them.
    """

    def page(self, number: int | str) -> Page:
        if not isinstance(self.object_list, QuerySet | PreparedRows) or "count" in self.__dict__:
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        if bottom > MAX_OFFSET:  # no list is that long; the database would refuse the OFFSET
            raise EmptyPage(self.error_messages["no_results"])
        if isinstance(self.object_list, PreparedRows):
            rows = self.object_list.rows(bottom, self.per_page)
        else:
            queryset = self.object_list.annotate(**{PAGE_TOTAL: PAGE_TOTAL_EXPRESSION})
            rows = list(queryset[bottom : bottom + self.per_page])
        if rows:
            if isinstance(rows[0], dict):  # .values(): the total is no key of the API's
                self.count = rows[0][PAGE_TOTAL]
                for row in rows:
                    del row[PAGE_TOTAL]
            else:
                self.count = getattr(rows[0], PAGE_TOTAL)
            if number > self.num_pages:  # orphans: this page's rows belong to the one before
                return super().page(number)
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]  # Django's page hook, not in the stubs


class Pagination(PageNumberPagination):
    django_paginator_class = CountingPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    # DRF falls back to the first page or the default size for a malformed value; a client that
    # asked for something else should hear that its parameter is wrong, as for any other
    # parameter. A page past the last one stays a 404.
    def get_page_size(self, request: Request) -> int:
        size = whole_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: DjangoPaginator) -> int:
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return paginator.num_pages
        number = whole_number(request, self.page_query_param)
        return 1 if number is None else number


def whole_number(request: Request, name: str, *, minimum: int = 1, maximum: int | None = None) -> int | None:
    """A query parameter that must be a whole number from `minimum` (to `maximum`); None when left out."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    valid = raw.isascii() and raw.isdigit() and int(raw) >= minimum and (maximum is None or int(raw) <= maximum)
    if not valid:
        raise exceptions.ValidationError({name: [_("Give a whole number from %(min)d.") % {"min": minimum}]})
    return int(raw)


# Schema components ---------------------------------------------------------------------------


class FindingSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so that a misspelt field is an error, not silently lost.

    Valid input takes a short way: each given field's own `run_validation`, without DRF's
    per-field bookkeeping around it, which for a plan's 200 lines (16 fields each) was most of the
    time a write spent validating (38 ms of CPU, now 15). A field left out that has a default
    takes it, as in DRF. Whatever that way cannot answer exactly as DRF would (an error, a
    missing required field, a key to ignore, a partial update, a serializer with validators of
    its own) goes DRF's whole way, so errors are DRF's as before.
    """

    ignored_keys: frozenset[str] = frozenset()

    def run_validation(self, data: Any = empty) -> Any:
        # JSON objects only: form data (a QueryDict) has DRF's rules for lists and unticked boxes.
        if type(data) is dict and data.keys() <= self._short_way_fields.keys():
            validated = {}
            try:
                for name, field in self._short_way_fields.items():
                    if name in data:
                        validated[name] = field.run_validation(data[name])
                    elif field.required:
                        break
                    elif field.default is not empty:
                        # As DRF answers a missing field with a default: the default, unvalidated.
                        validated[name] = field.get_default()
                else:
                    return validated
            except (serializers.ValidationError, DjangoValidationError, SkipField):
                pass
        return super().run_validation(data)

    @cached_property
    def _short_way_fields(self) -> dict[str, serializers.Field]:
        """The writable fields by name, or none when the short way does not apply to this serializer."""
        own_checks = (
            getattr(self.root, "partial", False)
            or self.validators
            or type(self).validate is not serializers.Serializer.validate
            or any(hasattr(self, f"validate_{field.field_name}") for field in self._writable_fields)
            or any(field.source_attrs != [field.field_name] for field in self._writable_fields)
        )
        return {} if own_checks else {str(field.field_name): field for field in self._writable_fields}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields) - self.ignored_keys, key=str)
            if unknown:
                raise serializers.ValidationError({str(key): [_("Unknown field.")] for key in unknown})
        return super().to_internal_value(data)


# Fields with a short way for the usual value ----------------------------------------------------
#
# A plan's write carries thousands of values (200 lines of 15 fields); DRF spends some 7 us of
# CPU on each, in bookkeeping around the one check that matters. These fields answer the usual
# value (a plain decimal string within the digits, a short ASCII text, a known choice) in one
# step, with exactly DRF's result; anything else, errors above all, goes DRF's whole way.
# tests/api/test_input_short_way.py holds each to its DRF parent on valid and invalid values.


class PlainDecimalField(serializers.DecimalField):
    """DRF's DecimalField; a string of plain digits within its digits is read directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain = None
        if self.max_digits is not None and self.decimal_places is not None:
            whole = self.max_digits - self.decimal_places
            fraction = rf"(?:\.\d{{1,{self.decimal_places}}})?" if self.decimal_places else ""
            self._plain = re.compile(rf"-?\d{{1,{whole}}}{fraction}")

    def run_validation(self, data: Any = empty) -> Any:
        # Such a string passes every check of DRF's (digits, places, no NaN); with no validators
        # of the field's own, what is left of DRF's way is its quantize, done here as there.
        if (
            type(data) is str
            and self._plain is not None
            and not (self.validators or self.localize or self.read_only)
            and self._plain.fullmatch(data)
        ):
            return self.quantize(Decimal(data))
        return super().run_validation(data)


SHORT_TEXT_VALIDATORS = (MaxLengthValidator, ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


class PlainCharField(serializers.CharField):
    """DRF's CharField; an ASCII string is read directly when its validators are only DRF's usual ones.

    `quiet_validators` names validator classes that check nothing on input (they state a format
    for the schema, such as plans.api.serializers.StatedPattern).
    """

    def __init__(self, *args: Any, quiet_validators: tuple[type, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quiet_validators = quiet_validators

    def run_validation(self, data: Any = empty) -> Any:
        if type(data) is str and data.isascii() and not self.read_only:
            value = data.strip() if self.trim_whitespace else data
            if (
                value.strip()
                and "\x00" not in value
                and (self.max_length is None or len(value) <= self.max_length)
                and self.min_length is None
                and self._usual_validators
            ):
                return value  # ASCII has no surrogates; the checks above are the usual validators'
        return super().run_validation(data)

    @cached_property
    def _usual_validators(self) -> bool:
        return all(
            isinstance(v, SHORT_TEXT_VALIDATORS + self.quiet_validators)
            and (not isinstance(v, MaxLengthValidator) or v.limit_value == self.max_length)
            for v in self.validators
        )


class PlainChoiceField(serializers.ChoiceField):
    """DRF's ChoiceField; a string that is one of the choices is answered directly."""

    def run_validation(self, data: Any = empty) -> Any:
        if type(data) is str and data and not (self.validators or self.read_only):
            value = self.choice_strings_to_values.get(data, empty)
            if value is not empty:
                return value
        return super().run_validation(data)


class StrictSerializerSchema(OpenApiSerializerExtension):
    """The schema says what StrictSerializer does: no other keys than its fields and the ignored ones."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
            for key in sorted(self.target.ignored_keys):
                schema["properties"].setdefault(key, {"description": "Read-only: accepted and ignored."})
        return schema


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    # DRF's metaclass takes declared fields off the class, so this does not hide Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field path, such as `lines[2].target_capacity`.",
    )
    findings = FindingSerializer(many=True, required=False, help_text="All findings of the plan rules.")
    retry_after = serializers.IntegerField(required=False)


_ERROR_TEXT = {
    400: "Invalid input: a message per field in `errors`.",
    401: "No credentials, or an unknown, revoked or expired key.",
    403: "The caller lacks the role or scope.",
    404: "Not found (or another member's).",
    409: "The workflow does not allow this now.",
    412: "The If-Match ETag is stale.",
    413: "The body is larger than the limit.",
    415: "The body is not application/json.",
    422: "The Idempotency-Key was used with another body.",
    428: "If-Match is missing.",
    429: "Too many requests: wait Retry-After seconds.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for extend_schema; 401 and 429 apply to every operation."""
    wanted = sorted({401, 429, *codes})
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[code]) for code in wanted}


def paginated(serializer_class: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The schema of a page of `serializer_class` as Pagination renders it."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}]},
        description="Page number, from 1, or `last`.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1},
        description="Items a page (default 50; a larger number gets 200).",
    ),
]


def paginate(view: APIView, queryset: QuerySet[Any] | Sequence[Any], request: Request) -> tuple[Pagination, list[Any]]:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator, page or []
