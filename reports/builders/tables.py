"""XLSX (XlsxWriter) and CSV files of the compliance report."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core.exports import csv_text, starts_like_formula
from plans.enums import Bottleneck, Category, Funding, PartnershipKind, PartnershipStatus, Priority
from reports.selectors import ROW_KEYS

from .data import ReportData, item_label, money_label, status_label, unit_label

PERCENT_FORMAT = "0.00"
QUANTITY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FORMAT = {"bold": True, "font_color": "#FFFFFF", "pattern": 1, "fg_color": "#1F4E79"}
TOTALS_FORMAT = {"bold": True}
# Rows go to a temporary file as they come (constant memory; "in_memory" would turn that off and keep
# every cell until the end). Only write_string writes text, and the write() guesses are off too.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

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
    """Writes the report's sheets with XlsxWriter in constant-memory mode: each row goes to the file as it comes.

    A row is final once the next one starts, so rows go in order, each cell with its format.
    Text is written with `write_string`, never `write` (which would take "=..." for a formula):
    text that delegations typed (items, units, partners) is stored as text, quote-prefixed when
    it could run (`core.exports`). Times are naive UTC (`excel_value`): XlsxWriter refuses a
    time zone. Sheet titles must fit Excel's 31 characters in every language (XlsxWriter raises).
    """

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        # Per (column key, number format): each word's cell, text and format (see `sheet`).
        self.words: dict[tuple[str, str | None], dict[Any, tuple[str, Format | None]]] = {}
        # One format per (number format, quote prefix): XlsxWriter writes each format it is given.
        self.formats: dict[tuple[str | None, bool], Format | None] = {}
        self.header_format = workbook.add_format(HEADER_FORMAT)
        self.totals_format = workbook.add_format(TOTALS_FORMAT)

    def cell_format(self, number_format: str | None, quoted: bool = False) -> Format | None:
        try:
            return self.formats[number_format, quoted]
        except KeyError:
            properties: dict[str, Any] = {"quote_prefix": True} if quoted else {}
            if number_format:
                properties["num_format"] = number_format
            made = self.formats[number_format, quoted] = self.workbook.add_format(properties) if properties else None
            return made

    def text_cell(self, text: str, number_format: str | None = None) -> tuple[str, Format | None]:
        """Text and its format for `write_string`: quote-prefixed (Excel's leading apostrophe) if it could run."""
        return text, self.cell_format(number_format, starts_like_formula(text))

    def sheet(self, title: str, columns: list[tuple[str, str, str | None]], rows: list[dict[str, Any]]) -> Worksheet:
        sheet = self.workbook.add_worksheet(title)
        headers = [_(header) for _key, header, _fmt in columns]
        for index, header in enumerate(headers):
            # In pixels (7 a character of the default font): the width stored is exactly this many
            # characters, as before; set_column would add the cell's padding (5 pixels) to it.
            sheet.set_column_pixels(index, index, 7 * max(10, min(40, len(header) + 2)))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(rows), len(columns) - 1)
        for index, header in enumerate(headers):
            sheet.write_string(0, index, header, self.header_format)
        write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
        # Per column: its number format, and its words (labels, yes/no, typed text) as cells, made
        # once per build for each value, since most of a sheet's words repeat.
        columns_at = [
            (column, key, fmt, self.cell_format(fmt), self.words.setdefault((key, fmt), {}))
            for column, (key, _header, fmt) in enumerate(columns)
        ]
        # The cell kind by exact type, most frequent first: this loop runs for every cell of the report.
        for row_index, row in enumerate(rows, start=1):
            for column, key, number_format, cell_format, words in columns_at:
                raw = row.get(key)
                kind = type(raw)
                if kind is Decimal:
                    # As a float: XlsxWriter would write a Decimal with its trailing zeros ("1000.00").
                    write_number(row_index, column, float(raw), cell_format)
                elif kind is str or kind is bool:
                    cell = words.get(raw)
                    if cell is None:
                        cell = words[raw] = self.text_cell(excel_value(key, raw), number_format)
                    write_string(row_index, column, *cell)
                elif raw is None:
                    # Nothing, or an empty cell that carries the column's number format.
                    if cell_format is not None:
                        write_blank(row_index, column, None, cell_format)
                elif kind is int or kind is float:
                    write_number(row_index, column, raw, cell_format)
                else:
                    self.other_cell(sheet, row_index, column, excel_value(key, raw), number_format)
        return sheet

    def other_cell(self, sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None) -> None:
        """Times (UTC, naive: `excel_value`), lists (as text) and words of other types (enum members)."""
        if isinstance(value, datetime):
            sheet.write_datetime(row, column, value, self.cell_format(number_format))
        elif isinstance(value, str):
            sheet.write_string(row, column, *self.text_cell(value, number_format))
        else:
            raise TypeError(f"no spreadsheet cell for a {type(value).__name__}")


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
    """The workbook, streamed (XlsxWriter's constant-memory mode): its time and memory grow with the rows, no faster."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer, WORKBOOK_OPTIONS)
    writer = _SheetWriter(workbook)
    summary = writer.sheet(_("Summary"), SUMMARY_COLUMNS, data.rows)
    # A blank row, then the totals: a bold "Totals" and one label and figure a row.
    totals_at = len(data.rows) + 2
    summary.write_string(totals_at, 0, _("Totals"), writer.totals_format)
    for offset, (key, label) in enumerate(TOTAL_LABELS.items(), start=1):
        summary.write_string(totals_at + offset, 0, *writer.text_cell(_(label)))
        summary.write_number(totals_at + offset, 1, data.totals[key])

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
    workbook.close()
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
