"""Who a request acts as, in one word: `key:<prefix>` for an API key, `user:<pk>` for a person.

Throttles count per principal and idempotency keys belong to one. The authentication object
of an API key says its own principal (`request.auth.principal`), so this module needs no
knowledge of the app that stores keys.
"""

from rest_framework.request import Request


def principal(request: Request) -> str | None:
    own = getattr(request.auth, "principal", None)
    if own:
        return str(own)
    user = request.user
    if user is not None and user.is_authenticated and user.pk is not None:
        return f"user:{user.pk}"
    return None


def is_key(request: Request) -> bool:
    return bool(getattr(request.auth, "principal", None))
