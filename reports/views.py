"""Staff pages beside the admin: the compliance dashboard per cycle, its charts, report runs and files."""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.permissions import VIEW_COMPLIANCE
from core.security import log_download
from members.admin_access import actor_of, can
from plans.enums import Bottleneck, Category
from plans.models import Cycle

from . import selectors
from .builders import charts
from .builders.data import item_label, money_label, report_data, status_label, unit_label
from .models import ComplianceReport, ReportLanguage, ReportStatus
from .services import report_request

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "brief": "application/pdf",
}
RUNS_SHOWN = 10


def compliance_reader(view):
    """Staff pages of this app: for those who may read compliance (others: 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can(request, VIEW_COMPLIANCE):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_page(request, template: str, context: dict):
    """A page in the admin's look: the site's name, the sidebar and the user tools, as the admin's own pages."""
    return render(request, template, {**admin.site.each_context(request), **context})


@require_GET
@staff_member_required
@compliance_reader
def cycle_index(request):
    """The cycles, and the figures across every cycle: the alliance per year, each ally per year, capacity."""
    cycles = Cycle.objects.order_by("-year")
    across = selectors.trends()
    years = [row["year"] for row in across["cycles"]]
    by_ally: dict[str, dict] = {}
    for row in across["allies"]:
        ally = by_ally.setdefault(
            row["member_code"], {"code": row["member_code"], "name": row["member_name"], "cells": {}}
        )
        ally["cells"][row["year"]] = row
    allies = [
        {**ally, "cells": [ally["cells"].get(year) for year in years]}
        for ally in sorted(by_ally.values(), key=lambda ally: ally["name"])
    ]
    categories = dict(Category.choices)
    capacity = [
        {
            **row,
            "label": item_label(row),
            "unit_label": unit_label(row["unit"]),
            "category_label": categories.get(row["category"], row["category"]),
        }
        for row in across["capacity"]
    ]
    context = {
        "cycles": cycles,
        "title": _("Compliance dashboard"),
        "alliance": across["cycles"],
        "years": years,
        "allies": allies,
        "capacity": capacity,
    }
    return staff_page(request, "reports/index.html", context)


@require_GET
@staff_member_required
@compliance_reader
@never_cache
def dashboard(request, year: int):
    cycle = get_object_or_404(Cycle, year=year)
    data = report_data(cycle=cycle, detail=False)
    for row in data.rows:
        row["status_label"] = status_label(row["status"])
    categories = dict(Category.choices)
    capacity = [
        {
            "label": categories.get(group["category"], group["category"]),
            "items": [
                {
                    **item,
                    "label": item_label(item),
                    "unit_label": unit_label(item["unit"]),
                    "investment_label": money_label(item["investment"]),
                }
                for item in group["items"]
            ],
            "other": [{**line, "unit_label": unit_label(line["unit"])} for line in group["other"]],
        }
        for group in selectors.capacity_by_category(data.capacity)
    ]
    joint = [{**item, "label": item_label(item), "unit_label": unit_label(item["unit"])} for item in data.joint]
    bottleneck_labels = dict(Bottleneck.choices)
    bottlenecks = [
        {**row, "label": bottleneck_labels.get(row["bottleneck"], row["bottleneck"])} for row in data.bottlenecks
    ]
    runs = list(ComplianceReport.objects.filter(cycle=cycle).select_related("requested_by")[:RUNS_SHOWN])
    context = {
        "title": _("Compliance %(year)s") % {"year": cycle.year},
        "cycle": cycle,
        "rows": data.rows,
        "totals": data.totals,
        "capacity": capacity,
        "joint": joint,
        "bottlenecks": bottlenecks,
        "programmes": data.programmes,
        "reconciliation": data.reconciliation,
        "runs": runs,
        # Refresh the page while a run is in progress so its progress bar moves without JavaScript.
        "refresh": any(run.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for run in runs),
        "charts": {name: charts.describe(name, data) for name in charts.CHARTS},
        "submissions": charts.submissions_table(data),
        "spending": [row for row in data.rows if row["spending_pct_gdp"] is not None],
    }
    return staff_page(request, "reports/dashboard.html", context)


@require_GET
@staff_member_required
@compliance_reader
def chart(request, year: int, name: str):
    if name not in charts.BUILDERS:
        raise Http404(_("No such chart."))
    cycle = get_object_or_404(Cycle, year=year)
    svg = charts.chart(name, report_data(cycle=cycle, detail=False), fmt="svg")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@staff_member_required
@compliance_reader
def request_report(request, year: int):
    cycle = get_object_or_404(Cycle, year=year)
    language = request.POST.get("language", ReportLanguage.ENGLISH)
    if language not in ReportLanguage.values:
        messages.error(request, _("Choose English or French."))
        return redirect("reports:dashboard", year=year)
    with transaction.atomic():
        report_request(cycle=cycle, actor=actor_of(request), language=language)
    messages.success(request, _("The report for %(year)s is queued; this page follows its progress.") % {"year": year})
    return redirect("reports:dashboard", year=year)


@require_GET
@staff_member_required
@compliance_reader
def download(request, pk: int, kind: str):
    if kind not in CONTENT_TYPES:
        raise Http404(_("No such file type."))
    report = get_object_or_404(ComplianceReport.objects.select_related("cycle"), pk=pk)
    field = getattr(report, kind)
    if not field:
        raise Http404(_("The report has no %(kind)s file (yet).") % {"kind": kind})
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("The report's file is gone.")) from None
    if kind == "brief":
        filename = f"summit-brief-{report.cycle.year}-{report.pk}-{report.language}.pdf"
    else:
        filename = f"compliance-{report.cycle.year}-{report.pk}.{kind}"
    log_download(request, filename=filename, subject=f"compliance report {report.cycle.year} #{report.pk}")
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[kind])
