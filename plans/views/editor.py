"""The plan editor: start a cycle's draft, and save the headline figures, lines and partnerships."""

from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.middleware import large_form
from core.permissions import CHANGE_PLAN
from members.views import forbidden

from ..content import LINE, PARTNERSHIP, plan_content
from ..errors import IllegalTransition, NotAllowed, PlanExists, PlanInvalid, StalePlan
from ..forms import (
    EXTRA_ROWS,
    HeadlineForm,
    LineForm,
    LineFormSet,
    PartnershipForm,
    PartnershipFormSet,
    StartPlanForm,
    filled_rows,
    row_form,
)
from ..models import Plan, percent_of, share_meets
from ..selectors import catalogue_choices, current_cycle, plan_findings
from ..services import plan_create, plan_update
from ..validation import ERROR
from .common import PATH_RE, ally_choices, ally_names, can_submit, delegation_page, field_label

ADD_ROWS = {"add_lines": "lines", "add_partnerships": "partnerships"}
# Rows that "add more rows" (without JavaScript) puts under the filled ones.
ADDED_ROWS = 10
# "Save and submit": the draft is saved, then the submission's confirmation page opens.
SAVE_ACTIONS = {"save", "save_submit"}
# The editor's form at its largest: every line and partnership the schema allows, a blank or removed
# row for each, every ally chosen in every partnership, and the headline; a line's text at its
# longest is far beyond what anyone types, so the bytes allow some 2 KiB a row.
MAX_FIELDS = 2 * (LINE.max_rows * 20 + PARTNERSHIP.max_rows * (10 + 40)) + 100
MAX_BYTES = 2048 * 2 * (LINE.max_rows + PARTNERSHIP.max_rows)


def _typed_figures(plan: Plan, headline) -> SimpleNamespace:
    """The derived figures of what was typed (saved or not), through the models' twins of the rules.

    A figure that is not a number yet leaves its percentages "not yet known".
    """
    headline.is_valid()
    typed = getattr(headline, "cleaned_data", {})
    defence, equipment, gdp = (typed.get(name) for name in ("defence_expenditure", "equipment_expenditure", "gdp"))
    cycle = plan.cycle
    return SimpleNamespace(
        cycle=cycle,
        spending_pct_gdp=percent_of(defence, gdp),
        equipment_share_pct=percent_of(equipment, defence),
        meets_spending_target=share_meets(defence, gdp, cycle.spending_target_pct),
        meets_equipment_target=share_meets(equipment, defence, cycle.equipment_target_pct),
    )


@require_POST
@delegation_page
def plan_start(request):
    actor = request.actor
    cycle = current_cycle()
    if actor.member is None or cycle is None:
        raise Http404(_("There is no cycle to start a plan for."))
    form = StartPlanForm(request.POST)
    copy_previous = form.is_valid() and form.cleaned_data["copy_previous"]
    try:
        result = plan_create(cycle=cycle, member=actor.member, actor=actor, copy_previous=copy_previous)
    except NotAllowed as exc:
        return forbidden(request, exc.message)
    except PlanExists as exc:
        messages.info(request, exc.message)
        return redirect("home")
    except PlanInvalid as exc:
        # A copied plan that today's rules refuse: say why and let them start empty.
        messages.error(request, _("The last submitted plan could not be copied: %(reasons)s") % {"reasons": exc})
        return redirect("home")
    messages.success(request, _("The draft for %(year)s was created.") % {"year": cycle.year})
    return redirect("plan-edit", result.plan.pk)


def _forms(data=None, *, content=None, choices=(), item_choices=(), extra=None):
    """The editor's three parts, bound to posted data or filled from content."""
    extra = extra or {}
    content = content or {}
    headline = HeadlineForm(data, initial=None if data is not None else content)
    lines = LineFormSet(data, prefix="lines", initial=None if data is not None else content.get("lines"))
    lines.form = row_form(LineForm, item_code=item_choices)
    partnerships = PartnershipFormSet(
        data, prefix="partnerships", initial=None if data is not None else content.get("partnerships")
    )
    partnerships.form = row_form(PartnershipForm, partner_members=choices)
    lines.extra = extra.get("lines", EXTRA_ROWS)
    partnerships.extra = extra.get("partnerships", EXTRA_ROWS)
    return headline, lines, partnerships


