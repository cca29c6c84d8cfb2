"""Reads that more than one place needs, and the single definition of each business figure.

Every figure that the admin, the API, the delegation pages and the reports show is defined
here once as a query expression (to annotate, filter and order in SQL), with its Python twin
beside the model (`plans.models`: `percent_of`, `share_meets`, `submission_is_late`,
`is_overdue` and the `Plan` properties that read the annotation when present):

- effective deadline: `effective_deadline_expression` / `effective_deadline`;
- submitted late (the first submission came after the deadline in force then):
  `submitted_late_expression` / `Plan.submitted_late`;
- overdue (nothing submitted and the effective deadline has passed): `overdue_expression` /
  `Plan.overdue`;
- guideline met and the percentages shown: `meets_target_expression`, `percent_expression` /
  `Plan.meets_*_target`, `Plan.spending_pct_gdp`, `Plan.equipment_share_pct`.

`plans_with_rules()` annotates a plan queryset with all of them. tests/plans/test_rules.py
holds each expression equal to its Python twin at the boundaries, on SQLite and PostgreSQL.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import (
    BooleanField,
    DateTimeField,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Field,
    Func,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, IsNull
from django.utils import timezone

from core.findings import Finding
from core.permissions import INTERNAL_COMMENTS, REVIEW_PLAN, VIEW_ALL_PLANS, VIEW_PLAN
from members.actors import Actor
from members.models import Member

from .content import normalize, plan_content
from .models import CatalogueItem, Cycle, DeadlineExtension, Plan, PlanVersion
from .validation import validate_content

HUNDREDTH = Decimal("0.01")
# What a reference to the outer row may be: a field name of the outer query, or a fixed value.
Ref = str | int | datetime | Decimal | Expression


def _outer(ref: Ref) -> Any:
    return OuterRef(ref) if isinstance(ref, str) else ref


def _value(ref: Ref) -> Any:
    if isinstance(ref, str):
        return F(ref)
    return ref if isinstance(ref, Expression) else Value(ref)


# Effective deadline ---------------------------------------------------------------------------


def _extension(cycle_ref: Ref, member_ref: Ref) -> QuerySet[DeadlineExtension]:
    # At most one extension per (cycle, member): no ordering, which would join two more tables.
    return DeadlineExtension.objects.filter(cycle_id=_outer(cycle_ref), member_id=_outer(member_ref)).order_by()


def effective_deadline(*, cycle: Cycle, member_id: int) -> datetime:
    """The member's deadline for the cycle: its extension's, or else the cycle's."""
    extension = DeadlineExtension.objects.filter(cycle=cycle, member_id=member_id).values_list("deadline", flat=True)
    return extension.first() or cycle.deadline


def effective_deadline_expression(
    *, cycle_ref: Ref = "cycle_id", member_ref: Ref = "member_id", deadline_ref: Ref = "cycle__deadline"
) -> Coalesce:
    """The effective deadline as a query expression: the extension's deadline, else the cycle's.

    For plans the defaults fit. For members of one cycle: `cycle_ref=cycle.pk, member_ref="pk",
    deadline_ref=cycle.deadline`; for cycles and one member: `cycle_ref="pk", member_ref=member_id,
    deadline_ref="deadline"`. A str names a field of the outer query; anything else is a value.
    """
    extension = _extension(cycle_ref, member_ref).values("deadline")[:1]
    return Coalesce(Subquery(extension), _value(deadline_ref), output_field=DateTimeField())


def has_extension_expression(*, cycle_ref: Ref = "cycle_id", member_ref: Ref = "member_id") -> Exists:
    """Whether an extension moved the member's deadline for the cycle."""
    return Exists(_extension(cycle_ref, member_ref))


def cycles_with_deadline(*, member_id: int | None) -> QuerySet[Cycle]:
    """Cycles with `effective_deadline` and `has_extension` for one member (none: the cycle's own)."""
    if member_id is None:
        return Cycle.objects.annotate(effective_deadline=F("deadline"), has_extension=Value(False))
    return Cycle.objects.annotate(
        effective_deadline=effective_deadline_expression(cycle_ref="pk", member_ref=member_id, deadline_ref="deadline"),
        has_extension=has_extension_expression(cycle_ref="pk", member_ref=member_id),
    )


# Lateness: two ideas, two names ---------------------------------------------------------------


