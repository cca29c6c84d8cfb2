"""XLSX (openpyxl) and CSV files of the compliance report."""

import csv
import io
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.exports import csv_text, xlsx_row
from plans.enums import Bottleneck, Category, Funding, PartnershipKind, PartnershipStatus, Priority
from reports.selectors import ROW_KEYS

from .data import ReportData, item_label, money_label, status_label, unit_label

PERCENT_FORMAT = "0.00"
QUANTITY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")

# Column key, header, number format (None: general).
SUMMARY_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", N_("Code"), None),
    ("member_name", N_("Ally"), None),
    ("status", N_("Status"), None),
    ("effective_deadline", N_("Effective deadline (UTC)"), DATE_FORMAT),
    ("has_extension", N_("Extension"), None),
    ("first_submitted_at", N_("First submitted (UTC)"), DATE_FORMAT),
    ("last_submitted_at", N_("Last submitted (UTC)"), DATE_FORMAT),
    ("is_late", N_("Late"), None),
    ("submitted_late", N_("Submitted late"), None),
    ("overdue", N_("Overdue"), None),
    ("days_late", N_("Days late"), "0"),
    ("versions", N_("Versions"), "0"),
    ("spending_pct_gdp", N_("Defence expenditure % GDP"), PERCENT_FORMAT),
    ("meets_spending_target", N_("Meets spending guideline"), None),
    ("equipment_share_pct", N_("Equipment share %"), PERCENT_FORMAT),
    ("meets_equipment_target", N_("Meets equipment guideline"), None),
]
TOTAL_LABELS = {
    "members": N_("Allies"),
    "submitted": N_("Submitted"),
    "on_time": N_("On time"),
    "late": N_("Late"),
    "submitted_late": N_("Submitted late"),
    "overdue": N_("Overdue"),
    "accepted": N_("Accepted"),
    "missing": N_("Missing"),
    "nil_returns": N_("Nil returns"),
    "meeting_spending_target": N_("Meeting the spending guideline"),
    "meeting_equipment_target": N_("Meeting the equipment guideline"),
}
LINE_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", N_("Ally"), None),
    ("category", N_("Category"), None),
    ("item_code", N_("Item code"), None),
    ("item", N_("Item"), None),
    ("unit", N_("Unit"), None),
    ("baseline_capacity", N_("Baseline capacity"), QUANTITY_FORMAT),
    ("target_capacity", N_("Target capacity"), QUANTITY_FORMAT),
    ("growth", N_("Growth"), QUANTITY_FORMAT),
    ("target_year", N_("Target year"), "0"),
    ("stockpile_current", N_("Current stockpile"), QUANTITY_FORMAT),
    ("stockpile_target", N_("Stockpile target"), QUANTITY_FORMAT),
    ("planned_investment", N_("Planned investment"), QUANTITY_FORMAT),
    ("currency", N_("Currency"), None),
    ("funding", N_("Funding"), None),
    ("priority", N_("Priority"), None),
    ("bottleneck", N_("Bottleneck"), None),
]
PARTNERSHIP_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", N_("Ally"), None),
    ("kind", N_("Kind"), None),
    ("partner_name", N_("Partner"), None),
    ("partner_members", N_("Partner allies"), None),
    ("partnership_status", N_("Status"), None),
    ("value", N_("Value"), QUANTITY_FORMAT),
]
# Per catalogue item and unit (selectors.capacity_by_item): figures in one unit per row, never summed across.
CAPACITY_COLUMNS: list[tuple[str, str, str | None]] = [
    ("category", N_("Category"), None),
    ("code", N_("Item code"), None),
    ("name", N_("Item"), None),
    ("unit", N_("Unit"), None),
    ("ally_count", N_("Allies"), "0"),
    ("allies", N_("Ally codes"), None),
    ("lines", N_("Lines"), "0"),
    ("baseline", N_("Baseline capacity (a year)"), QUANTITY_FORMAT),
    ("target", N_("Target capacity (a year)"), QUANTITY_FORMAT),
    ("growth", N_("Growth"), QUANTITY_FORMAT),
    ("growth_pct", N_("Growth %"), PERCENT_FORMAT),
    ("stockpile_current", N_("Current stockpile"), QUANTITY_FORMAT),
    ("stockpile_target", N_("Stockpile target"), QUANTITY_FORMAT),
    ("stockpile_gap", N_("Stockpile gap"), QUANTITY_FORMAT),
    ("investment", N_("Planned investment (per currency)"), None),
]
# Lines without a catalogue item: listed, never summed.
OTHER_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", N_("Ally"), None),
    ("category", N_("Category"), None),
    ("item", N_("Item"), None),
    ("unit", N_("Unit"), None),
    ("baseline", N_("Baseline capacity (a year)"), QUANTITY_FORMAT),
    ("target", N_("Target capacity (a year)"), QUANTITY_FORMAT),
    ("growth", N_("Growth"), QUANTITY_FORMAT),
    ("stockpile_current", N_("Current stockpile"), QUANTITY_FORMAT),
    ("stockpile_target", N_("Stockpile target"), QUANTITY_FORMAT),
    ("planned_investment", N_("Planned investment"), QUANTITY_FORMAT),
    ("currency", N_("Currency"), None),
]
JOINT_COLUMNS: list[tuple[str, str, str | None]] = [
    ("category", N_("Category"), None),
    ("code", N_("Item code"), None),
    ("name", N_("Item"), None),
    ("unit", N_("Unit"), None),
    ("ally_count", N_("Allies"), "0"),
    ("allies", N_("Ally codes"), None),
    ("target_increase", N_("Combined target increase (a year)"), QUANTITY_FORMAT),
    ("stockpile_gap", N_("Combined stockpile gap"), QUANTITY_FORMAT),
    ("partnered", N_("Pairs already partners"), None),
    ("already_partners", N_("All already partners"), None),
]
RECONCILIATION_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", N_("Ally"), None),
    ("member_name", N_("Ally name"), None),
    ("partner_code", N_("Names as partner"), None),
    ("partner_name", N_("Partner name"), None),
    ("partner_plan", N_("Partner has a submitted plan"), None),
]
LABELS = {
    "category": dict(Category.choices),
    "funding": dict(Funding.choices),
    "priority": dict(Priority.choices),
    "bottleneck": dict(Bottleneck.choices),
    "kind": dict(PartnershipKind.choices),
    "partnership_status": dict(PartnershipStatus.choices),
}


