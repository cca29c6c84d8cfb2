"""The second step of sign-in, enforced for every page, the admin and session calls to the API."""

import functools
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .mfa import ENROL, mfa_state, session_verified

# Pages a signed-in person must reach before the second step: signing out, the language, the
# second step itself, password reset and the API's public description.
EXEMPT_URL_NAMES = {
    "logout",
    "login",
    "set_language",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation",
    "mfa-setup",
    "mfa-totp",
    "mfa-passkey",
    "mfa-verify",
    "mfa-recovery-codes",
    "passkey-registration-begin",
    "passkey-registration-complete",
    "passkey-authentication-begin",
    "passkey-authentication-complete",
    "api-schema",
    "api-docs",
    "health",
}


def _is_verified(request) -> bool:
    return session_verified(request)


class MfaMiddleware:
    """Sends a signed-in session that has not passed its second step to verify it (or to enrol,
    for a role that must have one); the API answers 403 `mfa_required` instead.

    It also gives `request.user` django-otp's `is_verified()`, read from the session. django-otp's
    own OTPMiddleware would load the device row on every request; the session is written only
    by `django_otp.login` after a verified token, so reading it costs no query. A device removed
    elsewhere leaves sessions it verified valid until they end (SESSION_ABSOLUTE_AGE at most).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.user = SimpleLazyObject(functools.partial(self._with_verification, request, user))
        return self.get_response(request)

    @staticmethod
    def _with_verification(request, user):
        user.is_verified = functools.partial(_is_verified, request)
        return user

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or _is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and (match.url_name in EXEMPT_URL_NAMES or match.app_name == "djdt"):
            return None
        state = mfa_state(request.user)
        if state is None:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Sign in with your second step in the browser first, or use an API key."),
                    "code": "mfa_required",
                },
                status=403,
            )
        target = reverse("mfa-setup" if state == ENROL else "mfa-verify")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