def first_version_expression(field: str, *, plan_ref: Ref = "pk") -> Subquery:
    """A column of the plan's first version (NULL before any submission)."""
    first = PlanVersion.objects.filter(plan_id=_outer(plan_ref)).order_by("number").values(field)[:1]
    column = cast(type[Field], type(PlanVersion._meta.get_field(field)))  # a concrete column of versions
    return Subquery(first, output_field=column(null=True))


def submitted_late_expression(*, plan_ref: Ref = "pk") -> Subquery:
    """Submitted late: the first version's own flag, set against the deadline in force when it came.

    NULL before any submission. A later version (after a return) does not change it, nor does
    an extension granted afterwards. Twin of `Plan.submitted_late`.
    """
    return first_version_expression("is_late", plan_ref=plan_ref)


def overdue_expression(*, now: datetime, deadline: Any = None, submitted_late: Any = None) -> ExpressionWrapper:
    """Overdue: nothing submitted yet (`submitted_late` is NULL) and `now` is past the effective deadline.

    `deadline` and `submitted_late` default to the expressions above for plans; pass F() of
    annotations already made (or the expressions built for members) to reuse them. Twin of
    `Plan.overdue` (models.is_overdue).
    """
    deadline = effective_deadline_expression() if deadline is None else deadline
    submitted_late = submitted_late_expression() if submitted_late is None else submitted_late
    condition = Q(IsNull(submitted_late, True)) & Q(GreaterThan(Value(now, output_field=DateTimeField()), deadline))
    return ExpressionWrapper(condition, output_field=BooleanField())


# Guideline figures ----------------------------------------------------------------------------


