"""The event feed and a member's webhook endpoints.

`GET events/?after=<cursor>` returns the caller's events in the order they committed (see
webhooks.services); `webhooks/` registers, lists, rotates and removes endpoints. Another
member's endpoint is answered 404.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.api.base import error_responses, whole_number
from members.api.base import ApiView
from members.models import Member
from webhooks import services
from webhooks.models import WebhookEndpoint

from .serializers import (
    EndpointInputSerializer,
    EndpointSerializer,
    EndpointWithSecretSerializer,
    EventPageSerializer,
)

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_POSITION = 2**63 - 1  # the column's bigint: a larger cursor is no cursor of ours


class EventFeedView(ApiView):
    @extend_schema(
        operation_id="events_list",
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "string", "pattern": "^[0-9]+$"},
                description="The `next_cursor` of the page before; left out: from the first event.",
            ),
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1}, description="Events a page (100; at most 500)."
            ),
        ],
        responses={200: EventPageSerializer, **error_responses(400, 403)},
        tags=["events"],
        description="The caller's events (its member's, and those for every member; staff: all) in the order they "
        "happened. A cursor never skips or repeats an event, even while others are being written. Each event is the "
        "body its webhooks carry, with the same `id`.",
    )
    def get(self, request):
        after = whole_number(request, "after", minimum=0, maximum=MAX_POSITION) or 0
        limit = min(whole_number(request, "limit") or DEFAULT_LIMIT, MAX_LIMIT)
        events = list(
            services.events_visible_to(self.actor).filter(position__gt=after).order_by("position")[: limit + 1]
        )
        page, has_more = events[:limit], len(events) > limit
        results = [{**services.event_body(event), "cursor": str(event.position)} for event in page]
        return Response(
            {"results": results, "next_cursor": str(page[-1].position if page else after), "has_more": has_more}
        )


def endpoint_row(endpoint: WebhookEndpoint, *, secret: bool = False) -> dict:
    row = {
        "id": endpoint.pk,
        "member": endpoint.member.code if endpoint.member_id else None,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "is_active": endpoint.is_active,
        "failing_since": endpoint.failing_since,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at,
        "created_at": endpoint.created_at,
    }
    if secret:
        row["secret"] = endpoint.secret
    return row


class EndpointMixin:
    def get_endpoint(self, pk: int) -> WebhookEndpoint:
        endpoint = services.endpoints_visible_to(self.actor).select_related("member").filter(pk=pk).first()
        if endpoint is None:
            raise Http404
        return endpoint


class EndpointListView(EndpointMixin, ApiView):
    @extend_schema(
        operation_id="webhooks_list",
        responses={200: EndpointSerializer(many=True), **error_responses()},
        tags=["webhooks"],
        description="The caller's endpoints (a member's, with the `write` scope; staff who manage webhooks: all).",
    )
    def get(self, request):
        endpoints = services.endpoints_visible_to(self.actor).select_related("member").order_by("id")
        return Response([endpoint_row(endpoint) for endpoint in endpoints])

    @extend_schema(
        operation_id="webhooks_create",
        request=EndpointInputSerializer,
        responses={201: EndpointWithSecretSerializer, **error_responses(400, 403, 413, 415)},
        tags=["webhooks"],
        description="Register an endpoint for the caller's events; the answer shows its `whsec_` secret, once.",
    )
    def post(self, request):
        serializer = EndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Left out: the caller's member (for staff, none: a staff-wide endpoint). Whose endpoint
        # the caller may register is the service's rule.
        code = data.get("member")
        member = Member.objects.filter(code=code.upper()).first() if code else self.actor.member
        if code and member is None:
            raise exceptions.ValidationError({"member": [_("No member has that code.")]})
        endpoint = services.endpoint_create(
            actor=self.actor,
            member=member,
            url=data["url"],
            description=data.get("description", ""),
            event_types=data.get("event_types", []),
        )
        return Response(endpoint_row(endpoint, secret=True), status=status.HTTP_201_CREATED)


class EndpointDetailView(EndpointMixin, ApiView):
    @extend_schema(
        operation_id="webhooks_retrieve",
        responses={200: EndpointSerializer, **error_responses(404)},
        tags=["webhooks"],
    )
    def get(self, request, pk: int):
        return Response(endpoint_row(self.get_endpoint(pk)))

    @extend_schema(
        operation_id="webhooks_destroy", responses={204: None, **error_responses(403, 404)}, tags=["webhooks"]
    )
    def delete(self, request, pk: int):
        services.endpoint_delete(actor=self.actor, endpoint=self.get_endpoint(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateView(EndpointMixin, ApiView):
    @extend_schema(
        operation_id="webhooks_rotate_secret",
        request=None,
        responses={200: EndpointWithSecretSerializer, **error_responses(403, 404)},
        tags=["webhooks"],
        description="A new secret, shown once; the old one keeps signing beside it for a grace period "
        "(`previous_secret_expires_at`, 24 hours by default), so receivers can switch without losing a call.",
    )
    def post(self, request, pk: int):
        endpoint = services.endpoint_rotate_secret(actor=self.actor, endpoint=self.get_endpoint(pk))
        return Response(endpoint_row(endpoint, secret=True))


class EndpointEnableView(EndpointMixin, ApiView):
    @extend_schema(
        operation_id="webhooks_enable",
        request=None,
        responses={200: EndpointSerializer, **error_responses(403, 404)},
        tags=["webhooks"],
        description="Turn on again an endpoint disabled after a day of failures.",
    )
    def post(self, request, pk: int):
        endpoint = self.get_endpoint(pk)
        services.endpoint_enable(actor=self.actor, endpoint=endpoint)
        return Response(endpoint_row(self.get_endpoint(pk)))