def _typed_content(headline, lines, partnerships) -> dict:
    """What the user typed, valid or not, as `initial` for forms shown again unbound."""

    def raw(form, skip=()):
        return {name: form[name].value() for name in form.fields if name not in skip}

    return {
        **raw(headline),
        "lines": [raw(form, {"DELETE"}) for form in lines.forms if not form["DELETE"].value()],
        "partnerships": [raw(form, {"DELETE"}) for form in partnerships.forms if not form["DELETE"].value()],
    }


def _place_findings(findings, headline, line_rows, partnership_rows, *, bound: bool) -> tuple[list, dict]:
    """Put each finding beside its field; return the summary list and the section-level messages.

    Paths count the rows that make up the content, so `lines[2]` is the third filled row,
    which need not be the third row on the page when blank or removed rows sit between.
    """
    summary, sections = [], {"lines": [], "partnerships": []}
    for finding in findings:
        match = PATH_RE.match(finding.field)
        form, name, label = headline, finding.field, field_label(finding.field)
        if match is not None:
            group, index, name = match.group(1), int(match.group(2)), match.group(3)
            rows = line_rows if group == "lines" else partnership_rows
            form = rows[index] if index < len(rows) else None
            if form is not None:
                label = field_label(f"{group}[{form.row_index}]" + (f".{name}" if name else ""))
            if name is None or form is None:
                sections[group].append(finding)
                summary.append(_item(label, f"section-{group}", finding.message, finding.severity, finding))
                continue
        elif finding.field in sections:
            sections[finding.field].append(finding)
            summary.append(_item(label, f"section-{finding.field}", finding.message, finding.severity, finding))
            continue
        if name not in form.fields:
            summary.append(_item(label, "", finding.message, finding.severity, finding))
            continue
        if bound and finding.severity == ERROR:
            form.add_error(name, finding.message)
        else:
            form.notes.setdefault(name, []).append(finding)
        summary.append(_item(label, form[name].auto_id, finding.message, finding.severity, finding))
    return summary, sections


def _item(label, anchor: str, message, severity: str, finding=None) -> dict:
    """One entry of the error summary or the warnings list: a link to the field and what to do."""
    return {"label": label, "anchor": anchor, "message": message, "severity": severity, "finding": finding}


def _form_errors(headline, lines, partnerships) -> list[dict]:
    """The forms' own errors (a figure that is not a number, an unknown choice), each linked to its field."""
    items = []
    for group, forms in (("", [headline]), ("lines", lines.forms), ("partnerships", partnerships.forms)):
        for form in forms:
            for name, errors in form.errors.items():
                if name not in form.fields:
                    continue
                path = f"{group}[{form.row_index}].{name}" if group else name
                items.extend(_item(field_label(path), form[name].auto_id, error, ERROR) for error in errors)
    return items


def _posted_content(headline, lines, partnerships) -> dict | None:
    """The content the editor's form sends, or None when a field refuses what was typed.

    The grids are read without a form per row (RowFormSet.read_rows); their forms are made only
    if the page is shown again.
    """
    line_rows, partnership_rows = lines.read_rows(), partnerships.read_rows()
    if not headline.is_valid() or line_rows.errors or partnership_rows.errors:
        return None
    return {**headline.content(), "lines": line_rows.rows, "partnerships": partnership_rows.rows}


def _prepare(*forms_and_sets):
    for item in forms_and_sets:
        for index, form in enumerate(getattr(item, "forms", [item])):
            form.notes = {}
            form.row_index = index


