"""A plan's content as one plain structure: its schema, read from the database, compared, hashed.

The same dict shape is what the API takes and returns, what a PlanVersion snapshots and what
the history and version comparisons diff, so all of them agree on what "the content" is.
Values are Python types (Decimal, int, str, bool); `to_jsonable` turns Decimals into strings.
The schema (HEADLINE, LINE, PARTNERSHIP) says what each field may hold, for every door.
"""

import dataclasses
import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, cast

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from members.models import Member

from .enums import OTHER_ITEM
from .models import CapabilityLine, Comment, Partnership, Plan, Review

# The schema of the content --------------------------------------------------------------------
#
# What each field may hold is declared once, on the model field (its size, length, choices,
# default and range validators); ContentSchema reads it, and adds what a model cannot say: which
# fields make up the content, in what order, and how many rows a plan may have. The forms
# (plans.forms), the API serializers and so the OpenAPI schema (plans.api.serializers) and the
# plan rules (plans.validation) all build their checks from these specs. A new field of a line
# (a catalogue item, a controlled unit, a stable key) is added to the model and to the names
# below, and every door follows.


@dataclass(frozen=True)
class FieldSpec:
    """What one field of the content may hold."""

    name: str
    kind: str  # decimal, integer, text, choice, boolean, codes
    required: bool  # on every save; completeness for a submission is a plan rule
    default: Any
    max_length: int | None = None
    multiline: bool = False
    max_digits: int | None = None
    decimal_places: int | None = None
    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None
    choices: tuple[tuple[str, Any], ...] = ()
    max_items: int | None = None  # for lists of codes
    pattern: RegexValidator | None = None  # a format the text must have (its message says which)

    @cached_property
    def values(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.choices)

    @cached_property
    def too_large_from(self) -> Decimal | None:
        """The smallest magnitude the column cannot hold (max_digits 20, 2 places: 10^18)."""
        if self.max_digits is None or self.decimal_places is None:
            return None
        return Decimal(10) ** (self.max_digits - self.decimal_places)


def _declared(model_field: models.Field) -> list:
    # Only the validators declared on the field, not the ones Django adds from the database
    # backend's integer ranges, which differ between PostgreSQL and SQLite.
    return list(model_field._validators)  # type: ignore[attr-defined]  # Django keeps the declared ones apart, under this name


def _bounds(model_field: models.Field) -> tuple[Any, Any]:
    declared = _declared(model_field)
    lows = [v.limit_value for v in declared if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in declared if isinstance(v, MaxValueValidator)]
    return (max(lows) if lows else None, min(highs) if highs else None)


def field_spec(model: type[models.Model], name: str, **extra: Any) -> FieldSpec:
    """The spec of `model.name`, read from the model field's declaration."""
    # A content field is a concrete field of the model (a relation's reverse side never is one).
    model_field = cast(models.Field, model._meta.get_field(name))
    low, high = _bounds(model_field)
    if model_field.many_to_many:
        code = Member._meta.get_field("code")
        return FieldSpec(name, "codes", required=False, default=[], max_length=code.max_length, **extra)
    if model_field.many_to_one:
        # A line's catalogue item, by its code (the key the relation points at); null for "other".
        target = cast(models.Field, model_field.target_field)  # type: ignore[attr-defined]
        return FieldSpec(name, "text", required=False, default=None, max_length=target.max_length, **extra)
    if isinstance(model_field, models.UUIDField):
        # A row's stable key: given back as read, or left out for a new row (the service makes one).
        return FieldSpec(name, "key", required=False, default=None, **extra)
    if model_field.has_default():
        default = model_field.get_default()
        default = default.value if isinstance(default, enum.Enum) else default
    else:
        default = None if model_field.null else ("" if model_field.blank else None)
    common: dict[str, Any] = {
        "required": not model_field.blank and not model_field.has_default(),
        "default": default,
        "min_value": low,
        "max_value": high,
    }
    if isinstance(model_field, models.DecimalField):
        kind = "decimal"
        common.update(max_digits=model_field.max_digits, decimal_places=model_field.decimal_places)
    elif isinstance(model_field, models.BooleanField):
        kind = "boolean"
    elif isinstance(model_field, models.IntegerField):
        kind = "integer"
    elif model_field.choices:
        kind = "choice"
        common.update(choices=tuple(model_field.choices))
    else:
        kind = "text"
        pattern = next((v for v in _declared(model_field) if isinstance(v, RegexValidator)), None)
        common.update(
            max_length=model_field.max_length, multiline=isinstance(model_field, models.TextField), pattern=pattern
        )
    return FieldSpec(name, kind, **{**common, **extra})


