"""Who is acting: a signed-in person (delegate or staff), a national system's API key, or the service.

Every door asks the same question of an actor, `actor.can(permission, obj)`, with the names in
core.permissions; the answer comes from that one table (through Django's `user.has_perm` for
people, the key's scopes for API keys).
"""

from dataclasses import dataclass
from functools import cached_property

from core.permissions import scope_permissions

from .backends import delegate_of
from .models import ApiKey, Delegate, Member, User, member_id_of


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    api_key: ApiKey | None = None

    @classmethod
    def for_user(cls, user: User) -> "Actor":
        return cls(user=user)

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> "Actor":
        return cls(api_key=api_key)

    @classmethod
    def system(cls) -> "Actor":
        """The service itself (migrations, operators' commands, periodic tasks)."""
        return cls()

    def can(self, permission: str, obj=None) -> bool:
        """May this actor do `permission` (core.permissions) to `obj` (a plan, a member, ...)?"""
        if self.is_system:
            return True
        if self.api_key is not None:
            return (
                obj is not None
                and self.api_key.is_usable
                and member_id_of(obj) == self.api_key.member_id
                and permission in scope_permissions(self.api_key.scopes)
            )
        assert self.user is not None
        return self.user.is_authenticated and self.user.has_perm(permission, obj)

    @cached_property
    def delegate(self) -> Delegate | None:
        """The person's delegation; staff have none (they never act as a member)."""
        if self.user is None or not self.user.is_authenticated or self.user.is_staff:
            return None
        return delegate_of(self.user)

    @property
    def is_staff(self) -> bool:
        return bool(self.user and self.user.is_active and self.user.is_staff)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.api_key is None

    @property
    def member_id(self) -> int | None:
        """The member this actor belongs to, or None for staff and the system."""
        if self.api_key is not None:
            return self.api_key.member_id
        if self.delegate is not None:
            return self.delegate.member_id
        return None

    @property
    def member(self) -> Member | None:
        if self.api_key is not None:
            return self.api_key.member
        if self.delegate is not None:
            return self.delegate.member
        return None

    @property
    def label(self) -> str:
        if self.api_key is not None:
            return f"API key {self.api_key.member.code}/{self.api_key.name}"
        if self.user is not None:
            return self.user.email
        return "system"
