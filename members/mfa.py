"""Multi-factor sign-in: who must use it (the policy, per role, in one place) and its writes.

Methods, all django-otp devices: an authenticator app (TOTP, django-otp's TOTPDevice), passkeys
(WebAuthn, django-otp-webauthn's credential) and recovery codes (RecoveryCodeDevice). API keys
are not people and never take a second step.

A session has passed the second step when it holds django-otp's device id
(`django_otp.DEVICE_ID_SESSION_KEY`), written by `django_otp.login` after a token was verified.
"""

import secrets
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.enums import SecurityEventKind
from core.errors import NotAllowed
from core.services import security_event_record

from .enums import Role
from .models import Delegate, RecoveryCode, RecoveryCodeDevice, recovery_code_digest

REQUIRED = "required"
OPTIONAL = "optional"
STAFF = "staff"

# Who must sign in with a second step. Staff reach every member's plans and the admin; a
# submitter signs the member's plan off. Viewers and editors may add a method and are then
# asked for it at every sign-in.
MFA_POLICY: dict[str, str] = {
    STAFF: REQUIRED,
    Role.SUBMITTER: REQUIRED,
    Role.EDITOR: OPTIONAL,
    Role.VIEWER: OPTIONAL,
}
NO_ROLE_POLICY = OPTIONAL  # signed in, neither staff nor delegate: sees nothing anyway

RECOVERY_CODES = 10
VERIFY = "verify"
ENROL = "enrol"


def policy_role(user) -> str | None:
    """The key of MFA_POLICY that applies to `user`."""
    if user.is_staff or user.is_superuser:
        return STAFF
    try:
        return user.delegate.role
    except Delegate.DoesNotExist:
        return None


def mfa_required(user) -> bool:
    return MFA_POLICY.get(policy_role(user), NO_ROLE_POLICY) == REQUIRED


def confirmed_devices(user) -> list:
    return list(devices_for_user(user, confirmed=True))


def sign_in_methods(user) -> list:
    """The confirmed devices that are a method of their own (authenticator apps, passkeys), not recovery codes."""
    return [device for device in confirmed_devices(user) if not isinstance(device, RecoveryCodeDevice)]


def session_verified(request) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY)) if hasattr(request, "session") else False


def mfa_state(user) -> str | None:
    """What a signed-in, unverified session must do: VERIFY, ENROL, or None (nothing)."""
    if confirmed_devices(user):
        return VERIFY
    return ENROL if mfa_required(user) else None


def _log(kind: str, user, **detail) -> None:
    security_event_record(kind=kind, user=user, detail=detail)


def recovery_code_new() -> str:
    """120 random bits as 24 base32 characters in groups of four (easy to copy, hard to guess)."""
    text = b32encode(secrets.token_bytes(15)).decode().lower()
    return "-".join(text[index : index + 4] for index in range(0, len(text), 4))


@transaction.atomic
def mfa_recovery_codes_issue(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones; returns them (shown once, never stored)."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=str(_("Recovery codes")), confirmed=True)
    codes = [recovery_code_new() for _index in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, digest=recovery_code_digest(code)) for code in codes])
    _log(SecurityEventKind.MFA_RECOVERY_CODES_ISSUED, user, count=len(codes))
    return codes


@transaction.atomic
def mfa_totp_begin(*, user) -> TOTPDevice:
    """Start adding an authenticator app: a new unconfirmed TOTP device (earlier unfinished ones go)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)


@transaction.atomic
def mfa_totp_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator app with a code from it; the session then counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        _log(SecurityEventKind.MFA_FAILED, device.user, method="totp", step="enrolment")
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    _log(SecurityEventKind.MFA_DEVICE_ADDED, device.user, method="totp", device=device.persistent_id)
    return True


def mfa_verify(*, request, user, token: str):
    """Check a code from an authenticator app or a recovery code; the device that took it, or None.

    Each device counts its own failures and makes the next try wait longer (django-otp's
    throttling: 1, 2, 4, 8 ... seconds), so codes cannot be guessed at speed.
    """
    token = (token or "").strip()
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token.replace(" ", "")):
                otp_login(request, device)
                _log(SecurityEventKind.MFA_VERIFIED, user, method="totp", device=device.persistent_id)
                return device
        for device in RecoveryCodeDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                _log(
                    SecurityEventKind.MFA_RECOVERY_CODE_USED,
                    user,
                    method="recovery_code",
                    remaining=device.remaining,
                )
                return device
    _log(SecurityEventKind.MFA_FAILED, user, step="sign-in")
    return None


@transaction.atomic
def mfa_device_remove(*, request, user, persistent_id: str) -> None:
    """Remove one of the user's methods; a user who must use a second step keeps at least one."""
    device = next((d for d in confirmed_devices(user) if d.persistent_id == persistent_id), None)
    if device is None:
        raise NotAllowed(_("That sign-in method is not yours or is already removed."))
    others = [d for d in sign_in_methods(user) if d.persistent_id != persistent_id]
    if not isinstance(device, RecoveryCodeDevice) and not others and mfa_required(user):
        raise NotAllowed(_("Your role needs a second step: add another method before removing this one."))
    device.delete()
    if request.session.get(DEVICE_ID_SESSION_KEY) == persistent_id:
        # The session stays verified (it was verified), but by a device that no longer exists:
        # name the remaining one so nothing points at a deleted row.
        remaining = confirmed_devices(user)
        if remaining:
            request.session[DEVICE_ID_SESSION_KEY] = remaining[0].persistent_id
    _log(SecurityEventKind.MFA_DEVICE_REMOVED, user, device=persistent_id)


def totp_secret(device: TOTPDevice) -> str:
    """The device's key in base32, grouped by four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


def passkeys_enabled() -> bool:
    return bool(getattr(settings, "PASSKEYS_ENABLED", False))
