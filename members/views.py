"""Sign in and out, password reset and invitations, and the delegation's own API keys."""

from datetime import UTC, datetime, time
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.enums import SecurityEventKind
from core.errors import NotAllowed
from core.permissions import ISSUE_API_KEYS
from core.security import client_ip, security_event_from_request

from . import accounts, signin
from .actors import Actor
from .enums import Scope
from .forms import SignInForm
from .models import ApiKey
from .services import MemberInputError, api_key_grantable_scopes, api_key_issue, api_key_revoke
from .tokens import invitation_token_generator


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # This browser proved the password: other clients' failures no longer pause it (members.signin).
        signin.set_device_cookie(response, form.get_user().email)
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default), so that a link or an image cannot sign anyone out."""


class ResetRequestForm(PasswordResetForm):
    def save(self, **kwargs) -> None:
        # Django's form sends the mail in the request; ours queues it, counts requests per account
        # and also reaches invited users who have no password yet.
        accounts.password_reset_request(email=self.cleaned_data["email"])


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        if not accounts.password_reset_allowed_from(ip_address=client_ip(request)):
            security_event_from_request(
                request, SecurityEventKind.PASSWORD_RESET_THROTTLED, identifier=request.POST.get("email", "")[:254]
            )
            context = {"form": self.get_form(), "throttled": True}
            return render(request, self.template_name, context, status=429)
        return super().post(request, *args, **kwargs)


class PasswordSetMixin:
    """After a password is set through an e-mailed link: log it, forget the account's failed
    sign-ins (the mailbox's owner is the account's owner) and trust this browser."""

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_from_request(self.request, SecurityEventKind.PASSWORD_SET, user=form.user)
        signin.failures_clear(email=form.user.email)
        signin.set_device_cookie(response, form.user.email)
        return response


class PasswordResetConfirmView(PasswordSetMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"


class InvitationView(PasswordSetMixin, auth_views.PasswordResetConfirmView):
    """A new user's first password, from the invitation link."""

    template_name = "registration/invitation.html"
    token_generator = invitation_token_generator
    success_url = reverse_lazy("invitation_done")
    title = gettext_lazy("Choose your password")


def delegation_door(view):
    """A delegation page: sign-in required, staff sent to the admin, `request.actor` set.

    Staff work in the admin, where every staff action is: sending them there beats a second,
    partial staff view of the same things here.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        actor = Actor.for_user(request.user)
        if actor.is_staff:
            return redirect("admin:index")
        request.actor = actor
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request, message: str):
    return render(request, "forbidden.html", {"message": message}, status=403)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=50,
        help_text=gettext_lazy("What the key is for, such as “Ministry ERP”."),
    )
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Rights"), widget=forms.CheckboxSelectMultiple)
    expiry_date = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Optional. The key stops working at the end of this day (UTC)."),
    )

    def __init__(self, *args, scopes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(value, label) for value, label in Scope.choices if value in scopes]

    def expiry(self) -> datetime | None:
        day = self.cleaned_data.get("expiry_date")
        return datetime.combine(day, time.max, tzinfo=UTC) if day else None


@delegation_door
def api_keys(request):
    """The member's keys for its national systems: issue one (shown once), see them all, revoke."""
    actor = request.actor
    member = actor.member
    if member is None or not actor.can(ISSUE_API_KEYS, member):
        return forbidden(request, _("Only the head of delegation manages the member's API keys."))
    grantable = api_key_grantable_scopes(actor=actor, member=member)
    form = ApiKeyForm(request.POST or None, scopes=grantable)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_key_issue(
                actor=actor,
                member=member,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires=form.expiry(),
            )
        except MemberInputError as error:
            for finding in error.findings:
                form.add_error(finding.field if finding.field in form.fields else None, finding.message)
        else:
            form = ApiKeyForm(scopes=grantable)
    keys = ApiKey.objects.filter(member=member).select_related("created_by").order_by("-created")
    response = render(
        request,
        "members/api_keys.html",
        {"member": member, "form": form, "keys": keys, "issued": issued},
        status=400 if form.errors else 200,
    )
    if issued is not None:
        # The key is shown this once and must not be kept by a browser or proxy cache.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@delegation_door
def api_key_revoke_view(request, prefix: str):
    # Another member's key is "not found", so that its existence does not leak.
    api_key = get_object_or_404(ApiKey, prefix=prefix, member_id=request.actor.member_id)
    try:
        api_key_revoke(actor=request.actor, api_key=api_key)
    except NotAllowed as error:
        return forbidden(request, error.message)
    messages.success(request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": api_key.name})
    return redirect("api-keys")