class _ExactFigure(Func):
    """A figure of `part` and `whole` that is NULL when either is missing or the whole is zero.

    Written as SQL templates because the exact arithmetic differs per database: PostgreSQL's
    numeric is exact as it is; SQLite stores decimals as floating point, so there the values are
    first turned into whole cents (exact below 2^53) and compared or divided as integers. The
    Python twins are plans.models.percent_of and share_meets.
    """

    postgresql_template = ""
    sqlite_template = ""

    def _sql(self, template: str, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        names = ("part", "whole", "target")
        compiled = {
            name: compiler.compile(expression)
            for name, expression in zip(names, self.get_source_expressions(), strict=False)
        }
        params: list = []

        def fill(match: re.Match) -> str:
            sql, expression_params = compiled[match.group(1)]
            params.extend(expression_params)
            return f"({sql})"

        # Each operand can appear several times: its parameters are repeated in order of appearance.
        return re.sub(r"\{(\w+)\}", fill, template), params

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:  # type: ignore[override]  # own SQL per database
        return self._sql(self.postgresql_template, compiler, connection)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self._sql(self.sqlite_template, compiler, connection)


_MISSING = "{part} IS NULL OR {whole} IS NULL OR {whole} = 0"


def _cents(name: str) -> str:
    return f"CAST(ROUND({{{name}}} * 100) AS INTEGER)"


class PercentOf(_ExactFigure):
    """`part / whole x 100` to two decimals, halves up: floor((part x 20000 + whole) / (2 x whole)) hundredths."""

    arity = 2
    output_field = DecimalField(max_digits=30, decimal_places=2)
    # div() is PostgreSQL's exact integer quotient of two numerics.
    postgresql_template = (
        f"CASE WHEN {_MISSING} THEN NULL ELSE div({{part}} * 20000 + {{whole}}, {{whole}} * 2) * 0.01 END"
    )
    sqlite_template = (
        f"CASE WHEN {_MISSING} THEN NULL "
        f"ELSE ({_cents('part')} * 20000 + {_cents('whole')}) / ({_cents('whole')} * 2) / 100.0 END"
    )

    def get_db_converters(self, connection: Any) -> list[Any]:
        # SQLite hands back a float (2.5 for 2.50); give every database's answer its two decimals.
        return [*super().get_db_converters(connection), self._two_decimals]

    @staticmethod
    def _two_decimals(value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(HUNDREDTH)


class ShareMeets(_ExactFigure):
    """`part x 100 >= target x whole`, exactly (SQLite: in whole cents and hundredths of a percent)."""

    arity = 3
    output_field = BooleanField(null=True)
    postgresql_template = f"CASE WHEN {_MISSING} THEN NULL ELSE {{part}} * 100 >= {{target}} * {{whole}} END"
    sqlite_template = (
        f"CASE WHEN {_MISSING} THEN NULL ELSE {_cents('part')} * 10000 >= {_cents('target')} * {_cents('whole')} END"
    )


def percent_expression(part: Ref, whole: Ref) -> PercentOf:
    """A percentage as shown (twin of models.percent_of): `spending_pct_gdp`, `equipment_share_pct`."""
    return PercentOf(_value(part), _value(whole))


def meets_target_expression(part: Ref, whole: Ref, target_pct: Ref) -> ShareMeets:
    """Guideline met (twin of models.share_meets): `meets_spending_target`, `meets_equipment_target`."""
    return ShareMeets(_value(part), _value(whole), _value(target_pct))


def guideline_figures(
    *,
    prefix: str = "",
    spending_target: Ref = "cycle__spending_target_pct",
    equipment_target: Ref = "cycle__equipment_target_pct",
) -> dict[str, Expression]:
    """The four guideline figures of a plan, keyed by the Plan property each one twins.

    `prefix` reaches the plan's columns through a relation (`"cycle_plan__"` from a member).
    """
    defence, equipment, gdp = (f"{prefix}{name}" for name in ("defence_expenditure", "equipment_expenditure", "gdp"))
    return {
        "spending_pct_gdp": percent_expression(defence, gdp),
        "equipment_share_pct": percent_expression(equipment, defence),
        "meets_spending_target": meets_target_expression(defence, gdp, spending_target),
        "meets_equipment_target": meets_target_expression(equipment, defence, equipment_target),
    }


# Plans with every figure ----------------------------------------------------------------------


def plans_with_rules(plans: QuerySet[Plan] | None = None, *, now: datetime | None = None) -> QuerySet[Plan]:
    """Plans annotated with every rule's figure, under the names of the Plan properties they supply.

    `effective_deadline`, `submitted_late`, `overdue` (as of `now`), `spending_pct_gdp`,
    `equipment_share_pct`, `meets_spending_target`, `meets_equipment_target`: the admin
    filters and orders on them, and every door reads them through the same properties.
    """
    plans = Plan.objects.all() if plans is None else plans
    now = now or timezone.now()
    # The names are the model's annotated_property figures (core.annotated), which take these values.
    plans = plans.annotate(  # type: ignore[no-redef]
        effective_deadline=effective_deadline_expression(),
        submitted_late=submitted_late_expression(),
        **guideline_figures(),
    )
    overdue = overdue_expression(now=now, deadline=F("effective_deadline"), submitted_late=F("submitted_late"))
    return plans.annotate(overdue=overdue)  # type: ignore[no-redef]


def plans_with_deadline() -> QuerySet[Plan]:
    return Plan.objects.annotate(effective_deadline=effective_deadline_expression())  # type: ignore[no-redef]


# Findings -------------------------------------------------------------------------------------


def plan_findings(
    *,
    plan: Plan,
    content: dict | None = None,
    for_submission: bool = False,
    at: datetime | None = None,
    catalogue: dict[str, dict[str, Any]] | None = None,
) -> list[Finding]:
    """The plan's findings (errors and warnings) for every caller: the rules of plans.validation.

    `content` is what is about to be saved (default: the plan's stored content). With
    `for_submission` the completeness rules are added: what a submission would be refused for.
    `plan` may be unsaved (a draft about to be created): only its member and cycle are read.
    `catalogue` is for a writer that has normalised its content and read the items it names
    (`catalogue_items`, for `with_catalogue`): neither is done again, thousands of lines a save.
    """
    if catalogue is None or content is None:
        content = normalize(plan_content(plan) if content is None else content)
        catalogue = catalogue_items(content)
    named = {code for row in content["partnerships"] for code in row["partner_members"]}
    # Only the codes the plan names need checking: no query when it names none.
    known = set(Member.objects.filter(code__in=named).values_list("code", flat=True)) if named else set()
    return validate_content(
        content,
        member_code=plan.member.code,
        ally_codes=known,
        current_year=(at or timezone.now()).year,
        for_submission=for_submission,
        catalogue={code: item["active"] for code, item in catalogue.items()},
    )


def catalogue_items(content: dict) -> dict[str, dict[str, Any]]:
    """The catalogue items the content's lines name, by code (one query; none when they name none)."""
    codes = {line["item_code"] for line in content["lines"] if isinstance(line.get("item_code"), str)}
    if not codes:
        return {}
    rows = CatalogueItem.objects.filter(code__in=codes).values("code", "name_en", "category", "unit", "active")
    return {row["code"]: dict(row) for row in rows}


def catalogue_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue as grouped choices for a select (one query): per category, each item with its unit.

    Retired items are offered only to show what a line holds; the plan rules refuse them.
    """
    from django.utils.translation import gettext

    from .enums import Category, Unit
    from .models import localized_name

    groups: dict[str, list[tuple[str, str]]] = {}
    for row in CatalogueItem.objects.order_by("category", "position", "code").values(
        "code", "name_en", "name_fr", "category", "unit", "active"
    ):
        label = f"{localized_name(row['name_en'], row['name_fr'])} ({Unit(row['unit']).label})"
        if not row["active"]:
            label = f"{label} [{gettext('retired')}]"
        groups.setdefault(row["category"], []).append((row["code"], label))
    return [(str(Category(category).label), items) for category, items in groups.items()]


def with_catalogue(content: dict, items: dict[str, dict[str, Any]] | None = None) -> dict:
    """Normalised content whose catalogue lines carry their item's category and unit (and name, if none given).

    A line's unit comes from its item: whatever was sent for a catalogue line is replaced.
    `items` are the content's catalogue items when the caller has read them (`catalogue_items`).
    """
    items = catalogue_items(content) if items is None else items
    for line in content["lines"]:
        item = items.get(line.get("item_code"))
        if item is None:
            continue
        line["category"], line["unit"] = item["category"], item["unit"]
        if not (line.get("item") or "").strip():
            line["item"] = item["name_en"]
    return content


# Visibility and lookups -----------------------------------------------------------------------


# plan_scope's answer for who reaches every plan.
ALL_PLANS = "all"


def plan_scope(actor: Actor, permission: str = VIEW_PLAN) -> int | str | None:
    """Whose plans the actor may read, or do `permission` to: ALL_PLANS, a member's id, or None.

    Every plan for who may read them all (staff are then refused what they may not do to it);
    a member's own plans for its delegation or key when it may read them or do `permission`
    (a write-only key finds the plan it writes; a read-only key finds it and is refused the write).
    """
    if actor.can(VIEW_ALL_PLANS):
        return ALL_PLANS
    member_id = actor.member_id
    if member_id is None:
        return None
    member = Member(pk=member_id)
    if not (actor.can(VIEW_PLAN, member) or actor.can(permission, member)):
        return None
    return member_id


def plans_visible_to(actor: Actor, permission: str = VIEW_PLAN) -> QuerySet[Plan]:
    """The plans the actor may read, or do `permission` to: the ones it learns exist (plan_scope)."""
    scope = plan_scope(actor, permission)
    if scope == ALL_PLANS:
        return Plan.objects.all()
    if scope is None:
        return Plan.objects.none()
    return Plan.objects.filter(member_id=scope)


def ally_codes() -> set[str]:
    return set(Member.objects.values_list("code", flat=True))


def current_cycle(at: datetime | None = None, *, cycles: QuerySet[Cycle] | None = None) -> Cycle | None:
    """The newest cycle already open, or else the next one to open (from `cycles`, default all)."""
    now = at or timezone.now()
    cycles = Cycle.objects.all() if cycles is None else cycles
    return cycles.filter(opens_at__lte=now).order_by("-year").first() or cycles.order_by("year").first()


def last_submitted_plan(*, member_id: int, before_year: int) -> Plan | None:
    return (
        Plan.objects.filter(member_id=member_id, cycle__year__lt=before_year, latest_version__isnull=False)
        .order_by("-cycle__year")
        .first()
    )


def comments_visible_to(*, plan: Plan, actor: Actor) -> QuerySet:
    """The plan's comment thread as this actor may see it: internal comments are for staff only."""
    from .models import Comment

    comments = Comment.objects.filter(plan=plan).select_related("author", "author_key", "version", "review")
    if not actor.can(INTERNAL_COMMENTS, plan):
        comments = comments.filter(internal=False)
    return comments.order_by("created_at", "id")


def reviewers() -> QuerySet:
    """Active staff who may review plans (by a group, their own permissions, or as superusers)."""
    from django.contrib.auth import get_user_model

    app_label, codename = REVIEW_PLAN.split(".")
    holds = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    users = get_user_model().objects.filter(Q(is_superuser=True) | holds, is_staff=True, is_active=True)
    return users.distinct().order_by("email")


def reviewer_workload() -> list[dict]:
    """Per reviewer (and "nobody"): plans waiting for staff, the oldest waiting since, recommendations to approve.

    Three queries whatever the number of plans: who may review, plans waiting per assignee,
    recommendations waiting per reviewer.
    """
    from django.db.models import Count, Min

    from .enums import WAITING_FOR_STAFF, RecommendationStatus
    from .models import Recommendation

    people = list(reviewers())
    waiting: dict[int | None, dict[str, Any]] = {
        row["assigned_reviewer"]: dict(row)
        for row in Plan.objects.filter(status__in=WAITING_FOR_STAFF)
        .order_by()
        .values("assigned_reviewer")
        .annotate(plans=Count("pk"), oldest=Min("latest_version__submitted_at"))
    }
    pending = {
        row["reviewer"]: row["n"]
        for row in Recommendation.objects.filter(status=RecommendationStatus.PENDING)
        .order_by()
        .values("reviewer")
        .annotate(n=Count("pk"))
    }
    rows = [
        {
            "reviewer": user,
            "plans": waiting.get(user.pk, {}).get("plans", 0),
            "oldest": waiting.get(user.pk, {}).get("oldest"),
            "recommendations_waiting": pending.get(user.pk, 0),
        }
        for user in people
    ]
    unassigned = waiting.get(None)
    if unassigned:
        rows.append(
            {
                "reviewer": None,
                "plans": unassigned["plans"],
                "oldest": unassigned["oldest"],
                "recommendations_waiting": 0,
            }
        )
    # The busiest first, then who has waited longest.
    return sorted(
        rows, key=lambda row: (-row["plans"], row["oldest"] is None, row["oldest"] or 0, str(row["reviewer"] or ""))
    )


# A plan's full history, for staff -------------------------------------------------------------


def plan_timeline(*, plan: Plan, actor: Actor) -> list[dict[str, Any]]:
    """Everything that happened to a plan, oldest first, with who and when.

    Entries `{"at", "who", "kind", "what", "text", "changes", "internal"}` from every record the
    plan has: its events (status changes and content changes field by field), its versions (each
    with the fields that differ from the version before), decisions, recommendations and their
    approvals, comments (internal ones only for who may read them) and the member's deadline
    extension for the cycle (granted, changed, withdrawn). A fixed number of queries however long
    the history.
    """
    from django.utils.translation import gettext

    from .content import diff
    from .enums import RecommendationStatus
    from .models import Recommendation, Review

    entries: list[dict[str, Any]] = []

    def add(
        at: datetime, who: str, kind: str, what: str, text: str = "", changes: Any = (), internal: bool = False
    ) -> None:
        entries.append(
            {
                "at": at,
                "who": who,
                "kind": kind,
                "what": what,
                "text": text,
                "changes": list(changes),
                "internal": internal,
            }
        )

    for event in plan.events.order_by("at", "id"):
        what = str(event.get_action_display())
        if event.from_status or event.to_status:
            what = gettext("%(action)s (%(old)s → %(new)s)") % {
                "action": what,
                "old": event.get_from_status_display() or "-",
                "new": event.get_to_status_display() or "-",
            }
        add(event.at, event.actor_label, "event", what, event.note, event.changes or ())

    previous: dict | None = None
    versions = plan.versions.select_related("submitted_by", "submitted_by_key").order_by("number")
    for version in versions:
        content = version.data["content"]
        changes = diff(previous, content) if previous is not None else ()
        lateness = gettext("late") if version.is_late else gettext("on time")
        what = gettext("Version %(number)d submitted (%(lateness)s)") % {"number": version.number, "lateness": lateness}
        text = "" if previous is not None else gettext("First version.")
        add(version.submitted_at, version.submitter_label, "version", what, text, changes)
        previous = content

    for review in Review.objects.filter(plan=plan).select_related("reviewer", "approved_by", "version"):
        who = str(review.reviewer or "")
        if review.approved_by_id:
            who = gettext("%(reviewer)s, approved by %(approver)s") % {"reviewer": who, "approver": review.approved_by}
        what = gettext("Decision on version %(number)d: %(decision)s") % {
            "number": review.version.number,
            "decision": review.get_decision_display(),
        }
        reasons = ", ".join(review.reasons or [])
        text = f"{review.comment}\n({reasons})" if reasons else review.comment
        add(review.created_at, who, "decision", what, text)

    recommendations = Recommendation.objects.filter(plan=plan).select_related("reviewer", "approver", "version")
    for recommendation in recommendations:
        what = gettext("Recommendation on version %(number)d: %(decision)s") % {
            "number": recommendation.version.number,
            "decision": recommendation.get_decision_display(),
        }
        add(
            recommendation.created_at,
            str(recommendation.reviewer or ""),
            "recommendation",
            what,
            recommendation.comment,
            internal=True,
        )
        if recommendation.decided_at and recommendation.status != RecommendationStatus.PENDING:
            what = gettext("Recommendation %(status)s") % {"status": recommendation.get_status_display().lower()}
            add(
                recommendation.decided_at,
                str(recommendation.approver or ""),
                "approval",
                what,
                recommendation.approver_comment,
                internal=True,
            )

    for comment in comments_visible_to(plan=plan, actor=actor):
        if comment.review_id is not None:
            continue  # a decision's comment, in the thread too: the decision above carries it
        what = gettext("Internal comment") if comment.internal else gettext("Comment")
        if comment.version_id:
            what = f"{what} (v{comment.version.number})"
        add(comment.created_at, comment.author_label, "comment", what, comment.body, internal=comment.internal)

    extension_history = DeadlineExtension.history.filter(cycle_id=plan.cycle_id, member_id=plan.member_id)
    kinds = {
        "+": gettext("Deadline extension granted"),
        "~": gettext("Deadline extension changed"),
        "-": gettext("Deadline extension withdrawn"),
    }
    for record in extension_history.select_related("history_user", "granted_by").order_by("history_date", "history_id"):
        who = str(record.history_user or record.granted_by or "")
        text = gettext("New deadline: %(deadline)s. Reason: %(reason)s") % {
            "deadline": timezone.localtime(record.deadline).strftime("%Y-%m-%d %H:%M %Z"),
            "reason": record.reason,
        }
        add(record.history_date, who, "extension", kinds.get(record.history_type, ""), text)

    order = {"event": 0, "version": 1, "recommendation": 2, "approval": 3, "decision": 4, "comment": 5, "extension": 6}
    return sorted(entries, key=lambda entry: (entry["at"], order[entry["kind"]]))


# Search inside plans --------------------------------------------------------------------------

SEARCH_LENGTH = 200  # characters of a search; longer is refused by the doors
# PostgreSQL's text search configuration: English stemming ("interceptors" finds "interceptor").
SEARCH_CONFIG = "english"


def _text_matches(
    model: type[Model], fields: tuple[str, ...], text: str, *, plan_ref: str = "pk", **filters: Any
) -> Exists:
    """Whether a row of `model` belonging to the outer plan holds `text` in one of `fields`.

    PostgreSQL: full-text search (the words, stemmed, in any order; `websearch` syntax, so
    "quoted phrases" and -exclusions work). Other databases (SQLite in development and tests):
    every word of the search appears, case-insensitively, in one of the fields.
    """
    from django.db import connection

    owner = "pk" if model is Plan else "plan_id"
    rows = model._default_manager.filter(**{owner: OuterRef(plan_ref)}, **filters)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*fields, config=SEARCH_CONFIG)
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return Exists(rows.annotate(search=vector).filter(search=query))
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        rows = rows.filter(any_field)
    return Exists(rows)


def plan_text_condition(*, text: str, actor: Actor) -> Q:
    """The condition "the plan holds `text`" in its summary, lines, partnerships or comments.

    Comments count only as the actor may read them: internal (staff-only) comments for who may
    read internal comments, never for a delegation or a key. Whose plans are searched is the
    caller's queryset (plans_visible_to), so a member's search never reaches another member's plan.
    """
    from .models import CapabilityLine, Comment, Partnership

    comment_filters: dict[str, Any] = {} if actor.can(INTERNAL_COMMENTS) else {"internal": False}
    return (
        Q(_text_matches(Plan, ("summary", "nil_return_reason"), text))
        | Q(_text_matches(CapabilityLine, ("item", "unit", "notes"), text))
        | Q(_text_matches(Partnership, ("partner_name", "description"), text))
        | Q(_text_matches(Comment, ("body",), text, **comment_filters))
    )


def plans_search(plans: QuerySet[Plan], *, text: str, actor: Actor) -> QuerySet[Plan]:
    """`plans` (already limited to what the actor may read) that hold `text`; all of them for a blank search."""
    text = (text or "").strip()
    if not text:
        return plans
    return plans.filter(plan_text_condition(text=text, actor=actor))
