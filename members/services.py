"""Writes for members' people and keys."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.enums import SecurityEventKind
from core.errors import NON_FIELD, Invalid, NotAllowed
from core.findings import Finding
from core.permissions import ISSUE_API_KEYS, MANAGE_DELEGATES, grantable_scopes
from core.services import security_event_record

from .accounts import user_invite
from .actors import Actor
from .enums import ALL_SCOPES, Language, Role
from .models import ApiKey, Delegate, Member, User


class MemberInputError(Invalid):
    """A bad argument for a member service; each message names its field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__([Finding(field or NON_FIELD, "invalid", message)], message=message)

    @classmethod
    def of(cls, findings: list[Finding]) -> "MemberInputError":
        error = cls(" ".join(finding.message for finding in findings), field=findings[0].field)
        error.findings = list(findings)
        return error


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


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _normal_email(email: str) -> str:
    return User.objects.normalize_email((email or "").strip()).lower()


def delegate_validate(*, email: str, member: Member, role: str, language: str = Language.ENGLISH) -> list[Finding]:
    """What `delegate_add` would refuse, per field; writes nothing."""
    findings = []
    if role not in Role.values:
        findings.append(
            Finding(
                "role",
                "invalid",
                _("Unknown role %(role)r: use one of %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)},
            )
        )
    if language not in Language.values:
        findings.append(Finding("language", "invalid", _("Unknown language %(language)r.") % {"language": language}))
    email = _normal_email(email)
    if "@" not in email:
        findings.append(
            Finding("email", "invalid", _("Give a valid e-mail address, not %(email)r.") % {"email": email})
        )
    elif User.objects.filter(email__iexact=email, is_staff=True).exists():
        # Staff review plans; they never act as a member, so they never hold a delegation.
        findings.append(
            Finding("email", "staff", _("%(email)s is staff: staff cannot be delegates.") % {"email": email})
        )
    return findings


@transaction.atomic
def delegate_add(
    *,
    actor: Actor,
    email: str,
    member: Member,
    role: str,
    password: str | None = None,
    language: str = Language.ENGLISH,
    first_name: str = "",
    last_name: str = "",
) -> DelegateResult:
    """Create the user if needed and make it a delegate of `member` with `role` (moving it if it was elsewhere).

    A new user without a password is invited: an e-mail with a link to set one is queued.
    """
    _require(actor.can(MANAGE_DELEGATES), _("Only staff who manage delegations add delegates."))
    findings = delegate_validate(email=email, member=member, role=role, language=language)
    if findings:
        raise MemberInputError.of(findings)
    email = _normal_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    created_user = existing is None
    user = existing or User(email=email, language=language, first_name=first_name, last_name=last_name)
    if password is not None:
        try:
            validate_password(password, user)
        except Exception as exc:
            raise MemberInputError(
                _("Password: %(reason)s") % {"reason": " ".join(getattr(exc, "messages", [str(exc)]))}, field="password"
            ) from None
        user.set_password(password)
    elif created_user:
        user.set_unusable_password()  # the invitation's link sets the first one
    user.save()
    delegate, _created = Delegate.objects.update_or_create(user=user, defaults={"member": member, "role": role})
    if created_user and password is None:
        user_invite(user=user)
    return DelegateResult(delegate=delegate, created_user=created_user)


def staff_validate(*, user: User, is_staff: bool, is_superuser: bool) -> list[Finding]:
    """Whether `user` may be made staff: never while they hold a delegation (staff never act as a member)."""
    if (is_staff or is_superuser) and user.pk and Delegate.objects.filter(user=user).exists():
        return [
            Finding(
                "is_staff",
                "delegate",
                _("This person is a delegate of %(member)s: end the delegation before making them staff.")
                % {"member": Delegate.objects.get(user=user).member.name},
            )
        ]
    return []


@transaction.atomic
def delegate_remove(*, actor: Actor, delegate: Delegate) -> None:
    """End a person's delegation; their user stays (with its history), without access to the member."""
    _require(actor.can(MANAGE_DELEGATES), _("Only staff who manage delegations remove delegates."))
    Delegate.objects.filter(pk=delegate.pk).delete()


def parse_scopes(text: str) -> list[str]:
    scopes = [scope.strip() for scope in (text or "").split(",") if scope.strip()]
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown or not scopes:
        raise MemberInputError(
            _("Unknown or missing scope(s) %(unknown)s: use a comma-separated list of %(known)s.")
            % {"unknown": ", ".join(unknown) or "(none)", "known": ", ".join(ALL_SCOPES)},
            field="scopes",
        )
    return [scope for scope in ALL_SCOPES if scope in scopes]


def api_key_grantable_scopes(*, actor: Actor, member: Member) -> list[str]:
    """The scopes `actor` may put on a key of `member`: those whose rights it holds for that member itself."""
    if not actor.can(ISSUE_API_KEYS, member):
        return []
    return grantable_scopes(lambda permission: actor.can(permission, member))


def api_key_validate(
    *, actor: Actor, member: Member, name: str, scopes: list[str], expires: datetime | None = None
) -> list[Finding]:
    """What `api_key_issue` would refuse, per field; writes nothing."""
    findings = []
    name = (name or "").strip()
    if not name or len(name) > 50:
        findings.append(Finding("name", "invalid", _("Give the key a name of 1 to 50 characters.")))
    # The model's validator runs only in forms; callers that build the list themselves are checked here.
    unknown = sorted(set(scopes or []) - set(ALL_SCOPES), key=str)
    if unknown or not scopes:
        findings.append(
            Finding(
                "scopes",
                "invalid",
                _("Unknown or missing scope(s) %(unknown)s: use %(known)s.")
                % {"unknown": ", ".join(map(str, unknown)) or "(none)", "known": ", ".join(ALL_SCOPES)},
            )
        )
    else:
        beyond = [
            scope
            for scope in ALL_SCOPES
            if scope in scopes and scope not in api_key_grantable_scopes(actor=actor, member=member)
        ]
        if beyond:
            findings.append(
                Finding(
                    "scopes",
                    "not_grantable",
                    _("You may not grant %(scopes)s: a key gets only rights its issuer holds for the member.")
                    % {"scopes": ", ".join(beyond)},
                )
            )
    if expires is not None and expires <= timezone.now():
        findings.append(Finding("expiry_date", "past", _("The expiry must be in the future.")))
    return findings


@transaction.atomic
def api_key_issue(
    *, actor: Actor, member: Member, name: str, scopes: list[str], expires: datetime | None = None
) -> tuple[ApiKey, str]:
    """Issue a key for `member`; returns the stored record and the key itself, which is never stored."""
    _require(actor.can(ISSUE_API_KEYS, member), _("You may not issue API keys for this member."))
    findings = api_key_validate(actor=actor, member=member, name=name, scopes=scopes, expires=expires)
    if findings:
        raise MemberInputError.of(findings)
    scopes = [scope for scope in ALL_SCOPES if scope in scopes]
    record, key = ApiKey.objects.create_key(
        member=member, name=name.strip(), scopes=scopes, expiry_date=expires, created_by=actor.user
    )
    # djangorestframework-api-key's manager is typed with its abstract model; this one makes ApiKeys.
    api_key = cast(ApiKey, record)
    _log_key(SecurityEventKind.API_KEY_ISSUED, api_key, scopes=scopes)
    return api_key, key


@transaction.atomic
def api_key_revoke(*, actor: Actor, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good (logged in the security log with who did it)."""
    _require(actor.can(ISSUE_API_KEYS, api_key), _("You may not revoke this member's API keys."))
    if ApiKey.objects.filter(pk=api_key.pk, revoked=False).update(revoked=True):
        _log_key(SecurityEventKind.API_KEY_REVOKED, api_key)
    api_key.revoked = True
    return api_key


def _log_key(kind: str, api_key: ApiKey, **detail: Any) -> None:
    security_event_record(
        kind=kind,
        identifier=f"key:{api_key.prefix}",
        detail={"member": api_key.member.code, "name": api_key.name, **detail},
    )
