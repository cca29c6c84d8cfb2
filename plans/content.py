"""A plan's content as one plain structure: read from the database, compared, hashed.

The same dict shape is what the API takes and returns, what a PlanVersion snapshots and what
the history and version comparisons diff, so all of them agree on what "the content" is.
Values are Python types (Decimal, int, str, bool); `to_jsonable` turns Decimals into strings.
"""

import hashlib
import json
from decimal import Decimal
from typing import Any

from .models import CapabilityLine, Partnership, Plan

MONEY_FIELDS = (
    "defence_expenditure",
    "equipment_expenditure",
    "personnel_expenditure",
    "infrastructure_expenditure",
    "other_expenditure",
)
EXPENDITURE_PARTS = MONEY_FIELDS[1:]
HEADLINE_FIELDS = (
    *MONEY_FIELDS,
    "gdp",
    "currency",
    "military_personnel",
    "summary",
    "nil_return",
    "nil_return_reason",
)
LINE_FIELDS = (
    "category",
    "item",
    "unit",
    "baseline_capacity",
    "target_capacity",
    "target_year",
    "stockpile_current",
    "stockpile_target",
    "planned_investment",
    "funding",
    "priority",
    "bottleneck",
    "notes",
)
PARTNERSHIP_FIELDS = ("kind", "partner_name", "partner_members", "description", "value", "status")

HEADLINE_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(MONEY_FIELDS),
    "gdp": None,
    "currency": "",
    "military_personnel": None,
    "summary": "",
    "nil_return": False,
    "nil_return_reason": "",
}
LINE_DEFAULTS: dict[str, Any] = {
    "unit": "",
    "stockpile_current": None,
    "stockpile_target": None,
    "planned_investment": None,
    "funding": "national",
    "priority": "normal",
    "bottleneck": "none",
    "notes": "",
}
PARTNERSHIP_DEFAULTS: dict[str, Any] = {"partner_members": [], "description": "", "value": None, "status": "planned"}


def empty_content() -> dict:
    return {**HEADLINE_DEFAULTS, "lines": [], "partnerships": []}


def normalize(content: dict) -> dict:
    """Fill in defaults, so that every caller can hand over only what it has."""
    result = {field: content.get(field, HEADLINE_DEFAULTS[field]) for field in HEADLINE_FIELDS}
    result["lines"] = [{**LINE_DEFAULTS, **line} for line in content.get("lines") or []]
    result["partnerships"] = [
        {**PARTNERSHIP_DEFAULTS, **p, "partner_members": sorted(set(p.get("partner_members") or []))}
        for p in content.get("partnerships") or []
    ]
    return result


def plan_content(plan: Plan) -> dict:
    """The working content of a plan as stored now (two queries: lines, partnerships)."""
    content = {field: getattr(plan, field) for field in HEADLINE_FIELDS}
    content["lines"] = list(CapabilityLine.objects.filter(plan=plan).order_by("position", "id").values(*LINE_FIELDS))
    partnerships = Partnership.objects.filter(plan=plan).order_by("position", "id").prefetch_related("partner_members")
    content["partnerships"] = [
        {
            **{field: getattr(p, field) for field in PARTNERSHIP_FIELDS if field != "partner_members"},
            "partner_members": sorted(m.code for m in p.partner_members.all()),
        }
        for p in partnerships
    ]
    return content


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Fixed notation, no exponent, so that 1E+3 and 1000.00 hash alike; adding zero turns
        # a negative zero (-0, or -0.001 once rounded) into 0.00, as the database stores it.
        return format(value.quantize(Decimal("0.01")) + 0, "f")
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def to_jsonable(content: dict) -> dict:
    return _jsonable(content)


def canonical_json(document: dict) -> str:
    """Sorted keys, no spaces, UTF-8 characters kept: the same content gives the same text."""
    return json.dumps(to_jsonable(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def flatten(content: dict) -> dict[str, Any]:
    """`{"lines": [{"item": "x"}]}` -> `{"lines[0].item": "x"}`, for field-by-field comparison."""
    flat: dict[str, Any] = {}
    jsonable = to_jsonable(content)
    for key, value in jsonable.items():
        if key in ("lines", "partnerships"):
            for index, row in enumerate(value):
                for field, item in row.items():
                    flat[f"{key}[{index}].{field}"] = item
        else:
            flat[key] = value
    return flat


def diff(old: dict, new: dict) -> list[dict]:
    """The fields whose value differs, in a stable order: `[{"field", "old", "new"}]`."""
    old_flat, new_flat = flatten(old), flatten(new)
    changes = []
    for field in sorted(set(old_flat) | set(new_flat), key=_field_sort_key):
        before, after = old_flat.get(field), new_flat.get(field)
        if before != after:
            changes.append({"field": field, "old": before, "new": after})
    return changes


def _field_sort_key(field: str) -> tuple:
    if "[" not in field:
        return (0, HEADLINE_FIELDS.index(field) if field in HEADLINE_FIELDS else 99, 0, field)
    group, rest = field.split("[", 1)
    index, name = rest.split("].", 1)
    return (1 if group == "lines" else 2, int(index), 0, name)
