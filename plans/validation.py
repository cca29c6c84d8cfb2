"""The rules a plan's content must follow, in two severities.

Errors stop a save (impossible figures) or a submission (also: incomplete content).
Warnings are shown and returned with the plan but never block.
Field names are paths into the content: `gdp`, `lines[2].target_capacity`.
"""

import re
from decimal import Decimal
from functools import cache

from django.utils.translation import gettext as _

from core.findings import ERROR, WARNING, Finding, as_field_messages, errors, warnings

from .content import EXPENDITURE_PARTS, MONEY_FIELDS
from .enums import (
    KINDS_WITH_PARTNER_MEMBERS,
    Bottleneck,
    Category,
    Funding,
    PartnershipKind,
    PartnershipStatus,
    Priority,
)

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
NON_NEGATIVE_LINE_FIELDS = (
    "baseline_capacity",
    "target_capacity",
    "stockpile_current",
    "stockpile_target",
    "planned_investment",
)
# What the table columns can hold. Content outside these would reach the database and fail
# there (a 500 instead of a message naming the field), so it is an error on every save.
MONEY_LIMIT = Decimal(10) ** 18  # max_digits 20, decimal_places 2
QUANTITY_LIMIT = Decimal(10) ** 14  # max_digits 16, decimal_places 2
PERSONNEL_LIMIT = 2_147_483_647
LINE_REQUIRED = ("category", "item", "baseline_capacity", "target_capacity", "target_year")
LINE_CHOICES = {"category": Category, "funding": Funding, "priority": Priority, "bottleneck": Bottleneck}
LINE_MONEY_FIELDS = ("planned_investment",)
PARTNERSHIP_CHOICES = {"kind": PartnershipKind, "status": PartnershipStatus}
TEXT_LIMITS = {"item": 200, "unit": 50, "partner_name": 200}

__all__ = ["ERROR", "WARNING", "Finding", "as_field_messages", "errors", "validate_content", "warnings"]


@cache
def _choice_values(enum) -> frozenset[str]:
    # TextChoices.values builds a new list on every access; a plan has hundreds of lines.
    return frozenset(enum.values)


def validate_content(
    content: dict, *, member_code: str, ally_codes: set[str], current_year: int, for_submission: bool
) -> list[Finding]:
    """Check normalised content. `for_submission` adds the completeness rules."""
    findings: list[Finding] = []

    def error(field: str, code: str, message: str) -> None:
        findings.append(Finding(field, code, message, ERROR))

    def warning(field: str, code: str, message: str) -> None:
        findings.append(Finding(field, code, message, WARNING))

    def too_large(field: str, value, limit: Decimal) -> None:
        if value is not None and abs(value) >= limit:
            error(field, "too_large", _("Must be less than %(limit)s.") % {"limit": f"{limit:,.0f}"})

    def shape(prefix: str, row: dict, required: tuple[str, ...], choices: dict) -> None:
        for field in required:
            value = row.get(field)
            if value is None or (isinstance(value, str) and not value.strip()):
                error(f"{prefix}.{field}", "required", _("This field is required."))
        for field, enum in choices.items():
            value = row.get(field)
            if value is not None and value not in _choice_values(enum):
                error(
                    f"{prefix}.{field}",
                    "invalid_choice",
                    _("%(value)r is not one of %(choices)s.") % {"value": value, "choices": ", ".join(enum.values)},
                )
        for field, limit in TEXT_LIMITS.items():
            value = row.get(field)
            if isinstance(value, str) and len(value) > limit:
                error(f"{prefix}.{field}", "too_long", _("At most %(limit)d characters.") % {"limit": limit})

    # Headline figures.
    for field in MONEY_FIELDS:
        value = content.get(field)
        if value is not None and value < 0:
            error(field, "negative", _("Must not be negative."))
        too_large(field, value, MONEY_LIMIT)
    too_large("gdp", content.get("gdp"), MONEY_LIMIT)
    gdp = content.get("gdp")
    if gdp is not None and gdp <= 0:
        error("gdp", "not_positive", _("GDP must be greater than zero."))
    personnel = content.get("military_personnel")
    if personnel is not None and personnel < 0:
        error("military_personnel", "negative", _("Must not be negative."))
    if personnel is not None and personnel > PERSONNEL_LIMIT:
        error("military_personnel", "too_large", _("Must be at most %(limit)d.") % {"limit": PERSONNEL_LIMIT})
    currency = content.get("currency") or ""
    if currency and not CURRENCY_RE.match(currency):
        error("currency", "invalid", _("Give a three-letter ISO 4217 code in capitals, such as EUR."))

    total = content.get("defence_expenditure")
    parts = [content.get(field) for field in EXPENDITURE_PARTS]
    given = [part for part in parts if part is not None]
    if total is not None and given:
        parts_sum = sum(given, Decimal(0))
        if parts_sum > total:
            error(
                "defence_expenditure",
                "parts_exceed_total",
                _("The parts add up to %(sum)s, more than the total %(total)s.") % {"sum": parts_sum, "total": total},
            )
        elif len(given) == len(parts) and parts_sum != total:
            error(
                "defence_expenditure",
                "parts_differ_from_total",
                _("When all four parts are given they must add up to the total: %(sum)s, not %(total)s.")
                % {"sum": parts_sum, "total": total},
            )
    if total is not None and gdp is not None and gdp > 0 and total > gdp:
        error("defence_expenditure", "above_gdp", _("Defence expenditure cannot be more than GDP."))

    nil_return = bool(content.get("nil_return"))
    lines = content.get("lines") or []
    partnerships = content.get("partnerships") or []

    # Capability lines.
    for index, line in enumerate(lines):
        prefix = f"lines[{index}]"
        shape(prefix, line, LINE_REQUIRED, LINE_CHOICES)
        for field in NON_NEGATIVE_LINE_FIELDS:
            value = line.get(field)
            if value is not None and value < 0:
                error(f"{prefix}.{field}", "negative", _("Must not be negative."))
            too_large(f"{prefix}.{field}", value, MONEY_LIMIT if field in LINE_MONEY_FIELDS else QUANTITY_LIMIT)
        baseline, target = line.get("baseline_capacity"), line.get("target_capacity")
        if baseline is not None and target is not None and 0 <= target < baseline:
            warning(
                f"{prefix}.target_capacity",
                "below_baseline",
                _("The target capacity is below the baseline: production would fall."),
            )
        target_year = line.get("target_year")
        if target_year is not None:
            if not 2000 <= target_year <= 2100:
                error(f"{prefix}.target_year", "out_of_range", _("Give a year between 2000 and 2100."))
            elif target_year < current_year:
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
        shape(prefix, partnership, ("kind", "partner_name"), PARTNERSHIP_CHOICES)
        too_large(f"{prefix}.value", partnership.get("value"), MONEY_LIMIT)
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
        value = partnership.get("value")
        if value is not None and value < 0:
            error(f"{prefix}.value", "negative", _("Must not be negative."))
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
