"""What the API returns about plans, built as plain dicts from lean queries.

DESIGN's performance budget: rows in the hundreds (a plan's lines, a year's plans) come from
`.values()` and are rendered by orjson; DRF serializers describe the shape for the schema only.
The plan rows themselves are model instances (one per plan), so the derived figures come from
the model's own properties and are computed in one place.
"""

from collections import defaultdict
from datetime import datetime
from functools import cache

import orjson
from django.core.cache import cache as django_cache
from django.db import connection
from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from core.api.base import PAGE_TOTAL, PAGE_TOTAL_EXPRESSION, PreparedRows
from core.findings import warnings
from core.permissions import VIEW_PLAN
from core.prepared import Prepared
from members.actors import Actor
from plans.content import HEADLINE_FIELDS, LINE, LINE_FIELDS, PARTNERSHIP_ROW_FIELDS, partnerships_from_rows
from plans.enums import Unit
from plans.models import (
    Attachment,
    CapabilityLine,
    CatalogueItem,
    Comment,
    Cycle,
    Partnership,
    Plan,
    PlanVersion,
    Recommendation,
    Review,
    localized_name,
)
from plans.selectors import (
    ALL_PLANS,
    cycles_with_deadline,
    plan_findings,
    plan_scope,
    plans_visible_to,
    plans_with_rules,
)

DECIMAL_LINE_FIELDS = LINE.decimal_names
# Warnings depend only on the content (fixed for a revision), the year and the language.
WARNINGS_CACHE_TIMEOUT = 24 * 60 * 60


def plans_for(actor: Actor, permission: str = VIEW_PLAN) -> QuerySet[Plan]:
    """The plans the actor may read or do `permission` to (plans_visible_to), joined as a plan's JSON needs."""
    return _with_joins(plans_visible_to(actor, permission))


def _with_joins(plans: QuerySet[Plan], now: datetime | None = None) -> QuerySet[Plan]:
    # The latest version's few columns come as annotations: joining the whole row would load
    # its content (the canonical JSON, as large as the plan) for nothing. The rules' figures
    # (deadline, lateness, guideline) come annotated by plans.selectors.plans_with_rules.
    return plans_with_rules(plans.select_related("cycle", "member"), now=now).annotate(
        latest_number=F("latest_version__number"),
        latest_sha256=F("latest_version__sha256"),
        latest_submitted_at=F("latest_version__submitted_at"),
        latest_is_late=F("latest_version__is_late"),
    )


# A plan by id as plans_for loads it, its SQL built once (core.prepared): a fetch by id needs no
# ORDER BY, and on every plan endpoint the ORM's building of this query cost more than running it.
_ANY_PLAN = Prepared(lambda pk, now: _with_joins(Plan.objects.filter(pk=pk), now), pk=int, now=datetime)
_MEMBER_PLAN = Prepared(
    lambda member_id, pk, now: _with_joins(Plan.objects.filter(member_id=member_id, pk=pk), now),
    member_id=int,
    pk=int,
    now=datetime,
)


def plan_for(actor: Actor, pk: int, permission: str = VIEW_PLAN) -> Plan | None:
    """The plan `pk` if the actor may read it or do `permission` to it (plans_for), else None."""
    scope = plan_scope(actor, permission)
    if scope is None:
        return None
    now = timezone.now()
    if scope == ALL_PLANS:
        found = _ANY_PLAN.fetch(pk=pk, now=now)
    else:
        found = _MEMBER_PLAN.fetch(member_id=scope, pk=pk, now=now)
    return found[0] if found else None


DEFAULT_ORDER = ("-cycle__year", "member__code")


def _listed(plans: QuerySet[Plan], now: datetime) -> QuerySet[Plan]:
    # The list's default order, with the total on each row for the paginator (core.api.base).
    return _with_joins(plans, now).order_by(*DEFAULT_ORDER, "id").annotate(**{PAGE_TOTAL: PAGE_TOTAL_EXPRESSION})


# The lists read through SQL built once, by what they are narrowed to: a member (its scope) and a
# cycle (`?cycle=<year>` alone, a year's dump, as the filter selects it).
_LIST_LOOKUPS = {"member_id": "member_id", "year": "cycle__year"}


def _prepared_list(*narrowed_by: str) -> Prepared:
    def build(now: datetime, **values: int) -> QuerySet[Plan]:
        return _listed(Plan.objects.filter(**{_LIST_LOOKUPS[name]: values[name] for name in narrowed_by}), now)

    return Prepared(build, now=datetime, **dict.fromkeys(narrowed_by, int))


_PLAN_LISTS = {
    narrowed_by: _prepared_list(*narrowed_by) for narrowed_by in [(), ("member_id",), ("year",), ("member_id", "year")]
}


