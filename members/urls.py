"""Sign in, sign out, password reset, invitations and the second step of sign-in."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from . import mfa_views, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<str:prefix>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path(
        "invitation/done/",
        TemplateView.as_view(template_name="registration/password_reset_complete.html"),
        name="invitation_done",
    ),
    # The second step of sign-in.
    path("two-step/", mfa_views.manage, name="mfa-manage"),
    path("two-step/setup/", mfa_views.setup, name="mfa-setup"),
    path("two-step/app/", mfa_views.totp, name="mfa-totp"),
    path("two-step/passkey/", mfa_views.passkey, name="mfa-passkey"),
    path("two-step/verify/", mfa_views.verify, name="mfa-verify"),
    path("two-step/recovery-codes/", mfa_views.recovery_codes, name="mfa-recovery-codes"),
    path("two-step/remove/", mfa_views.remove, name="mfa-remove"),
    path(
        "two-step/passkey/register/begin/",
        mfa_views.PasskeyRegistrationBegin.as_view(),
        name="passkey-registration-begin",
    ),
    path(
        "two-step/passkey/register/complete/",
        mfa_views.PasskeyRegistrationComplete.as_view(),
        name="passkey-registration-complete",
    ),
    path(
        "two-step/passkey/verify/begin/",
        mfa_views.PasskeyAuthenticationBegin.as_view(),
        name="passkey-authentication-begin",
    ),
    path(
        "two-step/passkey/verify/complete/",
        mfa_views.PasskeyAuthenticationComplete.as_view(),
        name="passkey-authentication-complete",
    ),
]
