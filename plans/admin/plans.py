"""The review workspace: the plan queue, the plan page with its decisions, and the plan's records."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import GroupedFigures
from core.numbers import format_number
from core.permissions import (
    ADD_COMMENT,
    APPROVE_PLAN,
    INTERNAL_COMMENTS,
    REVIEW_PLAN,
    SEND_REMINDERS,
)
from members.admin_access import actor_of, can

from .. import services
from ..comparison import compare
from ..content import LINE_FIELDS
from ..enums import WAITING_FOR_STAFF, ApprovalLevels, Decision, RecommendationStatus, Transition
from ..errors import DomainError, PlanInvalid
from ..integrity import version_chain_breaks
from ..models import CapabilityLine, Comment, Partnership, Plan, PlanEvent, PlanVersion, Recommendation, Review
from ..selectors import (
    SEARCH_LENGTH,
    comments_visible_to,
    plan_findings,
    plan_text_condition,
    plan_timeline,
    plans_with_rules,
    reviewer_workload,
)
from .attachments import AttachmentInline
from .base import RecordAdmin
from .forms import (
    AcceptForm,
    AssignReviewerForm,
    CommentForm,
    CompareForm,
    ConfirmForm,
    ReturnForm,
    SendBackForm,
    StartReviewForm,
)

# List filters ---------------------------------------------------------------------------------


class TimelinessFilter(admin.SimpleListFilter):
    """Submitted late or on time (the first submission), overdue, or not submitted: plans.selectors' rules."""

    title = _("timeliness")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Submitted late")),
            ("no", _("Submitted on time")),
            ("overdue", _("Overdue")),
            ("none", _("Not submitted")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.filter(submitted_late=True)
        if value == "no":
            return queryset.filter(submitted_late=False)
        if value == "overdue":
            return queryset.filter(overdue=True)
        if value == "none":
            return queryset.filter(submitted_late__isnull=True)
        return queryset


class GuidelineFilter(admin.SimpleListFilter):
    """Filters on the annotation that plans.selectors.plans_with_rules() makes under the Plan property's name."""

    figure: str

    def lookups(self, request, model_admin):
        return [("yes", _("Met")), ("no", _("Not met")), ("unknown", _("No figures"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.filter(**{self.figure: True})
        if value == "no":
            return queryset.filter(**{self.figure: False})
        if value == "unknown":
            return queryset.filter(**{f"{self.figure}__isnull": True})
        return queryset


class SpendingGuidelineFilter(GuidelineFilter):
    title = _("spending guideline met")
    parameter_name = "spending_met"
    figure = "meets_spending_target"


class EquipmentGuidelineFilter(GuidelineFilter):
    title = _("equipment guideline met")
    parameter_name = "equipment_met"
    figure = "meets_equipment_target"


# The delegation's content, which staff read but never change: plain tables ----------------------
#
# Read-only inlines would build a form and a read-only field wrapper per cell (some 3,000 at 200
# lines); the content is only read here, so it is written as tables, its figures grouped.

LINE_COLUMNS = ["item_code", *(field for field in LINE_FIELDS if field not in ("key", "item_code"))]
PARTNERSHIP_COLUMNS = ["kind", "partner_name", "partner_members", "description", "value", "status"]


def content_table(model, rows, columns) -> dict:
    """A table of the plan's rows: column headers from the model's field names, and each row's cells as text."""
    fields = [model._meta.get_field(name) for name in columns]
    # Each choice's label translated once, not once a cell.
    labels = {
        field.name: {value: str(label) for value, label in field.flatchoices} for field in fields if field.choices
    }
    body = []
    for row in rows:
        cells = []
        for field in fields:
            if field.many_to_many:
                cells.append(", ".join(sorted(related.code for related in getattr(row, field.name).all())) or "-")
                continue
            value = getattr(row, field.attname)
            if value in (None, ""):
                cells.append("-")
            elif field.name in labels:
                cells.append(labels[field.name].get(value, str(value)))
            elif field.is_relation:
                cells.append(str(getattr(row, field.name)))
            else:
                cells.append(format_number(value))
        body.append(cells)
    return {"headers": [capfirst(field.verbose_name) for field in fields], "rows": body}


# The plan queue and plan page -------------------------------------------------------------------


def _percent(value, met) -> str:
    if value is None:
        return "-"
    mark, words = ("✔", gettext("guideline met")) if met else ("✘", gettext("guideline not met"))
    return format_html(
        '{} % <span title="{}">{}</span><span class="visually-hidden"> {}</span>', value, words, mark, words
    )


def _timeliness(plan: Plan) -> str:
    """A mark and a word, never colour alone: on time ✔, submitted late ✘, overdue ✘, or "-"."""
    if plan.submitted_late is None:
        return format_html("✘ {}", gettext("overdue")) if plan.overdue else "-"
    if plan.submitted_late:
        return format_html("✘ {}", gettext("submitted late"))
    return format_html("✔ {}", gettext("on time"))


@admin.register(Plan)
class PlanAdmin(GroupedFigures, RecordAdmin):
    # Lines and partnerships are read-only tables (content_table); the few documents an inline.
    inlines = [AttachmentInline]
    figures = (
        "defence_expenditure",
        "equipment_expenditure",
        "personnel_expenditure",
        "infrastructure_expenditure",
        "other_expenditure",
        "gdp",
        "military_personnel",
    )
    # The delegation's content is theirs: staff read it, and act only through the decisions.
    list_display = [
        "member",
        "cycle",
        "status",
        "submitted_at",
        "timeliness",
        "current_version",
        "spending_share",
        "equipment_share",
        "assigned_reviewer",
    ]
    list_filter = [
        "cycle",
        "status",
        ("member", admin.RelatedOnlyFieldListFilter),
        TimelinessFilter,
        SpendingGuidelineFilter,
        EquipmentGuidelineFilter,
        ("assigned_reviewer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["member", "cycle", "latest_version", "assigned_reviewer"]
    search_fields = ["member__name", "member__name_fr", "=member__code"]
    search_help_text = _("A member's name or code, or words from a plan's summary, lines, partnerships or comments.")
    list_per_page = 50
    actions = ["assign_reviewer", "send_reminder_now"]
    fieldsets = [
        (None, {"fields": ["member", "cycle", "status", "assigned_reviewer", "latest_version", "revision"]}),
        (
            _("Figures"),
            {
                "fields": [
                    "defence_expenditure",
                    "equipment_expenditure",
                    "personnel_expenditure",
                    "infrastructure_expenditure",
                    "other_expenditure",
                    "gdp",
                    "currency",
                    "military_personnel",
                    "spending_share",
                    "equipment_share",
                ]
            },
        ),
        (_("Summary"), {"fields": ["summary", "nil_return", "nil_return_reason"]}),
    ]
    readonly_fields = ["spending_share", "equipment_share", "latest_version"]

    def has_review_permission(self, request):
        return can(request, REVIEW_PLAN)

    def has_remind_permission(self, request):
        return can(request, SEND_REMINDERS)

    def get_queryset(self, request):
        # Every rule's figure as an annotation: the columns, filters and orderings read them.
        return plans_with_rules(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """The member's name or code, or any text of the plan: summary, lines, partnerships, comments."""
        by_member, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        text = search_term.strip()[:SEARCH_LENGTH]
        if not text:
            return by_member, may_have_duplicates
        in_plan = plan_text_condition(text=text, actor=actor_of(request))
        return queryset.filter(Q(pk__in=by_member.values("pk")) | in_plan), False

    def get_ordering(self, request):
        # Oldest waiting first: plans waiting for staff, by the time their current version came in.
        waiting_first = Case(
            When(status__in=WAITING_FOR_STAFF, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [waiting_first.asc(), F("latest_version__submitted_at").asc(nulls_last=True), "member__name"]

    @admin.display(description=_("submitted at"), ordering="latest_version__submitted_at")
    def submitted_at(self, plan):
        return plan.latest_version.submitted_at if plan.latest_version_id else None

    @admin.display(description=_("timeliness"), ordering="submitted_late")
    def timeliness(self, plan):
        return _timeliness(plan)

    @admin.display(description=_("version"), ordering="latest_version__number")
    def current_version(self, plan):
        return f"v{plan.latest_version.number}" if plan.latest_version_id else "-"

    @admin.display(description=_("% of GDP"), ordering="spending_pct_gdp")
    def spending_share(self, plan):
        return _percent(plan.spending_pct_gdp, plan.meets_spending_target)

    @admin.display(description=_("equipment share"), ordering="equipment_share_pct")
    def equipment_share(self, plan):
        return _percent(plan.equipment_share_pct, plan.meets_equipment_target)

    # Custom views ------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/start-review/", view(self.start_review_view), name="plans_plan_start_review"),
            path("<path:object_id>/return/", view(self.return_view), name="plans_plan_return"),
            path("<path:object_id>/accept/", view(self.accept_view), name="plans_plan_accept"),
            path("<path:object_id>/confirm/", view(self.confirm_view), name="plans_plan_confirm"),
            path("<path:object_id>/send-back/", view(self.send_back_view), name="plans_plan_send_back"),
            path("<path:object_id>/comment/", view(self.comment_view), name="plans_plan_comment"),
            path("workload/", view(self.workload_view), name="plans_plan_workload"),
            path("<path:object_id>/compare/", view(self.compare_view), name="plans_plan_compare"),
            *super().get_urls(),
        ]

    def _plan_or_404(self, request, object_id) -> Plan:
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            raise Http404(gettext("No such plan."))
        return plan

    def _change_url(self, plan: Plan) -> str:
        return reverse("admin:plans_plan_change", args=[plan.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = self.get_object(request, unquote(object_id)) if object_id else None
        if plan is not None:
            actor = actor_of(request)
            versions = list(plan.versions.select_related("submitted_by", "submitted_by_key").order_by("number"))
            recommendations = list(plan.recommendations.select_related("reviewer", "approver", "version"))
            pending = next((r for r in recommendations if r.status == RecommendationStatus.PENDING), None)
            compare_form = None
            if len(versions) >= 2:
                compare_form = CompareForm(plan=plan, initial={"old": versions[-2].number, "new": versions[-1].number})
            extra_context = {
                **(extra_context or {}),
                "decisions": self._decisions(actor, plan, pending),
                "recommendations": recommendations,
                "pending_recommendation": pending,
                "versions": versions,
                "compare_form": compare_form,
                "comments": comments_visible_to(plan=plan, actor=actor),
                "comment_form": (
                    CommentForm(internal_allowed=actor.can(INTERNAL_COMMENTS, plan))
                    if actor.can(ADD_COMMENT, plan)
                    else None
                ),
                "events": plan.events.order_by("at", "id"),
                "effective_deadline": plan.effective_deadline,
                "findings": plan_findings(plan=plan, for_submission=True),
                "lines_table": content_table(
                    CapabilityLine, plan.lines.select_related("item_code").order_by("position", "id"), LINE_COLUMNS
                ),
                "partnerships_table": content_table(
                    Partnership,
                    plan.partnerships.prefetch_related("partner_members").order_by("position", "id"),
                    PARTNERSHIP_COLUMNS,
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _decisions(actor, plan: Plan, pending) -> list[tuple[str, str]]:
        """The decision buttons this staff member may press now, as (url, label)."""
        two_levels = plan.cycle.approval_levels == ApprovalLevels.TWO
        names = []
        if actor.can(REVIEW_PLAN, plan):
            # While a recommendation waits for its approver, the reviewer has nothing more to decide.
            open_moves = [t for t in services.allowed_transitions(plan.status) if t in DECISION_VIEWS]
            if two_levels and pending is not None:
                open_moves = [t for t in open_moves if t == Transition.START_REVIEW]
            names += [DECISION_VIEWS[transition][0] for transition in open_moves]
        # Four eyes: whoever recommended is not offered the approval of their own recommendation.
        may_approve = pending is not None and pending.reviewer_id != actor.user.pk and actor.can(APPROVE_PLAN, plan)
        if two_levels and may_approve:
            names += ["confirm", "send_back"]
        labels = {**dict(DECISION_VIEWS.values()), **TWO_LEVEL_LABELS}
        if two_levels:
            labels.update(RECOMMEND_LABELS)
        return [(reverse(f"admin:plans_plan_{name}", args=[plan.pk]), labels[name]) for name in names]

    def _decision_view(
        self, request, object_id, *, form_class, title, transition, decide, permission=REVIEW_PLAN, done=None
    ):
        """One confirmation page per decision: GET shows the form, POST calls the service."""
        plan = self._plan_or_404(request, object_id)
        if not can(request, permission, plan):
            raise PermissionDenied
        if (
            request.method != "POST"
            and transition is not None
            and transition not in services.allowed_transitions(plan.status)
        ):
            # A POST goes to the service, which refuses an illegal move itself (shown below).
            messages.error(
                request,
                gettext("%(action)s is not possible: the plan is %(status)s.")
                % {"action": transition.label, "status": plan.get_status_display().lower()},
            )
            return HttpResponseRedirect(self._change_url(plan))
        actor = actor_of(request)
        data = request.POST if request.method == "POST" else None  # an empty POST is a POST (confirm has no field)
        form = form_class(data, **self._decision_form_kwargs(request, form_class))
        if request.method == "POST" and form.is_valid():
            try:
                decide(plan, actor, form.cleaned_data)
            except PlanInvalid as error:
                for finding in error.findings:
                    form.add_error(finding.field if finding.field in form.fields else None, finding.message)
            except DomainError as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(self._change_url(plan))
            else:
                messages.success(
                    request, gettext("%(plan)s: %(action)s.") % {"plan": plan, "action": done or transition.label}
                )
                return HttpResponseRedirect(self._change_url(plan))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": plan,
            "plan": plan,
            "title": title,
            "form": form,
            "media": self.media + form.media,
            "recommendation": plan.recommendations.filter(status=RecommendationStatus.PENDING)
            .select_related("reviewer", "version")
            .first(),
        }
        return TemplateResponse(request, "admin/plans/plan/decision.html", context)

    def _decision_form_kwargs(self, request, form_class) -> dict:
        if form_class is StartReviewForm and request.method != "POST":
            return {"initial": {"reviewer": request.user.pk}}
        return {}

    def start_review_view(self, request, object_id):
        return self._decision_view(
            request,
            object_id,
            form_class=StartReviewForm,
            title=gettext("Start the review"),
            transition=Transition.START_REVIEW,
            decide=lambda plan, actor, data: services.plan_start_review(
                plan=plan, actor=actor, reviewer=data["reviewer"]
            ),
        )

    def return_view(self, request, object_id):
        # In a two-level cycle the same form records a recommendation, which an approver confirms.
        two_levels = self._two_levels(object_id)
        return self._decision_view(
            request,
            object_id,
            form_class=ReturnForm,
            title=gettext("Recommend returning the plan") if two_levels else gettext("Return the plan for revision"),
            transition=Transition.RETURN,
            done=gettext("return recommended; an approver decides") if two_levels else None,
            decide=lambda plan, actor, data: services.plan_review(
                plan=plan, actor=actor, decision=Decision.RETURN, comment=data["comment"], reasons=data["reasons"]
            ),
        )

    def accept_view(self, request, object_id):
        two_levels = self._two_levels(object_id)
        return self._decision_view(
            request,
            object_id,
            form_class=AcceptForm,
            title=gettext("Recommend accepting the plan") if two_levels else gettext("Accept the plan"),
            transition=Transition.ACCEPT,
            done=gettext("acceptance recommended; an approver decides") if two_levels else None,
            decide=lambda plan, actor, data: services.plan_review(
                plan=plan, actor=actor, decision=Decision.ACCEPT, comment=data["comment"]
            ),
        )

    @staticmethod
    def _two_levels(object_id) -> bool:
        return Plan.objects.filter(pk=unquote(object_id), cycle__approval_levels=ApprovalLevels.TWO).exists()

    def confirm_view(self, request, object_id):
        return self._decision_view(
            request,
            object_id,
            form_class=ConfirmForm,
            title=gettext("Confirm the reviewer's recommendation"),
            transition=None,
            permission=APPROVE_PLAN,
            done=gettext("recommendation confirmed"),
            decide=lambda plan, actor, data: services.plan_confirm(plan=plan, actor=actor),
        )

    def send_back_view(self, request, object_id):
        return self._decision_view(
            request,
            object_id,
            form_class=SendBackForm,
            title=gettext("Send the recommendation back to the reviewer"),
            transition=None,
            permission=APPROVE_PLAN,
            done=gettext("recommendation sent back"),
            decide=lambda plan, actor, data: services.plan_send_back(plan=plan, actor=actor, comment=data["comment"]),
        )

    def comment_view(self, request, object_id):
        if request.method != "POST":
            raise PermissionDenied
        plan = self._plan_or_404(request, object_id)
        if not can(request, ADD_COMMENT, plan):
            raise PermissionDenied
        form = CommentForm(request.POST, internal_allowed=can(request, INTERNAL_COMMENTS, plan))
        if not form.is_valid():
            messages.error(request, gettext("Write a comment."))
            return HttpResponseRedirect(self._change_url(plan))
        try:
            services.comment_add(
                plan=plan,
                actor=actor_of(request),
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                version=plan.latest_version,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Comment added."))
        return HttpResponseRedirect(self._change_url(plan) + "#comments")

    def workload_view(self, request):
        """Plans waiting per reviewer and since when, and recommendations waiting for an approver."""
        if not (can(request, REVIEW_PLAN) or can(request, APPROVE_PLAN)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Reviewer workload"),
            "rows": reviewer_workload(),
        }
        return TemplateResponse(request, "admin/plans/plan/workload.html", context)

    def history_view(self, request, object_id, extra_context=None):
        """The admin's "History" button: the plan's whole record, not Django's (empty) change log.

        Staff change plans only through the workflow services, which write the plan's own history.
        """
        plan = self._plan_or_404(request, object_id)
        if not self.has_view_permission(request, plan):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": plan,
            "plan": plan,
            "title": gettext("History of %(plan)s") % {"plan": plan},
            "subtitle": None,
            "entries": plan_timeline(plan=plan, actor=actor_of(request)),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/plans/plan/object_history.html", context)

    def compare_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        plan = self._plan_or_404(request, object_id)
        form = CompareForm(request.GET or None, plan=plan)
        changes = None
        if form.is_valid():
            old, new = form.cleaned_data["old"], form.cleaned_data["new"]
            changes = compare(json.loads(old.content)["content"], json.loads(new.content)["content"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": plan,
            "plan": plan,
            "title": gettext("Compare versions of %(plan)s") % {"plan": plan},
            "form": form,
            "changes": changes,
        }
        return TemplateResponse(request, "admin/plans/plan/compare.html", context)

    # Bulk actions ------------------------------------------------------------------------------

    @admin.action(description=_("Assign a reviewer to the selected plans"), permissions=["review"])
    def assign_reviewer(self, request, queryset):
        form = AssignReviewerForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            actor = actor_of(request)
            reviewer = form.cleaned_data["reviewer"]
            done = 0
            for plan in queryset:
                try:
                    services.plan_assign_reviewer(plan=plan, actor=actor, reviewer=reviewer)
                    done += 1
                except DomainError as error:
                    messages.error(request, f"{plan}: {error.message}")
            messages.success(request, gettext("Reviewer set on %(count)d plan(s).") % {"count": done})
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Assign a reviewer"),
            "form": form,
            "plans": queryset,
            "action": "assign_reviewer",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/plans/plan/assign_reviewer.html", context)

    @admin.action(description=_("Send a reminder now to the selected plans' delegations"), permissions=["remind"])
    def send_reminder_now(self, request, queryset):
        from ..reminders import reminder_send_now

        actor = actor_of(request)
        sent = 0
        for plan in queryset.select_related("cycle", "member"):
            try:
                notification = reminder_send_now(cycle=plan.cycle, member=plan.member, actor=actor)
            except DomainError as error:
                messages.error(request, f"{plan}: {error.message}")
                continue
            if notification is None:
                messages.warning(request, gettext("%(plan)s: no reminder to send.") % {"plan": plan})
            else:
                sent += 1
        messages.success(request, gettext("Reminders queued: %(count)d.") % {"count": sent})


DECISION_VIEWS = {
    Transition.START_REVIEW: ("start_review", _("Start review")),
    Transition.RETURN: ("return", _("Return for revision")),
    Transition.ACCEPT: ("accept", _("Accept")),
}
RECOMMEND_LABELS = {"return": _("Recommend return"), "accept": _("Recommend acceptance")}
TWO_LEVEL_LABELS = {"confirm": _("Confirm the recommendation"), "send_back": _("Send the recommendation back")}


# The plan's records, read-only: they are written by the workflow only -------------------------


@admin.register(PlanVersion)
class PlanVersionAdmin(RecordAdmin):
    list_display = ["plan", "number", "submitted_at", "is_late", "sha256"]
    list_filter = ["is_late", "plan__cycle"]
    list_select_related = ["plan__member", "plan__cycle"]
    search_fields = ["plan__member__name", "=plan__member__code", "=sha256"]
    exclude = ["content"]
    readonly_fields = ["pretty_content"]

    def get_urls(self):
        verify = self.admin_site.admin_view(self.verify_view)
        return [path("verify/", verify, name="plans_planversion_verify"), *super().get_urls()]

    def verify_view(self, request):
        """Recompute every version's hash and follow each chain now (what `verify_versions` does)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        checked, breaks = version_chain_breaks()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Check every version's hash and chain"),
            "checked": checked,
            "breaks": breaks,
        }
        return TemplateResponse(request, "admin/plans/planversion/verify.html", context)

    @admin.display(description=_("content"))
    def pretty_content(self, version):
        return format_html("<pre>{}</pre>", json.dumps(version.data, indent=2, ensure_ascii=False))


@admin.register(Review)
class ReviewAdmin(RecordAdmin):
    list_display = ["plan", "version", "decision", "reasons", "reviewer", "created_at"]
    list_filter = ["decision", "plan__cycle"]
    list_select_related = ["plan__member", "plan__cycle", "version__plan__member", "version__plan__cycle", "reviewer"]


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    list_display = ["plan", "version", "decision", "reviewer", "status", "approver", "created_at", "decided_at"]
    list_filter = ["status", "decision", "plan__cycle"]
    list_select_related = [
        "plan__member",
        "plan__cycle",
        "version__plan__member",
        "version__plan__cycle",
        "reviewer",
        "approver",
    ]


@admin.register(Comment)
class CommentAdmin(RecordAdmin):
    list_display = ["plan", "author", "internal", "created_at"]
    list_filter = ["internal", "plan__cycle"]
    list_select_related = ["plan__member", "plan__cycle", "author"]

    def get_queryset(self, request):
        comments = super().get_queryset(request)
        return comments if can(request, INTERNAL_COMMENTS) else comments.filter(internal=False)


@admin.register(PlanEvent)
class PlanEventAdmin(RecordAdmin):
    list_display = ["plan", "at", "action", "actor_label", "from_status", "to_status"]
    list_filter = ["action", "plan__cycle"]
    list_select_related = ["plan__member", "plan__cycle"]
