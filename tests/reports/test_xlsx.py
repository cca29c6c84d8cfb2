"""The report workbook cell by cell, as openpyxl (and so Excel) reads it back: types, number
formats, styles, panes, filters and widths, and typed text that must never become a formula."""

import io
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation
from openpyxl import load_workbook

from plans.models import Cycle
from reports.builders.data import ReportData
from reports.builders.tables import TOTAL_LABELS, build_xlsx

# Formula-looking text (and an error code) typed as an item or a partner's name.
RISKY = ["=1+1", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2", "\t=1+1"]
TEXT_ALWAYS = ["#N/A", "Stinger interceptors"]
SUBMITTED = datetime(2030, 6, 30, 23, 30, tzinfo=ZoneInfo("Europe/Paris"))  # 21:30 UTC


def line(item: str, **figures) -> dict:
    return {
        "member_code": "EE",
        "category": "ammunition",
        "item_code": None,
        "item": item,
        "unit": "rounds",
        "baseline_capacity": Decimal("1000.00"),
        "target_capacity": Decimal("1500.50"),
        "target_year": 2030,
        "stockpile_current": None,
        "stockpile_target": Decimal("80"),
        "planned_investment": Decimal("-5.25"),
        "currency": "EUR",
        "funding": "national",
        "priority": "high",
        "bottleneck": "none",
        **figures,
    }


def report() -> ReportData:
    row = {
        "member_code": "EE",
        "member_name": "Estonia",
        "status": "accepted",
        "effective_deadline": datetime(2030, 6, 30, 22, 0, tzinfo=UTC),
        "has_extension": False,
        "first_submitted_at": SUBMITTED,
        "last_submitted_at": SUBMITTED,
        "is_late": True,
        "submitted_late": True,
        "overdue": False,
        "days_late": 1,
        "versions": 2,
        "spending_pct_gdp": Decimal("2.50"),
        "meets_spending_target": True,
        "equipment_share_pct": None,
        "meets_equipment_target": None,
    }
    return ReportData(
        cycle=Cycle(year=2030),
        generated_at=datetime(2030, 7, 1, tzinfo=UTC),
        rows=[row],
        totals={key: index for index, key in enumerate(TOTAL_LABELS)},
        lines=[line(text) for text in RISKY + TEXT_ALWAYS],
        partnerships=[
            {
                "member_code": "EE",
                "kind": "industry",
                "partner_name": text,
                "partner_members": [],
                "status": "signed",
                "value": None,
            }
            for text in RISKY + TEXT_ALWAYS
        ],
    )


def workbook(data: ReportData):
    return load_workbook(io.BytesIO(build_xlsx(data)))


def widths(sheet) -> list[float]:
    """The width of each column, whether the file gives it one column at a time or a range at once."""
    found = {}
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            found[column] = dimension.width
    return [found[column] for column in sorted(found)]


def test_typed_text_stays_text_and_quote_prefixed_when_it_could_run():
    book = workbook(report())
    for sheet, column in (("Capability lines", 4), ("Partnerships", 3)):
        cells = [row[column - 1] for row in book[sheet].iter_rows(min_row=2)]
        assert [(cell.value, cell.data_type, cell.quotePrefix) for cell in cells] == [
            *((text, "s", True) for text in RISKY),
            ("#N/A", "s", False),
            ("Stinger interceptors", "s", False),
        ]


def test_numbers_blanks_and_labels_of_a_line():
    lines = workbook(report())["Capability lines"]
    cells = list(lines.iter_rows(min_row=2, max_row=2))[0]
    assert [(cell.value, cell.data_type, cell.number_format) for cell in cells] == [
        ("EE", "s", "General"),
        ("Ammunition", "s", "General"),
        (None, "n", "General"),  # no catalogue item: no cell
        ("=1+1", "s", "General"),
        ("rounds", "s", "General"),
        (1000, "n", "#,##0.00"),
        (1500.5, "n", "#,##0.00"),
        (500.5, "n", "#,##0.00"),  # growth
        (2030, "n", "0"),
        (None, "n", "#,##0.00"),  # unknown stockpile: an empty cell with the column's format
        (80, "n", "#,##0.00"),
        (-5.25, "n", "#,##0.00"),  # a negative amount is a number, not a formula
        ("EUR", "s", "General"),
        ("National", "s", "General"),
        ("High", "s", "General"),
        ("None", "s", "General"),
    ]


def test_summary_times_are_utc_without_a_zone_and_yes_no_are_words():
    summary = workbook(report())["Summary"]
    row = list(summary.iter_rows(min_row=2, max_row=2))[0]
    assert [(cell.value, cell.number_format) for cell in row[2:8]] == [
        ("Accepted", "General"),
        (datetime(2030, 6, 30, 22, 0), "yyyy-mm-dd hh:mm"),
        ("no", "General"),
        (datetime(2030, 6, 30, 21, 30), "yyyy-mm-dd hh:mm"),
        (datetime(2030, 6, 30, 21, 30), "yyyy-mm-dd hh:mm"),
        ("yes", "General"),
    ]
    assert [(cell.value, cell.number_format) for cell in row[10:]] == [
        (1, "0"),
        (2, "0"),
        (2.5, "0.00"),
        ("yes", "General"),
        (None, "0.00"),
        (None, "General"),
    ]


def test_header_row_totals_panes_filters_and_widths():
    book = workbook(report())
    summary = book["Summary"]
    header = summary["A1"]
    assert (header.value, header.font.b, header.font.color.rgb[-6:]) == ("Code", True, "FFFFFF")
    assert (header.fill.fill_type, header.fill.fgColor.rgb[-6:]) == ("solid", "1F4E79")
    assert (summary.freeze_panes, summary.auto_filter.ref) == ("A2", "A1:P2")
    # A blank row, then the totals under a bold heading without a fill.
    assert {cell.value for cell in summary[3]} == {None}
    assert (summary["A4"].value, summary["A4"].font.b, summary["A4"].fill.fill_type) == ("Totals", True, None)
    totals = [row[:2] for row in summary.iter_rows(min_row=5, values_only=True)]
    assert totals[:2] == [("Allies", 0), ("Submitted", 1)]
    assert len(totals) == len(TOTAL_LABELS)
    # Each column as wide as its header and two characters, between 10 and 40.
    assert widths(summary)[:4] == [10, 10, 10, 26]
    lines = book["Capability lines"]
    assert (lines.freeze_panes, lines.auto_filter.ref) == ("A2", "A1:P8")
    assert widths(lines)[:6] == [10, 10, 11, 10, 10, 19]


def test_every_sheet_name_fits_excel_in_french():
    with translation.override("fr"):
        book = workbook(report())
    assert book.sheetnames == [
        "Résumé",
        "Lignes de capacité",
        "Partenariats",
        "Capacité par article",
        "Autres lignes (non totalisées)",
        "Acquisition conjointe",
        "Rapprochement",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
