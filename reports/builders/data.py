"""All the figures a report shows, read once, so the three files agree with each other."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.enums import PlanStatus
from plans.models import Cycle

from .. import selectors

STATUS_LABELS = {
    selectors.MISSING: _("Missing"),
    selectors.NIL_RETURN: _("Nil return"),
    **{status.value: status.label for status in PlanStatus},
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@dataclass
class ReportData:
    cycle: Cycle
    generated_at: datetime
    rows: list[dict[str, Any]]
    totals: dict[str, int]
    capacity: list[dict[str, Any]] = field(default_factory=list)
    bottlenecks: list[dict[str, Any]] = field(default_factory=list)
    programmes: list[dict[str, Any]] = field(default_factory=list)
    reconciliation: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    partnerships: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[datetime] = field(default_factory=list)
    # Across years (selectors.trends): "cycles", "allies" and "capacity" rows over every cycle.
    trends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def report_data(*, cycle: Cycle, at: datetime | None = None, detail: bool = True) -> ReportData:
    """The compliance table, its totals and the alliance picture for one cycle (a fixed number of queries).

    Without `detail`, the line-by-line and partnership lists are left empty (the dashboard shows neither).
    """
    now = at or timezone.now()
    rows = selectors.compliance_rows(cycle=cycle, at=now)
    if not detail:
        return ReportData(
            cycle=cycle,
            generated_at=now,
            rows=rows,
            totals=selectors.compliance_totals(rows),
            capacity=selectors.capacity_by_category(cycle=cycle),
            bottlenecks=selectors.bottlenecks(cycle=cycle),
            programmes=selectors.multinational_programmes(cycle=cycle),
            reconciliation=selectors.partnership_reconciliation(cycle=cycle),
            submissions=selectors.submissions_timeline(cycle=cycle),
        )
    return ReportData(
        cycle=cycle,
        generated_at=now,
        rows=rows,
        totals=selectors.compliance_totals(rows),
        capacity=selectors.capacity_by_category(cycle=cycle),
        bottlenecks=selectors.bottlenecks(cycle=cycle),
        programmes=selectors.multinational_programmes(cycle=cycle),
        reconciliation=selectors.partnership_reconciliation(cycle=cycle),
        lines=selectors.capability_lines(cycle=cycle),
        partnerships=selectors.partnerships(cycle=cycle),
        submissions=selectors.submissions_timeline(cycle=cycle),
        trends=selectors.trends(),
    )