@dataclass(frozen=True)
class ContentSchema:
    """The fields of one part of the content (the headline, a line, a partnership), in order."""

    model: type[models.Model]
    names: tuple[str, ...]
    max_rows: int | None = None  # for lines and partnerships: how many one plan may have
    extra: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @cached_property
    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(field_spec(self.model, name, **self.extra.get(name, {})) for name in self.names)

    @cached_property
    def by_name(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    def __getitem__(self, name: str) -> FieldSpec:
        return self.by_name[name]

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """What an optional field is when left out; required fields have none."""
        return {spec.name: spec.default for spec in self.fields if not spec.required}

    @cached_property
    def decimal_names(self) -> frozenset[str]:
        return frozenset(spec.name for spec in self.fields if spec.kind == "decimal")


HEADLINE = ContentSchema(
    Plan,
    (
        "defence_expenditure",
        "equipment_expenditure",
        "personnel_expenditure",
        "infrastructure_expenditure",
        "other_expenditure",
        "gdp",
        "currency",
        "military_personnel",
        "summary",
        "nil_return",
        "nil_return_reason",
    ),
)
LINE = ContentSchema(
    CapabilityLine,
    (
        "key",
        "item_code",
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
    ),
    max_rows=2000,
    # A catalogue item brings its category, unit and name; for "other" lines the plan rules
    # require them (plans.validation).
    extra={"category": {"required": False}, "item": {"required": False}, "unit": {"required": False}},
)
PARTNERSHIP = ContentSchema(
    Partnership,
    ("key", "kind", "partner_name", "partner_members", "description", "value", "status"),
    max_rows=500,
    extra={"partner_members": {"max_items": 32}},  # the allies
)
# Comments on a plan and staff decisions' comments: one length wherever they are written.
COMMENT_BODY = field_spec(Comment, "body")
REVIEW_COMMENT = field_spec(Review, "comment")

MONEY_FIELDS = (
    "defence_expenditure",
    "equipment_expenditure",
    "personnel_expenditure",
    "infrastructure_expenditure",
    "other_expenditure",
)
EXPENDITURE_PARTS = MONEY_FIELDS[1:]
HEADLINE_FIELDS = HEADLINE.names
LINE_FIELDS = LINE.names
PARTNERSHIP_FIELDS = PARTNERSHIP.names
HEADLINE_DEFAULTS: dict[str, Any] = HEADLINE.defaults
LINE_DEFAULTS: dict[str, Any] = LINE.defaults
PARTNERSHIP_DEFAULTS: dict[str, Any] = PARTNERSHIP.defaults


def empty_content() -> dict:
    return {**HEADLINE_DEFAULTS, "lines": [], "partnerships": []}


def _key(value: Any) -> Any:
    """A row's key as text (the content's form); a value that is not a UUID is left for the rules to name."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return value


def _item_code(value: Any) -> Any:
    # "other" (or nothing) is a line without a catalogue item.
    return None if value in (None, "", OTHER_ITEM) else value


def normalize(content: dict) -> dict:
    """Fill in defaults, so that every caller can hand over only what it has."""
    result = {field: content.get(field, HEADLINE_DEFAULTS[field]) for field in HEADLINE_FIELDS}
    result["lines"] = [
        {**LINE_DEFAULTS, **line, "key": _key(line.get("key")), "item_code": _item_code(line.get("item_code"))}
        for line in content.get("lines") or []
    ]
    result["partnerships"] = [
        {
            **PARTNERSHIP_DEFAULTS,
            **p,
            "key": _key(p.get("key")),
            "partner_members": sorted(set(p.get("partner_members") or [])),
        }
        for p in content.get("partnerships") or []
    ]
    return result


def with_keys(content: dict, *, before: dict | None = None) -> dict:
    """Normalised content whose every line and partnership has a key.

    A row sent without one takes the key of the row at its place in `before` (what was stored),
    unless another row of the content claims that key: a client that does not know about keys
    keeps its lines' identity as long as it keeps their order. Any other row gets a new key.
    """
    for group in ("lines", "partnerships"):
        rows = content[group]
        old = (before or {}).get(group) or []
        used = {row["key"] for row in rows if row.get("key")}
        for index, row in enumerate(rows):
            if row.get("key"):
                continue
            inherited = _key(old[index].get("key")) if index < len(old) else None
            if inherited and inherited not in used:
                row["key"] = inherited
            else:
                row["key"] = str(uuid.uuid4())
            used.add(row["key"])
    return content


# What a stored row carries besides the content's fields: its id and place, for writing it back.
ROW_ADDRESS = ("id", "position")


# A partnership's own columns: its fields less its partner allies (a many-to-many, read joined).
PARTNERSHIP_ROW_FIELDS = tuple(field for field in PARTNERSHIP_FIELDS if field != "partner_members")
PARTNERSHIP_COLUMNS = (*ROW_ADDRESS, *PARTNERSHIP_ROW_FIELDS)


def partnerships_from_rows(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> list[dict]:
    """Partnerships from joined rows of (*columns, partner ally's code or None), one row per ally.

    A partnership names a handful of allies at most, so one joined query is cheaper than a second
    one. The first column is the partnership's id, and a partnership's rows come together (ordered
    by it); each partnership is a dict of `columns` plus `partner_members`, its allies' codes in
    the rows' order.
    """
    partnerships: list[dict] = []
    for row in rows:
        if not partnerships or partnerships[-1][columns[0]] != row[0]:
            partnerships.append(dict(zip(columns, row[:-1], strict=True)))
            partnerships[-1]["partner_members"] = []
        if row[-1] is not None:
            partnerships[-1]["partner_members"].append(row[-1])
    return partnerships


def stored_rows(plan: Plan) -> tuple[list[dict], list[dict]]:
    """A plan's lines and partnerships as stored (two queries), each row also with its `id` and `position`."""
    lines = [
        {**line, "key": str(line["key"])}
        for line in CapabilityLine.objects.filter(plan=plan)
        .order_by("position", "id")
        .values(*ROW_ADDRESS, *LINE_FIELDS)
    ]
    partnerships = partnerships_from_rows(
        Partnership.objects.filter(plan=plan)
        .order_by("position", "id", "partner_members__code")
        .values_list(*PARTNERSHIP_COLUMNS, "partner_members__code"),
        PARTNERSHIP_COLUMNS,
    )
    for partnership in partnerships:
        partnership["key"] = str(partnership["key"])
    return lines, partnerships


def content_of(plan: Plan, lines: list[dict], partnerships: list[dict]) -> dict:
    """The content of a plan from its stored rows (stored_rows): the rows without their address."""
    content = {field: getattr(plan, field) for field in HEADLINE_FIELDS}
    content["lines"] = [{field: line[field] for field in LINE_FIELDS} for line in lines]
    content["partnerships"] = [
        {
            **{field: row[field] for field in PARTNERSHIP_FIELDS if field != "partner_members"},
            "partner_members": row["partner_members"],
        }
        for row in partnerships
    ]
    return content


def plan_content(plan: Plan) -> dict:
    """The working content of a plan as stored now (two queries: lines, partnerships with their allies)."""
    return content_of(plan, *stored_rows(plan))


# Values that are JSON as they are: most of a content's, answered before the checks below.
PLAIN_TYPES = frozenset({str, int, bool, float, type(None)})


def _jsonable(value: Any) -> Any:
    if type(value) in PLAIN_TYPES:
        return value
    if isinstance(value, Decimal):
        # Fixed notation, no exponent, so that 1E+3 and 1000.00 hash alike; adding zero turns
        # a negative zero (-0, or -0.001 once rounded) into 0.00, as the database stores it.
        return format(value.quantize(Decimal("0.01")) + 0, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        # A row's plain values are kept without a call each: thousands of rows are converted per save.
        return {key: item if type(item) in PLAIN_TYPES else _jsonable(item) for key, item in value.items()}
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


def pair_rows(old_rows: list[dict], new_rows: list[dict]) -> list[tuple[int, dict | None, dict | None]]:
    """The rows of two contents side by side: `(index, old row, new row)`, a side None when added or removed.

    Rows are matched by their stable key when every row of both sides has one; versions made
    before rows had keys are matched by position. `index` is the row's place in the new content
    (in the old one for a removed row), and the pairs come in that order.
    """
    keyed = all(row.get("key") for row in (*old_rows, *new_rows))
    if not keyed:
        length = max(len(old_rows), len(new_rows))
        return [
            (
                index,
                old_rows[index] if index < len(old_rows) else None,
                new_rows[index] if index < len(new_rows) else None,
            )
            for index in range(length)
        ]
    old_by_key = {str(row["key"]): (index, row) for index, row in enumerate(old_rows)}
    new_keys = {str(row["key"]) for row in new_rows}
    pairs: list[tuple[float, int, dict | None, dict | None]] = []
    for index, row in enumerate(new_rows):
        old = old_by_key.get(str(row["key"]))
        pairs.append((index, index, old[1] if old else None, row))
    for key, (index, row) in old_by_key.items():
        if key not in new_keys:
            # Shown where it stood, before the row that now has its place.
            pairs.append((index - 0.5, index, row, None))
    return [(index, old, new) for _order, index, old, new in sorted(pairs, key=lambda pair: pair[0])]


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


ROW_GROUPS = ("lines", "partnerships")


def diff(old: dict, new: dict) -> list[dict]:
    """The fields whose value differs, in a stable order: `[{"field", "old", "new"}]`.

    Lines and partnerships are matched by key (plans.content.pair_rows): removing one line of
    sixteen is that line's fields, not a shift of every line below it. Paths give the row's
    place in the new content (in the old one for a removed row); keys themselves are not listed.
    """
    # The headline as JSON at once; the rows only when they differ, most of a save's being as they were.
    old_json, new_json = (
        {field: _jsonable(value) for field, value in content.items() if field not in ROW_GROUPS}
        for content in (old, new)
    )
    changes = []
    for field in sorted(set(old_json) | set(new_json), key=_field_sort_key):
        before, after = old_json.get(field), new_json.get(field)
        if before != after:
            changes.append({"field": field, "old": before, "new": after})
    for group in ROW_GROUPS:
        for index, old_row, new_row in pair_rows(old.get(group) or [], new.get(group) or []):
            if old_row is not None and new_row is not None and _same_row(old_row, new_row):
                continue
            if old_row is None or new_row is None:
                # An added or removed row (every row of a new plan): its fields that have a value.
                # The same entries as the comparison below gives, without comparing with nothing.
                added = new_row is not None
                row = _jsonable(new_row if added else old_row)
                path = f"{group}[{index}]."
                changes += [
                    {"field": path + name, "old": None, "new": value}
                    if added
                    else {"field": path + name, "old": value, "new": None}
                    for name, value in sorted(row.items())
                    if value is not None and name != "key"
                ]
                continue
            old_row, new_row = _jsonable(old_row), _jsonable(new_row)
            for name in sorted({*new_row, *old_row}):
                if name == "key":
                    continue
                before, after = old_row.get(name), new_row.get(name)
                if before != after:
                    changes.append({"field": f"{group}[{index}].{name}", "old": before, "new": after})
    return changes


def _same_row(old: dict, new: dict) -> bool:
    """Rows whose values are equal and of one type each, which their JSON forms are too (a quick answer)."""
    if old.keys() != new.keys():
        return False
    for name, before in old.items():
        after = new[name]
        if type(before) is not type(after) or before != after:
            return False
        if isinstance(before, (list, tuple, dict)) and _jsonable(before) != _jsonable(after):
            return False
    return True


def _field_sort_key(field: str) -> tuple:
    if "[" not in field:
        return (0, HEADLINE_FIELDS.index(field) if field in HEADLINE_FIELDS else 99, 0, field)
    group, rest = field.split("[", 1)
    index, name = rest.split("].", 1)
    return (1 if group == "lines" else 2, int(index), 0, name)
