"""Middleware every door shares: the current request for the security log, the absolute session
lifetime, and no caching of what a signed-in caller sees."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .enums import SecurityEventKind
from .security import _current_request

SIGNED_IN_AT = "signed_in_at"


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
