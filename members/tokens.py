"""Links that let a person set a password: the reset link (Django's generator, PASSWORD_RESET_TIMEOUT)
and the invitation of a new user (INVITATION_TIMEOUT, its own salt so neither link opens the other)."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token with another salt and lifetime.

    Django's check_token reads PASSWORD_RESET_TIMEOUT itself, so the check is repeated here with
    INVITATION_TIMEOUT; like a reset token, it stops working once a password is set.
    """

    key_salt = "members.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.INVITATION_TIMEOUT


invitation_token_generator = InvitationTokenGenerator()
