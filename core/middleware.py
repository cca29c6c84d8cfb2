"""Middleware every door shares: the current request for the security log, the absolute session
lifetime, no caching of what a signed-in caller sees, and compressed text."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from .enums import SecurityEventKind
from .security import _current_request

SIGNED_IN_AT = "signed_in_at"
# Compressed beside text/*: JSON (the API, problem details), SVG and other XML, the OpenAPI schema, scripts.
COMPRESSIBLE_SUFFIXES = ("json", "xml", "openapi", "javascript")


class RequestContextMiddleware:
    """Makes the request available to services that log security events (address, person)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def session_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Stamp the session with its sign-in time (connected to user_logged_in)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = timezone.now().isoformat()


class AbsoluteSessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_AGE seconds after its sign-in, however active it was.

    The idle timeout (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST) slides with every
    request; this bound does not, so a stolen or forgotten session cannot live forever.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            stamp = session.get(SIGNED_IN_AT)
            now = timezone.now()
            if stamp is None:
                session[SIGNED_IN_AT] = now.isoformat()  # a session from before this rule
            elif (now - datetime.fromisoformat(stamp)).total_seconds() > settings.SESSION_ABSOLUTE_AGE:
                from .services import security_event_record

                user = request.user
                security_event_record(kind=SecurityEventKind.SESSION_ENDED, user=user, request=request)
                logout(request)
        return self.get_response(request)


class NoStoreWhenAuthenticatedMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in person or an API key, so that no
    browser history, shared cache or proxy keeps a member's plans or a staff page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


class TextCompressionMiddleware(GZipMiddleware):
    """Django's gzip for text (pages, JSON, CSV, SVG) when the caller accepts it; files that are
    compressed already (spreadsheets, PDF, images, attachments) go out as they are.

    The editor of a 200-line plan is about 2 MiB of HTML and 65 KiB gzipped: seconds on a slow
    link, against a few milliseconds of compression. Django pads each compressed answer with random
    bytes against BREACH, and masks the CSRF token anew in every page.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        media_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not media_type.startswith("text/") and not media_type.endswith(COMPRESSIBLE_SUFFIXES):
            return response
        return super().process_response(request, response)


def large_form(*, max_fields: int, max_bytes: int) -> Callable:
    """Lets a view's URL-encoded form carry more fields and bytes than DATA_UPLOAD_MAX_NUMBER_FIELDS
    and DATA_UPLOAD_MAX_MEMORY_SIZE allow (the plan editor at 2,000 lines posts some 35,000 fields).

    The limits stay the site's everywhere else, and for anyone not signed in (LargeFormMiddleware).
    """

    def mark(view: Callable) -> Callable:
        view.form_limits = (max_fields, max_bytes)  # type: ignore[attr-defined]
        return view

    return mark


class LargeFormMiddleware:
    """Reads the form of a view marked with `large_form` under that view's limits, before the CSRF check
    (which reads the form) would refuse it under the site's.

    Only for a signed-in person's URL-encoded POST: anything else is read by Django as usual. Past
    the view's limits the answer is 400, as past the site's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any) -> None:
        limits = getattr(view_func, "form_limits", None)
        user = getattr(request, "user", None)
        if (
            limits is None
            or request.method != "POST"
            or request.content_type != "application/x-www-form-urlencoded"
            or user is None
            or not user.is_authenticated
            or hasattr(request, "_post")
        ):
            return
        max_fields, max_bytes = limits
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes:
            raise RequestDataTooBig("Request body exceeded the form's limit.")
        request._body = request.read(length)
        encoding = request.encoding or settings.DEFAULT_CHARSET
        try:
            pairs = parse_qsl(
                request._body.decode(encoding, errors="replace"),
                keep_blank_values=True,
                max_num_fields=max_fields,
            )
        except ValueError:
            raise TooManyFieldsSent("The number of fields exceeded the form's limit.") from None
        grouped: dict[str, list[str]] = {}
        for key, value in pairs:
            grouped.setdefault(key, []).append(value)
        form = QueryDict(mutable=True, encoding=encoding)
        # Filled in MultiValueDict's own layout (a dict of lists, what its constructor takes) in one step:
        # QueryDict.appendlist or setlist costs several calls a field, a good part of a save at 35,000
        # fields. The names and values are text already (parse_qsl decoded them).
        dict.update(form, grouped)
        form._mutable = False
        request._post, request._files = form, MultiValueDict()  # type: ignore[attr-defined]
