"""XLSX (openpyxl) and CSV files of the compliance report."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.exports import csv_text, xlsx_cell, xlsx_value
from plans.enums import Bottleneck, Category, Funding, PartnershipKind, PartnershipStatus, Priority
from reports.selectors import ROW_KEYS

from .data import ReportData, item_label, money_label, status_label, unit_label

PERCENT_FORMAT = "0.00"
QUANTITY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TOTALS_FONT = Font(bold=True)
# Value types that excel_value passes on unchanged (exact types: a bool is an int, and is a word here).
PLAIN_NUMBERS = frozenset({Decimal, int, float})

# Column key, header, number format (None: general).
SUMMARY_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", gettext_noop("Code"), None),
    ("member_name", gettext_noop("Ally"), None),
    ("status", gettext_noop("Status"), None),
    ("effective_deadline", gettext_noop("Effective deadline (UTC)"), DATE_FORMAT),
    ("has_extension", gettext_noop("Extension"), None),
    ("first_submitted_at", gettext_noop("First submitted (UTC)"), DATE_FORMAT),
    ("last_submitted_at", gettext_noop("Last submitted (UTC)"), DATE_FORMAT),
    ("is_late", gettext_noop("Late"), None),
    ("submitted_late", gettext_noop("Submitted late"), None),
    ("overdue", gettext_noop("Overdue"), None),
    ("days_late", gettext_noop("Days late"), "0"),
    ("versions", gettext_noop("Versions"), "0"),
    ("spending_pct_gdp", gettext_noop("Defence expenditure, share of GDP (%)"), PERCENT_FORMAT),
    ("meets_spending_target", gettext_noop("Meets spending guideline"), None),
    ("equipment_share_pct", gettext_noop("Equipment share %"), PERCENT_FORMAT),
    ("meets_equipment_target", gettext_noop("Meets equipment guideline"), None),
]
TOTAL_LABELS = {
    "members": gettext_noop("Allies"),
    "submitted": gettext_noop("Submitted"),
    "on_time": gettext_noop("On time"),
    "late": gettext_noop("Late"),
    "submitted_late": gettext_noop("Submitted late"),
    "overdue": gettext_noop("Overdue"),
    "accepted": gettext_noop("Accepted"),
    "missing": gettext_noop("Missing"),
    "nil_returns": gettext_noop("Nil returns"),
    "meeting_spending_target": gettext_noop("Meeting the spending guideline"),
    "meeting_equipment_target": gettext_noop("Meeting the equipment guideline"),
}
LINE_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", gettext_noop("Ally"), None),
    ("category", gettext_noop("Category"), None),
    ("item_code", gettext_noop("Item code"), None),
    ("item", gettext_noop("Item"), None),
    ("unit", gettext_noop("Unit"), None),
    ("baseline_capacity", gettext_noop("Baseline capacity"), QUANTITY_FORMAT),
    ("target_capacity", gettext_noop("Target capacity"), QUANTITY_FORMAT),
    ("growth", gettext_noop("Growth"), QUANTITY_FORMAT),
    ("target_year", gettext_noop("Target year"), "0"),
    ("stockpile_current", gettext_noop("Current stockpile"), QUANTITY_FORMAT),
    ("stockpile_target", gettext_noop("Stockpile target"), QUANTITY_FORMAT),
    ("planned_investment", gettext_noop("Planned investment"), QUANTITY_FORMAT),
    ("currency", gettext_noop("Currency"), None),
    ("funding", gettext_noop("Funding"), None),
    ("priority", gettext_noop("Priority"), None),
    ("bottleneck", gettext_noop("Bottleneck"), None),
]
PARTNERSHIP_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", gettext_noop("Ally"), None),
    ("kind", gettext_noop("Kind"), None),
    ("partner_name", gettext_noop("Partner"), None),
    ("partner_members", gettext_noop("Partner allies"), None),
    ("partnership_status", gettext_noop("Status"), None),
    ("value", gettext_noop("Value"), QUANTITY_FORMAT),
]
# The first columns of each sheet per catalogue item and unit (`item_row`).
ITEM_COLUMNS: list[tuple[str, str, str | None]] = [
    ("category", gettext_noop("Category"), None),
    ("code", gettext_noop("Item code"), None),
    ("name", gettext_noop("Item"), None),
    ("unit", gettext_noop("Unit"), None),
    ("ally_count", gettext_noop("Allies"), "0"),
    ("allies", gettext_noop("Ally codes"), None),
]
# Per catalogue item and unit (selectors.capacity_by_item): figures in one unit per row, never summed across.
CAPACITY_COLUMNS: list[tuple[str, str, str | None]] = [
    *ITEM_COLUMNS,
    ("lines", gettext_noop("Lines"), "0"),
    ("baseline", gettext_noop("Baseline capacity (a year)"), QUANTITY_FORMAT),
    ("target", gettext_noop("Target capacity (a year)"), QUANTITY_FORMAT),
    ("growth", gettext_noop("Growth"), QUANTITY_FORMAT),
    ("growth_pct", gettext_noop("Growth %"), PERCENT_FORMAT),
    ("stockpile_current", gettext_noop("Current stockpile"), QUANTITY_FORMAT),
    ("stockpile_target", gettext_noop("Stockpile target"), QUANTITY_FORMAT),
    ("stockpile_gap", gettext_noop("Stockpile gap"), QUANTITY_FORMAT),
    ("investment", gettext_noop("Planned investment (per currency)"), None),
]
# Lines without a catalogue item: listed, never summed.
OTHER_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", gettext_noop("Ally"), None),
    ("category", gettext_noop("Category"), None),
    ("item", gettext_noop("Item"), None),
    ("unit", gettext_noop("Unit"), None),
    ("baseline", gettext_noop("Baseline capacity (a year)"), QUANTITY_FORMAT),
    ("target", gettext_noop("Target capacity (a year)"), QUANTITY_FORMAT),
    ("growth", gettext_noop("Growth"), QUANTITY_FORMAT),
    ("stockpile_current", gettext_noop("Current stockpile"), QUANTITY_FORMAT),
    ("stockpile_target", gettext_noop("Stockpile target"), QUANTITY_FORMAT),
    ("planned_investment", gettext_noop("Planned investment"), QUANTITY_FORMAT),
    ("currency", gettext_noop("Currency"), None),
]
JOINT_COLUMNS: list[tuple[str, str, str | None]] = [
    *ITEM_COLUMNS,
    ("target_increase", gettext_noop("Combined target increase (a year)"), QUANTITY_FORMAT),
    ("stockpile_gap", gettext_noop("Combined stockpile gap"), QUANTITY_FORMAT),
    ("partnered", gettext_noop("Pairs already partners"), None),
    ("already_partners", gettext_noop("All already partners"), None),
]
RECONCILIATION_COLUMNS: list[tuple[str, str, str | None]] = [
    ("member_code", gettext_noop("Ally"), None),
    ("member_name", gettext_noop("Ally name"), None),
    ("partner_code", gettext_noop("Names as partner"), None),
    ("partner_name", gettext_noop("Partner name"), None),
    ("partner_plan", gettext_noop("Partner has a submitted plan"), None),
]
ALLIANCE_YEAR_COLUMNS: list[tuple[str, str, str | None]] = [
    ("year", gettext_noop("Cycle"), "0"),
    ("spending_target_pct", gettext_noop("Spending guideline, share of GDP (%)"), PERCENT_FORMAT),
    ("equipment_target_pct", gettext_noop("Equipment guideline (%)"), PERCENT_FORMAT),
    ("allies", gettext_noop("Allies"), "0"),
    ("reported", gettext_noop("Plans submitted"), "0"),
    ("meeting_spending_target", gettext_noop("Meeting the spending guideline"), "0"),
    ("meeting_equipment_target", gettext_noop("Meeting the equipment guideline"), "0"),
    ("median_spending_pct_gdp", gettext_noop("Median share of GDP (%)"), PERCENT_FORMAT),
    ("median_equipment_share_pct", gettext_noop("Median equipment share (%)"), PERCENT_FORMAT),
]
ALLY_YEAR_COLUMNS: list[tuple[str, str, str | None]] = [
    ("year", gettext_noop("Cycle"), "0"),
    ("member_code", gettext_noop("Code"), None),
    ("member_name", gettext_noop("Ally"), None),
    ("status", gettext_noop("Status"), None),
    ("spending_pct_gdp", gettext_noop("Defence expenditure, share of GDP (%)"), PERCENT_FORMAT),
    ("spending_target_pct", gettext_noop("Spending guideline, share of GDP (%)"), PERCENT_FORMAT),
    ("meets_spending_target", gettext_noop("Meets spending guideline"), None),
    ("equipment_share_pct", gettext_noop("Equipment share %"), PERCENT_FORMAT),
    ("equipment_target_pct", gettext_noop("Equipment guideline (%)"), PERCENT_FORMAT),
    ("meets_equipment_target", gettext_noop("Meets equipment guideline"), None),
]
# selectors.capacity_over_cycles: the rows of "Capacity by item", each with its cycle.
CAPACITY_YEAR_COLUMNS: list[tuple[str, str, str | None]] = [("year", gettext_noop("Cycle"), "0"), *CAPACITY_COLUMNS]
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


class _SheetWriter:
    """Writes the report's sheets into a write-only (streaming) workbook: each row goes to the file as it comes.

    A write-only sheet takes its frozen pane, filter and column widths before its first row,
    and each cell's style with the cell. Values go through `xlsx_value`: text that delegations
    typed (items, units, partners) is stored as text, never as a formula.
    """

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        # excel_value's answer per (column, text or yes/no): labels are translated once per build.
        self.labels: dict[tuple[str, Any], Any] = {}

    def value(self, key: str, value: Any) -> Any:
        if isinstance(value, str | bool):
            try:
                return self.labels[key, value]
            except KeyError:
                converted = self.labels[key, value] = excel_value(key, value)
                return converted
        return excel_value(key, value)

    def header_cell(
        self, sheet: Any, text: str, font: Font = HEADER_FONT, fill: PatternFill | None = HEADER_FILL
    ) -> Cell:
        cell = xlsx_cell(WriteOnlyCell(sheet), text)
        cell.font = font
        if fill is not None:
            cell.fill = fill
        return cell

    def sheet(self, title: str, columns: list[tuple[str, str, str | None]], rows: list[dict[str, Any]]) -> Any:
        sheet = self.workbook.create_sheet(title)
        headers = [_(header) for _key, header, _fmt in columns]
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) + 2))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
        sheet.append([self.header_cell(sheet, header) for header in headers])
        value = self.value
        keys = [key for key, _header, _fmt in columns]
        formats = [fmt for _key, _header, fmt in columns]
        for row in rows:
            cells = []
            for key, fmt in zip(keys, formats, strict=True):
                raw = row.get(key)
                # Numbers (most cells) are written as they are: excel_value would return them unchanged.
                plain = raw is None or type(raw) in PLAIN_NUMBERS
                converted = raw if plain else value(key, raw)
                if fmt:
                    # A cell of its own to carry the number format; text in it still goes in as text.
                    cell = WriteOnlyCell(sheet, converted) if plain else xlsx_cell(WriteOnlyCell(sheet), converted)
                    cell.number_format = fmt
                    cells.append(cell)
                else:
                    cells.append(converted if plain else xlsx_value(sheet, converted))
            sheet.append(cells)
        return sheet


def item_row(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A per-item row of the selectors as a sheet row (`ITEM_COLUMNS`), its name in the active language."""
    return {**item, "name": item_label(item), "ally_count": len(item["allies"]), **extra}


