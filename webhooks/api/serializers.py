"""Shapes of the events feed and webhook endpoints, for input checks and the OpenAPI schema.

Each event type's `data` has its own documented schema (EVENT_DATA); the feed item and the
webhook body are the same object.
"""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from core.api.base import StrictSerializer
from webhooks.enums import EventType


class EndpointInputSerializer(StrictSerializer):
    url = serializers.URLField(max_length=2000, help_text="https, to a public address.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        default=list,
        max_length=len(EventType.values),
        help_text="The types to receive; empty or left out: every type, new ones included.",
    )
    member = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="Staff only: a member's code, or null for staff-wide."
    )


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.CharField(allow_null=True)
    url = serializers.URLField()
    description = serializers.CharField(allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    is_active = serializers.BooleanField()
    failing_since = serializers.DateTimeField(allow_null=True)
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField(allow_blank=True)
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Until then the previous secret signs too (after a rotation)."
    )
    created_at = serializers.DateTimeField()


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text="`whsec_...`: shown this once. Verify signatures with it.")


# Event payloads ----------------------------------------------------------------------------------


class _PlanRef(serializers.Serializer):
    plan = serializers.IntegerField()
    member = serializers.CharField(help_text="The member's code.")
    cycle = serializers.IntegerField(help_text="The cycle's year.")
    status = serializers.CharField(help_text="The plan's status after the change.")


class _VersionData(serializers.Serializer):
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    is_late = serializers.BooleanField()


class _ReviewData(serializers.Serializer):
    id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=["accept", "return"])
    comment = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class _CommentData(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    author = serializers.CharField(allow_blank=True)
    from_secretariat = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PlanSubmittedData(_PlanRef):
    version = _VersionData()


class PlanReviewStartedData(_PlanRef):
    pass


class PlanDecidedData(_PlanRef):
    review = _ReviewData(help_text="The decision, with the comment and reasons of a return.")


class PlanCommentAddedData(_PlanRef):
    comment = _CommentData()


class DeadlineReminderData(serializers.Serializer):
    cycle = serializers.IntegerField()
    member = serializers.CharField()
    kind = serializers.ChoiceField(choices=["reminder", "resubmit"])
    rung = serializers.CharField(help_text="`before_30`, ..., `on_day`, `after_7`, or `manual`.")
    plan = serializers.IntegerField(allow_null=True)
    deadline = serializers.DateTimeField(help_text="The member's effective deadline.")


class ExtensionGrantedData(serializers.Serializer):
    cycle = serializers.IntegerField()
    member = serializers.CharField()
    deadline = serializers.DateTimeField(help_text="The member's new deadline.")
    reason = serializers.CharField()


class CycleOpenedData(serializers.Serializer):
    cycle = serializers.IntegerField()
    opens_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    review_deadline = serializers.DateTimeField(allow_null=True)
    approval_levels = serializers.IntegerField()


EVENT_DATA: dict[EventType, type[serializers.Serializer]] = {
    EventType.PLAN_SUBMITTED: PlanSubmittedData,
    EventType.PLAN_REVIEW_STARTED: PlanReviewStartedData,
    EventType.PLAN_RETURNED: PlanDecidedData,
    EventType.PLAN_ACCEPTED: PlanDecidedData,
    EventType.PLAN_COMMENT_ADDED: PlanCommentAddedData,
    EventType.DEADLINE_REMINDER: DeadlineReminderData,
    EventType.EXTENSION_GRANTED: ExtensionGrantedData,
    EventType.CYCLE_OPENED: CycleOpenedData,
}


def _event_serializer(event_type: str, data: type[serializers.Serializer]) -> type[serializers.Serializer]:
    name = "".join(part.title() for part in event_type.replace(".", "_").split("_")) + "Event"
    return type(
        name,
        (serializers.Serializer,),
        {
            "id": serializers.CharField(help_text="The event's id: the `webhook-id` header, the same on every retry."),
            "type": serializers.ChoiceField(choices=[event_type], help_text=EventType(event_type).label),
            "timestamp": serializers.DateTimeField(help_text="When the change was made."),
            "data": data(),
            "cursor": serializers.CharField(required=False, help_text="Feed only: give it as `after` to read on."),
        },
    )


EVENT_SERIALIZERS = {
    str(event_type.value): _event_serializer(str(event_type.value), data) for event_type, data in EVENT_DATA.items()
}


class EventPageSerializer(serializers.Serializer):
    results = PolymorphicProxySerializer(
        component_name="Event",
        serializers=dict(EVENT_SERIALIZERS),
        resource_type_field_name="type",
        many=True,
    )
    next_cursor = serializers.CharField(
        help_text="Give it as `after` for the next events (the same cursor when there were none)."
    )
    has_more = serializers.BooleanField(help_text="More events are waiting beyond this page.")
