from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Delegate, Member, User


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


@admin.register(Delegate)
class DelegateAdmin(admin.ModelAdmin):
    list_display = ["user", "member", "role", "created_at"]
    list_filter = ["role", "member"]
    search_fields = ["user__email", "member__name", "member__code"]
    list_select_related = ["user", "member"]
    autocomplete_fields = ["user", "member"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "member", "prefix", "scopes", "created", "expiry_date", "revoked", "last_used_at"]
    list_filter = ["revoked", "member"]
    search_fields = ["name", "prefix", "member__code", "member__name"]
    list_select_related = ["member"]
    readonly_fields = ["prefix", "created", "last_used_at", "created_by"]
    fields = ["name", "member", "scopes", "expiry_date", "revoked", "prefix", "created", "last_used_at", "created_by"]

    def has_add_permission(self, request):
        return False  # keys are issued with `manage.py issue_api_key`, which shows the key once
