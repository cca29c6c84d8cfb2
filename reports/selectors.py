"""Compliance per cycle and member, and the alliance-wide picture, computed in the database.

`compliance_rows` is one query whatever the data: the 32 allies left-joined to the cycle's plans,
with every figure taken from the plans app's single definitions (plans.selectors): the effective
deadline, whether an extension exists, submitted late, overdue, the guideline percentages and
whether they are met. So the report, the admin, the API and the plan page cannot disagree.
"""

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models import Member
from plans.content import LINE_FIELDS
from plans.enums import KINDS_WITH_PARTNER_MEMBERS, SUBMITTED_STATES, Category, PlanStatus
from plans.models import CapabilityLine, Cycle, Partnership, Plan, PlanVersion
from plans.selectors import (
    effective_deadline_expression,
    first_version_expression,
    guideline_figures,
    has_extension_expression,
    overdue_expression,
    submitted_late_expression,
)

# Row status words, beyond the plan statuses.
MISSING = "missing"
NIL_RETURN = "nil_return"
STATUS_WORDS = [MISSING, *PlanStatus.values, NIL_RETURN]
ZERO = Decimal("0")

# Plans whose working content is what was last submitted: content is locked from submission on,
# so their lines and partnerships are the submitted ones. Returned plans are being revised and
# drafts were never submitted; the alliance picture leaves both out.
REPORTED_STATES = SUBMITTED_STATES

ROW_KEYS = (
    "member_code",
    "member_name",
    "member_name_fr",
    "plan_id",
    "status",
    "effective_deadline",
    "has_extension",
    "first_submitted_at",
    "last_submitted_at",
    "is_late",
    "submitted_late",
    "overdue",
    "days_late",
    "versions",
    "spending_pct_gdp",
    "meets_spending_target",
    "equipment_share_pct",
    "meets_equipment_target",
)
GUIDELINE_KEYS = ("spending_pct_gdp", "meets_spending_target", "equipment_share_pct", "meets_equipment_target")


def _days_late(moment: datetime, deadline: datetime) -> int:
    """Started days after the deadline: one minute late is one day late."""
    return max(1, math.ceil((moment - deadline) / timedelta(days=1)))


def compliance_rows(*, cycle: Cycle, member_id: int | None = None, at: datetime | None = None) -> list[dict[str, Any]]:
    """One dict per ally (or only `member_id`'s), sorted by member name; see ROW_KEYS.

    `submitted_late`: the first submission came after the deadline in force when it was made
    (null before any); an extension granted afterwards does not change it, nor does a later
    resubmission. `overdue`: nothing submitted and the effective deadline (now) has passed.
    `is_late` is either of them, and null while neither is decided (nothing submitted, not yet
    due). `days_late` counts started days: from the deadline in force to the first submission
    when submitted late, from the effective deadline to `at` when overdue, 0 when on time.
    `status` is `nil_return` for a nil return that was submitted (submitted, in review or
    accepted); percentages are reported once a plan has been submitted (not for drafts).
    """
    now = at or timezone.now()
    versions = PlanVersion.objects.filter(plan_id=OuterRef("plan_pk")).order_by()
    members = Member.objects.all() if member_id is None else Member.objects.filter(pk=member_id)
    queryset = (
        members.annotate(cycle_plan=FilteredRelation("plans", condition=Q(plans__cycle_id=cycle.pk)))
        .annotate(plan_pk=F("cycle_plan__id"))
        .annotate(
            effective_deadline=effective_deadline_expression(
                cycle_ref=cycle.pk, member_ref="pk", deadline_ref=cycle.deadline
            ),
            has_extension=has_extension_expression(cycle_ref=cycle.pk, member_ref="pk"),
            version_count=Coalesce(
                Subquery(
                    versions.values("plan_id").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
                ),
                0,
            ),
            first_submitted_at=first_version_expression("submitted_at", plan_ref="plan_pk"),
            first_deadline=first_version_expression("deadline", plan_ref="plan_pk"),
            last_submitted_at=Subquery(versions.order_by("-number").values("submitted_at")[:1]),
            submitted_late=submitted_late_expression(plan_ref="plan_pk"),
            **guideline_figures(
                prefix="cycle_plan__",
                spending_target=cycle.spending_target_pct,
                equipment_target=cycle.equipment_target_pct,
            ),
        )
        .annotate(
            overdue=overdue_expression(now=now, deadline=F("effective_deadline"), submitted_late=F("submitted_late"))
        )
        .order_by("name")
        .values(
            "code",
            "name",
            "name_fr",
            "effective_deadline",
            "has_extension",
            "version_count",
            "first_submitted_at",
            "first_deadline",
            "last_submitted_at",
            "submitted_late",
            "overdue",
            *GUIDELINE_KEYS,
            plan_id=F("plan_pk"),
            plan_status=F("cycle_plan__status"),
            nil_return=F("cycle_plan__nil_return"),
        )
    )
    return [_row(values, now=now) for values in queryset]