def plan_list(actor: Actor, *, year: int | None = None) -> PreparedRows | QuerySet[Plan]:
    """The actor's plans (of the cycle `year` if given) in the list's default order (DEFAULT_ORDER, then id).

    For paginate(): the usual list (no filter, search or ordering) and a cycle's plans are read a
    page at a time through SQL built once.
    """
    scope = plan_scope(actor)
    if scope is None:
        return Plan.objects.none()
    values = {} if scope == ALL_PLANS else {"member_id": scope}
    if year is not None:
        values["year"] = year
    return PreparedRows(_PLAN_LISTS[tuple(values)], now=timezone.now(), **values)


def plans_for_write(pk: int) -> Plan:
    """A plan just written by the caller, loaded as plans_for loads it."""
    return _ANY_PLAN.fetch(pk=pk, now=timezone.now())[0]


def plan_summary(plan: Plan) -> dict:
    has_version = plan.latest_version_id is not None
    return {
        "id": plan.pk,
        "cycle": plan.cycle.year,
        "member": plan.member.code,
        "member_name": plan.member.name,
        "status": plan.status,
        "revision": plan.revision,
        "etag": plan.etag,
        **{field: getattr(plan, field) for field in HEADLINE_FIELDS},
        "spending_pct_gdp": plan.spending_pct_gdp,
        "equipment_share_pct": plan.equipment_share_pct,
        "spending_target_pct": plan.cycle.spending_target_pct,
        "equipment_target_pct": plan.cycle.equipment_target_pct,
        "meets_spending_target": plan.meets_spending_target,
        "meets_equipment_target": plan.meets_equipment_target,
        "deadline": plan.effective_deadline,
        "submitted_late": plan.submitted_late,
        "overdue": plan.overdue,
        "is_late": plan.is_late,
        "is_editable": plan.is_editable,
        "versions": plan.latest_number if has_version else 0,
        "latest_version": (
            {
                "number": plan.latest_number,
                "sha256": plan.latest_sha256,
                "submitted_at": plan.latest_submitted_at,
                "is_late": plan.latest_is_late,
            }
            if has_version
            else None
        ),
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


def _line_columns(as_text: bool) -> list:
    """LINE_FIELDS, with the decimal columns as PostgreSQL's own text when `as_text`.

    numeric::text keeps the column's two decimals ("1000.00", exactly what the API renders),
    and skips building a Decimal per value only to format it again: for a year's dump that is
    tens of thousands of values. SQLite's text of a decimal has no fixed scale, so there the
    values stay Decimal.
    """
    if not (as_text and connection.vendor == "postgresql"):
        return list(LINE_FIELDS)
    return [Cast(field, TextField()) if field in DECIMAL_LINE_FIELDS else field for field in LINE_FIELDS]


def lines_json_supported() -> bool:
    """PostgreSQL builds the lines' JSON itself; elsewhere they come as rows (children_of)."""
    return connection.vendor == "postgresql"


@cache
def _lines_json_sql() -> str:
    meta = CapabilityLine._meta
    quote = connection.ops.quote_name

    def column(field: str) -> str:
        name = f"l.{quote(meta.get_field(field).column)}"
        return f"{name}::text AS {quote(field)}" if field in DECIMAL_LINE_FIELDS else f"{name} AS {quote(field)}"

    plan = quote(meta.get_field("plan").column)
    # json_agg of a sub-select's rows: the keys are the columns' aliases, in LINE_FIELDS order,
    # and numeric::text keeps the two decimals the API renders ("1000.00"). Only quoted names from
    # the model's metadata are formatted in; the plan ids are a bound parameter.
    return (
        f"SELECT p.id, (SELECT json_agg(x)::text FROM (SELECT {', '.join(map(column, LINE_FIELDS))} "  # nosec B608
        f"FROM {quote(meta.db_table)} l WHERE l.{plan} = p.id "
        f"ORDER BY l.{quote(meta.get_field('position').column)}, l.{quote(meta.pk.column)}) x) "
        "FROM unnest(%s::bigint[]) AS p(id)"
    )


def lines_json_of(plan_ids: list[int]) -> dict[int, orjson.Fragment]:
    """PostgreSQL only: each plan's lines as one JSON array built by the database, in one query.

    The arrays go into the response as they are (orjson.Fragment): no Python object per line
    or value. Equal, once parsed, to the rows of lines_of.
    """
    if not plan_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_lines_json_sql(), [list(plan_ids)])
        return {plan_id: orjson.Fragment(text or "[]") for plan_id, text in cursor.fetchall()}


