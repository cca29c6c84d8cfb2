"""`Authorization: Bearer <key>` for national systems, on djangorestframework-api-key's hashing."""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.api.throttling import FailedKeyThrottle
from core.enums import SecurityEventKind
from core.prepared import Prepared
from core.security import client_ip
from core.services import security_event_record

from .models import ApiKey

# last_used_at is written at most this often per key, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# The key and its member in one query, its SQL built once a process (core.prepared): every API
# request runs it, and building it anew each time cost more CPU than the query itself. No ORDER
# BY: the prefix is unique.
_KEY_WITH_MEMBER = Prepared(
    lambda prefix: ApiKey.objects.filter(prefix=prefix).select_related("member").order_by(), prefix=str
)


def _key_with_member(prefix: str) -> ApiKey | None:
    found = _KEY_WITH_MEMBER.fetch(prefix=prefix)
    return found[0] if found else None


class ApiKeyPrincipal:
    """What `request.user` is for a request made with an API key: the key's member, no person."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key {self.api_key.member.code}/{self.api_key.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        throttle = FailedKeyThrottle(request)
        wait = throttle.blocked_for()
        if wait is not None:
            raise exceptions.Throttled(wait, str(_("Too many requests with a bad API key from this address.")))
        if len(header) != 2:
            self.refuse(request, throttle, "")
            raise exceptions.AuthenticationFailed(_("Give the key as `Authorization: Bearer <key>`."))
        try:
            key = header[1].decode()
        except UnicodeError:
            self.refuse(request, throttle, "")
            raise exceptions.AuthenticationFailed(_("The API key contains invalid characters.")) from None
        api_key = self.get_api_key(key)
        if api_key is None:
            self.refuse(request, throttle, key)
            raise exceptions.AuthenticationFailed(_("The API key is unknown, revoked or expired."))
        self.touch(api_key)
        self.log_first_use(request, api_key)
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'

    # The security log takes the address and client from the request being served (not from
    # DRF's request, whose `user` is what this class is computing).
    @staticmethod
    def refuse(request, throttle: FailedKeyThrottle, key: str) -> None:
        throttle.failed()
        prefix = key.partition(".")[0][:20]
        security_event_record(
            kind=SecurityEventKind.API_KEY_REJECTED,
            identifier=f"key:{prefix}" if prefix else "",
            ip_address=client_ip(request),
            detail={"path": request.path},
        )

    @staticmethod
    def get_api_key(key: str) -> ApiKey | None:
        prefix, dot, _secret = key.partition(".")
        if not dot or not prefix:
            return None
        api_key = _key_with_member(prefix)
        if api_key is None or not api_key.is_usable or not api_key.is_valid(key):
            return None
        return api_key

    @staticmethod
    def touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now

    @staticmethod
    def log_first_use(request, api_key: ApiKey) -> None:
        """Log the key's first use of the day (UTC) from each address, once: the cache remembers
        the uses already logged (cache.add is atomic, so workers sharing a Redis cache log once)."""
        address = client_ip(request)
        today = timezone.now().date().isoformat()
        if cache.add(f"apikey:first-use:{api_key.pk}:{today}:{address}", 1, timeout=60 * 60 * 25):
            security_event_record(
                kind=SecurityEventKind.API_KEY_USED,
                identifier=f"key:{api_key.prefix}",
                ip_address=address,
                detail={"member": api_key.member.code, "name": api_key.name, "day": today},
            )
