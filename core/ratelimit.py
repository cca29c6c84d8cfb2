"""Counting requests per key in a fixed window, in the default cache (shared when it is Redis).

For rules that are not DRF views (password reset, sign-in helpers); the API's throttles are in
core.api.throttling.
"""

from django.core.cache import cache
from django.utils import timezone


def _window_key(key: str, window: int) -> str:
    return f"ratelimit:{key}:{int(timezone.now().timestamp()) // window}"


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one request for `key`; False once more than `limit` were counted in this window."""
    full_key = _window_key(key, window)
    if cache.add(full_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(full_key)
    except ValueError:  # the window's entry expired between add and incr
        cache.add(full_key, 1, timeout=window)
        count = 1
    return count <= limit
