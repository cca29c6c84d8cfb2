"""Staff pages beside the admin: the compliance dashboard per cycle, its charts, report runs and files."""

from functools import wraps

from django.contrib import messages
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
from .models import ComplianceReport, ReportStatus
from .services import report_request

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
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


@require_GET
@staff_member_required
@compliance_reader
def cycle_index(request):
    cycles = Cycle.objects.order_by("-year")
    return render(request, "reports/index.html", {"cycles": cycles, "title": _("Compliance dashboard")})


@require_GET
@staff_member_required
@compliance_reader
@never_cache
def dashboard(request, year: int):
    cycle = get_object_or_404(Cycle, year=year)
    rows = selectors.compliance_rows(cycle=cycle)
    for row in rows:
        row["status_label"] = status_label(row["status"])
    categories = dict(Category.choices)
    figures = selectors.capacity_by_item(cycle=cycle)
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
        for group in selectors.capacity_by_category(figures)
    ]
    joint = [
        {**item, "label": item_label(item), "unit_label": unit_label(item["unit"])}
        for item in selectors.joint_procurement(cycle=cycle)
    ]
    bottleneck_labels = dict(Bottleneck.choices)
    bottlenecks = [
        {**row, "label": bottleneck_labels.get(row["bottleneck"], row["bottleneck"])}
        for row in selectors.bottlenecks(cycle=cycle)
    ]
    runs = list(ComplianceReport.objects.filter(cycle=cycle).select_related("requested_by")[:RUNS_SHOWN])
    context = {
        "title": _("Compliance %(year)s") % {"year": cycle.year},
        "cycle": cycle,
        "rows": rows,
        "totals": selectors.compliance_totals(rows),
        "capacity": capacity,
        "joint": joint,
        "bottlenecks": bottlenecks,
        "programmes": selectors.multinational_programmes(cycle=cycle),
        "reconciliation": selectors.partnership_reconciliation(cycle=cycle),
        "runs": runs,
        # Refresh the page while a run is in progress so its progress bar moves without JavaScript.
        "refresh": any(run.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for run in runs),
        "charts": charts.CHARTS,
    }
    return render(request, "reports/dashboard.html", context)


@require_GET
@staff_member_required
@compliance_reader
def chart(request, year: int, name: str):
    if name not in charts.BUILDERS:
        raise Http404(_("No such chart."))
    cycle = get_object_or_404(Cycle, year=year)
    svg = charts.chart(name, report_data(cycle=cycle), fmt="svg")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@staff_member_required
@compliance_reader
def request_report(request, year: int):
    cycle = get_object_or_404(Cycle, year=year)
    with transaction.atomic():
        report_request(cycle=cycle, actor=actor_of(request))
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
    filename = f"compliance-{report.cycle.year}-{report.pk}.{kind}"
    log_download(request, filename=filename, subject=f"compliance report {report.cycle.year} #{report.pk}")
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[kind])