def _row(values: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    plan_status = values["plan_status"]
    if plan_status is None:
        status = MISSING
    elif values["nil_return"] and plan_status in SUBMITTED_STATES:
        status = NIL_RETURN
    else:
        status = plan_status

    deadline = values["effective_deadline"]
    submitted_late, overdue = values["submitted_late"], bool(values["overdue"])
    is_late: bool | None
    days_late: int | None
    if submitted_late is not None:
        is_late = bool(submitted_late)
        days_late = _days_late(values["first_submitted_at"], values["first_deadline"]) if is_late else 0
    elif overdue:
        is_late, days_late = True, _days_late(now, deadline)
    else:
        is_late = days_late = None

    reported = status not in (MISSING, PlanStatus.DRAFT)
    return {
        "member_code": values["code"],
        "member_name": values["name"],
        "member_name_fr": values["name_fr"],
        "plan_id": values["plan_id"],
        "status": str(status),
        "effective_deadline": deadline,
        "has_extension": bool(values["has_extension"]),
        "first_submitted_at": values["first_submitted_at"],
        "last_submitted_at": values["last_submitted_at"],
        "is_late": is_late,
        "submitted_late": submitted_late,
        "overdue": overdue,
        "days_late": days_late,
        "versions": values["version_count"],
        **{key: values[key] if reported else None for key in GUIDELINE_KEYS},
    }


def compliance_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts over `compliance_rows`: `submitted` means submitted at least once (returned plans too).

    `late` is `submitted_late` + `overdue` (the rows whose `is_late` is true).
    """
    return {
        "members": len(rows),
        "submitted": sum(1 for row in rows if row["first_submitted_at"] is not None),
        "on_time": sum(1 for row in rows if row["submitted_late"] is False),
        "late": sum(1 for row in rows if row["is_late"] is True),
        "submitted_late": sum(1 for row in rows if row["submitted_late"] is True),
        "overdue": sum(1 for row in rows if row["overdue"]),
        "accepted": sum(1 for row in rows if row["status"] == PlanStatus.ACCEPTED),
        "missing": sum(1 for row in rows if row["status"] == MISSING),
        "nil_returns": sum(1 for row in rows if row["status"] == NIL_RETURN),
        "meeting_spending_target": sum(1 for row in rows if row["meets_spending_target"] is True),
        "meeting_equipment_target": sum(1 for row in rows if row["meets_equipment_target"] is True),
    }


# The alliance picture: submitted content only (see REPORTED_STATES).


def growth_pct(growth: Decimal, baseline: Decimal) -> Decimal | None:
    """Growth in % of the baseline, to the cent; none without a baseline."""
    return (growth / baseline * 100).quantize(Decimal("0.01")) if baseline else None


def _stock_gap_expression() -> Case:
    """What one line still has to stock: its stockpile target above the current stock, else nothing."""
    return Case(
        When(
            stockpile_target__gt=Coalesce(F("stockpile_current"), Value(ZERO)),
            then=F("stockpile_target") - Coalesce(F("stockpile_current"), Value(ZERO)),
        ),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def _item_figures(lines: QuerySet[CapabilityLine], *, per_year: bool = False) -> list[dict[str, Any]]:
    """Lines of catalogue items summed per item and unit (and per cycle with `per_year`), in one query.

    The one aggregation of capacity: `capacity_by_item` (one cycle) and `capacity_over_cycles`
    (every cycle) both read it, so the dashboard, the API, the XLSX, the PDF and the brief cannot
    add differently. Never across items or units; investment per currency.
    """
    year_field = ("plan__cycle__year",) if per_year else ()
    grouped = (
        lines.filter(item_code__isnull=False)
        .order_by()
        .values(
            *year_field,
            "item_code_id",
            "unit",
            "plan__member__code",
            "plan__currency",
            name_en=F("item_code__name_en"),
            name_fr=F("item_code__name_fr"),
            item_category=F("item_code__category"),
            parent=F("item_code__parent__code"),
            item_position=F("item_code__position"),
        )
        .annotate(
            lines=Count("pk"),
            baseline=Sum("baseline_capacity"),
            target=Sum("target_capacity"),
            stock=Sum("stockpile_current"),
            stock_target=Sum("stockpile_target"),
            stock_gap=Sum(_stock_gap_expression()),
            investment=Sum("planned_investment"),
        )
    )
    items: dict[tuple[int, str, str], dict[str, Any]] = {}
    for row in grouped:
        year = row["plan__cycle__year"] if per_year else 0
        item = items.setdefault(
            (year, str(row["item_code_id"]), row["unit"]),
            {
                **({"year": year} if per_year else {}),
                "code": row["item_code_id"],
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
                "category": row["item_category"],
                "unit": row["unit"],
                "parent": row["parent"],
                "position": row["item_position"],
                "lines": 0,
                "allies": set(),
                "baseline": ZERO,
                "target": ZERO,
                "stockpile_current": ZERO,
                "stockpile_target": ZERO,
                "stockpile_gap": ZERO,
                "investment": {},
            },
        )
        item["lines"] += row["lines"]
        item["allies"].add(row["plan__member__code"])
        item["baseline"] += row["baseline"] or ZERO
        item["target"] += row["target"] or ZERO
        item["stockpile_current"] += row["stock"] or ZERO
        item["stockpile_target"] += row["stock_target"] or ZERO
        item["stockpile_gap"] += row["stock_gap"] or ZERO
        if row["investment"] is not None:
            currency = row["plan__currency"] or ""
            item["investment"][currency] = item["investment"].get(currency, ZERO) + row["investment"]
    result = []
    ordered = sorted(
        items.items(), key=lambda pair: (pair[1]["category"], pair[1]["position"], *pair[0][1:], pair[0][0])
    )
    for _key, item in ordered:
        growth = item["target"] - item["baseline"]
        result.append(
            {
                **{key: value for key, value in item.items() if key != "position"},
                "allies": sorted(item["allies"]),
                "growth": growth,
                "growth_pct": growth_pct(growth, item["baseline"]),
                "investment": dict(sorted(item["investment"].items())),
            }
        )
    return result


def capacity_by_item(*, cycle: Cycle, across: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The alliance figures per catalogue item and unit: the one aggregation every door shows.

    Capacity (baseline, target, growth), stockpiles (current, target, gap) are summed over the
    submitted plans' lines of one item, in its unit, never across items or units; investment is
    summed per currency (money in two currencies is two units). Lines without a catalogue item
    ("other") are listed one by one, never summed. Two queries whatever the data.

    `across`: the rows of `capacity_over_cycles()` for every ally, when the caller has them
    already (a report reads both): the cycle's items are then its rows of that year, the same
    aggregation, instead of a second sum over the same lines, and only the "other" lines are read
    (one query).

    Returns `{"items": [...], "other": [...]}`; each item: code, name_en, name_fr, category,
    unit, parent, lines, allies (codes), baseline, target, growth, growth_pct, stockpile_current,
    stockpile_target, stockpile_gap, investment (`{currency: amount}`).
    """
    reported = CapabilityLine.objects.filter(plan__cycle_id=cycle.pk, plan__status__in=REPORTED_STATES).order_by()
    if across is None:
        result = _item_figures(reported)
    else:
        # The same order: _item_figures sorts by item and unit, then by cycle.
        result = [
            {key: value for key, value in row.items() if key != "year"} for row in across if row["year"] == cycle.year
        ]
    other: list[dict[str, Any]] = [
        dict(row)
        for row in reported.filter(item_code__isnull=True)
        .order_by("category", "plan__member__name", "position", "pk")
        .values(
            "category",
            "item",
            "unit",
            "stockpile_current",
            "stockpile_target",
            "planned_investment",
            member_code=F("plan__member__code"),
            currency=F("plan__currency"),
            baseline=F("baseline_capacity"),
            target=F("target_capacity"),
        )
    ]
    for line in other:
        line["growth"] = line["target"] - line["baseline"]
    return {"items": result, "other": other}


def capacity_by_category(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """`capacity_by_item`'s figures grouped for a category view: its items side by side, never a sum.

    Each category: `category`, `items` (as capacity_by_item gives them) and `other` (its lines
    without a catalogue item, listed). Categories in their declared order.
    """
    order = {value: index for index, value in enumerate(Category.values)}
    categories: dict[str, dict[str, Any]] = {}
    for item in figures["items"]:
        categories.setdefault(item["category"], {"category": item["category"], "items": [], "other": []})
        categories[item["category"]]["items"].append(item)
    for line in figures["other"]:
        categories.setdefault(line["category"], {"category": line["category"], "items": [], "other": []})
        categories[line["category"]]["other"].append(line)
    return sorted(categories.values(), key=lambda group: order.get(group["category"], len(order)))


def _increase_expression() -> Case:
    """How much one line raises its yearly capacity: target above baseline, else nothing."""
    return Case(
        When(target_capacity__gt=F("baseline_capacity"), then=F("target_capacity") - F("baseline_capacity")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def partner_pairs(*, cycle: Cycle) -> set[frozenset[str]]:
    """Pairs of allies of which at least one names the other as a partner (ally or multinational), one query."""
    through = Partnership.partner_members.through.objects.filter(
        partnership__plan__cycle_id=cycle.pk,
        partnership__plan__status__in=REPORTED_STATES,
        partnership__kind__in=KINDS_WITH_PARTNER_MEMBERS,
    )
    return {
        frozenset((a, b))
        for a, b in through.values_list("partnership__plan__member__code", "member__code").distinct()
        if a != b
    }


def joint_procurement(*, cycle: Cycle) -> list[dict[str, Any]]:
    """Catalogue items that two or more allies plan to expand (target above baseline) or restock
    (stockpile target above the current stock): candidates for buying together.

    Per item (and unit): the allies, their combined target increase and stockpile gap, and which
    pairs of them already name each other in a partnership. The items most allies plan come first.
    Two queries whatever the data.
    """
    rows = (
        CapabilityLine.objects.filter(
            plan__cycle_id=cycle.pk, plan__status__in=REPORTED_STATES, item_code__isnull=False
        )
        .filter(
            Q(target_capacity__gt=F("baseline_capacity"))
            | Q(stockpile_target__gt=Coalesce("stockpile_current", Value(ZERO)))
        )
        .order_by()
        .values(
            "item_code_id",
            "unit",
            "plan__member__code",
            name_en=F("item_code__name_en"),
            name_fr=F("item_code__name_fr"),
            item_category=F("item_code__category"),
        )
        .annotate(increase=Sum(_increase_expression()), gap=Sum(_stock_gap_expression()))
    )
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        item = items.setdefault(
            (str(row["item_code_id"]), row["unit"]),
            {
                "code": row["item_code_id"],
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
                "category": row["item_category"],
                "unit": row["unit"],
                "allies": set(),
                "target_increase": ZERO,
                "stockpile_gap": ZERO,
            },
        )
        item["allies"].add(row["plan__member__code"])
        item["target_increase"] += row["increase"] or ZERO
        item["stockpile_gap"] += row["gap"] or ZERO
    candidates = [item for item in items.values() if len(item["allies"]) >= 2]
    pairs_named = partner_pairs(cycle=cycle)
    result = []
    for item in candidates:
        allies = sorted(item["allies"])
        pairs = [[a, b] for index, a in enumerate(allies) for b in allies[index + 1 :]]
        partnered = [pair for pair in pairs if frozenset(pair) in pairs_named]
        result.append(
            {
                **item,
                "allies": allies,
                "partnered_pairs": partnered,
                "pairs": len(pairs),
                "already_partners": len(partnered) == len(pairs),
            }
        )
    return sorted(result, key=lambda item: (-len(item["allies"]), item["category"], item["code"]))


def bottlenecks(*, cycle: Cycle) -> list[dict[str, Any]]:
    """Bottlenecks named in the submitted plans, the most frequent first, with the allies naming them."""
    rows = (
        CapabilityLine.objects.filter(plan__cycle_id=cycle.pk, plan__status__in=REPORTED_STATES)
        .exclude(bottleneck="none")
        .order_by()
        .values("bottleneck")
        .annotate(
            lines=Count("pk"),
            allies=Count("plan__member_id", distinct=True),
            investment=Sum("planned_investment"),
        )
        .order_by("-lines", "bottleneck")
    )
    return [dict(row) for row in rows]


def multinational_programmes(*, cycle: Cycle) -> list[dict[str, Any]]:
    """Multinational programmes named in submitted plans: who names them and with which partners.

    Two queries: the partnerships, and their partner allies.
    """
    partnerships = list(
        Partnership.objects.filter(plan__cycle_id=cycle.pk, plan__status__in=REPORTED_STATES, kind="multinational")
        .order_by("partner_name", "plan__member__name")
        .values("pk", "partner_name", "status", "value", member_code=F("plan__member__code"))
    )
    partners: dict[int, list[str]] = {}
    # Filtered like the partnerships rather than by their ids: one query even when there are none.
    through = Partnership.partner_members.through.objects.filter(
        partnership__plan__cycle_id=cycle.pk,
        partnership__plan__status__in=REPORTED_STATES,
        partnership__kind="multinational",
    ).values_list("partnership_id", "member__code")
    for partnership_id, code in through:
        partners.setdefault(partnership_id, []).append(code)
    programmes: dict[str, dict[str, Any]] = {}
    for partnership in partnerships:
        programme = programmes.setdefault(
            partnership["partner_name"], {"name": partnership["partner_name"], "named_by": [], "partners": set()}
        )
        programme["named_by"].append(partnership["member_code"])
        programme["partners"].update(partners.get(partnership["pk"], []))
    return [
        {**programme, "named_by": sorted(set(programme["named_by"])), "partners": sorted(programme["partners"])}
        for programme in programmes.values()
    ]


def partnership_reconciliation(*, cycle: Cycle) -> list[dict[str, Any]]:
    """Pairs where ally A's plan names ally B as partner and B's plan does not name A back.

    Only plans submitted at least once count on both sides; if B has no such plan, the line says
    so (`partner_plan`: False), as staff follow up differently. One query for the pairs named,
    one for the plans.
    """
    through = Partnership.partner_members.through.objects.filter(
        partnership__plan__cycle_id=cycle.pk,
        partnership__plan__status__in=REPORTED_STATES,
        partnership__kind__in=KINDS_WITH_PARTNER_MEMBERS,
    )
    named = {
        (a, b) for a, b in through.values_list("partnership__plan__member__code", "member__code").distinct() if a != b
    }
    with_plan = set(
        Plan.objects.filter(cycle_id=cycle.pk, status__in=REPORTED_STATES).values_list("member__code", flat=True)
    )
    names = dict(Member.objects.values_list("code", "name"))
    return [
        {
            "member_code": a,
            "member_name": names.get(a, a),
            "partner_code": b,
            "partner_name": names.get(b, b),
            "partner_plan": b in with_plan,
        }
        for a, b in sorted(named)
        if (b, a) not in named
    ]


# The fields of a line that the report shows: not its notes, nor its key (an identity for the editor).
REPORT_LINE_FIELDS = tuple(field for field in LINE_FIELDS if field not in ("notes", "key"))


def capability_lines(*, cycle: Cycle) -> list[dict[str, Any]]:
    """Every line of the submitted plans, for the report's detail sheet, in one query.

    Catalogue lines carry their item's names (`item_name_en`, `item_name_fr`; null for "other").
    """
    return list(
        CapabilityLine.objects.filter(plan__cycle_id=cycle.pk, plan__status__in=REPORTED_STATES)
        .order_by("plan__member__name", "position", "pk")
        .values(
            *REPORT_LINE_FIELDS,
            member_code=F("plan__member__code"),
            currency=F("plan__currency"),
            item_name_en=F("item_code__name_en"),
            item_name_fr=F("item_code__name_fr"),
        )
    )


def partnerships(*, cycle: Cycle) -> list[dict[str, Any]]:
    """Every partnership of the submitted plans with its partner allies, in two queries."""
    rows = list(
        Partnership.objects.filter(plan__cycle_id=cycle.pk, plan__status__in=REPORTED_STATES)
        .order_by("plan__member__name", "position", "pk")
        .values("pk", "kind", "partner_name", "status", "value", member_code=F("plan__member__code"))
    )
    partners: dict[int, list[str]] = {}
    through = (
        Partnership.partner_members.through.objects.filter(
            partnership__plan__cycle_id=cycle.pk, partnership__plan__status__in=REPORTED_STATES
        )
        .order_by("member__code")
        .values_list("partnership_id", "member__code")
    )
    for partnership_id, code in through:
        partners.setdefault(partnership_id, []).append(code)
    result = []
    for row in rows:
        values: dict[str, Any] = dict(row)
        partnership_id = values.pop("pk")
        result.append({**values, "partner_members": partners.get(partnership_id, [])})
    return result


def submissions_timeline(*, cycle: Cycle) -> list[datetime]:
    """When each ally first submitted for the cycle, in order (one query)."""
    firsts = (
        PlanVersion.objects.filter(plan__cycle_id=cycle.pk)
        .order_by()
        .values("plan_id")
        .annotate(first=Min("submitted_at"))
        .values_list("first", flat=True)
    )
    return sorted(firsts)


# Across years: every cycle, for each ally and for the alliance ---------------------------------


def ally_trends(*, member_id: int | None = None) -> list[dict[str, Any]]:
    """Each ally's guideline figures in every cycle, oldest cycle first, in one query.

    One row per plan that has been submitted at least once (as the compliance table reports
    figures: not for drafts), each against its own cycle's guideline thresholds, with the figures
    of plans.selectors (the same definitions as every other door).
    """
    plans = Plan.objects.exclude(status=PlanStatus.DRAFT).filter(latest_version__isnull=False)
    if member_id is not None:
        plans = plans.filter(member_id=member_id)
    rows = (
        plans.annotate(**guideline_figures())
        .order_by("cycle__year", "member__name")
        .values(
            *GUIDELINE_KEYS,
            "status",
            "nil_return",
            year=F("cycle__year"),
            member_code=F("member__code"),
            member_name=F("member__name"),
            member_name_fr=F("member__name_fr"),
            spending_target_pct=F("cycle__spending_target_pct"),
            equipment_target_pct=F("cycle__equipment_target_pct"),
        )
    )
    return [dict(row) for row in rows]


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ((ordered[middle - 1] + ordered[middle]) / 2).quantize(Decimal("0.01"))


def alliance_trends(ally_rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per cycle, oldest first: the guidelines in force, how many allies reported and met each, and the medians.

    Built from `ally_trends()` rows (pass them if already read): two queries in all, whatever
    the number of allies or cycles. Money is in national currencies, so the alliance figures are
    counts and medians of the allies' percentages, never sums of their amounts.
    """
    rows = ally_trends() if ally_rows is None else ally_rows
    allies = Member.objects.count()
    per_year: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        per_year.setdefault(row["year"], []).append(row)
    result = []
    for cycle in Cycle.objects.order_by("year").values("year", "spending_target_pct", "equipment_target_pct"):
        year_rows = per_year.get(cycle["year"], [])
        spending = [row["spending_pct_gdp"] for row in year_rows if row["spending_pct_gdp"] is not None]
        equipment = [row["equipment_share_pct"] for row in year_rows if row["equipment_share_pct"] is not None]
        result.append(
            {
                **cycle,
                "allies": allies,
                "reported": len(year_rows),
                "meeting_spending_target": sum(1 for row in year_rows if row["meets_spending_target"] is True),
                "meeting_equipment_target": sum(1 for row in year_rows if row["meets_equipment_target"] is True),
                "median_spending_pct_gdp": _median(spending),
                "median_equipment_share_pct": _median(equipment),
            }
        )
    return result


def capacity_over_cycles(*, member_id: int | None = None) -> list[dict[str, Any]]:
    """Capacity and stockpiles per catalogue item and unit in every cycle, over the submitted plans, in one query.

    The rows of `capacity_by_item` (the same aggregation, never across items or units), each with
    its cycle's `year`, ordered item by item and, within an item, oldest cycle first. Lines
    outside the catalogue ("other") are not summed, so they are not here: each cycle lists them
    (`capacity_by_item`'s "other").
    """
    lines = CapabilityLine.objects.filter(plan__status__in=REPORTED_STATES)
    if member_id is not None:
        lines = lines.filter(plan__member_id=member_id)
    return _item_figures(lines, per_year=True)


def trends(*, member_id: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Everything across years: per cycle for the alliance, per ally and cycle, capacity per cycle (four queries)."""
    allies = ally_trends(member_id=member_id)
    return {
        "cycles": alliance_trends(allies if member_id is None else None),
        "allies": allies,
        "capacity": capacity_over_cycles(member_id=member_id),
    }


# The summit brief's executive summary --------------------------------------------------------

TOP = 3  # how many capacity increases, bottlenecks and programmes the summary names


def largest_increases(items: list[dict[str, Any]], count: int = TOP) -> list[dict[str, Any]]:
    """Catalogue items ranked by planned growth in % of their baseline, ties by the number of allies.

    Items count in different units, so they are compared in % (as the capacity chart does), each
    keeping its own baseline and target in its unit. Items without a baseline have no % and are
    left out; items that do not grow too.
    """
    growing = [item for item in items if item["growth_pct"] is not None and item["growth"] > 0]
    return sorted(growing, key=lambda item: (-item["growth_pct"], -len(item["allies"]), item["code"], item["unit"]))[
        :count
    ]


def executive_summary(
    *,
    cycle: Cycle,
    rows: list[dict[str, Any]],
    capacity: dict[str, Any],
    bottleneck_rows: list[dict[str, Any]],
    programmes: list[dict[str, Any]],
    joint: list[dict[str, Any]],
    alliance_years: list[dict[str, Any]],
) -> dict[str, Any]:
    """The figures the brief's executive summary states, from the selectors' own results (no query).

    `rows` are `compliance_rows`, `capacity` `capacity_by_item` (per catalogue item and unit),
    `bottleneck_rows` `bottlenecks`, `programmes` `multinational_programmes`, `joint`
    `joint_procurement`, `alliance_years` `alliance_trends`: the brief says nothing that the
    dashboard, the API and the XLSX do not.
    """
    totals = compliance_totals(rows)
    this_year = next((row for row in alliance_years if row["year"] == cycle.year), None)
    earlier = [row for row in alliance_years if row["year"] < cycle.year]
    previous = earlier[-1] if earlier else None
    named = sorted(programmes, key=lambda programme: (-len(programme["named_by"]), programme["name"]))
    return {
        "year": cycle.year,
        "members": totals["members"],
        "submitted": totals["submitted"],
        "on_time": totals["on_time"],
        "submitted_late": totals["submitted_late"],
        "overdue": totals["overdue"],
        "missing": totals["missing"],
        "nil_returns": totals["nil_returns"],
        "accepted": totals["accepted"],
        "spending_target_pct": cycle.spending_target_pct,
        "equipment_target_pct": cycle.equipment_target_pct,
        "meeting_spending_target": totals["meeting_spending_target"],
        "meeting_equipment_target": totals["meeting_equipment_target"],
        "median_spending_pct_gdp": this_year["median_spending_pct_gdp"] if this_year else None,
        "previous": previous,
        "largest_increases": largest_increases(capacity["items"]),
        "other_lines": len(capacity["other"]),
        "bottlenecks": bottleneck_rows[:TOP],
        # Joint procurement signals: items two or more allies plan (joint_procurement's order:
        # the most allies first), and the multinational programmes the plans already name.
        "joint_items": len(joint),
        "joint_signals": joint[:TOP],
        "programmes": len(programmes),
        "joint_programmes": named[:TOP],
    }
