"""Request rates per API key and per signed-in user, and failed key authentication per address
(rates in settings.REST_FRAMEWORK; counted in the default cache, shared when it is Redis)."""

from typing import TYPE_CHECKING

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ..security import client_ip
from .principal import is_key, principal

if TYPE_CHECKING:
    # Types only: the key authentication imports this module while DRF's views module loads its
    # settings, so importing rest_framework.views here at run time would go round in a circle.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _ScopedThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at call time so that a changed setting (tests, reloads) applies at once.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)


class ApiKeyRateThrottle(_ScopedThrottle):
    scope = "api_key"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        if not is_key(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": principal(request)}


class UserRateThrottle(_ScopedThrottle):
    scope = "api_user"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        if is_key(request):
            return None
        ident = principal(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class FailedKeyThrottle(_ScopedThrottle):
    """Requests with a bad key, per client address.

    DRF checks throttles after authentication, so a request whose key fails never reaches them;
    the key authentication asks this throttle itself: `wait()` before checking a key (a blocked
    address is refused without trying it) and `failed()` after a key is refused.
    """

    scope = "api_bad_key"
    # Set by SimpleRateThrottle.__init__ from the rate; declared here for the type checker.
    num_requests: int
    duration: int

    def __init__(self, request: "Request") -> None:
        super().__init__()
        self.key: str = self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def get_cache_key(self, request: "Request", view: "APIView") -> str:
        return self.key

    def blocked_for(self) -> float | None:
        """Seconds to wait before this address may try a key again, or None."""
        if self.rate is None or len(self.history) < self.num_requests:
            return None
        return self.wait()

    def failed(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
