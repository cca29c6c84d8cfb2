"""A plan's supporting documents over the API: list, upload (multipart), download, remove.

Reached as the plan is: another member's plan (and its documents) is 404. Reading and
downloading take the plan's read reach (a `read` key); uploading and removing, its write reach.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.base import PAGE_PARAMETERS, error_responses, paginate, paginated
from core.permissions import CHANGE_PLAN
from members.api.base import ApiView
from plans.attachments import KINDS, attachment_add, attachment_remove, current_attachments, download_response
from plans.models import Attachment, Plan

from . import reads
from .serializers import AttachmentSerializer, AttachmentUploadSerializer
from .views import PlanMixin


class AttachmentsMixin(PlanMixin):
    def writable_plan(self, pk: int) -> Plan:
        plan = self.get_plan(pk, CHANGE_PLAN)
        if not self.actor.can(CHANGE_PLAN, plan):
            raise exceptions.PermissionDenied(_("You may not write this member's plan."))
        return plan


class AttachmentListView(AttachmentsMixin, ApiView):
    def get_parsers(self):
        # Files come as multipart/form-data; the rest of the API speaks JSON only.
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        operation_id="plans_attachments_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(AttachmentSerializer, "PaginatedAttachmentList"), **error_responses(400, 404)},
        tags=["attachments"],
        description="The plan's supporting documents as they stand, oldest first.",
    )
    def get(self, request, pk: int):
        plan = self.get_plan(pk)
        paginator, page = paginate(self, current_attachments(plan), request)
        return paginator.get_paginated_response([reads.attachment_row(attachment) for attachment in page])

    @extend_schema(
        operation_id="plans_attachments_create",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **error_responses(400, 403, 404, 409, 413, 415)},
        tags=["attachments"],
        description="Attach a document to a draft or returned plan: one file in the multipart field `file`. "
        "Its type is read from its bytes (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG); anything else, or a file "
        "over the size limit or past the plan's count, is refused on `file`.",
    )
    def post(self, request, pk: int):
        plan = self.writable_plan(pk)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachment_add(plan=plan, actor=self.actor, upload=serializer.validated_data["file"])
        return Response(reads.attachment_row(attachment), status=status.HTTP_201_CREATED)


class AttachmentDetailView(AttachmentsMixin, ApiView):
    @extend_schema(
        operation_id="plans_attachments_download",
        responses={
            # The file is sent with the content type found in its bytes: one of the accepted kinds.
            **{
                (200, kind.content_type): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The file, as a download (`Content-Disposition: attachment`), with its own "
                    "content type (the one listed) and `X-Content-Type-Options: nosniff`.",
                )
                for kind in KINDS
            },
            **error_responses(404),
        },
        tags=["attachments"],
        description="A document of the plan, including one a submitted version lists after its removal.",
    )
    def get(self, request, pk: int, aid: int):
        plan = self.get_plan(pk)
        attachment = Attachment.objects.filter(plan=plan, pk=aid).first()
        if attachment is None:
            raise Http404
        return download_response(request, attachment, subject=f"attachment {attachment.pk} of plan {plan.pk}")

    @extend_schema(
        operation_id="plans_attachments_destroy",
        request=None,
        responses={204: None, **error_responses(403, 404, 409)},
        tags=["attachments"],
        description="Remove a document from a draft or returned plan. One a submitted version lists stays "
        "downloadable from that version.",
    )
    def delete(self, request, pk: int, aid: int):
        plan = self.writable_plan(pk)
        attachment = Attachment.objects.filter(plan=plan, pk=aid, removed_at__isnull=True).first()
        if attachment is None:
            raise Http404
        attachment.plan = plan
        attachment_remove(attachment=attachment, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)