def lines_of(plan_ids: list[int], *, as_text: bool = False) -> dict[int, list[dict]]:
    """Lines of several plans as dicts, in one query whatever their number."""
    lines: dict[int, list[dict]] = defaultdict(list)
    for row in (
        CapabilityLine.objects.filter(plan_id__in=plan_ids)
        .order_by("plan_id", "position", "id")
        .values_list("plan_id", *_line_columns(as_text))
    ):
        lines[row[0]].append(dict(zip(LINE_FIELDS, row[1:], strict=True)))
    return lines


# A partnership's row here: its id, its plan's and its own fields (plans.content.partnerships_from_rows).
_PARTNERSHIP_COLUMNS = ("id", "plan_id", *PARTNERSHIP_ROW_FIELDS)


def _partnership_rows(partnerships: QuerySet[Partnership]) -> QuerySet:
    # One row per (partnership, partner ally), joined.
    return partnerships.order_by("plan_id", "position", "id", "partner_members__code").values_list(
        *_PARTNERSHIP_COLUMNS, "partner_members__code"
    )


_PLAN_PARTNERSHIPS = Prepared(
    lambda plan_id: _partnership_rows(Partnership.objects.filter(plan_id=plan_id)), plan_id=int
)


def partnerships_of(plan_ids: list[int]) -> dict[int, list[dict]]:
    """Partnerships of several plans with their partner allies, in one query (one plan's: SQL built once)."""
    if len(plan_ids) == 1:
        rows = _PLAN_PARTNERSHIPS.fetch(plan_id=plan_ids[0])
    else:
        rows = list(_partnership_rows(Partnership.objects.filter(plan_id__in=plan_ids)))
    partnerships: dict[int, list[dict]] = defaultdict(list)
    for item in partnerships_from_rows(rows, _PARTNERSHIP_COLUMNS):
        del item["id"]
        partnerships[item.pop("plan_id")].append(item)
    return partnerships


def children_of(plan_ids: list[int], *, as_text: bool = False) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """Lines and partnerships of several plans in two queries, whatever their number."""
    return lines_of(plan_ids, as_text=as_text), partnerships_of(plan_ids)


def _warnings_cache_key(plan: Plan, now: datetime) -> str:
    return f"plans:api:warnings:{plan.pk}:{plan.revision}:{now.year}:{get_language()}"


def _plan_warnings(plan: Plan, data: dict, now: datetime) -> list[dict]:
    content = {field: data[field] for field in (*HEADLINE_FIELDS, "lines", "partnerships")}
    findings = plan_findings(plan=plan, content=content, at=now)
    return [finding.as_dict() for finding in warnings(findings)]


def plan_detail(
    plan: Plan, *, now: datetime | None = None, plan_warnings: list | None = None, use_json: bool | None = None
) -> dict:
    """The whole plan: summary, lines, partnerships and the warnings of the plan rules.

    The warnings depend only on the content, which changes only with the revision, on the
    year (a target year falls into the past) and on the language of their messages: they are
    cached under those, so most reads skip the rules. On PostgreSQL (`use_json`, by default
    lines_json_supported()) a read whose warnings are cached takes the lines as JSON built by
    the database. Both ways cost the same queries.
    """
    now = now or timezone.now()
    if use_json is None:
        use_json = lines_json_supported()
    data = plan_summary(plan)
    key = _warnings_cache_key(plan, now)
    found = [finding.as_dict() for finding in plan_warnings] if plan_warnings is not None else django_cache.get(key)
    if found is not None and use_json:
        data["lines"] = lines_json_of([plan.pk]).get(plan.pk, orjson.Fragment("[]"))
        data["partnerships"] = partnerships_of([plan.pk]).get(plan.pk, [])
    else:
        lines, partnerships = children_of([plan.pk])
        data["lines"] = lines.get(plan.pk, [])
        data["partnerships"] = partnerships.get(plan.pk, [])
        if found is None:
            found = _plan_warnings(plan, data, now)
            django_cache.set(key, found, WARNINGS_CACHE_TIMEOUT)
    data["warnings"] = found
    data["latest_review"] = latest_review_of(plan)
    return data


def plan_page(plans: list[Plan], *, with_content: bool, use_json: bool | None = None) -> list[dict]:
    rows = [plan_summary(plan) for plan in plans]
    if with_content:
        plan_ids = [plan.pk for plan in plans]
        if lines_json_supported() if use_json is None else use_json:
            lines = lines_json_of(plan_ids)
        else:
            lines = lines_of(plan_ids, as_text=True)
        partnerships = partnerships_of(plan_ids)
        for row in rows:
            row["lines"] = lines.get(row["id"], [])
            row["partnerships"] = partnerships.get(row["id"], [])
    return rows


