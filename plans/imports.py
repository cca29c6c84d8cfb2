"""A filled spreadsheet template (or a CSV of lines) read back into the plan's content.

The second half of the round trip of plans.spreadsheet: the workbook's headers, in English or
French, are matched to the fields of the content schema (plans.content); every cell is read as
the template writes it (catalogue item codes, unit and choice codes, allies' codes such as
"EE, LV", "yes" for a ticked box) and figures typed as text go through the editor's own number
fields (core.forms.NumberField), in the language of the headers. A cell holding a formula is
refused, never evaluated or kept. Every problem names its cell: `Lines!F12: Enter a number.`

Nothing here writes: `read_upload` gives the content (the same dict the API and the editor
use) or the errors; the views show the changes and apply them through plans.services.
"""

import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.exports import csv_value
from core.findings import errors as error_findings

from .content import HEADLINE, LINE, PARTNERSHIP, ContentSchema, FieldSpec, normalize, plan_content, to_jsonable
from .forms import HeadlineForm, LineForm, PartnershipForm
from .models import Plan
from .selectors import plan_findings, with_catalogue
from .spreadsheet import cell_value, columns

LANGUAGES = ("en", "fr")
TRUE_WORDS = frozenset({"yes", "oui", "true", "vrai", "1", "x"})
FALSE_WORDS = frozenset({"", "no", "non", "false", "faux", "0"})
FORMS = {"lines": LineForm, "partnerships": PartnershipForm, "headline": HeadlineForm}


class ImportRefused(Exception):
    """The file cannot be imported; `errors` lists each problem, most naming a cell."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def field_labels() -> dict[str, str]:
    """Each content field's label in the active language, as the editor and the template name it."""
    labels = {
        name: str(form_field.label)
        for form in (PartnershipForm, LineForm, HeadlineForm)
        for name, form_field in form.base_fields.items()
        if form_field.label
    }
    labels["key"] = _("Key")
    return labels


def _fold(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


@dataclass
class _Names:
    """The names a file may use for sheets and columns, in one language."""

    language: str
    labels: dict[str, str] = field(default_factory=dict)  # folded label -> field name
    titles: dict[str, str] = field(default_factory=dict)  # field name -> label
    sheets: dict[str, str] = field(default_factory=dict)  # headline/lines/partnerships -> sheet title


def _names() -> list[_Names]:
    result = []
    for language in LANGUAGES:
        with translation.override(language):
            titles = field_labels()
            sheets = {"headline": _("Headline"), "lines": _("Lines"), "partnerships": _("Partnerships")}
        labels = {_fold(label): name for name, label in titles.items()}
        result.append(_Names(language, labels, titles, sheets))
    return result


def _max_bytes() -> int:
    return settings.PLAN_IMPORT_MAX_BYTES


def _max_unpacked() -> int:
    return settings.PLAN_IMPORT_MAX_UNPACKED_BYTES


class _Reader:
    """Turns cells into content values, collecting errors with their cell references."""

    def __init__(self, language: str):
        self.language = language
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def value(self, where: str, spec: FieldSpec, group: str, raw: Any, *, formula: bool = False) -> Any:
        if formula:
            self.error(where, _("formulas are not accepted, type the value"))
            return None
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            if spec.kind == "codes":
                return []
            if spec.kind == "boolean":
                return False
            if spec.kind in ("decimal", "integer", "key"):
                return None
            return spec.default if spec.default is not None else ("" if spec.kind == "text" else None)
        if spec.kind in ("decimal", "integer"):
            return self._number(where, spec, group, raw)
        if spec.kind == "boolean":
            word = _fold(raw) if not isinstance(raw, bool) else ("yes" if raw else "no")
            if word in TRUE_WORDS or word == _fold(_("yes")):
                return True
            if word in FALSE_WORDS or word == _fold(_("no")):
                return False
            self.error(where, _("Write “yes” or leave the cell blank."))
            return None
        if spec.kind == "codes":
            return sorted({part.strip().upper() for part in str(raw).replace(";", ",").split(",") if part.strip()})
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if spec.kind == "key":
            return str(raw)
        return str(raw)

    def _number(self, where: str, spec: FieldSpec, group: str, raw: Any) -> Any:
        if isinstance(raw, bool):
            self.error(where, _("Enter a number."))
            return None
        if isinstance(raw, float):
            raw = Decimal(repr(raw))
        form_field = FORMS[group].base_fields[spec.name]
        try:
            with translation.override(self.language):
                value = form_field.clean(raw if isinstance(raw, (int, Decimal)) else str(raw))
        except ValidationError as exc:
            self.error(where, " ".join(exc.messages))
            return None
        if spec.kind == "decimal" and value is not None and spec.decimal_places is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-spec.decimal_places))
        return value