def excel_value(key: str, value: Any) -> Any:
    """A cell value: Excel has no time zones (UTC, naive), booleans as words staff can filter on."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "status":
        return status_label(value)
    if isinstance(value, list):
        return ", ".join(value)
    if key == "unit":
        return unit_label(value)
    if key in LABELS and value in LABELS[key]:
        return str(LABELS[key][value])
    return value


def _sheet(sheet: Worksheet, columns, rows: list[dict[str, Any]]) -> None:
    # Every row goes through xlsx_row: text that delegations typed (items, units, partners) is
    # stored as text, never as a formula.
    sheet.append(xlsx_row(sheet, [_(header) for _key, header, _fmt in columns]))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(xlsx_row(sheet, [excel_value(key, row.get(key)) for key, _header, _fmt in columns]))
    for index, (_key, header, fmt) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, len(_(header)) + 2))
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=index, max_col=index):
                cell.number_format = fmt
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def capacity_rows(data: ReportData) -> list[dict[str, Any]]:
    return [
        {
            **item,
            "name": item_label(item),
            "ally_count": len(item["allies"]),
            "investment": money_label(item["investment"]),
        }
        for item in data.capacity["items"]
    ]


def joint_rows(data: ReportData) -> list[dict[str, Any]]:
    return [
        {
            **item,
            "name": item_label(item),
            "ally_count": len(item["allies"]),
            "partnered": ", ".join("-".join(pair) for pair in item["partnered_pairs"]),
        }
        for item in data.joint
    ]


def build_xlsx(data: ReportData) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")
    _sheet(summary, SUMMARY_COLUMNS, data.rows)
    summary.append([])
    summary.append(xlsx_row(summary, [_("Totals")]))
    summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
    for key, label in TOTAL_LABELS.items():
        summary.append(xlsx_row(summary, [_(label), data.totals[key]]))

    lines = [{**line, "growth": line["target_capacity"] - line["baseline_capacity"]} for line in data.lines]
    _sheet(workbook.create_sheet(_("Capability lines")), LINE_COLUMNS, lines)
    partnerships = [{**row, "partnership_status": row["status"]} for row in data.partnerships]
    _sheet(workbook.create_sheet(_("Partnerships")), PARTNERSHIP_COLUMNS, partnerships)
    _sheet(workbook.create_sheet(_("Capacity by item")), CAPACITY_COLUMNS, capacity_rows(data))
    _sheet(workbook.create_sheet(_("Other lines (not summed)")), OTHER_COLUMNS, data.capacity["other"])
    _sheet(workbook.create_sheet(_("Joint procurement")), JOINT_COLUMNS, joint_rows(data))
    _sheet(workbook.create_sheet(_("Reconciliation")), RECONCILIATION_COLUMNS, data.reconciliation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# One column per key of a compliance row, less the French name and the internal plan id.
CSV_COLUMNS = [key for key in ROW_KEYS if key not in {"member_name_fr", "plan_id"}]


def csv_value(value: Any) -> str:
    """Machine-readable: ISO 8601 times, `true`/`false`, empty for unknown; text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def build_csv(data: ReportData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in data.rows:
        writer.writerow([csv_value(row[key]) for key in CSV_COLUMNS])
    # A BOM so that spreadsheet programs open the UTF-8 names (Türkiye) correctly.
    return buffer.getvalue().encode("utf-8-sig")
