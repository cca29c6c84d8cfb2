from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .enums import ALL_SCOPES, Scope
from .models import ApiKey, Delegate, Member, User
from .services import MemberInputError, api_key_issue, api_key_revoke, delegate_add


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["code", "iso3", "name", "name_fr", "accession_year"]
    search_fields = ["code", "iso3", "name", "name_fr"]
    ordering = ["name"]

    def has_add_permission(self, request):
        return False  # the 32 allies come from a data migration

    def has_delete_permission(self, request, obj=None):
        return False


class _DryRun(Exception):
    pass


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
            # Ask the service itself, in a savepoint always rolled back, so its refusal shows on the form.
            try:
                with transaction.atomic():
                    delegate_add(email=data["email"], member=data["member"], role=data["role"])
                    raise _DryRun
            except _DryRun:
                pass
            except MemberInputError as error:
                self.add_error(None, str(error))
        return data


@admin.register(Delegate)
class DelegateAdmin(admin.ModelAdmin):
    form = DelegateForm
    list_display = ["user", "member", "role", "created_at"]
    list_filter = ["role", "member"]
    search_fields = ["user__email", "member__name", "=member__code"]
    list_select_related = ["user", "member"]
    autocomplete_fields = ["member"]

    def save_model(self, request, obj, form, change):
        result = delegate_add(
            email=form.cleaned_data["email"], member=form.cleaned_data["member"], role=form.cleaned_data["role"]
        )
        obj.pk = result.delegate.pk
        obj.user = result.delegate.user
        obj._state.adding = False
        if result.created_user:
            messages.info(
                request,
                _('%(email)s has no password yet: they set one with "forgot password".')
                % {"email": result.delegate.user.email},
            )


class ApiKeyIssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )

    class Meta:
        model = ApiKey
        fields = ["member", "name", "scopes", "expiry_date"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
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
            kwargs["form"] = ApiKeyIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record says who used the API

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, key = api_key_issue(
            member=form.cleaned_data["member"],
            name=form.cleaned_data["name"],
            scopes=[scope for scope in ALL_SCOPES if scope in form.cleaned_data["scopes"]],
            expires=form.cleaned_data["expiry_date"],
            created_by=request.user,
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

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked=False):
            api_key_revoke(api_key=api_key)
            count += 1
        messages.success(request, _("Keys revoked: %(count)d.") % {"count": count})
