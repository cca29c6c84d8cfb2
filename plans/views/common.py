"""What every delegation page shares: who acts, which plan, and how content is shown."""

import re
from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from core.permissions import CHANGE_PLAN, SUBMIT_PLAN
from members.models import Member
from members.views import delegation_door

from ..enums import Bottleneck, Category, Funding, PartnershipKind, PartnershipStatus, Priority, Unit
from ..forms import HeadlineForm, LineForm, PartnershipForm
from ..models import Plan
from ..selectors import plans_visible_to, plans_with_rules

CHOICE_LABELS = {
    "category": Category,
    "funding": Funding,
    "priority": Priority,
    "bottleneck": Bottleneck,
    "unit": Unit,
    "kind": PartnershipKind,
    "status": PartnershipStatus,
}
PATH_RE = re.compile(r"^(lines|partnerships)\[(\d+)\](?:\.(\w+))?$")


def delegation_page(view):
    """A delegation page (members.views.delegation_door); a plan is looked up among those the actor may see.

    Staff asking for a plan here are sent to its page in the admin.
    """

    @wraps(view)
    def with_plan(request, *args, **kwargs):
        pk = kwargs.pop("pk", None)
        if pk is None:
            return view(request, *args, **kwargs)
        # Another member's plan is "not found", so that its existence does not leak.
        # With every rule's figure annotated (deadline, lateness, guideline): pages read the properties.
        plans = plans_with_rules(plans_visible_to(request.actor).select_related("cycle", "member", "latest_version"))
        plan = get_object_or_404(plans, pk=pk)
        return view(request, plan, *args, **kwargs)

    door = delegation_door(with_plan)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff and "pk" in kwargs:
            return redirect("admin:plans_plan_change", kwargs["pk"])
        return door(request, *args, **kwargs)

    return wrapper


def can_edit(request, plan: Plan) -> bool:
    return request.actor.can(CHANGE_PLAN, plan) and plan.is_editable


def can_submit(request, plan: Plan) -> bool:
    return request.actor.can(SUBMIT_PLAN, plan) and plan.is_editable


def ally_names() -> dict[str, str]:
    """Member code -> name in the active language (one query)."""
    return {member.code: member.display_name for member in Member.objects.all()}


def ally_choices(names: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(names.items(), key=lambda item: item[1])


def choice_label(field: str, value):
    enum = CHOICE_LABELS.get(field)
    if enum is None or value in (None, ""):
        return value
    try:
        return enum(value).label
    except ValueError:
        return value


def displayed_content(content: dict, names: dict[str, str]) -> dict:
    """The content dict with choice labels and ally names, for reading pages."""
    shown = dict(content)
    shown["lines"] = [
        {**line, **{f"{field}_label": choice_label(field, line.get(field)) for field in CHOICE_LABELS}}
        for line in content.get("lines") or []
    ]
    shown["partnerships"] = [
        {
            **row,
            "kind_label": choice_label("kind", row.get("kind")),
            "status_label": choice_label("status", row.get("status")),
            "partner_member_names": [names.get(code, code) for code in row.get("partner_members") or []],
        }
        for row in content.get("partnerships") or []
    ]
    return shown


def field_label(path: str) -> str:
    """`lines[2].target_capacity` -> "Capability line 3: Target capacity (a year)"."""
    match = PATH_RE.match(path)
    if match is None:
        field = HeadlineForm.base_fields.get(path)
        return str(field.label) if field else path
    group, index, name = match.group(1), int(match.group(2)), match.group(3)
    form_class = LineForm if group == "lines" else PartnershipForm
    row = (_("Capability line %(n)s") if group == "lines" else _("Partnership %(n)s")) % {"n": index + 1}
    if name is None:
        return row
    field = form_class.base_fields.get(name)
    return f"{row}: {field.label if field else name}"


def field_anchor(path: str) -> str:
    """The id of the editor's input for a field path, to link a message to its field."""
    match = PATH_RE.match(path)
    if match is None:
        return f"id_{path}"
    group, index, name = match.group(1), match.group(2), match.group(3)
    return f"id_{group}-{index}-{name}" if name else f"section-{group}"


def labelled_findings(findings) -> list[dict]:
    return [
        {
            "field": f.field,
            "label": field_label(f.field),
            "anchor": field_anchor(f.field),
            "message": f.message,
            "severity": f.severity,
        }
        for f in findings
    ]


def version_or_404(plan: Plan, number):
    version = plan.versions.filter(number=number).select_related("submitted_by", "submitted_by_key").first()
    if version is None:
        raise Http404(_("No such version."))
    return version