@dataclass
class Upload:
    """What a file holds: the content to save, and where each field came from (for messages)."""

    content: dict
    cells: dict[str, str]  # content path (gdp, lines[3].unit, lines[3]) -> cell reference
    kind: str  # xlsx or csv


def _rows_table(
    reader: _Reader,
    rows: list[tuple[int, list[tuple[Any, bool]]]],
    sheet: str,
    names: _Names,
    schema: ContentSchema,
    group: str,
    cells: dict[str, str],
) -> list[dict]:
    """The rows of a Lines or Partnerships table; `rows` are (row number, [(value, is formula)])."""
    if not rows:
        reader.error(sheet, _("the header row is missing"))
        return []
    header_number, header = rows[0]
    columns: dict[int, str] = {}
    known = len(reader.errors)
    for index, (title, _formula) in enumerate(header, start=1):
        if title in (None, ""):
            continue
        name = names.labels.get(_fold(title))
        where = f"{sheet}!{get_column_letter(index)}{header_number}"
        if name is None or name not in schema.by_name:
            reader.error(where, _("unknown column “%(title)s”") % {"title": title})
        elif name in columns.values():
            reader.error(where, _("the column “%(title)s” appears twice") % {"title": title})
        else:
            columns[index] = name
    missing = [spec for spec in schema.fields if spec.name not in columns.values()]
    for spec in missing:
        reader.error(sheet, _("the column “%(title)s” is missing") % {"title": names.titles.get(spec.name, spec.name)})
    if len(reader.errors) > known:
        return []
    result: list[dict] = []
    for number, cells_ in rows[1:]:
        values = {index: cells_[index - 1] if index - 1 < len(cells_) else (None, False) for index in columns}
        if all(value in (None, "") and not formula for value, formula in values.values()):
            continue
        if schema.max_rows is not None and len(result) >= schema.max_rows:
            reader.error(sheet, _("at most %(count)d rows") % {"count": schema.max_rows})
            break
        path = f"{group}[{len(result)}]"
        cells[path] = f"{sheet}!{number}"
        row: dict[str, Any] = {}
        for index, name in columns.items():
            where = f"{sheet}!{get_column_letter(index)}{number}"
            cells[f"{path}.{name}"] = where
            raw, formula = values[index]
            row[name] = reader.value(where, schema[name], group, raw, formula=formula)
        if not row.get("key"):
            row["key"] = str(uuid.uuid4())  # a blank key is a new row
        result.append(row)
    return result


