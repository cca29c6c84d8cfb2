"""Import a filled spreadsheet template (or a CSV of lines): upload, preview the changes, confirm.

Nothing is written before the delegate confirms: the content read from the file waits in the
session (as canonical JSON, with the plan's revision seen at the preview), and the confirmation
saves it through plans.services.plan_update with that revision, so a plan changed meanwhile is
refused rather than overwritten.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.permissions import CHANGE_PLAN
from members.views import forbidden

from ..comparison import compare
from ..content import canonical_json, plan_content, sha256_hex
from ..errors import IllegalTransition, NotAllowed, PlanInvalid, StalePlan
from ..imports import ImportRefused, content_from_json, field_labels, lines_csv, read_uploaded_file
from ..models import Plan
from ..services import plan_update
from .common import delegation_page

SESSION_KEY = "plan-import-{pk}"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled template (.xlsx) or lines (.csv)"),
        help_text=gettext_lazy("The plan's spreadsheet template, downloaded from this site and filled in."),
    )


def _refuse(request, plan: Plan):
    """A page answer when the actor may not import into this plan now; None when they may."""
    if not request.actor.can(CHANGE_PLAN, plan):
        return forbidden(request, _("Your role lets you read this plan, not change it."))
    if not plan.is_editable:
        messages.info(
            request,
            _("The plan is %(status)s: it cannot be changed now.") % {"status": plan.get_status_display().lower()},
        )
        return redirect("plan-detail-page", plan.pk)
    return None


@delegation_page
def plan_import(request, plan: Plan):
    refused = _refuse(request, plan)
    if refused is not None:
        return refused
    errors: list[str] = []
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = read_uploaded_file(form.cleaned_data["file"], plan=plan)
            except ImportRefused as exc:
                errors = exc.errors
            else:
                changes = compare(plan_content(plan), result.content)
                text = canonical_json(result.content)
                request.session[SESSION_KEY.format(pk=plan.pk)] = {
                    "revision": plan.revision,
                    "content": text,
                    "kind": result.kind,
                }
                return render(
                    request,
                    "plans/import_preview.html",
                    {"plan": plan, "changes": changes, "token": sha256_hex(text), "kind": result.kind},
                )
        else:
            errors = [error for messages_ in form.errors.values() for error in messages_]
    return render(
        request,
        "plans/import.html",
        {"plan": plan, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@require_POST
@delegation_page
def plan_import_confirm(request, plan: Plan):
    refused = _refuse(request, plan)
    if refused is not None:
        return refused
    pending = request.session.pop(SESSION_KEY.format(pk=plan.pk), None)
    if request.POST.get("action") != "confirm":
        messages.info(request, _("The import was cancelled: nothing was changed."))
        return redirect("plan-edit", plan.pk)
    if pending is None or request.POST.get("token") != sha256_hex(pending["content"]):
        messages.error(request, _("This preview is no longer available: upload the file again."))
        return redirect("plan-import", plan.pk)
    try:
        plan_update(
            plan=plan,
            actor=request.actor,
            content=content_from_json(pending["content"]),
            expected_revision=pending["revision"],
        )
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    except StalePlan:
        messages.error(
            request,
            _(
                "The plan was changed since the preview: nothing was imported. "
                "Upload the file again to see the changes."
            ),
        )
        return redirect("plan-import", plan.pk)
    except (IllegalTransition, PlanInvalid) as exc:
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": exc})
        return redirect("plan-import", plan.pk)
    messages.success(request, _("The spreadsheet was imported."))
    return redirect("plan-edit", plan.pk)


@delegation_page
def plan_lines_csv(request, plan: Plan):
    response = HttpResponse(lines_csv(plan_content(plan), field_labels()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.member.code}-{plan.cycle.year}-lines.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
