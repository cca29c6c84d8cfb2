"""The rules a plan's content must follow, in two severities.

Errors stop a save (impossible figures) or a submission (also: incomplete content).
Warnings are shown and returned with the plan but never block.
Field names are paths into the content: `gdp`, `lines[2].target_capacity`.
"""

import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from .content import EXPENDITURE_PARTS, MONEY_FIELDS
from .enums import KINDS_WITH_PARTNER_MEMBERS

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
NON_NEGATIVE_LINE_FIELDS = (
    "baseline_capacity",
    "target_capacity",
    "stockpile_current",
    "stockpile_target",
    "planned_investment",
)


@dataclass(frozen=True)
class Finding:
    field: str
    code: str
    message: str
    severity: Literal["error", "warning"]

    def as_dict(self) -> dict:
        return asdict(self)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == WARNING]


def as_field_messages(findings: list[Finding]) -> dict[str, list[str]]:
    """`{"lines[2].target_capacity": ["..."]}`: the shape the API and the forms report."""
    result: dict[str, list[str]] = {}
    for finding in findings:
        result.setdefault(finding.field, []).append(finding.message)
    return result


def validate_content(
    content: dict, *, member_code: str, ally_codes: set[str], current_year: int, for_submission: bool
) -> list[Finding]:
    """Check normalised content. `for_submission` adds the completeness rules."""
    findings: list[Finding] = []

    def error(field: str, code: str, message: str) -> None:
        findings.append(Finding(field, code, message, ERROR))

    def warning(field: str, code: str, message: str) -> None:
        findings.append(Finding(field, code, message, WARNING))

    # Headline figures.
    for field in MONEY_FIELDS:
        value = content.get(field)
        if value is not None and value < 0:
            error(field, "negative", _("Must not be negative."))
    gdp = content.get("gdp")
    if gdp is not None and gdp <= 0:
        error("gdp", "not_positive", _("GDP must be greater than zero."))
    personnel = content.get("military_personnel")
    if personnel is not None and personnel < 0:
        error("military_personnel", "negative", _("Must not be negative."))
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
        for field in NON_NEGATIVE_LINE_FIELDS:
            value = line.get(field)
            if value is not None and value < 0:
                error(f"{prefix}.{field}", "negative", _("Must not be negative."))
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