def capacity_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`capacity_by_item`'s items (or `capacity_over_cycles`' rows) as sheet rows, names in the active language."""
    return [item_row(item, investment=money_label(item["investment"])) for item in items]


def joint_rows(data: ReportData) -> list[dict[str, Any]]:
    return [
        item_row(item, partnered=", ".join("-".join(pair) for pair in item["partnered_pairs"])) for item in data.joint
    ]


def build_xlsx(data: ReportData) -> bytes:
    """The workbook, streamed (openpyxl's write-only mode): its time and memory grow with the rows, no faster."""
    workbook = Workbook(write_only=True)
    writer = _SheetWriter(workbook)
    summary = writer.sheet(_("Summary"), SUMMARY_COLUMNS, data.rows)
    summary.append([])
    summary.append([writer.header_cell(summary, _("Totals"), font=TOTALS_FONT, fill=None)])
    for key, label in TOTAL_LABELS.items():
        summary.append([xlsx_value(summary, _(label)), data.totals[key]])

    lines = [{**line, "growth": line["target_capacity"] - line["baseline_capacity"]} for line in data.lines]
    writer.sheet(_("Capability lines"), LINE_COLUMNS, lines)
    partnerships = [{**row, "partnership_status": row["status"]} for row in data.partnerships]
    writer.sheet(_("Partnerships"), PARTNERSHIP_COLUMNS, partnerships)
    writer.sheet(_("Capacity by item"), CAPACITY_COLUMNS, capacity_rows(data.capacity["items"]))
    writer.sheet(_("Other lines (not summed)"), OTHER_COLUMNS, data.capacity["other"])
    writer.sheet(_("Joint procurement"), JOINT_COLUMNS, joint_rows(data))
    writer.sheet(_("Reconciliation"), RECONCILIATION_COLUMNS, data.reconciliation)
    if data.trends:
        writer.sheet(_("Alliance by year"), ALLIANCE_YEAR_COLUMNS, data.trends["cycles"])
        writer.sheet(_("Allies by year"), ALLY_YEAR_COLUMNS, data.trends["allies"])
        writer.sheet(_("Capacity by year"), CAPACITY_YEAR_COLUMNS, capacity_rows(data.trends["capacity"]))
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
