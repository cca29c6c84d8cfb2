"""Submission: a confirmation step, the service call, and the receipt."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import SUBMIT_PLAN
from members.views import forbidden

from ..errors import IllegalTransition, NotAllowed, PlanInvalid
from ..models import Plan, submission_is_late
from ..selectors import plan_findings
from ..services import plan_submit as submit_plan
from ..validation import errors, warnings
from .attachments import attachment_rows
from .common import delegation_page, labelled_findings, version_or_404


@delegation_page
def plan_submit(request, plan: Plan):
    actor = request.actor
    if not actor.can(SUBMIT_PLAN, plan):
        return forbidden(request, _("Only the head of delegation (a submitter) may submit the plan."))
    if not plan.is_editable:
        messages.info(
            request,
            _("The plan is %(status)s: there is nothing to submit.") % {"status": plan.get_status_display().lower()},
        )
        return redirect("plan-detail-page", plan.pk)
    status = 200
    if request.method == "POST":
        try:
            receipt = submit_plan(plan=plan, actor=actor)
        except NotAllowed as exc:
            return forbidden(request, exc.message)
        except IllegalTransition as exc:
            messages.error(request, exc.message)
            return redirect("plan-detail-page", plan.pk)
        except PlanInvalid as exc:
            findings = exc.findings
            status = 400
        else:
            return redirect("plan-receipt", plan.pk, receipt.number)
    else:
        findings = plan_findings(plan=plan, for_submission=True)
    return render(
        request,
        "plans/submit_confirm.html",
        {
            "plan": plan,
            "deadline": plan.effective_deadline,
            # This version's own flag; the plan stays on time if its first submission was.
            "will_be_late": submission_is_late(submitted_at=timezone.now(), deadline=plan.effective_deadline),
            "errors": labelled_findings(errors(findings)),
            "warnings": labelled_findings(warnings(findings)),
            "posted": request.method == "POST",
        },
        status=status,
    )


@delegation_page
def plan_receipt(request, plan: Plan, number: int):
    version = version_or_404(plan, number)
    attachments = attachment_rows(version.attachments.order_by("uploaded_at", "id"))
    return render(request, "plans/receipt.html", {"plan": plan, "version": version, "attachments": attachments})
