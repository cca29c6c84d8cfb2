"""Writes for members' people and keys."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NON_FIELD, Invalid
from core.findings import Finding

from .enums import ALL_SCOPES, Language, Role
from .models import ApiKey, Delegate, Member, User


class MemberInputError(Invalid):
    """A bad argument for a member service; the message names the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__([Finding(field or NON_FIELD, "invalid", message)], message=message)


def member_by_code(code: str) -> Member:
    member = Member.objects.filter(code=(code or "").strip().upper()).first()
    if member is None:
        raise MemberInputError(
            _("Unknown member code %(code)r: give an ally's ISO alpha-2 code, such as EE.") % {"code": code}
        )
    return member


@dataclass(frozen=True)
class DelegateResult:
    delegate: Delegate
    created_user: bool


@transaction.atomic
def delegate_add(
    *,
    email: str,
    member: Member,
    role: str,
    password: str | None = None,
    language: str = Language.ENGLISH,
    first_name: str = "",
    last_name: str = "",
) -> DelegateResult:
    """Create the user if needed and make it a delegate of `member` with `role` (moving it if it was elsewhere)."""
    if role not in Role.values:
        raise MemberInputError(
            _("Unknown role %(role)r: use one of %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)}
        )
    if language not in Language.values:
        raise MemberInputError(_("Unknown language %(language)r.") % {"language": language})
    email = User.objects.normalize_email((email or "").strip()).lower()
    if "@" not in email:
        raise MemberInputError(_("Give a valid e-mail address, not %(email)r.") % {"email": email})
    user = User.objects.filter(email__iexact=email).first()
    created_user = user is None
    if created_user:
        user = User(email=email, language=language, first_name=first_name, last_name=last_name)
    if password is not None:
        try:
            validate_password(password, user)
        except Exception as exc:
            raise MemberInputError(
                _("Password: %(reason)s") % {"reason": " ".join(getattr(exc, "messages", [str(exc)]))}
            ) from None
        user.set_password(password)
    elif created_user:
        user.set_unusable_password()  # the delegate sets one through "forgot password"
    user.save()
    delegate, _created = Delegate.objects.update_or_create(user=user, defaults={"member": member, "role": role})
    return DelegateResult(delegate=delegate, created_user=created_user)


def parse_scopes(text: str) -> list[str]:
    scopes = [scope.strip() for scope in (text or "").split(",") if scope.strip()]
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown or not scopes:
        raise MemberInputError(
            _("Unknown or missing scope(s) %(unknown)s: use a comma-separated list of %(known)s.")
            % {"unknown": ", ".join(unknown) or "(none)", "known": ", ".join(ALL_SCOPES)}
        )
    return [scope for scope in ALL_SCOPES if scope in scopes]


def api_key_issue(
    *, member: Member, name: str, scopes: list[str], expires: datetime | None = None, created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Issue a key for `member`; returns the stored record and the key itself, which is never stored."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise MemberInputError(_("Give the key a name of 1 to 50 characters."))
    # The model's validator runs only in forms; callers that build the list themselves are checked here.
    unknown = sorted(set(scopes or []) - set(ALL_SCOPES))
    if unknown or not scopes:
        raise MemberInputError(
            _("Unknown or missing scope(s) %(unknown)s: use %(known)s.")
            % {"unknown": ", ".join(map(str, unknown)) or "(none)", "known": ", ".join(ALL_SCOPES)}
        )
    scopes = [scope for scope in ALL_SCOPES if scope in scopes]
    return ApiKey.objects.create_key(
        member=member, name=name, scopes=scopes, expiry_date=expires, created_by=created_by
    )


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good."""
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])
    return api_key
