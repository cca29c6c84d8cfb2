"""Who is acting: a signed-in user (delegate or staff) or a national system's API key.

Services take an `Actor` so that the web forms, the API and the admin apply the same rules.
"""

from dataclasses import dataclass
from functools import cached_property

from .enums import ROLES_THAT_EDIT, ROLES_THAT_SUBMIT, Scope
from .models import ApiKey, Delegate, Member, User


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
        """The service itself (commands, migrations, periodic tasks)."""
        return cls()

    @cached_property
    def delegate(self) -> Delegate | None:
        if self.user is None or not self.user.is_authenticated:
            return None
        try:
            return self.user.delegate
        except Delegate.DoesNotExist:
            return None

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

    def can_read(self, member_id: int) -> bool:
        if self.is_staff or self.is_system:
            return True
        if self.api_key is not None:
            return self.api_key.member_id == member_id and self.api_key.has_scope(Scope.READ)
        return self.delegate is not None and self.delegate.member_id == member_id

    def can_edit(self, member_id: int) -> bool:
        if self.api_key is not None:
            return self.api_key.member_id == member_id and self.api_key.has_scope(Scope.WRITE)
        return (
            self.delegate is not None and self.delegate.member_id == member_id and self.delegate.role in ROLES_THAT_EDIT
        )

    def can_submit(self, member_id: int) -> bool:
        if self.api_key is not None:
            return self.api_key.member_id == member_id and self.api_key.has_scope(Scope.SUBMIT)
        return (
            self.delegate is not None
            and self.delegate.member_id == member_id
            and self.delegate.role in ROLES_THAT_SUBMIT
        )

    def can_review(self) -> bool:
        return self.is_staff or self.is_system
