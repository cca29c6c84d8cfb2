"""Sign-in defences around django-axes: device cookies, password-spraying detection, the sign-in log.

django-axes pauses sign-in per account and per address after AXES_FAILURE_LIMIT failures within
the cool-off. On its own that lets anyone pause a head of delegation's account on deadline day.
So a browser that proved itself holds a *device cookie* (OWASP, "Slow Down Online Guessing
Attacks with Device Cookies"): a signed, per-account token set at each successful sign-in and
when a password is reset through the e-mailed link. Attempts that present a valid device cookie
for the account are not paused by other clients' failures (axes' whitelist callable); they have
a failure budget of their own (DEVICE_COOKIE_FAILURE_LIMIT, counted in the default cache), after
which the cookie stops counting. An attacker without the cookie can pause only their own attempts.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from core.enums import SecurityEventKind
from core.security import client_ip
from core.services import security_event_record

DEVICE_COOKIE = "plans_device"
_SALT = "members.signin.device-cookie"


def _normalise(email) -> str:
    return (email or "").strip().lower()


def device_cookie_value(email: str) -> str:
    """A new signed device cookie for the account `email`."""
    return signing.dumps({"e": _normalise(email), "n": secrets.token_urlsafe(16)}, salt=_SALT)


def set_device_cookie(response, email: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie_value(email),
        max_age=settings.DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _device_nonce(request, email) -> str | None:
    """The nonce of the request's device cookie if it is valid and was issued for `email`."""
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not raw or not email:
        return None
    try:
        payload = signing.loads(raw, salt=_SALT, max_age=settings.DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("e") != _normalise(email):
        return None
    return str(payload.get("n") or "") or None


def _failures_key(nonce: str) -> str:
    return f"signin:device-failures:{nonce}"


def holds_trusted_device(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: the attempt comes with this account's device cookie, still within its budget."""
    nonce = _device_nonce(request, (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD))
    if nonce is None:
        return False
    return (cache.get(_failures_key(nonce)) or 0) < settings.DEVICE_COOKIE_FAILURE_LIMIT


def _count_device_failure(request, email) -> None:
    nonce = _device_nonce(request, email)
    if nonce is None:
        return
    key = _failures_key(nonce)
    timeout = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if not cache.add(key, 1, timeout=timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=timeout)


def _user_for(email):
    from .models import User

    return User.objects.filter(email__iexact=_normalise(email)).first() if email else None


def _detect_spraying(request) -> None:
    """Log password spraying when one address failed for SIGN_IN_SPRAYING_ACCOUNTS accounts within the cool-off.

    Per-address pausing already limits how many guesses an address gets; this names the pattern
    (one password tried over many accounts) in the security log, once per address and window.
    """
    from axes.models import AccessAttempt

    address = client_ip(request)
    if address is None:
        return
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    accounts = (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
        .aggregate(accounts=Count("username", distinct=True))
        .get("accounts")
    ) or 0
    if accounts < settings.SIGN_IN_SPRAYING_ACCOUNTS:
        return
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if cache.add(f"signin:spraying:{address}", 1, timeout=window):
        security_event_record(kind=SecurityEventKind.PASSWORD_SPRAYING, request=request, detail={"accounts": accounts})


# Signal receivers (connected in MembersConfig.ready) ------------------------------------------


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    email = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or (credentials or {}).get("email")
    if request is not None:
        _count_device_failure(request, email)
    security_event_record(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        user=_user_for(email),
        identifier=str(email or ""),
        request=request,
        detail={"path": request.path if request is not None else ""},
    )
    if request is not None:
        _detect_spraying(request)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    security_event_record(
        kind=SecurityEventKind.SIGN_IN_PAUSED,
        user=_user_for(username),
        identifier=str(username or ""),
        request=request,
        ip_address=ip_address,
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    security_event_record(kind=SecurityEventKind.SIGN_IN, user=user, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event_record(kind=SecurityEventKind.SIGN_OUT, user=user, request=request)


def failures_clear(*, email: str) -> int:
    """Forget the account's recorded failures (the owner proved control of the mailbox)."""
    from axes.models import AccessAttempt

    deleted, _by_model = AccessAttempt.objects.filter(username__iexact=_normalise(email)).delete()
    return deleted


def axes_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail address as the account is known, whatever its case or spaces.

    Without it "Alice@..." and "alice@..." would count as two accounts and double the guesses.
    """
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return _normalise(value) or None
