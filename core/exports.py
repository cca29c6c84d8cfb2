"""Spreadsheet-safe values for every export (CSV and XLSX), against formula injection.

A spreadsheet program treats a cell that starts with `=`, `+`, `-` or `@` (or a tab, carriage
return or NUL before one; ASVS 5.0 1.2.10 lists them) as a formula, so a partner called
`=HYPERLINK("https://evil.example", "Open")` would become a live link or worse in staff's copy
of a report. Every export writes text that
users typed through these functions:

- CSV has no types: `csv_text` prefixes such a value with an apostrophe, which spreadsheet
  programs show as the start of text (OWASP's advice for CSV injection).
- XLSX has types: every string is stored as a string cell, never a formula, and the risky ones
  carry Excel's own quote prefix (the file format's form of the leading apostrophe), so the
  value is shown unchanged and stays text even after someone edits the cell. With openpyxl
  (the plan template) that is `xlsx_cell`; with XlsxWriter (the compliance report) it is
  `write_string` with a `quote_prefix` format whenever `starts_like_formula`.

Numbers are not text and stay numbers (a negative amount is not a formula).
"""

from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_text(value: str) -> str:
    """The text to write in a CSV field: neutralised with a leading apostrophe if it could run."""
    return f"'{value}" if starts_like_formula(value) else value


def csv_value(value: Any) -> Any:
    """`csv_text` for strings; anything else as given (the csv module writes numbers as numbers)."""
    return csv_text(value) if isinstance(value, str) else value


def xlsx_cell(cell: Cell, value: Any) -> Cell:
    """Put `value` in an openpyxl cell: strings always as text (quote-prefixed when risky)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
        if starts_like_formula(value):
            cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: list[Any]) -> list[Cell]:
    """Cells for `sheet.append(...)`, every value written through `xlsx_cell`."""
    return [xlsx_cell(Cell(sheet), value) for value in values]
