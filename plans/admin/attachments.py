"""Supporting documents in the staff workspace: listed on the plan page, downloaded through an authorised view."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.numbers import format_number
from core.permissions import VIEW_ALL_PLANS
from members.admin_access import can

from ..attachments import download_response, kind_label
from ..models import Attachment
from .base import ReadOnlyInline, RecordAdmin


class AttachmentDisplay:
    """The columns staff read of a document, on the plan page and in the list."""

    @admin.display(description=_("name"))
    def download(self, attachment: Attachment):
        url = reverse("admin:plans_attachment_download", args=[attachment.pk])
        return format_html('<a href="{}" download>{}</a>', url, attachment.name)

    @admin.display(description=_("type"))
    def kind(self, attachment: Attachment):
        return kind_label(attachment.content_type)

    @admin.display(description=_("size (bytes)"))
    def grouped_size(self, attachment: Attachment):
        return format_number(attachment.size)

    @admin.display(description=_("uploaded by"))
    def uploader(self, attachment: Attachment):
        return attachment.uploader_label


class AttachmentInline(AttachmentDisplay, ReadOnlyInline):
    model = Attachment
    verbose_name_plural = _("supporting documents (removed ones were listed by a submitted version)")
    fields = ["download", "kind", "grouped_size", "sha256", "uploader", "uploaded_at", "removed_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "uploaded_by_key")


@admin.register(Attachment)
class AttachmentAdmin(AttachmentDisplay, RecordAdmin):
    list_display = ["download", "plan", "kind", "grouped_size", "sha256", "uploader", "uploaded_at", "removed_at"]
    list_select_related = ["plan__member", "plan__cycle", "uploaded_by", "uploaded_by_key"]
    search_fields = ["name", "=sha256", "=plan__member__code"]
    exclude = ["file"]

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [path("<int:pk>/download/", download, name="plans_attachment_download"), *super().get_urls()]

    def download_view(self, request, pk: int):
        if not can(request, VIEW_ALL_PLANS):
            raise PermissionDenied
        attachment = get_object_or_404(Attachment, pk=pk)
        return download_response(
            request, attachment, subject=f"attachment {attachment.pk} of plan {attachment.plan_id}"
        )