# Versions, comments, cycles -------------------------------------------------------------------


def version_summary(version: PlanVersion) -> dict:
    return {
        "number": version.number,
        "sha256": version.sha256,
        "previous_sha256": version.previous_sha256,
        "submitted_at": version.submitted_at,
        "deadline": version.deadline,
        "is_late": version.is_late,
        "submitted_by": version.submitter_label,
    }


def attachment_row(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploader_label,
        "uploaded_at": attachment.uploaded_at,
        "download": reverse("api-plan-attachment", args=[attachment.plan_id, attachment.pk]),
    }


def version_attachments(version: PlanVersion) -> list[dict]:
    attachments = version.attachments.select_related("uploaded_by", "uploaded_by_key").order_by("uploaded_at", "id")
    return [attachment_row(attachment) for attachment in attachments]


def versions_of(plan: Plan) -> QuerySet[PlanVersion]:
    return (
        PlanVersion.objects.filter(plan=plan)
        .select_related("submitted_by", "submitted_by_key")
        .defer("content")
        .order_by("number")
    )


def _person(user) -> str:
    return str(user) if user is not None else ""


def review_row(review: Review) -> dict:
    """A final decision as the member reads it (two-level cycles: the reviewer's, as confirmed)."""
    return {
        "id": review.pk,
        "decision": review.decision,
        "comment": review.comment,
        "reasons": review.reasons,
        "version": review.version.number,
        "reviewer": _person(review.reviewer),
        "approved_by": _person(review.approved_by) if review.approved_by_id else None,
        "created_at": review.created_at,
    }


def _reviews(plan_id: int) -> QuerySet[Review]:
    return (
        Review.objects.filter(plan_id=plan_id)
        .select_related("version", "reviewer", "approved_by")
        .defer("version__content")
        .order_by("created_at", "id")
    )


def reviews_of(plan: Plan) -> QuerySet[Review]:
    """The plan's final decisions, oldest first (recommendations stay staff-only)."""
    return _reviews(plan.pk)


# Read with every plan the API answers: its SQL built once (core.prepared).
_LATEST_REVIEW = Prepared(lambda plan_id: _reviews(plan_id).order_by("-created_at", "-id"), plan_id=int)


def latest_review_of(plan: Plan) -> dict | None:
    found = _LATEST_REVIEW.fetch(plan_id=plan.pk, limit=1)
    return review_row(found[0]) if found else None


def recommendation_row(recommendation: Recommendation) -> dict:
    return {
        "decision": recommendation.decision,
        "comment": recommendation.comment,
        "reasons": recommendation.reasons,
        "version": recommendation.version.number,
        "status": recommendation.status,
        "reviewer": recommendation.reviewer.email if recommendation.reviewer_id else "",
        "approver": recommendation.approver.email if recommendation.approver_id else "",
        "approver_comment": recommendation.approver_comment,
        "created_at": recommendation.created_at,
        "decided_at": recommendation.decided_at,
    }


def comment_row(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "body": comment.body,
        "internal": comment.internal,
        "version": comment.version.number if comment.version_id else None,
        "author": comment.author_label,
        "decision": comment.review.decision if comment.review_id else None,
        "created_at": comment.created_at,
    }


def catalogue_rows() -> list[dict]:
    """The catalogue, every item, in one query: names and unit labels in the active language."""
    rows = CatalogueItem.objects.order_by("category", "position", "code").values(
        "code", "name_en", "name_fr", "category", "unit", "active", parent_code=F("parent__code")
    )
    return [
        {
            "code": row["code"],
            "name": localized_name(row["name_en"], row["name_fr"]),
            "name_en": row["name_en"],
            "name_fr": row["name_fr"],
            "category": row["category"],
            "unit": row["unit"],
            "unit_label": str(Unit(row["unit"]).label),
            "parent": row["parent_code"],
            "active": row["active"],
        }
        for row in rows
    ]


def cycles_for(actor: Actor) -> QuerySet[Cycle]:
    """Cycles, with the caller's effective deadline (staff, who have no member, get the cycle's)."""
    return cycles_with_deadline(member_id=actor.member_id).order_by("-year")


def cycle_row(cycle: Cycle, now: datetime) -> dict:
    return {
        "year": cycle.year,
        "opens_at": cycle.opens_at,
        "deadline": cycle.deadline,
        "effective_deadline": cycle.effective_deadline,
        "has_extension": cycle.has_extension,
        "review_deadline": cycle.review_deadline,
        "spending_target_pct": cycle.spending_target_pct,
        "equipment_target_pct": cycle.equipment_target_pct,
        "approval_levels": cycle.approval_levels,
        "is_open": cycle.is_open(now),
    }
