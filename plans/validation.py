"""The rules a plan's content must follow, in two severities.

Errors stop a save (impossible figures) or a submission (also: incomplete content).
Warnings are shown and returned with the plan but never block.
Field names are paths into the content: `gdp`, `lines[2].target_capacity`.
"""

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.findings import ERROR, WARNING, Finding, as_field_messages, errors, warnings
from core.numbers import format_number

from .content import EXPENDITURE_PARTS, HEADLINE, LINE, PARTNERSHIP, ContentSchema, FieldSpec
from .enums import KINDS_WITH_PARTNER_MEMBERS

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "as_field_messages",
    "errors",
    "field_findings",
    "validate_content",
    "warnings",
]


# What a line outside the catalogue must say, and the message when it does not (translated only then).
OTHER_ITEM_NEEDS = (
    ("category", gettext_lazy("Give the category of an item that is not in the catalogue.")),
    ("item", gettext_lazy("Name the item, or pick it from the catalogue.")),
    ("unit", gettext_lazy("Give the unit of an item that is not in the catalogue.")),
)


def field_findings(path: str, value, spec: FieldSpec) -> list[Finding]:
    """What is wrong with one value against its spec (plans.content): required, choice, length, size, range.

    Content reaches the services from the forms and the API, whose fields read the same specs,
    but also from a copy of last year's plan or a file import: the rules check every value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Finding(path, "required", _("This field is required."), ERROR)] if spec.required else []
    found: list[Finding] = []

    def error(code: str, message: str) -> None:
        found.append(Finding(path, code, message, ERROR))

    if spec.choices and value not in spec.values:
        values = ", ".join(sorted(spec.values))
        error("invalid_choice", _("%(value)r is not one of %(choices)s.") % {"value": value, "choices": values})
    if spec.max_length is not None and isinstance(value, str) and len(value) > spec.max_length:
        error("too_long", _("At most %(limit)d characters.") % {"limit": spec.max_length})
    if spec.pattern is not None and isinstance(value, str) and not spec.pattern.regex.search(value):
        error(spec.pattern.code, str(spec.pattern.message))
    if spec.max_items is not None and isinstance(value, list) and len(value) > spec.max_items:
        error("too_many", _("At most %(limit)d.") % {"limit": spec.max_items})
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return found
    low, high = spec.min_value, spec.max_value
    if low is not None and value < low:
        if low == 0:
            error("negative", _("Must not be negative."))
        else:
            error("out_of_range", _("Give a value from %(min)s to %(max)s.") % {"min": low, "max": high})
    elif high is not None and value > high:
        if low:
            error("out_of_range", _("Give a value from %(min)s to %(max)s.") % {"min": low, "max": high})
        else:
            error("too_large", _("Must be at most %(limit)d.") % {"limit": high})
    limit = spec.too_large_from
    if limit is not None and abs(value) >= limit:
        error("too_large", _("Must be less than %(limit)s.") % {"limit": format_number(limit)})
    return found


def quick_check(spec: FieldSpec) -> Callable[[Any], bool]:
    """A quick yes for a value about which field_findings has nothing to say; no means "ask it".

    A save checks every field of every row (3,000 values for 200 lines), almost all of them
    fine: answering those in one comparison or two, without building their path, was a third of
    the rules' time. Each yes must be one that field_findings gives (tests/plans/test_validation.py).
    """
    low, high, limit = spec.min_value, spec.max_value, spec.too_large_from

    def blank_allowed(value: Any) -> bool:
        return not spec.required and (value is None or (type(value) is str and not value.strip()))

    if spec.kind in ("decimal", "integer"):
        kind = Decimal if spec.kind == "decimal" else int

        def number(value: Any) -> bool:
            if type(value) is not kind:
                return blank_allowed(value)
            return (
                (low is None or value >= low)
                and (high is None or value <= high)
                and (limit is None or abs(value) < limit)
            )

        return number
    if spec.choices and spec.kind != "choice":
        return blank_allowed  # not a spec that plans.content makes: field_findings answers
    if spec.kind == "choice":

        def choice(value: Any) -> bool:
            if type(value) is not str or not value.strip():
                return blank_allowed(value)
            return value in spec.values

        return choice
    if spec.kind in ("text", "key"):
        pattern, length = spec.pattern, spec.max_length

        def text(value: Any) -> bool:
            if type(value) is not str or not value.strip():
                return blank_allowed(value)
            return (length is None or len(value) <= length) and (pattern is None or bool(pattern.regex.search(value)))

        return text
    if spec.kind == "boolean":
        return lambda value: type(value) is bool or blank_allowed(value)
    return blank_allowed


QuickChecks = tuple[tuple[str, Callable[[Any], bool], FieldSpec], ...]
# Per schema, by identity (a schema holds a dict, so it has no hash): the schema itself, kept here
# so that no other object can take its id, and its fields' (name, quick check, spec).
_QUICK_CHECKS: dict[int, tuple[ContentSchema, QuickChecks]] = {}


def _quick_checks(schema: ContentSchema) -> QuickChecks:
    found = _QUICK_CHECKS.get(id(schema))
    if found is None:
        checks = tuple((spec.name, quick_check(spec), spec) for spec in schema.fields)
        found = _QUICK_CHECKS[id(schema)] = (schema, checks)
    return found[1]


def schema_findings(prefix: str, row: dict, schema: ContentSchema) -> list[Finding]:
    checks = _quick_checks(schema)
    found: list[Finding] = []
    for name, fine, spec in checks:
        value = row.get(name)
        if not fine(value):
            found += field_findings(f"{prefix}{name}", value, spec)
    return found


def key_findings(group: str, rows: list[dict]) -> list[Finding]:
    """Each row's key, when given, is a UUID that no other row of the plan has."""
    found: list[Finding] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        key = row.get("key")
        if key in (None, ""):
            continue
        try:
            key = str(uuid.UUID(str(key)))
        except ValueError:
            found.append(Finding(f"{group}[{index}].key", "invalid", _("Give a UUID, as read from the plan."), ERROR))
            continue
        if key in seen:
            found.append(Finding(f"{group}[{index}].key", "duplicate", _("Another row has this key."), ERROR))
        seen.add(key)
    return found


