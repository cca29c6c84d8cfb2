"""Who the client is, and the security log's entry points for code that holds a request.

`client_ip` is the one answer to "which address did this come from" for the sign-in lockout
(django-axes calls it), the throttles and the security log.
"""

import ipaddress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .enums import SecurityEventKind

_current_request: ContextVar[Any] = ContextVar("current_request", default=None)


def current_request() -> Any:
    """The request being served in this thread or task, if any (set by RequestContextMiddleware)."""
    return _current_request.get()


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket peer, or, when the peer is a trusted proxy, the last
    address in X-Forwarded-For that is not one of our proxies.

    Written here rather than taken from django-ipware, whose chain model expects the proxy's own
    address inside X-Forwarded-For; a proxy such as nginx appends the client's address and
    connects from its own. Without TRUSTED_PROXIES the header is never read, so a client
    cannot choose the address that its failures count against.
    """
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    if not settings.TRUSTED_PROXIES or not _trusted(peer):
        return str(peer)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a malformed entry: trust nothing left of it
        if not _trusted(address):
            return str(address)
    return str(peer)


def user_agent(request: HttpRequest) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:300]


def security_event_from_request(request: HttpRequest, kind: str, **fields: Any) -> Any:
    """Log an event with the request's address, client and signed-in person."""
    from .services import security_event_record

    return security_event_record(kind=kind, request=request, **fields)


def log_download(request: HttpRequest, *, filename: str, subject: str = "", detail: dict | None = None) -> Any:
    """Log that the signed-in person (or API key) downloaded a file: every door serving one calls this.

    `subject` says what the file is ("compliance report 2025 #12", "attachment 7 of plan 3").
    """
    user = getattr(request, "user", None)
    key_principal = getattr(getattr(request, "auth", None), "principal", "")
    return security_event_from_request(
        request,
        SecurityEventKind.DOWNLOAD,
        user=user,
        identifier=str(key_principal or ""),
        detail={"file": filename, "subject": subject, **(detail or {})},
    )
