"""One error shape for the whole API: a message, a code, and a message list per field path.

    {"detail": "...", "code": "invalid", "errors": {"lines[2].target_capacity": ["..."]}}

Field paths follow plans.validation (`lines[2].target_capacity`), whether the problem was found
by a serializer (types, ranges, choices) or by the plan rules (findings), so a client shows
both the same way.
"""

import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, Invalid
from core.findings import as_field_messages
from core.findings import errors as error_findings

from .rendering import RequestTooLarge


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("This request needs an If-Match header with the plan's ETag.")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The plan was changed by someone else since you read it. Reload it and try again.")
    default_code = "stale"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


def _is_leaf(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail -> `{"lines[2].item": ["..."]}`."""
    result: dict[str, list[str]] = {}
    if isinstance(detail, str):
        result.setdefault(prefix or "non_field_errors", []).append(str(detail))
    elif _is_leaf(detail):
        result.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
    elif isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "non_field_errors" and prefix:
                path = prefix  # a nested object's own error belongs to the object's path
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, path).items():
                result.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                for field, messages in flatten_errors(value, f"{prefix}[{index}]").items():
                    result.setdefault(field, []).extend(messages)
    return result


def _codes(detail: Any) -> str:
    codes = exceptions.ValidationError(detail).get_codes() if not isinstance(detail, str) else "invalid"
    return codes if isinstance(codes, str) else "invalid"


def _body(detail: str, code: str, errors: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def _domain_response(exc: DomainError) -> Response:
    if isinstance(exc, Invalid):
        found = error_findings(exc.findings)
        detail = _("The request has errors: see `errors`.")
        body = _body(detail, exc.code, as_field_messages(found), findings=[f.as_dict() for f in exc.findings])
        return Response(body, status=exc.http_status)
    return Response(_body(exc.message, exc.code), status=exc.http_status)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return _domain_response(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate and Retry-After
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        response.data = _body(_("The request has errors: see `errors`."), "invalid", errors)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = getattr(exc.detail, "code", None) or exc.default_code
        wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
        extra: dict[str, Any] = {"retry_after": int(wait)} if wait else {}
        response.data = _body(str(detail), str(code), **extra)
    return response


# Django's own error views, for what no API view handles: a URL no route matches (`/api/v1/plans/x/`)
# or an exception that escaped. Under the API they answer in the API's JSON shape; pages keep
# Django's pages.
API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(_body(_("Not found."), "not_found"), status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


# How long a client should wait before trying again when the database cannot be reached (a restart
# or a fail-over takes seconds).
DATABASE_RETRY_AFTER = 5


def _database_unavailable(exc: BaseException | None) -> bool:
    """Whether the error is the database being unreachable (not a bug in a query: those stay 500s)."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        # PostgreSQL errors of class 08 (connection) and 57P (operator intervention: shutdown,
        # cannot connect now) carry a SQLSTATE; a refused connection carries none.
        sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(("08", "57P"))
    return False


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON in the API's shape under /api/, a plain page (no database needed) elsewhere."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            _body(
                _("The service is briefly unavailable. Try again in a few seconds."),
                "unavailable",
                retry_after=DATABASE_RETRY_AFTER,
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this view while handling the uncaught exception: a database outage is a 503
    # that clients may retry, not a 500.
    if _database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(_body(_("A server error occurred."), "error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
