"""`Authorization: Bearer <key>` for national systems, on djangorestframework-api-key's hashing."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiKey

# last_used_at is written at most this often per key, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key as `Authorization: Bearer <key>`."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The API key contains invalid characters.")) from None
        api_key = self.get_api_key(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("The API key is unknown, revoked or expired."))
        self.touch(api_key)
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'

    @staticmethod
    def get_api_key(key: str) -> ApiKey | None:
        prefix, dot, _secret = key.partition(".")
        if not dot or not prefix:
            return None
        api_key = ApiKey.objects.select_related("member").filter(prefix=prefix).first()
        if api_key is None or not api_key.is_usable or not api_key.is_valid(key):
            return None
        return api_key

    @staticmethod
    def touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