def _too_large() -> ImportRefused:
    return ImportRefused(
        [_("The file is too large: at most %(size)s MB.") % {"size": _max_bytes() // (1024 * 1024) or 1}]
    )


def _check_size(data: bytes) -> None:
    if len(data) > _max_bytes():
        raise _too_large()
    if not data:
        raise ImportRefused([_("The file is empty.")])


def _open_workbook(data: bytes):
    not_xlsx = _("This file is not an .xlsx workbook: download the template and fill it in.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused([not_xlsx])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused([not_xlsx]) from None
    # A zip bomb unpacks to far more than it weighs: refuse it before reading a byte of it.
    if len(infos) > 1000 or sum(info.file_size for info in infos) > _max_unpacked():
        raise ImportRefused([_("The workbook is too large once unpacked.")])
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused([not_xlsx]) from None


def _sheet_rows(sheet) -> list[tuple[int, list[tuple[Any, bool]]]]:
    rows = []
    limit = max(LINE.max_rows or 0, PARTNERSHIP.max_rows or 0) + 1000
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > limit:
            break
        rows.append((number, [(cell.value, getattr(cell, "data_type", None) == "f") for cell in row]))
    return rows


def read_xlsx(data: bytes) -> Upload:
    """The content of a filled template; ImportRefused with every error found."""
    _check_size(data)
    book = _open_workbook(data)
    try:
        titles = {_fold(title): title for title in book.sheetnames}
        names = next(
            (n for n in _names() if all(_fold(t) in titles for t in n.sheets.values())),
            None,
        )
        if names is None:
            english = _names()[0].sheets
            raise ImportRefused(
                [
                    _("The workbook needs the sheets %(sheets)s, as the template has them.")
                    % {"sheets": ", ".join(english.values())}
                ]
            )
        reader = _Reader(names.language)
        cells: dict[str, str] = {}
        content: dict[str, Any] = {}
        headline_title = titles[_fold(names.sheets["headline"])]
        for number, row in _sheet_rows(book[headline_title])[1:]:
            label, _formula = row[0] if row else (None, False)
            if label in (None, ""):
                continue
            name = names.labels.get(_fold(label))
            if name is None or name not in HEADLINE.by_name:
                reader.error(f"{headline_title}!A{number}", _("unknown field “%(title)s”") % {"title": label})
                continue
            raw, formula = row[1] if len(row) > 1 else (None, False)
            where = f"{headline_title}!B{number}"
            cells[name] = where
            content[name] = reader.value(where, HEADLINE[name], "headline", raw, formula=formula)
        for spec in HEADLINE.fields:
            if spec.name not in content:
                reader.error(
                    headline_title,
                    _("the field “%(title)s” is missing") % {"title": names.titles.get(spec.name, spec.name)},
                )
        for group, schema in (("lines", LINE), ("partnerships", PARTNERSHIP)):
            title = titles[_fold(names.sheets[group])]
            content[group] = _rows_table(reader, _sheet_rows(book[title]), title, names, schema, group, cells)
    finally:
        book.close()
    if reader.errors:
        raise ImportRefused(reader.errors)
    return Upload(content=content, cells=cells, kind="xlsx")


def read_csv(data: bytes, *, current: dict) -> Upload:
    """Lines from a CSV (the columns of the template's Lines sheet); the rest of `current` is kept."""
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_("The CSV file must be UTF-8 text.")]) from None
    if "\0" in text:
        raise ImportRefused([_("This file is not a CSV file.")])
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        parsed = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ImportRefused([_("The CSV file cannot be read: %(reason)s") % {"reason": exc}]) from None
    header = [_fold(title) for title in (parsed[0] if parsed else [])]
    names = max(_names(), key=lambda n: sum(title in n.labels for title in header))
    reader = _Reader(names.language)
    cells: dict[str, str] = {}
    # A field written with a leading apostrophe (core.exports.csv_text) is read without it.
    rows = [(number, [(_unquote(value), False) for value in row]) for number, row in enumerate(parsed, start=1)]
    sheet = _("Lines")
    lines = _rows_table(reader, rows, sheet, names, LINE, "lines", cells)
    if reader.errors:
        raise ImportRefused(reader.errors)
    return Upload(content={**current, "lines": lines}, cells=cells, kind="csv")


def _unquote(value: str) -> str:
    if value.startswith("'") and csv_value(value[1:]) == value:
        return value[1:]
    return value


def read_uploaded_file(file: Any, *, plan: Plan) -> Upload:
    """`read_upload` for an uploaded file (Django's UploadedFile): its size is checked before it is read."""
    if file.size is not None and file.size > _max_bytes():
        raise _too_large()
    return read_upload(file.read(_max_bytes() + 1), file.name or "", plan=plan)


def read_upload(data: bytes, filename: str, *, plan: Plan) -> Upload:
    """The content a file brings for `plan`, checked by the plan rules; ImportRefused naming each cell."""
    current = plan_content(plan)
    if filename.lower().endswith(".csv"):
        upload = read_csv(data, current=current)
    elif filename.lower().endswith(".xlsx"):
        upload = read_xlsx(data)
    else:
        raise ImportRefused([_("Upload the .xlsx template or a .csv file of lines.")])
    content = with_catalogue(normalize(upload.content))
    problems = error_findings(plan_findings(plan=plan, content=content))
    if problems:
        raise ImportRefused([f"{_where(upload.cells, finding.field)}: {finding.message}" for finding in problems])
    upload.content = to_jsonable(content)
    return upload


def content_from_json(text: str) -> dict:
    """Content kept as canonical JSON (decimal strings) back in Python types, for plans.services."""
    content = json.loads(text)

    def numbers(row: dict, schema: ContentSchema) -> dict:
        return {
            name: Decimal(value) if name in schema.decimal_names and value is not None else value
            for name, value in row.items()
        }

    return {
        **numbers(content, HEADLINE),
        "lines": [numbers(row, LINE) for row in content.get("lines") or []],
        "partnerships": [numbers(row, PARTNERSHIP) for row in content.get("partnerships") or []],
    }


def _where(cells: dict[str, str], path: str) -> str:
    while path:
        if path in cells:
            return cells[path]
        if "." in path:
            path = path.rsplit(".", 1)[0]
        elif "[" in path:
            path = path.split("[", 1)[0]
        else:
            break
    return {"lines": _("Lines"), "partnerships": _("Partnerships")}.get(path, _("Headline"))


def lines_csv(content: dict, labels: dict[str, str]) -> str:
    """The plan's lines as CSV, with the columns and headers of the template's Lines sheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    specs = columns(LINE)
    writer.writerow([csv_value(labels.get(spec.name, spec.name)) for spec in specs])
    for line in to_jsonable(content).get("lines") or []:
        writer.writerow([csv_value(cell_value(spec, line.get(spec.name))) for spec in specs])
    return buffer.getvalue()


__all__ = [
    "content_from_json",
    "read_uploaded_file",
    "ImportRefused",
    "Upload",
    "field_labels",
    "lines_csv",
    "read_upload",
]
