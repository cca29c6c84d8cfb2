"""Staff: endpoints of any member or staff-wide, the delivery log with a redeliver action, the events."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.admin_access import TableAdmin, actor_of, add_findings

from . import services
from .models import Event, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    """The service's rules (a public https URL, known event types) checked beside their fields."""

    class Meta:
        model = WebhookEndpoint
        fields = ["member", "url", "description", "event_types", "is_active"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            add_findings(self, services.endpoint_validate(url=data["url"], event_types=data.get("event_types")))
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "member", "is_active", "failing_since", "disabled_at", "created_at")
    list_filter = ("is_active", "member")
    readonly_fields = (
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
    )
    fields = ("member", "url", "description", "event_types", "is_active", *readonly_fields)
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        actor = actor_of(request)
        if change:
            services.endpoint_update(actor=actor, endpoint=obj)
            return
        created = services.endpoint_create(
            actor=actor,
            member=obj.member,
            url=obj.url,
            description=obj.description,
            event_types=obj.event_types or [],
        )
        obj.pk = created.pk
        obj.secret = created.secret
        # The secret is shown this once.
        self.message_user(
            request,
            format_html(_("The signing secret, shown only now: <code>{}</code>"), created.secret),
            messages.WARNING,
        )

    @admin.action(description=_("Rotate the signing secret (the old one stays valid for a grace period)"))
    def rotate_secret(self, request, queryset):
        actor = actor_of(request)
        for endpoint in queryset:
            rotated = services.endpoint_rotate_secret(actor=actor, endpoint=endpoint)
            self.message_user(
                request,
                format_html(_("New secret of {}, shown only now: <code>{}</code>"), rotated.url, rotated.secret),
                messages.WARNING,
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(TableAdmin):
    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "response_ms",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status", "endpoint")
    list_select_related = ("event", "endpoint__member")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["redeliver"]
    # Written by the service only; the redeliver action is the one change staff make.
    add_permission = False
    change_permission = False

    @admin.action(description=_("Redeliver (the same webhook-id)"))
    def redeliver(self, request, queryset):
        actor = actor_of(request)
        count = 0
        for delivery in queryset.select_related("endpoint"):
            services.delivery_redeliver(actor=actor, delivery=delivery)
            count += 1
        self.message_user(request, ngettext("%d delivery queued.", "%d deliveries queued.", count) % count)


@admin.register(Event)
class EventAdmin(TableAdmin):
    list_display = ("position", "public_id", "type", "member", "created_at")
    list_filter = ("type",)
    list_select_related = ("member",)
    readonly_fields = [field.name for field in Event._meta.fields]
    # The feed's history: never written, changed or removed by hand.
    add_permission = change_permission = delete_permission = False