def validate_content(
    content: dict,
    *,
    member_code: str,
    ally_codes: set[str],
    current_year: int,
    for_submission: bool,
    catalogue: dict[str, bool] | None = None,
) -> list[Finding]:
    """Check normalised content. `for_submission` adds the completeness rules.

    `catalogue` maps the catalogue codes the lines name to whether the item is active (codes
    not in it are unknown).
    """
    catalogue = catalogue or {}
    findings: list[Finding] = []

    def error(field: str, code: str, message: str) -> None:
        findings.append(Finding(field, code, message, ERROR))

    def warning(field: str, code: str, message: str) -> None:
        findings.append(Finding(field, code, message, WARNING))

    # Headline figures: what each may hold (plans.content's schema), then the rules between them.
    findings += schema_findings("", content, HEADLINE)
    gdp = content.get("gdp")
    if gdp is not None and gdp <= 0:
        error("gdp", "not_positive", _("GDP must be greater than zero."))
    currency = content.get("currency") or ""

    total = content.get("defence_expenditure")
    parts = [content.get(field) for field in EXPENDITURE_PARTS]
    given = [part for part in parts if part is not None]
    if total is not None and given:
        parts_sum = sum(given, Decimal(0))
        if parts_sum > total:
            error(
                "defence_expenditure",
                "parts_exceed_total",
                _("The parts add up to %(sum)s, more than the total %(total)s.")
                % {"sum": format_number(parts_sum), "total": format_number(total)},
            )
        elif len(given) == len(parts) and parts_sum != total:
            error(
                "defence_expenditure",
                "parts_differ_from_total",
                _("When all four parts are given they must add up to the total: %(sum)s, not %(total)s.")
                % {"sum": format_number(parts_sum), "total": format_number(total)},
            )
    if total is not None and gdp is not None and gdp > 0 and total > gdp:
        error("defence_expenditure", "above_gdp", _("Defence expenditure cannot be more than GDP."))

    nil_return = bool(content.get("nil_return"))
    lines = content.get("lines") or []
    partnerships = content.get("partnerships") or []

    for group, rows, schema in (("lines", lines, LINE), ("partnerships", partnerships, PARTNERSHIP)):
        if schema.max_rows is not None and len(rows) > schema.max_rows:
            error(group, "too_many", _("At most %(limit)d rows.") % {"limit": schema.max_rows})

    findings += key_findings("lines", lines) + key_findings("partnerships", partnerships)

    # Capability lines.
    for index, line in enumerate(lines):
        prefix = f"lines[{index}]"
        findings += schema_findings(f"{prefix}.", line, LINE)
        code = line.get("item_code")
        if code is None:
            # "other": a free-text item, with its category and a unit from the list.
            for field, message in OTHER_ITEM_NEEDS:
                if not (line.get(field) or "").strip():
                    error(f"{prefix}.{field}", "required", str(message))
        elif code not in catalogue:
            error(
                f"{prefix}.item_code",
                "unknown_item",
                _('%(code)r is not in the catalogue; pick an item from it, or "other".') % {"code": code},
            )
        elif not catalogue[code]:
            error(
                f"{prefix}.item_code",
                "retired_item",
                _('%(code)r is retired from the catalogue; pick a current item, or "other".') % {"code": code},
            )
        baseline, target = line.get("baseline_capacity"), line.get("target_capacity")
        if baseline is not None and target is not None and 0 <= target < baseline:
            warning(
                f"{prefix}.target_capacity",
                "below_baseline",
                _("The target capacity is below the baseline: production would fall."),
            )
        target_year = line.get("target_year")
        if target_year is not None and LINE["target_year"].min_value <= target_year < current_year:
            warning(f"{prefix}.target_year", "in_the_past", _("The target year is already past."))
        stock, stock_target = line.get("stockpile_current"), line.get("stockpile_target")
        if stock is not None and stock_target is not None and 0 <= stock_target < stock:
            warning(
                f"{prefix}.stockpile_target",
                "below_current",
                _("The stockpile target is below the current stock."),
            )

    # Partnerships.
    for index, partnership in enumerate(partnerships):
        prefix = f"partnerships[{index}]"
        findings += schema_findings(f"{prefix}.", partnership, PARTNERSHIP)
        codes = partnership.get("partner_members") or []
        unknown = sorted(set(codes) - ally_codes)
        if unknown:
            error(
                f"{prefix}.partner_members",
                "not_an_ally",
                _("Not an ally: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        if member_code in codes:
            error(f"{prefix}.partner_members", "self", _("A member cannot name itself as a partner."))
        if codes and partnership.get("kind") not in KINDS_WITH_PARTNER_MEMBERS:
            error(
                f"{prefix}.partner_members",
                "members_not_expected",
                _("Partner allies are named only for ally and multinational partnerships."),
            )
        if for_submission and partnership.get("kind") in KINDS_WITH_PARTNER_MEMBERS and not codes:
            error(f"{prefix}.partner_members", "required", _("Name at least one partner ally."))

    # Completeness, for a submission only.
    if for_submission:
        if nil_return:
            if not (content.get("nil_return_reason") or "").strip():
                error("nil_return_reason", "required", _("Say why this is a nil return."))
            if lines:
                error("lines", "nil_return_with_lines", _("A nil return has no capability lines."))
        else:
            for field, message in (
                ("defence_expenditure", _("Give the total defence expenditure.")),
                ("gdp", _("Give the GDP.")),
            ):
                if content.get(field) is None:
                    error(field, "required", message)
            if not currency:
                error("currency", "required", _("Give the currency of the figures."))
            if not lines:
                error("lines", "required", _("Give at least one capability line, or submit a nil return."))
    return findings
