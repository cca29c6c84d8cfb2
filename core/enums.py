from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_IN_PAUSED = "sign_in_paused", _("Sign-in paused after failures")
    PASSWORD_SPRAYING = "password_spraying", _("Password spraying suspected")
    SIGN_OUT = "sign_out", _("Signed out")
    SESSION_ENDED = "session_ended", _("Session ended (absolute lifetime)")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET_THROTTLED = "password_reset_throttled", _("Password reset refused (too many requests)")
    PASSWORD_SET = "password_set", _("Password set by e-mail link")
    INVITATION_SENT = "invitation_sent", _("Invitation queued")
    MFA_VERIFIED = "mfa_verified", _("Second step passed")
    MFA_FAILED = "mfa_failed", _("Second step failed")
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Recovery code used")
    MFA_DEVICE_ADDED = "mfa_device_added", _("Second-step method added")
    MFA_DEVICE_REMOVED = "mfa_device_removed", _("Second-step method removed")
    MFA_RECOVERY_CODES_ISSUED = "mfa_recovery_codes_issued", _("Recovery codes issued")
    API_KEY_ISSUED = "api_key_issued", _("API key issued")
    API_KEY_USED = "api_key_used", _("API key used (first use of the day from an address)")
    API_KEY_REJECTED = "api_key_rejected", _("API key refused")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    DOWNLOAD = "download", _("File downloaded")
    PERMISSIONS_CHANGED = "permissions_changed", _("Permissions or groups changed")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    VERSION_CHAIN_BROKEN = "version_chain_broken", _("Version hash chain broken")


SIGN_IN_KINDS = {
    SecurityEventKind.SIGN_IN,
    SecurityEventKind.SIGN_IN_FAILED,
    SecurityEventKind.SIGN_IN_PAUSED,
    SecurityEventKind.PASSWORD_SPRAYING,
}
