"""All the figures a report shows, read once, so the three files agree with each other."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.enums import PlanStatus, Unit
from plans.models import Cycle, localized_name

from .. import selectors

STATUS_LABELS = {
    selectors.MISSING: _("Missing"),
    selectors.NIL_RETURN: _("Nil return"),
    **{status.value: status.label for status in PlanStatus},
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def item_label(row: dict[str, Any]) -> str:
    """A catalogue item's name in the active language."""
    return localized_name(row["name_en"], row["name_fr"])


def unit_label(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit


def money_label(amounts: dict[str, Decimal]) -> str:
    """Investment per currency, as text: amounts in two currencies are never added."""
    return "; ".join(f"{currency} {amount:,.2f}".strip() for currency, amount in amounts.items())


@dataclass
class ReportData:
    cycle: Cycle
    generated_at: datetime
    rows: list[dict[str, Any]]
    totals: dict[str, int]
    # selectors.capacity_by_item: {"items": [...], "other": [...]}, per catalogue item and unit.
    capacity: dict[str, Any] = field(default_factory=lambda: {"items": [], "other": []})
    joint: list[dict[str, Any]] = field(default_factory=list)
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
    # Across years holds this cycle's capacity per item too: summed once, not again for the cycle.
    across = selectors.trends() if detail else {}
    data = ReportData(
        cycle=cycle,
        generated_at=now,
        rows=rows,
        totals=selectors.compliance_totals(rows),
        capacity=selectors.capacity_by_item(cycle=cycle, across=across.get("capacity")),
        joint=selectors.joint_procurement(cycle=cycle),
        bottlenecks=selectors.bottlenecks(cycle=cycle),
        programmes=selectors.multinational_programmes(cycle=cycle),
        reconciliation=selectors.partnership_reconciliation(cycle=cycle),
        submissions=selectors.submissions_timeline(cycle=cycle),
    )
    if detail:
        data.lines = selectors.capability_lines(cycle=cycle)
        data.partnerships = selectors.partnerships(cycle=cycle)
        data.trends = across
    return data
