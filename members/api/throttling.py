"""Request rates per API key and per signed-in user (rates in settings.REST_FRAMEWORK)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from members.models import ApiKey


class _ScopedThrottle(SimpleRateThrottle):
    def get_rate(self):
        # Read at call time so that a changed setting (tests, reloads) applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ApiKeyRateThrottle(_ScopedThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return None


class UserRateThrottle(_ScopedThrottle):
    scope = "api_user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey) or not request.user.is_authenticated or request.user.pk is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
