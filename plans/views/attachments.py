"""Supporting documents on the plan page: the list, the upload form, removal, and the authorised download."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from members.views import forbidden

from ..attachments import (
    allowed_labels,
    attachment_add,
    attachment_remove,
    current_attachments,
    download_response,
    kind_label,
)
from ..errors import IllegalTransition, NotAllowed, PlanInvalid
from ..models import Attachment, Plan
from .common import can_edit, delegation_page


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Document to attach"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(kinds)s; the type is read from the file itself.") % {
            "kinds": allowed_labels()
        }


def attachment_rows(attachments) -> list[dict]:
    """What the pages show of each document."""
    return [
        {
            "attachment": attachment,
            "kind": kind_label(attachment.content_type),
            "sha256_short": attachment.sha256[:12],
        }
        for attachment in attachments
    ]


def attachments_context(request: HttpRequest, plan: Plan, form: AttachmentForm | None = None) -> dict:
    """The plan page's "Supporting documents" section (plans/_attachments.html)."""
    return {
        "attachments": attachment_rows(current_attachments(plan)),
        "attachment_form": form or AttachmentForm(),
        "can_attach": can_edit(request, plan),
    }


def _plan_url(plan: Plan) -> str:
    return f"{reverse('plan-detail-page', args=[plan.pk])}#attachments"


@require_POST
@delegation_page
def plan_attachment_add(request, plan: Plan):
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = attachment_add(plan=plan, actor=request.actor, upload=form.cleaned_data["file"])
        except NotAllowed as exc:
            return forbidden(request, exc.message)
        except IllegalTransition as exc:
            messages.error(request, exc.message)
            return redirect(_plan_url(plan))
        except PlanInvalid as exc:
            for finding in exc.findings:
                form.add_error("file", finding.message)
        else:
            messages.success(request, _("%(name)s is attached to the plan.") % {"name": attachment.name})
            return redirect(_plan_url(plan))
    from .pages import _detail_context  # the page this form sits on, with its errors

    context = _detail_context(request, plan, attachment_form=form)
    return render(request, "plans/plan_detail.html", context, status=400)


@require_POST
@delegation_page
def plan_attachment_remove(request, plan: Plan, aid: int):
    attachment = get_object_or_404(Attachment.objects.filter(plan=plan, removed_at__isnull=True), pk=aid)
    try:
        attachment_remove(attachment=attachment, actor=request.actor)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    except IllegalTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s was removed from the plan.") % {"name": attachment.name})
    return redirect(_plan_url(plan))


@require_GET
@delegation_page
def plan_attachment_download(request, plan: Plan, aid: int):
    # Documents that a version lists stay readable after their removal from the plan.
    attachment = get_object_or_404(Attachment.objects.filter(plan=plan), pk=aid)
    return download_response(request, attachment, subject=f"attachment {attachment.pk} of plan {plan.pk}")
