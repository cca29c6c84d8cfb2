"""Reads that more than one place needs: effective deadlines, visible plans, allies."""

from datetime import datetime

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.permissions import INTERNAL_COMMENTS, REVIEW_PLAN, VIEW_ALL_PLANS, VIEW_PLAN
from members.actors import Actor
from members.models import Member

from .models import Cycle, DeadlineExtension, Plan


def effective_deadline(*, cycle: Cycle, member_id: int) -> datetime:
    """The member's deadline for the cycle: its extension's, or else the cycle's."""
    extension = DeadlineExtension.objects.filter(cycle=cycle, member_id=member_id).values_list("deadline", flat=True)
    return extension.first() or cycle.deadline


def effective_deadline_expression(
    *, cycle_ref: str = "cycle_id", member_ref: str = "member_id", deadline_ref: str = "cycle__deadline"
):
    """A query expression for the effective deadline, to annotate plans (or members for a cycle).

    For members, annotate the cycle first and name it: `Member.objects.annotate(cycle_id=Value(c.pk),
    cycle_deadline=Value(c.deadline))` with `member_ref="id", deadline_ref="cycle_deadline"`.
    """
    # At most one extension per (cycle, member): no ordering, which would join two more tables.
    extension = DeadlineExtension.objects.filter(
        cycle_id=OuterRef(cycle_ref), member_id=OuterRef(member_ref)
    ).order_by()
    return Coalesce(Subquery(extension.values("deadline")[:1]), F(deadline_ref), output_field=DateTimeField())


def plans_with_deadline() -> QuerySet[Plan]:
    return Plan.objects.annotate(effective_deadline=effective_deadline_expression())


def plans_visible_to(actor: Actor, permission: str = VIEW_PLAN) -> QuerySet[Plan]:
    """The plans the actor may read, or do `permission` to: the ones it learns exist.

    Every plan for who may read them all (staff are then refused what they may not do to it);
    a member's own plans for its delegation or key when it may read them or do `permission`
    (a write-only key finds the plan it writes; a read-only key finds it and is refused the write).
    """
    if actor.can(VIEW_ALL_PLANS):
        return Plan.objects.all()
    member_id = actor.member_id
    if member_id is None:
        return Plan.objects.none()
    member = Member(pk=member_id)
    if not (actor.can(VIEW_PLAN, member) or actor.can(permission, member)):
        return Plan.objects.none()
    return Plan.objects.filter(member_id=member_id)


def ally_codes() -> set[str]:
    return set(Member.objects.values_list("code", flat=True))


def current_cycle(at: datetime | None = None) -> Cycle | None:
    """The newest cycle already open, or else the next one to open."""
    now = at or timezone.now()
    return Cycle.objects.filter(opens_at__lte=now).order_by("-year").first() or Cycle.objects.order_by("year").first()


def last_submitted_plan(*, member_id: int, before_year: int) -> Plan | None:
    return (
        Plan.objects.filter(member_id=member_id, cycle__year__lt=before_year, latest_version__isnull=False)
        .order_by("-cycle__year")
        .first()
    )


def comments_visible_to(*, plan: Plan, actor: Actor) -> QuerySet:
    """The plan's comment thread as this actor may see it: internal comments are for staff only."""
    from .models import Comment

    comments = Comment.objects.filter(plan=plan).select_related("author", "author_key", "version")
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
    waiting = {
        row["assigned_reviewer"]: row
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
