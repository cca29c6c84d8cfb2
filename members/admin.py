from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from core.permissions import ISSUE_API_KEYS, MANAGE_DELEGATES

from .accounts import user_deactivate
from .actors import Actor
from .admin_access import TableAdmin, actor_of, add_findings, can
from .enums import ALL_SCOPES, Scope
from .models import ApiKey, Delegate, Member, RecoveryCodeDevice, User
from .services import (
    api_key_issue,
    api_key_revoke,
    api_key_validate,
    delegate_add,
    delegate_remove,
    delegate_validate,
    staff_validate,
)


class StaffChangeForm(UserChangeForm):
    def clean(self):
        data = super().clean()
        add_findings(
            self,
            staff_validate(
                user=self.instance, is_staff=data.get("is_staff", False), is_superuser=data.get("is_superuser", False)
            ),
        )
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "language", "last_login"]
    list_filter = ["is_staff", "is_active", "language", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: versions, comments, reviews, history and the
        # security log keep naming who did what (their foreign keys PROTECT the user).
        return False

    @admin.action(description=_("Deactivate the selected users"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user_deactivate(user=user)
            count += 1
        messages.success(request, _("Users deactivated: %(count)d.") % {"count": count})


@admin.register(Member)
class MemberAdmin(TableAdmin):
    list_display = ["code", "iso3", "name", "name_fr", "accession_year"]
    search_fields = ["code", "iso3", "name", "name_fr"]
    ordering = ["name"]
    # The 32 allies come from a data migration; their names and codes are facts, not settings.
    add_permission = change_permission = delete_permission = False


class DelegateForm(forms.ModelForm):
    """A delegate is named by e-mail: the user is created if needed (`delegate_add`)."""

    email = forms.EmailField(label=_("e-mail address"))

    class Meta:
        model = Delegate
        fields = ["email", "member", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True

    def clean(self):
        data = super().clean()
        if not self.errors:
            add_findings(self, delegate_validate(email=data["email"], member=data["member"], role=data["role"]))
        return data


@admin.register(Delegate)
class DelegateAdmin(TableAdmin):
    form = DelegateForm
    view_permission = MANAGE_DELEGATES
    add_permission = MANAGE_DELEGATES
    change_permission = MANAGE_DELEGATES
    delete_permission = MANAGE_DELEGATES
    list_display = ["user", "member", "role", "created_at"]
    list_filter = ["role", "member"]
    search_fields = ["user__email", "member__name", "=member__code"]
    list_select_related = ["user", "member"]
    autocomplete_fields = ["member"]

    def save_model(self, request, obj, form, change):
        result = delegate_add(
            actor=actor_of(request),
            email=form.cleaned_data["email"],
            member=form.cleaned_data["member"],
            role=form.cleaned_data["role"],
        )
        obj.pk = result.delegate.pk
        obj.user = result.delegate.user
        obj._state.adding = False
        if result.created_user:
            messages.info(
                request,
                _("%(email)s is invited: an e-mail with a link to choose a password is on its way.")
                % {"email": result.delegate.user.email},
            )

    def delete_model(self, request, obj):
        delegate_remove(actor=actor_of(request), delegate=obj)

    def delete_queryset(self, request, queryset):
        for delegate in queryset:
            delegate_remove(actor=actor_of(request), delegate=delegate)


class ApiKeyIssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )

    class Meta:
        model = ApiKey
        fields = ["member", "name", "scopes", "expiry_date"]

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean(self):
        data = super().clean()
        if not self.errors:
            add_findings(
                self,
                api_key_validate(
                    actor=self.actor,
                    member=data["member"],
                    name=data["name"],
                    scopes=data["scopes"],
                    expires=data.get("expiry_date"),
                ),
            )
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(TableAdmin):
    add_permission = ISSUE_API_KEYS
    change_permission = False  # a key's owner and rights are fixed when it is issued; revoke and reissue
    delete_permission = False  # revoke instead: the record says who used the API
    list_display = ["name", "member", "prefix", "scopes", "created", "expiry_date", "revoked", "last_used_at"]
    list_filter = ["revoked", "member"]
    search_fields = ["name", "prefix", "=member__code", "member__name"]
    list_select_related = ["member"]
    autocomplete_fields = ["member"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "name", "scopes", "expiry_date"]
        return ["name", "member", "scopes", "expiry_date", "revoked", "prefix", "created", "last_used_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A key's owner and rights are fixed when it is issued; issue a new key to change them.
        return ["member", "scopes", "revoked", "prefix", "created", "last_used_at", "created_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            actor = actor_of(request)

            class IssueForm(ApiKeyIssueForm):
                def __init__(self, *args, **inner):
                    super().__init__(*args, actor=actor, **inner)

            kwargs["form"] = IssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_issue_permission(self, request):
        return can(request, ISSUE_API_KEYS)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, key = api_key_issue(
            actor=actor_of(request),
            member=form.cleaned_data["member"],
            name=form.cleaned_data["name"],
            scopes=[scope for scope in ALL_SCOPES if scope in form.cleaned_data["scopes"]],
            expires=form.cleaned_data["expiry_date"],
        )
        obj.pk = api_key.pk
        obj._state.adding = False
        request.issued_api_key = (api_key, key)

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "issued_api_key", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        api_key, key = issued
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API key issued"),
            "api_key": api_key,
            "key": key,
        }
        response = TemplateResponse(request, "admin/members/apikey/issued.html", context)
        # The key is shown this once and must not be kept by a browser or proxy cache.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["issue"])
    def revoke(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked=False):
            api_key_revoke(actor=actor_of(request), api_key=api_key)
            count += 1
        messages.success(request, _("Keys revoked: %(count)d.") % {"count": count})


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """A person's recovery codes: seen and removed (when they lost them too), never read or made here.

    Removing the last of a person's second-step methods (here, and authenticator apps and
    passkeys in django-otp's own admin pages) makes them set one up again at the next sign-in;
    check who they are first, as when they were given access.
    """

    list_display = ["user", "name", "created_at", "last_used_at", "remaining"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "name", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# django-otp-webauthn ships the admin class of passkeys without registering it.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
