"""The plan as a spreadsheet template to fill offline (plans.spreadsheet)."""

from django.http import HttpResponse

from ..content import plan_content
from ..imports import field_labels
from ..models import Plan
from ..selectors import catalogue_choices
from ..spreadsheet import plan_template as build_template
from .common import delegation_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@delegation_page
def plan_template(request, plan: Plan):
    labels = field_labels()
    catalogue = [(code, label, group) for group, items in catalogue_choices() for code, label in items]
    response = HttpResponse(build_template(plan_content(plan), labels, catalogue), content_type=XLSX)
    filename = f"plan-{plan.member.code}-{plan.cycle.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
