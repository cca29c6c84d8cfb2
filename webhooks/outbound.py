"""Calls to receivers: where we may connect (SSRF guard), how a call is signed, what we keep of the answer.

Standard Webhooks (https://www.standardwebhooks.com/): headers `webhook-id` (the event's id,
the same on every retry), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,<base64
HMAC-SHA256 of "id.timestamp.body">`, one per valid secret, space separated), signed with the
maintained `standardwebhooks` package.

The guard: the host is resolved once, every address it resolves to must be public (unless
WEBHOOKS_ALLOW_PRIVATE_TARGETS), and the connection goes to that checked address (TLS still
verifies the certificate for the host name), so a DNS answer that changes between the check and
the call cannot send us inward. Redirects are never followed (http.client does not follow them;
a 3xx is a failed delivery), so a redirect cannot lead inward either.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks.webhooks import Webhook

READ_LIMIT = 4096  # bytes of the answer read at most; an excerpt is kept
USER_AGENT = "defence-plans-webhooks/1"


class Refused(Exception):
    """A target the service will not call: wrong scheme, a private address, a name that does not resolve."""


@dataclass(frozen=True)
class Answer:
    status: int
    ms: int
    excerpt: str


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_target(url: str, *, resolve: bool = True) -> list[str]:
    """The addresses `url` may be called at; Refused with the reason otherwise.

    Without `resolve` only the URL's form is checked (at registration: a name may resolve later).
    """
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise Refused("only https URLs receive webhooks")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("credentials in the URL are not allowed")
    try:
        port = parts.port
    except ValueError:
        raise Refused("the port is not a number") from None
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None and not allow_private and not _public(literal):
        raise Refused(f"{literal} is not a public address")
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{parts.hostname} does not resolve: {exc}") from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not allow_private:
        private = [a for a in addresses if not _public(ipaddress.ip_address(a.split("%")[0]))]
        if private:
            raise Refused(f"{parts.hostname} resolves to a non-public address ({', '.join(private)})")
    if not addresses:
        raise Refused(f"{parts.hostname} does not resolve")
    return addresses


def sign(*, message_id: str, at: datetime, body: bytes, secrets: list[str]) -> str:
    """The `webhook-signature` header: one `v1,...` per secret (the receiver accepts any)."""
    return " ".join(Webhook(secret).sign(message_id, at, body.decode()) for secret in secrets)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with SNI and certificate checks for the URL's host name."""

    def __init__(self, host: str, address: str, **kwargs: Any):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, **kwargs: Any):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, *, body: bytes, message_id: str, secrets: list[str], at: datetime) -> Answer:
    """POST a signed event to `url` once; raises Refused for a forbidden target, OSError when unreachable."""
    address = check_target(url)[0]
    parts = urlsplit(url)
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    host = parts.hostname or ""
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
            host, address, port=parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:  # only when private targets are allowed (tests, development)
        connection = _PinnedHTTPConnection(host, address, port=parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": sign(message_id=message_id, at=at, body=body, secrets=secrets),
    }
    started = time.monotonic()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(READ_LIMIT).decode("utf-8", "replace")
    except ssl.SSLError as exc:
        raise OSError(f"TLS: {exc}") from exc
    except http.client.HTTPException as exc:
        raise OSError(f"HTTP: {exc}") from exc
    finally:
        connection.close()
    return Answer(status=response.status, ms=int((time.monotonic() - started) * 1000), excerpt=excerpt[:500])
