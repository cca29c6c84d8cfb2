"""Reading pages: dashboard, the plan, its versions and comparisons, and the comment thread."""

import json

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.permissions import ADD_COMMENT, CHANGE_PLAN, ISSUE_API_KEYS
from members.views import forbidden

from ..comparison import compare
from ..content import plan_content
from ..errors import NotAllowed, PlanInvalid
from ..forms import CommentForm, StartPlanForm
from ..models import Plan, is_overdue
from ..selectors import (
    comments_visible_to,
    current_cycle,
    cycles_with_deadline,
    last_submitted_plan,
    plan_findings,
    plans_visible_to,
    plans_with_rules,
)
from ..services import comment_add
from .attachments import attachment_rows, attachments_context
from .common import (
    ally_names,
    can_edit,
    can_submit,
    delegation_page,
    displayed_content,
    labelled_findings,
    version_or_404,
)

LATEST_COMMENTS = 3


@delegation_page
def dashboard(request):
    actor = request.actor
    member = actor.member
    if member is None:
        return render(request, "plans/no_delegation.html")
    now = timezone.now()
    # With the member's effective deadline and whether an extension set it, from the selectors.
    cycle = current_cycle(now, cycles=cycles_with_deadline(member_id=member.pk))
    context = {
        "member": member,
        "delegate": actor.delegate,
        "cycle": cycle,
        "now": now,
        "can_issue_keys": actor.can(ISSUE_API_KEYS, member),
    }
    plans = plans_with_rules(plans_visible_to(actor).select_related("cycle", "latest_version"), now=now)
    if cycle is not None:
        plan = plans.filter(cycle=cycle).first()
        deadline = cycle.effective_deadline
        context.update(
            deadline=deadline,
            has_extension=cycle.has_extension,
            # A member without a plan has submitted nothing: overdue once its deadline has passed.
            submitted_late=plan.submitted_late if plan else None,
            overdue=plan.overdue if plan else is_overdue(submitted=False, deadline=deadline, now=now),
            plan=plan,
            can_start=plan is None and actor.can(CHANGE_PLAN, member),
        )
        if plan is None:
            context["can_copy"] = (
                context["can_start"] and last_submitted_plan(member_id=member.pk, before_year=cycle.year) is not None
            )
            context["start_form"] = StartPlanForm()
        else:
            context["can_edit_plan"] = plan.is_editable and actor.can(CHANGE_PLAN, plan)
            context["latest_review"] = plan.reviews.order_by("-created_at", "-id").first()
            context["comments"] = list(
                comments_visible_to(plan=plan, actor=actor)
                .filter(author__is_staff=True)
                .order_by("-created_at", "-id")[:LATEST_COMMENTS]
            )
        plans = plans.exclude(cycle=cycle)
    context["previous_plans"] = list(plans.order_by("-cycle__year"))
    return render(request, "plans/dashboard.html", context)


def _detail_context(request, plan: Plan, comment_form=None, attachment_form=None) -> dict:
    actor = request.actor
    content = plan_content(plan)
    return {
        **attachments_context(request, plan, attachment_form),
        "plan": plan,
        "member": plan.member,
        "content": displayed_content(content, ally_names()),
        "deadline": plan.effective_deadline,
        "reviews": list(plan.reviews.select_related("version").order_by("-created_at", "-id")),
        "comments": list(comments_visible_to(plan=plan, actor=actor)),
        "comment_form": comment_form or CommentForm(),
        "can_edit": can_edit(request, plan),
        "can_comment": actor.can(ADD_COMMENT, plan),
        "can_submit": can_submit(request, plan),
        "findings": (
            labelled_findings(plan_findings(plan=plan, content=content, for_submission=True))
            if plan.is_editable
            else None
        ),
    }


@delegation_page
def plan_detail(request, plan: Plan):
    return render(request, "plans/plan_detail.html", _detail_context(request, plan))


@require_POST
@delegation_page
def plan_comment_add(request, plan: Plan):
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_add(plan=plan, actor=request.actor, body=form.cleaned_data["body"])
        except NotAllowed as exc:
            return forbidden(request, exc.message)
        except PlanInvalid as exc:
            for finding in exc.findings:
                form.add_error("body" if finding.field == "body" else None, finding.message)
        else:
            messages.success(request, _("Your reply was added."))
            return redirect(f"{plan_detail_url(plan)}#comments")
    return render(request, "plans/plan_detail.html", _detail_context(request, plan, comment_form=form), status=400)


def plan_detail_url(plan: Plan) -> str:
    from django.urls import reverse

    return reverse("plan-detail-page", args=[plan.pk])


@delegation_page
def plan_versions(request, plan: Plan):
    versions = list(plan.versions.select_related("submitted_by", "submitted_by_key").order_by("-number"))
    return render(
        request,
        "plans/versions.html",
        {"plan": plan, "versions": versions, "compare_form": CompareForm(numbers=[v.number for v in versions])},
    )


@delegation_page
def plan_version(request, plan: Plan, number: int):
    version = version_or_404(plan, number)
    content = json.loads(version.content)["content"]
    return render(
        request,
        "plans/version.html",
        {
            "plan": plan,
            "version": version,
            "content": displayed_content(content, ally_names()),
            "attachments": attachment_rows(version.attachments.order_by("uploaded_at", "id")),
        },
    )


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=gettext_lazy("Older version"), coerce=int)
    new = forms.TypedChoiceField(label=gettext_lazy("Newer version"), coerce=int)

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(n)s") % {"n": n}) for n in sorted(numbers)]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices
        if len(choices) >= 2 and not self.is_bound:
            self.fields["old"].initial = choices[-2][0]
            self.fields["new"].initial = choices[-1][0]

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Choose two different versions."))
        return data


@delegation_page
def plan_compare(request, plan: Plan):
    versions = {v.number: v for v in plan.versions.all()}
    form = CompareForm(request.GET, numbers=list(versions))
    if not form.is_valid():
        return render(request, "plans/compare.html", {"plan": plan, "form": form}, status=400)
    old, new = versions[form.cleaned_data["old"]], versions[form.cleaned_data["new"]]
    # Rows matched by key: one removed line is one entry, not a shift of every line below it.
    changes = compare(json.loads(old.content)["content"], json.loads(new.content)["content"])
    return render(
        request, "plans/compare.html", {"plan": plan, "form": form, "old": old, "new": new, "changes": changes}
    )
