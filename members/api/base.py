"""The API view of this service: core's plumbing plus the actor (a person or a member's API key)."""

from functools import cached_property

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from core.api.base import ApiView as CoreApiView
from members.actors import Actor
from members.models import ApiKey


def actor_for(request) -> Actor:
    if isinstance(request.auth, ApiKey):
        return Actor.for_api_key(request.auth)
    return Actor.for_user(request.user)


class ApiView(CoreApiView):
    @cached_property
    def actor(self) -> Actor:
        return actor_for(self.request)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "members.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A member's API key: `Authorization: Bearer <prefix>.<secret>`.",
        }
