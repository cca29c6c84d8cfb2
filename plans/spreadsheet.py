"""The plan as a spreadsheet template a delegation fills offline (the first half of the round trip).

One workbook: an instructions sheet, the headline figures, the capability lines and the
partnerships, with headers in the reader's language, a drop-down list on every column of
choices, and the header rows locked (the rest of each sheet stays editable). Every value goes
through core.exports, so text a delegation typed is never written as a formula. A filled
template is read back by plans.imports.
"""

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.exports import xlsx_row

from .content import HEADLINE, LINE, PARTNERSHIP, ContentSchema, FieldSpec
from .enums import OTHER_ITEM

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
# Rows a template offers for each list (the schema's maximum applies on upload).
TEMPLATE_ROWS = 500
NUMBER_FORMATS = {"decimal": "#,##0.00", "integer": "#,##0"}


def columns(schema: ContentSchema) -> list[FieldSpec]:
    # A row's key goes last: kept as it is, it is how an upload knows the row again.
    return sorted(schema.fields, key=lambda spec: spec.kind == "key")


def cell_value(spec: FieldSpec, value: Any) -> Any:
    if spec.name == "item_code":
        # A line outside the catalogue is an "other" line, as in the editor.
        return value or OTHER_ITEM
    if spec.kind == "codes":
        return ", ".join(value or [])
    if spec.kind == "boolean":
        return _("yes") if value else ""
    return value


def _lock_header(sheet: Worksheet, header_rows: int = 1) -> None:
    # Protecting a sheet locks every cell: the columns (for empty cells) and the filled cells
    # below the header are unlocked again, so only the header stays as it is.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.insertRows = False
    sheet.protection.deleteRows = False
    unlocked = Protection(locked=False)
    for column in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].protection = unlocked
    for row in sheet.iter_rows(min_row=header_rows + 1):
        for cell in row:
            cell.protection = unlocked


def _table(
    sheet: Worksheet,
    schema: ContentSchema,
    labels: dict[str, str],
    rows: list[dict],
    lists: dict[str, str] | None = None,
) -> None:
    """A sheet of rows; `lists` gives a column a list kept elsewhere in the workbook (a range)."""
    lists = lists or {}
    specs = columns(schema)
    sheet.append(xlsx_row(sheet, [labels.get(spec.name, spec.name) for spec in specs]))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(xlsx_row(sheet, [cell_value(spec, row.get(spec.name)) for spec in specs]))
    for index, spec in enumerate(specs, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(str(labels.get(spec.name, ""))) + 2))
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        formula = None
        if spec.name in lists:
            formula = lists[spec.name]
        elif spec.kind == "choice":
            # Codes, not labels: what the upload reads whatever the language of the template.
            formula = '"' + ",".join(str(value) for value, _label in spec.choices) + '"'
        if formula is not None:
            validation = DataValidation(type="list", formula1=formula, allow_blank=not spec.required)
            validation.add(cells)
            sheet.add_data_validation(validation)
        if spec.kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMATS[spec.kind]
    sheet.freeze_panes = "A2"
    _lock_header(sheet)


def _catalogue_table(sheet: Worksheet, catalogue: list[tuple[str, str, str]]) -> str:
    """The catalogue's items under the instructions (code, item, category); the range of their codes."""
    sheet.append([])
    sheet.append(xlsx_row(sheet, [_("Catalogue item"), _("Item"), _("Category")]))
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    first = sheet.max_row + 1
    sheet.append(xlsx_row(sheet, [OTHER_ITEM, _("Other (not in the catalogue)"), ""]))
    for code, label, category in catalogue:
        sheet.append(xlsx_row(sheet, [code, label, category]))
    name = sheet.title.replace("'", "''")
    return f"'{name}'!$A${first}:$A${sheet.max_row}"


def plan_template(content: dict, labels: dict[str, str], catalogue: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """The workbook of a plan's content; `labels` names each field in the reader's language.

    `catalogue` holds the items a line may name, as (code, label, category label): listed on the
    instructions sheet, and the list of the lines' "catalogue item" column.
    """
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = _("Instructions")
    for line in (
        _("Fill the sheets Headline, Lines and Partnerships; one capability line or partnership a row."),
        _("Type figures as numbers; choose categories and other choices from each cell's list (their codes)."),
        _(
            "Catalogue item: a code from the table below, whose category and unit come with it; or “other”, "
            "with the line's category, item and unit."
        ),
        _("Key: keep it as it is, so that the row stays the same line or partnership; leave it blank on a new row."),
        _("Partner allies: their codes separated by commas, such as LV, LT."),
        _("Header rows are locked; formulas are not read."),
    ):
        instructions.append(xlsx_row(instructions, [line]))
    item_codes = _catalogue_table(instructions, list(catalogue))
    instructions.column_dimensions["A"].width = 110
    instructions.column_dimensions["B"].width = 60
    instructions.column_dimensions["C"].width = 30

    headline = workbook.create_sheet(_("Headline"))
    headline.append(xlsx_row(headline, [_("Field"), _("Value")]))
    for cell in headline[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for spec in HEADLINE.fields:
        headline.append(
            xlsx_row(headline, [labels.get(spec.name, spec.name), cell_value(spec, content.get(spec.name))])
        )
        if spec.kind in NUMBER_FORMATS:
            headline.cell(row=headline.max_row, column=2).number_format = NUMBER_FORMATS[spec.kind]
    headline.column_dimensions["A"].width = 36
    headline.column_dimensions["B"].width = 24

    lines = content.get("lines") or []
    _table(workbook.create_sheet(_("Lines")), LINE, labels, lines, lists={"item_code": item_codes})
    _table(workbook.create_sheet(_("Partnerships")), PARTNERSHIP, labels, content.get("partnerships") or [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
