"""Request rates per API key and per signed-in user (rates in settings.REST_FRAMEWORK)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .principal import is_key, principal


class _ScopedThrottle(SimpleRateThrottle):
    def get_rate(self):
        # Read at call time so that a changed setting (tests, reloads) applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ApiKeyRateThrottle(_ScopedThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not is_key(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": principal(request)}


class UserRateThrottle(_ScopedThrottle):
    scope = "api_user"

    def get_cache_key(self, request, view):
        if is_key(request):
            return None
        ident = principal(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}