@large_form(max_fields=MAX_FIELDS, max_bytes=MAX_BYTES)
@delegation_page
def plan_edit(request, plan: Plan):
    actor = request.actor
    if not actor.can(CHANGE_PLAN, plan):
        return forbidden(request, _("Your role lets you read this plan, not change it."))
    if not plan.is_editable:
        messages.info(
            request,
            _("The plan is %(status)s: it cannot be changed now.") % {"status": plan.get_status_display().lower()},
        )
        return redirect("plan-detail-page", plan.pk)
    # A member cannot be its own partner, so it is not offered.
    choices = [choice for choice in ally_choices(ally_names()) if choice[0] != plan.member.code]
    item_choices = catalogue_choices()
    status = 200
    top_errors: list[str] = []
    findings = None
    figures = plan
    sections: dict[str, list] = {"lines": [], "partnerships": []}
    revision = plan.revision

    if request.method == "POST":
        revision = _int_or_none(request.POST.get("revision"))
        headline, lines, partnerships = _forms(request.POST, choices=choices, item_choices=item_choices)
        action = request.POST.get("action", "save")
        figures = _typed_figures(plan, headline)
        if action in ADD_ROWS:
            # Rows are added by sending the form back: nothing is saved, nothing typed is lost.
            typed = _typed_content(headline, lines, partnerships)
            extra = {ADD_ROWS[action]: EXTRA_ROWS + ADDED_ROWS}
            headline, lines, partnerships = _forms(
                content=typed, choices=choices, item_choices=item_choices, extra=extra
            )
            _prepare(headline, lines, partnerships)
        else:
            content = _posted_content(headline, lines, partnerships)
            refused = None
            if content is not None:
                try:
                    # A form without its revision is treated as stale rather than allowed to overwrite blindly.
                    result = plan_update(
                        plan=plan, actor=actor, content=content, expected_revision=revision if revision else 0
                    )
                except NotAllowed as exc:
                    return forbidden(request, exc.message)
                except IllegalTransition as exc:
                    messages.error(request, exc.message)
                    return redirect("plan-detail-page", plan.pk)
                except (StalePlan, PlanInvalid) as exc:
                    refused = exc
                else:
                    # The warnings are listed once, on the page this leads to.
                    messages.success(request, _("The draft was saved."))
                    if action == "save_submit" and can_submit(request, result.plan):
                        return redirect("plan-submit", plan.pk)
                    return redirect("plan-edit", plan.pk)
            # Not saved: the page again, with the forms' own errors or the rules' beside their fields.
            _prepare(headline, lines, partnerships)
            valid = all([headline.is_valid(), lines.is_valid(), partnerships.is_valid()])
            status = 400
            if isinstance(refused, StalePlan):
                top_errors.append(
                    _(
                        "Not saved: someone else changed the plan since you opened it. Your changes are still "
                        "below. Open the plan in another tab to see theirs; saving this form again will replace "
                        "them with yours."
                    )
                )
                revision = Plan.objects.filter(pk=plan.pk).values_list("revision", flat=True).first()
                status = 409
            elif isinstance(refused, PlanInvalid) and valid:
                top_errors.append(_("Not saved: correct the fields marked below."))
                rows = (filled_rows(lines), filled_rows(partnerships))
                findings, sections = _place_findings(refused.findings, headline, *rows, bound=True)
            else:
                top_errors.append(_("Not saved: correct the fields marked below."))
                findings = _form_errors(headline, lines, partnerships)
    else:
        content = plan_content(plan)
        headline, lines, partnerships = _forms(content=content, choices=choices, item_choices=item_choices)
        _prepare(headline, lines, partnerships)
        findings_list = plan_findings(plan=plan, content=content, for_submission=True)
        rows = (lines.forms[: len(content["lines"])], partnerships.forms[: len(content["partnerships"])])
        findings, sections = _place_findings(findings_list, headline, *rows, bound=False)

    return render(
        request,
        "plans/plan_edit.html",
        {
            "plan": plan,
            "headline": headline,
            "lines": lines,
            "partnerships": partnerships,
            "revision": revision,
            "top_errors": top_errors,
            "findings": findings or [],
            # On a page just sent back, the errors are in the summary above; here go the rest.
            "check_items": _once(
                item for item in findings or [] if request.method != "POST" or item["severity"] != ERROR
            ),
            "sections": sections,
            "is_get": request.method != "POST",
            "figures": figures,
            "line_columns": _columns(lines),
            "partnership_columns": _columns(partnerships),
            "deadline": plan.effective_deadline,
            "can_submit": can_submit(request, plan),
        },
        status=status,
    )


def _columns(formset) -> list[tuple[str, str]]:
    """The grid's columns: the row form's visible fields, in their order."""
    form = formset.empty_form
    return [(field.name, field.label) for field in form.visible_fields() if field.name != "DELETE"]


def _once(items) -> list[dict]:
    """The items without repeats: one line per field and message."""
    seen, kept = set(), []
    for item in items:
        key = (item["anchor"], str(item["label"]), str(item["message"]))
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
