"""Two versions of a plan compared for people: one entry per changed part, in the reader's language.

Lines and partnerships are matched by their stable key (plans.content.pair_rows), so removing one
line of sixteen reads as one change: "Line removed: 155 mm artillery rounds". A changed row lists
its changed fields with their labels, values and units: "target capacity 50,000 -> 60,000 rounds".
The web, the admin and the API's version detail all show this list.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.numbers import format_number

from .content import HEADLINE_FIELDS, LINE_FIELDS, PARTNERSHIP_FIELDS, pair_rows, to_jsonable
from .enums import Unit
from .models import CapabilityLine, CatalogueItem, Partnership, Plan, localized_name

# Fields whose value counts in the line's unit; money counts in the plan's currency.
QUANTITY_FIELDS = {"baseline_capacity", "target_capacity", "stockpile_current", "stockpile_target"}
MONEY_FIELDS = {
    "planned_investment",
    "value",
    "defence_expenditure",
    "equipment_expenditure",
    "personnel_expenditure",
    "infrastructure_expenditure",
    "other_expenditure",
    "gdp",
}


def _field(model, name: str):
    return model._meta.get_field(name)


def _label(model, name: str) -> str:
    return str(_field(model, name).verbose_name)


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if number == number.to_integral_value() else 2
    return format_number(number, decimal_places=places)


class _Reader:
    """Turns stored values into words: choices' labels, catalogue names, numbers with their unit."""

    def __init__(self, names: dict[str, str], english: dict[str, str], currency: str):
        self.names = names
        self.english = english  # the name a catalogue line is given when it names itself no other
        self.currency = currency

    def value(self, model, name: str, value: Any, row: dict | None = None) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if name == "item_code":
            return self.names.get(value, value)
        if isinstance(value, list):
            return ", ".join(map(str, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        field = _field(model, name)
        if field.choices:
            return str(dict(field.choices).get(value, value))
        if name in QUANTITY_FIELDS or name in MONEY_FIELDS:
            text = _number(value)
            if name in QUANTITY_FIELDS and row and row.get("unit") in Unit.values:
                return f"{text} {Unit(row['unit']).label}"
            if name in MONEY_FIELDS and self.currency:
                return f"{text} {self.currency}"
            return text
        return str(value)

    def row_label(self, group: str, row: dict) -> str:
        if group == "partnerships":
            return row.get("partner_name") or "—"
        item = (row.get("item") or "").strip()
        code = row.get("item_code")
        if code and code in self.names:
            name = self.names[code]
            return name if item in ("", name, self.english.get(code)) else f"{name} ({item})"
        return item or "—"


def compare(old: dict, new: dict) -> list[dict[str, Any]]:
    """The readable differences between two contents (one query: the catalogue names they use).

    Each entry: `part` (plan, line, partnership), `change` (added, removed, changed), `key` (the
    row's key; null for the plan), `label` (the row's item or partner), `fields` (for a change:
    field, label, old, new, as words) and `text`, the sentence a reader sees.
    """
    old, new = to_jsonable(old), to_jsonable(new)
    codes = {
        row.get("item_code") for content in (old, new) for row in content.get("lines") or [] if row.get("item_code")
    }
    rows = list(CatalogueItem.objects.filter(code__in=codes).values("code", "name_en", "name_fr")) if codes else []
    names = {row["code"]: localized_name(row["name_en"], row["name_fr"]) for row in rows}
    english = {row["code"]: row["name_en"] for row in rows}
    reader = _Reader(names, english, new.get("currency") or old.get("currency") or "")
    entries: list[dict[str, Any]] = []

    fields = [
        _change(reader, Plan, name, old.get(name), new.get(name))
        for name in HEADLINE_FIELDS
        if old.get(name) != new.get(name)
    ]
    if fields:
        entries.append(_entry("plan", "changed", None, "", fields))

    for group, model, names_ in (
        ("lines", CapabilityLine, LINE_FIELDS),
        ("partnerships", Partnership, PARTNERSHIP_FIELDS),
    ):
        part = "line" if group == "lines" else "partnership"
        for _index, before, after in pair_rows(old.get(group) or [], new.get(group) or []):
            row = after or before or {}
            label = reader.row_label(group, row)
            if before is None:
                entries.append(_entry(part, "added", row.get("key"), label, []))
            elif after is None:
                entries.append(_entry(part, "removed", row.get("key"), label, []))
            else:
                fields = [
                    _change(reader, model, name, before.get(name), after.get(name), before, after)
                    for name in names_
                    if name != "key" and before.get(name) != after.get(name)
                ]
                if fields:
                    entries.append(_entry(part, "changed", row.get("key"), label, fields))
    return entries


def _change(reader: _Reader, model, name, old, new, old_row=None, new_row=None) -> dict[str, str]:
    return {
        "field": name,
        "label": _label(model, name),
        "old": reader.value(model, name, old, old_row),
        "new": reader.value(model, name, new, new_row),
    }


def _entry(part: str, change: str, key: str | None, label: str, fields: list[dict[str, str]]) -> dict[str, Any]:
    what = "; ".join(f"{field['label']} {field['old']} -> {field['new']}" for field in fields)
    sentences = {
        ("plan", "changed"): _("Plan changed: %(changes)s"),
        ("line", "added"): _("Line added: %(label)s"),
        ("line", "removed"): _("Line removed: %(label)s"),
        ("line", "changed"): _("Line changed: %(label)s: %(changes)s"),
        ("partnership", "added"): _("Partnership added: %(label)s"),
        ("partnership", "removed"): _("Partnership removed: %(label)s"),
        ("partnership", "changed"): _("Partnership changed: %(label)s: %(changes)s"),
    }
    return {
        "part": part,
        "change": change,
        "key": key,
        "label": label,
        "fields": fields,
        "text": sentences[(part, change)] % {"label": label, "changes": what},
    }
