"""Pages of the second step of sign-in: enrol an authenticator app or a passkey, verify, recovery
codes, manage one's methods. Server-rendered; everything but passkeys works without JavaScript."""

from functools import wraps

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from core.enums import SecurityEventKind
from core.errors import NotAllowed
from core.services import security_event_record

from . import mfa
from .models import RecoveryCodeDevice

PENDING_TOTP = "mfa_pending_totp"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=64,
        help_text=gettext_lazy("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=10,
        help_text=gettext_lazy("The 6 digits the app shows for this account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def next_url(request, default: str = "home") -> str:
    """The page to go on to: the `next` given, when it is one of ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def may_change_methods(view):
    """Adding or removing methods needs a verified session, or none yet to verify with (first enrolment)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not mfa.session_verified(request) and mfa.confirmed_devices(request.user):
            verify = reverse("mfa-verify")
            return HttpResponseRedirect(f"{verify}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _context(request, **extra) -> dict:
    return {"next": next_url(request), "passkeys_enabled": mfa.passkeys_enabled(), **extra}


def _show_recovery_codes(request, codes: list[str]):
    response = render(request, "registration/mfa_recovery_codes.html", _context(request, codes=codes))
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def setup(request):
    """First sign-in of someone whose role needs a second step: choose a method."""
    if mfa.confirmed_devices(request.user):
        return redirect(f"{reverse('mfa-verify')}?next={next_url(request)}")
    return render(request, "registration/mfa_setup.html", _context(request, required=mfa.mfa_required(request.user)))


@never_cache
@may_change_methods
def totp(request):
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code."""
    device = TOTPDevice.objects.filter(pk=request.session.get(PENDING_TOTP), user=request.user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = mfa.mfa_totp_begin(user=request.user)
        request.session[PENDING_TOTP] = device.pk
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_totp_confirm(request=request, device=device, token=form.cleaned_data["code"].replace(" ", "")):
            request.session.pop(PENDING_TOTP, None)
            messages.success(request, _("Your authenticator app is set up."))
            if not RecoveryCodeDevice.objects.filter(user=request.user).exists():
                return _show_recovery_codes(request, mfa.mfa_recovery_codes_issue(user=request.user))
            return redirect(next_url(request))
        form.add_error("code", _("That code does not match. Check the app's clock and type the code it shows now."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False)
    context = _context(request, form=form, qr_svg=qr, secret=mfa.totp_secret(device))
    response = render(request, "registration/mfa_totp.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the page shows the key
    return response


@never_cache
@may_change_methods
def passkey(request):
    """Add a passkey (needs JavaScript: the browser's WebAuthn interface has no form equivalent)."""
    return render(request, "registration/mfa_passkey.html", _context(request))


@never_cache
@login_required
def verify(request):
    """The second step: a code from the app, a recovery code, or a passkey."""
    if mfa.session_verified(request):
        return redirect(next_url(request))
    if not mfa.confirmed_devices(request.user):
        return redirect(
            f"{reverse('mfa-setup')}?next={next_url(request)}" if mfa.mfa_required(request.user) else next_url(request)
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.mfa_verify(request=request, user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)d remain. Set up your authenticator again if you lost it.")
                    % {"count": device.remaining},
                )
                return redirect(f"{reverse('mfa-manage')}?next={next_url(request)}")
            return redirect(next_url(request))
        form.add_error("code", _("That code is not right, or was used already. Try the code the app shows now."))
    has_passkey = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).exists()
    context = _context(request, form=form, has_passkey=has_passkey and mfa.passkeys_enabled())
    return render(request, "registration/mfa_verify.html", context, status=400 if form.errors else 200)


@never_cache
@may_change_methods
def recovery_codes(request):
    """New recovery codes (the old ones stop working); shown once."""
    if request.method == "POST":
        return _show_recovery_codes(request, mfa.mfa_recovery_codes_issue(user=request.user))
    return redirect("mfa-manage")


@never_cache
@may_change_methods
def manage(request):
    """One's second-step methods: add, remove, new recovery codes."""
    methods = []
    for device in mfa.confirmed_devices(request.user):
        if isinstance(device, RecoveryCodeDevice):
            label, kind = _("Recovery codes: %(count)d left") % {"count": device.remaining}, "recovery"
        elif isinstance(device, WebAuthnCredential):
            label, kind = _("Passkey: %(name)s") % {"name": device.name}, "passkey"
        else:
            label, kind = _("Authenticator app: %(name)s") % {"name": device.name}, "app"
        methods.append({"label": label, "kind": kind, "id": device.persistent_id})
    context = _context(
        request,
        methods=methods,
        required=mfa.mfa_required(request.user),
        has_recovery=any(method["kind"] == "recovery" for method in methods),
    )
    return render(request, "registration/mfa_manage.html", context)


@require_POST
@may_change_methods
def remove(request):
    try:
        mfa.mfa_device_remove(request=request, user=request.user, persistent_id=request.POST.get("device", ""))
    except NotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The sign-in method was removed."))
    return redirect("mfa-manage")


# Passkeys: django-otp-webauthn's JSON endpoints, with the security log added.


class PasskeyRegistrationBegin(webauthn_views.BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        security_event_record(
            kind=SecurityEventKind.MFA_DEVICE_ADDED,
            user=self.request.user,
            request=self.request,
            detail={"method": "passkey"},
        )
        return response


class PasskeyAuthenticationBegin(webauthn_views.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(webauthn_views.CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        if self.request.user.is_authenticated:
            security_event_record(
                kind=SecurityEventKind.MFA_FAILED,
                user=self.request.user,
                request=self.request,
                detail={"method": "passkey"},
            )
        return super().handle_exception(exc)

    def complete_auth(self, device):
        super().complete_auth(device)
        security_event_record(
            kind=SecurityEventKind.MFA_VERIFIED, user=device.user, request=self.request, detail={"method": "passkey"}
        )
