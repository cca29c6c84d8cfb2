"""Every change to plans, cycles and extensions. Views, the API, the admin and commands call these.

Each workflow move checks one table of allowed transitions (`ALLOWED`), runs in one
transaction with the plan row locked, records a PlanEvent, and queues its notifications
only after the transaction commits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import insert_rows
from core.permissions import (
    ADD_COMMENT,
    APPROVE_PLAN,
    CHANGE_PLAN,
    INTERNAL_COMMENTS,
    MANAGE_CYCLES,
    REVIEW_PLAN,
    SUBMIT_PLAN,
)
from members.actors import Actor
from members.models import Member, User
from webhooks.enums import EventType
from webhooks.services import event_record

from . import content as plan_content_module
from .content import (
    COMMENT_BODY,
    HEADLINE_FIELDS,
    LINE_FIELDS,
    REVIEW_COMMENT,
    FieldSpec,
    canonical_json,
    content_of,
    diff,
    normalize,
    plan_content,
    sha256_hex,
    stored_rows,
    with_keys,
)
from .enums import (
    EDITABLE,
    ApprovalLevels,
    Decision,
    EventAction,
    PlanStatus,
    RecommendationStatus,
    ReturnReason,
    ReviewAction,
    Transition,
)
from .errors import (
    IllegalTransition,
    NeedsApproval,
    NoRecommendation,
    NotAllowed,
    PlanExists,
    PlanInvalid,
    RecommendationPending,
    StalePlan,
)
from .models import (
    CYCLE_YEARS,
    CapabilityLine,
    Comment,
    Cycle,
    DeadlineExtension,
    Partnership,
    Plan,
    PlanEvent,
    PlanVersion,
    Recommendation,
    Review,
    submission_is_late,
)
from .notifications import plan_event_notifications, send_comment_notice, send_extension_notice
from .selectors import catalogue_items, effective_deadline, last_submitted_plan, plan_findings, with_catalogue
from .validation import Finding, errors, field_findings, warnings

# The workflow: transition -> (statuses it may start from, status it leads to).
ALLOWED: dict[Transition, tuple[frozenset[PlanStatus], PlanStatus]] = {
    Transition.SUBMIT: (frozenset(EDITABLE), PlanStatus.SUBMITTED),
    Transition.START_REVIEW: (frozenset({PlanStatus.SUBMITTED}), PlanStatus.IN_REVIEW),
    Transition.RETURN: (frozenset({PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW}), PlanStatus.RETURNED),
    Transition.ACCEPT: (frozenset({PlanStatus.IN_REVIEW}), PlanStatus.ACCEPTED),
}
EVENT_FOR = {
    Transition.SUBMIT: EventAction.SUBMITTED,
    Transition.START_REVIEW: EventAction.REVIEW_STARTED,
    Transition.RETURN: EventAction.RETURNED,
    Transition.ACCEPT: EventAction.ACCEPTED,
}


@dataclass(frozen=True)
class SaveResult:
    plan: Plan
    warnings: list[Finding]


@dataclass(frozen=True)
class Receipt:
    plan: Plan
    version: PlanVersion
    warnings: list[Finding]

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def sha256(self) -> str:
        return self.version.sha256

    @property
    def submitted_at(self) -> datetime:
        return self.version.submitted_at

    @property
    def is_late(self) -> bool:
        return self.version.is_late


def allowed_transitions(status: str) -> list[Transition]:
    """The moves open from a status (for buttons and docs)."""
    return [transition for transition, (sources, _target) in ALLOWED.items() if status in sources]


# Internals ----------------------------------------------------------------------------------


def _lock(plan: Plan) -> Plan:
    """Re-read the plan with its row locked for the rest of the transaction."""
    return Plan.objects.select_for_update(of=("self",)).select_related("cycle", "member").get(pk=plan.pk)


def _check_transition(plan: Plan, transition: Transition) -> PlanStatus:
    sources, target = ALLOWED[transition]
    if plan.status not in sources:
        raise IllegalTransition(status=plan.get_status_display().lower(), action=_transition_participle(transition))
    return target


def _transition_participle(transition: Transition) -> str:
    return {
        Transition.SUBMIT: _("submitted"),
        Transition.START_REVIEW: _("taken into review"),
        Transition.RETURN: _("returned"),
        Transition.ACCEPT: _("accepted"),
    }[transition]


def _record(
    plan: Plan,
    *,
    actor: Actor,
    action: EventAction,
    changes: Iterable[dict[str, Any]] = (),
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> None:
    PlanEvent.objects.create(
        plan=plan,
        action=action,
        actor=actor.user if actor.user is not None and actor.user.is_authenticated else None,
        actor_key=actor.api_key,
        actor_label=actor.label,
        from_status=from_status,
        to_status=to_status,
        changes=list(changes),
        note=note,
    )


def _move(
    plan: Plan, transition: Transition, *, actor: Actor, note: str = "", extra_fields: Iterable[str] = ()
) -> None:
    """Apply a checked transition to a locked plan: status, history, nothing else."""
    target = _check_transition(plan, transition)
    previous = plan.status
    plan.status = target
    plan.save(update_fields=["status", "updated_at", *extra_fields])
    _record(plan, actor=actor, action=EVENT_FOR[transition], from_status=previous, to_status=target, note=note)


def _notify_on_commit(
    event: str, *, plan: Plan, version: PlanVersion | None = None, review: Review | None = None
) -> None:
    # The e-mails are written now, in this transaction (the outbox); only their sending waits
    # for the commit, and a broker outage then delays them instead of losing them.
    plan_event_notifications(plan=plan, event=event, version=version, review=review)


def _plan_event(type: EventType, plan: Plan, **data: Any) -> None:
    """Record a plan's event for its member's systems (webhooks, the feed), in this transaction."""
    event_record(
        type=type,
        member=plan.member_id,
        data={"plan": plan.pk, "member": plan.member.code, "cycle": plan.cycle.year, "status": plan.status, **data},
    )


def _review_data(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "decision": review.decision,
        "comment": review.comment,
        "reasons": review.reasons,
        "version": review.version.number,
        "created_at": review.created_at,
    }


def _validate(
    content: dict, *, plan: Plan, for_submission: bool, catalogue: dict[str, dict[str, Any]] | None = None
) -> list[Finding]:
    """The plan's findings (plans.selectors.plan_findings, as every door shows them); errors refuse the write."""
    findings = plan_findings(plan=plan, content=content, for_submission=for_submission, catalogue=catalogue)
    if errors(findings):
        raise PlanInvalid(findings)
    return findings


# The content names a line's catalogue item by its code, which the relation stores as it is.
LINE_ATTRIBUTES = {"item_code": "item_code_id"}


def _line_values(line: dict) -> dict[str, Any]:
    return {LINE_ATTRIBUTES.get(field, field): line[field] for field in LINE_FIELDS}


def _partnership_values(row: dict) -> dict[str, Any]:
    return {field: row[field] for field in plan_content_module.PARTNERSHIP_ROW_FIELDS}


def _changes(model: type, stored: list[dict], rows: list[dict], values: Any) -> tuple[list, list, list[int], set]:
    """What writing `rows` over `stored` takes, rows matched by key: (to create, to update, ids to delete, fields).

    A stored row is updated only when a value or its place changed, and then only in the
    fields that changed (`fields`, for one bulk_update); the others are not touched.
    """
    by_key = {row["key"]: row for row in stored}
    create, update, fields = [], [], set()
    for index, row in enumerate(rows):
        new = {"position": index, **values(row)}
        old = by_key.get(row["key"])
        if old is None:
            create.append(new)
            continue
        old_values = {"position": old["position"], **values(old)}
        changed = {name for name, value in new.items() if value != old_values[name]}
        if changed:
            update.append((old["id"], new))
            fields |= changed
    keys = {row["key"] for row in rows}
    removed = [row["id"] for row in stored if row["key"] not in keys]
    return create, [model(pk=pk, **new) for pk, new in update], removed, fields


def _write_children(plan: Plan, content: dict, stored: tuple[list[dict], list[dict]] | None = None) -> None:
    """Write the plan's lines and partnerships as `content` has them, over `stored` (content.stored_rows).

    Rows are matched by their stable key: a row whose values and place did not change is not
    written, a changed one is updated in place (its id stays), new ones are inserted and
    missing ones deleted. A change of one headline figure writes no line at all.
    """
    stored_lines, stored_partnerships = stored or ([], [])
    create, update, removed, fields = _changes(CapabilityLine, stored_lines, content["lines"], _line_values)
    if removed:
        CapabilityLine.objects.filter(plan=plan, pk__in=removed).delete()
    if update:
        CapabilityLine.objects.bulk_update(update, sorted(fields))
    # A plan's lines are its many rows (thousands at most): COPY, no instance per line (core.bulk).
    insert_rows(CapabilityLine, [{"plan_id": plan.pk, **values} for values in create])

    create, update, removed, fields = _changes(
        Partnership, stored_partnerships, content["partnerships"], _partnership_values
    )
    if removed:
        Partnership.objects.filter(plan=plan, pk__in=removed).delete()
    if update:
        Partnership.objects.bulk_update(update, sorted(fields))
    created = Partnership.objects.bulk_create(Partnership(plan=plan, **values) for values in create) if create else []

    # Partner allies: rewritten only for the partnerships whose list changed (and the new ones).
    ids_by_key = {row["key"]: row["id"] for row in stored_partnerships}
    ids_by_key.update((partnership.key, partnership.pk) for partnership in created)
    members_by_key = {row["key"]: row["partner_members"] for row in stored_partnerships}
    rewrite = {
        ids_by_key[row["key"]]: row["partner_members"]
        for row in content["partnerships"]
        if members_by_key.get(row["key"], []) != row["partner_members"]
    }
    through = Partnership.partner_members.through
    stored_ids = {row["id"] for row in stored_partnerships}
    stale = [pk for pk in rewrite if pk in stored_ids]
    if stale:
        through.objects.filter(partnership_id__in=stale).delete()
    codes = {code for members in rewrite.values() for code in members}
    if codes:
        member_ids = dict(Member.objects.filter(code__in=codes).values_list("code", "id"))
        through.objects.bulk_create(
            through(partnership_id=pk, member_id=member_ids[code])
            for pk, members in rewrite.items()
            for code in members
        )


def _check_length(field: str, text: str, spec: FieldSpec) -> None:
    """The limits of a comment (plans.content), for callers that come without a form or serializer."""
    findings = field_findings(field, text, spec)
    if findings:
        raise PlanInvalid(findings)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _check_reviewer(reviewer: User | None, plan: Plan) -> None:
    """A plan is assigned only to someone who may review it."""
    if reviewer is not None and not Actor.for_user(reviewer).can(REVIEW_PLAN, plan):
        raise NotAllowed(_("%(user)s may not review plans.") % {"user": reviewer})


# Plans --------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, cycle: Cycle, member: Member, actor: Actor, content: dict | None = None, copy_previous: bool = False
) -> SaveResult:
    """Create the member's draft for a cycle, empty, from `content`, or as a copy of its last submitted plan."""
    _require(actor.can(CHANGE_PLAN, member), _("You may not write this member's plan."))
    if content is None and copy_previous:
        previous = last_submitted_plan(member_id=member.pk, before_year=cycle.year)
        content = plan_content(previous) if previous else None
    content = with_catalogue(normalize(content or {}))
    findings = _validate(content, plan=Plan(cycle=cycle, member=member), for_submission=False)
    content = with_keys(content)
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                cycle=cycle, member=member, **{field: content[field] for field in HEADLINE_FIELDS}
            )
    except IntegrityError:
        if Plan.objects.filter(cycle=cycle, member=member).exists():
            raise PlanExists(
                _("%(member)s already has a plan for %(year)s.") % {"member": member.name, "year": cycle.year}
            ) from None
        raise
    _write_children(plan, content)
    _record(plan, actor=actor, action=EventAction.CREATED, changes=diff(normalize({}), content), to_status=plan.status)
    return SaveResult(plan=plan, warnings=warnings(findings))


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    actor: Actor,
    content: dict,
    expected_revision: int | None = None,
    stored: tuple[list[dict], list[dict]] | None = None,
) -> SaveResult:
    """Replace the plan's content (headline figures, lines, partnerships) in one step.

    With `expected_revision`, the change applies only if nobody changed the plan since the
    caller read it: the revision check and its bump are one conditional UPDATE, so of two
    concurrent writers holding the same revision exactly one wins. `stored` are the plan's rows
    as the caller read them after `plan` (content.stored_rows, to build its content from).
    """
    _require(actor.can(CHANGE_PLAN, plan), _("You may not write this member's plan."))
    content = normalize(content)
    items = catalogue_items(content)
    content = with_catalogue(content, items)
    findings = _validate(content, plan=plan, for_submission=False, catalogue=items)

    # A caller that read the plan and then its rows at the revision it expects needs no second
    # read: if the claim below succeeds, nobody has committed a change since, so what it read is
    # what is stored (a change committed before or during its reads would have moved the
    # revision). The headline figures are then written by the claim itself.
    read_as_claimed = stored is not None and expected_revision is not None and expected_revision == plan.revision
    headline = {field: content[field] for field in HEADLINE_FIELDS}
    claim = Plan.objects.filter(pk=plan.pk, status__in=EDITABLE)
    if expected_revision is not None:
        claim = claim.filter(revision=expected_revision)
    bump: dict[str, Any] = {"revision": F("revision") + 1}
    if read_as_claimed:
        bump.update(headline, updated_at=timezone.now())
    if claim.update(**bump) == 0:
        current = Plan.objects.filter(pk=plan.pk).values("status", "revision").first()
        if current is None or current["status"] not in EDITABLE:
            status = PlanStatus(current["status"]).label.lower() if current else ""
            raise IllegalTransition(status=status, action=_("changed"))
        raise StalePlan(_("The plan was changed by someone else since you read it. Reload it and try again."))

    if read_as_claimed:
        locked, rows = plan, cast(tuple[list[dict], list[dict]], stored)
    else:
        # The UPDATE above holds the row lock until commit; read the state we now own.
        locked = _lock(plan)
        rows = stored_rows(locked)
    before = content_of(locked, *rows)
    content = with_keys(content, before=before)
    for field, value in headline.items():
        setattr(locked, field, value)
    if not read_as_claimed:
        locked.save(update_fields=[*HEADLINE_FIELDS, "updated_at"])
    _write_children(locked, content, rows)
    changes = diff(before, content)
    _record(locked, actor=actor, action=EventAction.UPDATED, changes=changes)
    return SaveResult(plan=locked, warnings=warnings(findings))


@transaction.atomic
def plan_submit(*, plan: Plan, actor: Actor) -> Receipt:
    """Validate the whole plan, snapshot it as version n+1 chained by hash, mark it submitted."""
    _require(actor.can(SUBMIT_PLAN, plan), _("Only the head of delegation (a submitter) may submit."))
    plan = _lock(plan)
    _check_transition(plan, Transition.SUBMIT)
    content = normalize(plan_content(plan))
    # Normalised here once: the rules need not normalise it again (plan_findings, `catalogue`).
    findings = _validate(content, plan=plan, for_submission=True, catalogue=catalogue_items(content))

    now = timezone.now()
    deadline = effective_deadline(cycle=plan.cycle, member_id=plan.member_id)
    # Only its number and hash: the whole version would bring its content, as large as the plan.
    previous = plan.versions.order_by("-number").values("number", "sha256").first()
    number = previous["number"] + 1 if previous else 1
    previous_sha256 = previous["sha256"] if previous else ""
    document = {
        "member": plan.member.code,
        "cycle": plan.cycle.year,
        "number": number,
        "previous_sha256": previous_sha256,
        "content": content,
    }
    # The supporting documents enter the hashed document, so the receipt covers them too; a plan
    # without any keeps the document (and so its hash) as it was before documents existed.
    attachments = list(plan.attachments.filter(removed_at__isnull=True).order_by("uploaded_at", "id"))
    if attachments:
        document["attachments"] = [attachment.receipt_entry() for attachment in attachments]
    text = canonical_json(document)
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        content=text,
        sha256=sha256_hex(text),
        previous_sha256=previous_sha256,
        submitted_by=actor.user if actor.api_key is None else None,
        submitted_by_key=actor.api_key,
        submitted_at=now,
        deadline=deadline,
        is_late=submission_is_late(submitted_at=now, deadline=deadline),
    )
    version.attachments.add(*attachments)
    plan.latest_version = version
    _move(plan, Transition.SUBMIT, actor=actor, note=f"v{number} {version.sha256}", extra_fields=["latest_version"])
    _notify_on_commit("submitted", plan=plan, version=version)
    _plan_event(
        EventType.PLAN_SUBMITTED,
        plan,
        version={"number": number, "sha256": version.sha256, "submitted_at": now, "is_late": version.is_late},
    )
    return Receipt(plan=plan, version=version, warnings=warnings(findings))


@transaction.atomic
def plan_start_review(*, plan: Plan, actor: Actor, reviewer: User | None = None) -> Plan:
    """Take a submitted plan into review, assigned to `reviewer` (default: the acting staff member)."""
    _require(actor.can(REVIEW_PLAN, plan), _("Only reviewers review plans."))
    _check_reviewer(reviewer, plan)
    plan = _lock(plan)
    plan.assigned_reviewer = reviewer or actor.user
    _move(plan, Transition.START_REVIEW, actor=actor, extra_fields=["assigned_reviewer"])
    _plan_event(EventType.PLAN_REVIEW_STARTED, plan)
    return plan


def _decision_findings(decision: str, comment: str, reasons: Iterable[str]) -> list[Finding]:
    """A return needs a comment (the delegation must learn why) and only known reasons; comments have a length."""
    findings = []
    if decision == Decision.RETURN and not comment:
        findings.append(Finding("comment", "required", _("Say why the plan is returned."), "error"))
    findings += field_findings("comment", comment, REVIEW_COMMENT)
    unknown = sorted(set(reasons) - set(ReturnReason.values))
    if unknown:
        findings.append(Finding("reasons", "invalid", _("Unknown reason(s): %s.") % ", ".join(unknown), "error"))
    return findings


def _check_levels(plan: Plan, *, two: bool) -> None:
    if (plan.cycle.approval_levels == ApprovalLevels.TWO) != two:
        raise NeedsApproval(
            _("In %(year)s a reviewer recommends and an approver decides: recommend the decision instead.")
            if not two
            else _("In %(year)s a reviewer decides alone: there is nothing to recommend or approve."),
            year=plan.cycle.year,
        )


def _reviewed_version_id(plan: Plan) -> int:
    # The transition table allows a decision only on a submitted plan, which has a version.
    return cast(int, plan.latest_version_id)


def _apply_decision(
    plan: Plan,
    *,
    actor: Actor,
    decision: str,
    comment: str,
    reasons: Iterable[str],
    reviewer: User | None,
    approved_by: User | None = None,
) -> Review:
    """Record the final decision on a locked plan, move it, and tell the delegation after commit."""
    transition = Transition.ACCEPT if decision == Decision.ACCEPT else Transition.RETURN
    _check_transition(plan, transition)
    review = Review.objects.create(
        plan=plan,
        version_id=_reviewed_version_id(plan),
        decision=decision,
        comment=comment,
        reasons=sorted(set(reasons)),
        reviewer=reviewer,
        approved_by=approved_by,
    )
    _move(plan, transition, actor=actor, note=comment)
    if comment:
        # The decision's comment joins the thread the delegation reads (never internal).
        Comment.objects.create(
            plan=plan,
            version_id=review.version_id,
            author=reviewer,
            body=comment,
            review=review,
            created_at=review.created_at,
        )
    _notify_on_commit(
        "accepted" if decision == Decision.ACCEPT else "returned", plan=plan, version=plan.latest_version, review=review
    )
    _plan_event(
        EventType.PLAN_ACCEPTED if decision == Decision.ACCEPT else EventType.PLAN_RETURNED,
        plan,
        review=_review_data(review),
    )
    return review


@transaction.atomic
def plan_return(*, plan: Plan, actor: Actor, comment: str, reasons: list[str] | tuple = ()) -> Review:
    """Return the latest version for revision, with a required comment and optional reasons (one-level cycles)."""
    _require(actor.can(REVIEW_PLAN, plan), _("Only reviewers review plans."))
    comment = (comment or "").strip()
    findings = _decision_findings(Decision.RETURN, comment, reasons)
    if findings:
        raise PlanInvalid(findings)
    plan = _lock(plan)
    _check_levels(plan, two=False)
    return _apply_decision(
        plan, actor=actor, decision=Decision.RETURN, comment=comment, reasons=reasons, reviewer=actor.user
    )


@transaction.atomic
def plan_accept(*, plan: Plan, actor: Actor, comment: str = "") -> Review:
    """Accept the latest version; the plan is locked from then on (one-level cycles)."""
    _require(actor.can(REVIEW_PLAN, plan), _("Only reviewers review plans."))
    comment = (comment or "").strip()
    findings = _decision_findings(Decision.ACCEPT, comment, ())
    if findings:
        raise PlanInvalid(findings)
    plan = _lock(plan)
    _check_levels(plan, two=False)
    return _apply_decision(
        plan, actor=actor, decision=Decision.ACCEPT, comment=comment, reasons=(), reviewer=actor.user
    )


@transaction.atomic
def plan_recommend(
    *, plan: Plan, actor: Actor, decision: str, comment: str = "", reasons: list[str] | tuple = ()
) -> Recommendation:
    """Propose accepting or returning the latest version (two-level cycles); an approver decides."""
    _require(actor.can(REVIEW_PLAN, plan), _("Only reviewers review plans."))
    if decision not in Decision.values:
        raise PlanInvalid([Finding("decision", "invalid", _("Recommend accept or return."), "error")])
    comment = (comment or "").strip()
    findings = _decision_findings(decision, comment, reasons)
    if findings:
        raise PlanInvalid(findings)
    plan = _lock(plan)
    _check_levels(plan, two=True)
    _check_transition(plan, Transition.ACCEPT if decision == Decision.ACCEPT else Transition.RETURN)
    if Recommendation.objects.filter(plan=plan, status=RecommendationStatus.PENDING).exists():
        raise RecommendationPending(_("A recommendation on this plan is already waiting for an approver."))
    recommendation = Recommendation.objects.create(
        plan=plan,
        version_id=_reviewed_version_id(plan),
        decision=decision,
        comment=comment,
        reasons=sorted(set(reasons)),
        reviewer=actor.user,
    )
    _record(
        plan,
        actor=actor,
        action=EventAction.RECOMMENDED,
        note=f"{Decision(decision).label}: {comment}" if comment else str(Decision(decision).label),
    )
    return recommendation


def _pending_recommendation(plan: Plan, actor: Actor) -> Recommendation:
    """The recommendation waiting on a locked plan, if `actor` may decide on it (four eyes)."""
    recommendation = Recommendation.objects.filter(plan=plan, status=RecommendationStatus.PENDING).first()
    if recommendation is None:
        raise NoRecommendation(_("No recommendation on this plan is waiting for an approver."))
    if actor.user is not None and recommendation.reviewer_id == actor.user.pk:
        raise NotAllowed(_("Four eyes: the approver must be another person than the reviewer who recommended."))
    return recommendation


@transaction.atomic
def plan_confirm(*, plan: Plan, actor: Actor) -> Review:
    """Confirm the recommendation waiting on the plan: it becomes the decision the delegation receives."""
    _require(actor.can(APPROVE_PLAN, plan), _("Only approvers confirm recommendations."))
    plan = _lock(plan)
    recommendation = _pending_recommendation(plan, actor)
    review = _apply_decision(
        plan,
        actor=actor,
        decision=recommendation.decision,
        comment=recommendation.comment,
        reasons=recommendation.reasons,
        reviewer=recommendation.reviewer,
        approved_by=actor.user,
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(
        status=RecommendationStatus.CONFIRMED, approver=actor.user, decided_at=timezone.now(), review=review
    )
    return review


@transaction.atomic
def plan_send_back(*, plan: Plan, actor: Actor, comment: str) -> Recommendation:
    """Send the recommendation back to the reviewer, with a required comment; the plan stays in review."""
    _require(actor.can(APPROVE_PLAN, plan), _("Only approvers send recommendations back."))
    comment = (comment or "").strip()
    if not comment:
        raise PlanInvalid([Finding("comment", "required", _("Say what the reviewer should look at again."), "error")])
    plan = _lock(plan)
    recommendation = _pending_recommendation(plan, actor)
    recommendation.status = RecommendationStatus.SENT_BACK
    recommendation.approver = actor.user
    recommendation.approver_comment = comment
    recommendation.decided_at = timezone.now()
    recommendation.save(update_fields=["status", "approver", "approver_comment", "decided_at"])
    _record(plan, actor=actor, action=EventAction.SENT_BACK, note=comment)
    return recommendation


@transaction.atomic
def plan_review(
    *, plan: Plan, actor: Actor, decision: str, comment: str = "", reasons: list[str] | tuple = ()
) -> Review | Recommendation:
    """A reviewer's `accept` or `return`: the decision in a one-level cycle, a recommendation in a two-level one."""
    if _lock(plan).cycle.approval_levels == ApprovalLevels.TWO:
        return plan_recommend(plan=plan, actor=actor, decision=decision, comment=comment, reasons=reasons)
    if decision == Decision.RETURN:
        return plan_return(plan=plan, actor=actor, comment=comment, reasons=reasons)
    if decision == Decision.ACCEPT:
        return plan_accept(plan=plan, actor=actor, comment=comment)
    raise PlanInvalid([Finding("decision", "invalid", _("Decide accept or return."), "error")])


@transaction.atomic
def plan_decide(
    *, plan: Plan, actor: Actor, decision: str, comment: str = "", reasons: list[str] | tuple = ()
) -> Review | Recommendation | None:
    """One staff decision from a single request: `start_review`, `accept`, `return`, `confirm` or `send_back`.

    Accepting a plan that is only submitted takes it into review first, in the same
    transaction, so a national reviewer's system needs one call per decision. In a two-level
    cycle a reviewer's `accept` or `return` is a recommendation, which an approver then
    `confirm`s or `send_back`s.
    """
    if decision == ReviewAction.START_REVIEW:
        plan_start_review(plan=plan, actor=actor)
        return None
    if decision == ReviewAction.CONFIRM:
        return plan_confirm(plan=plan, actor=actor)
    if decision == ReviewAction.SEND_BACK:
        return plan_send_back(plan=plan, actor=actor, comment=comment)
    if decision not in Decision.values:
        raise PlanInvalid(
            [Finding("decision", "invalid", _("Unknown decision %(decision)r.") % {"decision": decision}, "error")]
        )
    if decision == Decision.ACCEPT and _lock(plan).status == PlanStatus.SUBMITTED:
        plan_start_review(plan=plan, actor=actor)
    return plan_review(plan=plan, actor=actor, decision=decision, comment=comment, reasons=reasons)


@transaction.atomic
def plan_assign_reviewer(*, plan: Plan, actor: Actor, reviewer: User | None) -> Plan:
    """Set (or clear) the staff member who reviews the plan."""
    _require(actor.can(REVIEW_PLAN, plan), _("Only reviewers assign reviewers."))
    _check_reviewer(reviewer, plan)
    plan = _lock(plan)
    before = plan.assigned_reviewer.email if plan.assigned_reviewer else None
    plan.assigned_reviewer = reviewer
    plan.save(update_fields=["assigned_reviewer", "updated_at"])
    after = reviewer.email if reviewer else None
    _record(
        plan,
        actor=actor,
        action=EventAction.REVIEWER_ASSIGNED,
        changes=[{"field": "assigned_reviewer", "old": before, "new": after}],
    )
    return plan


@transaction.atomic
def comment_add(
    *, plan: Plan, actor: Actor, body: str, internal: bool = False, version: PlanVersion | None = None
) -> Comment:
    """Add a comment to a plan's thread; only staff may write internal ones."""
    _require(actor.can(ADD_COMMENT, plan), _("You may not comment on this plan."))
    body = (body or "").strip()
    if not body:
        raise PlanInvalid([Finding("body", "required", _("Write a comment."), "error")])
    _check_length("body", body, COMMENT_BODY)
    if internal and not actor.can(INTERNAL_COMMENTS, plan):
        raise NotAllowed(_("Only reviewers write internal comments."))
    if version is not None and version.plan_id != plan.pk:
        raise PlanInvalid([Finding("version", "invalid", _("That version belongs to another plan."), "error")])
    comment = Comment.objects.create(
        plan=plan,
        version=version,
        author=actor.user if actor.api_key is None else None,
        author_key=actor.api_key,
        body=body,
        internal=internal,
    )
    if not internal:
        if actor.member_id is None:
            # The secretariat wrote to the delegation: tell it by e-mail (its own messages it knows).
            # The e-mail is written to the outbox in this transaction; sending waits for the commit.
            send_comment_notice(comment_id=comment.pk)
        _plan_event(
            EventType.PLAN_COMMENT_ADDED,
            plan,
            comment={
                "id": comment.pk,
                "body": comment.body,
                "version": version.number if version else None,
                "author": comment.author_label,
                "from_secretariat": actor.member_id is None,
                "created_at": comment.created_at,
            },
        )
    return comment


# Cycles and extensions ----------------------------------------------------------------------


MAX_LADDER_RUNGS = 12
MAX_LADDER_DAYS = 366


def _ladder_findings(field: str, value: object) -> list[Finding]:
    """A reminder ladder is a list of distinct whole days between 1 and 366."""
    if value is None:
        return []
    message = _("Give a list of whole numbers of days between 1 and %(max)d, such as [30, 14, 7, 1].") % {
        "max": MAX_LADDER_DAYS
    }
    if (
        not isinstance(value, list)
        or len(value) > MAX_LADDER_RUNGS
        or not all(isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= MAX_LADDER_DAYS for day in value)
    ):
        return [Finding(field, "invalid", message, "error")]
    if len(set(value)) != len(value):
        return [Finding(field, "duplicate", _("Give each number of days once."), "error")]
    return []


def cycle_validate(
    *,
    year: int,
    deadline: datetime,
    opens_at: datetime | None = None,
    review_deadline: datetime | None = None,
    spending_target_pct: Decimal | None = None,
    equipment_target_pct: Decimal | None = None,
    approval_levels: int | None = None,
    reminder_days_before: list[int] | None = None,
    overdue_days_after: list[int] | None = None,
    classification: str | None = None,
) -> list[Finding]:
    """What `cycle_open` would refuse in these settings, per field; writes nothing."""
    findings: list[Finding] = []
    if timezone.is_naive(deadline) or (opens_at and timezone.is_naive(opens_at)):
        return [Finding("deadline", "naive", _("Give the time with its time zone."), "error")]
    existing = Cycle.objects.filter(year=year).first()
    opens_at = opens_at or (existing.opens_at if existing else timezone.now())
    first, last = CYCLE_YEARS
    if not first <= year <= last:
        message = _("Give a year between %(min)s and %(max)s.") % {"min": first, "max": last}
        findings.append(Finding("year", "out_of_range", message, "error"))
    if deadline <= opens_at:
        findings.append(Finding("deadline", "before_opening", _("The deadline must be after the opening."), "error"))
    review = review_deadline if review_deadline is not None else (existing.review_deadline if existing else None)
    if review is not None and review < deadline:
        findings.append(
            Finding(
                "review_deadline", "before_deadline", _("The review deadline must not be before the deadline."), "error"
            )
        )
    for field, value in (("spending_target_pct", spending_target_pct), ("equipment_target_pct", equipment_target_pct)):
        if value is not None and not 0 <= value <= 100:
            findings.append(Finding(field, "out_of_range", _("Give a percentage between 0 and 100."), "error"))
    if approval_levels is not None and approval_levels not in ApprovalLevels.values:
        findings.append(Finding("approval_levels", "invalid", _("Give 1 or 2 approval levels."), "error"))
    if classification is not None and not classification.strip():
        findings.append(
            Finding("classification", "required", _("Give the marking, such as NATO UNCLASSIFIED."), "error")
        )
    findings += _ladder_findings("reminder_days_before", reminder_days_before)
    findings += _ladder_findings("overdue_days_after", overdue_days_after)
    return findings


@transaction.atomic
def cycle_open(
    *,
    actor: Actor,
    year: int,
    deadline: datetime,
    opens_at: datetime | None = None,
    review_deadline: datetime | None = None,
    spending_target_pct: Decimal | None = None,
    equipment_target_pct: Decimal | None = None,
    approval_levels: int | None = None,
    reminder_days_before: list[int] | None = None,
    overdue_days_after: list[int] | None = None,
    classification: str | None = None,
) -> tuple[Cycle, bool]:
    """Create or update the cycle for `year`, open for submissions from `opens_at`, with its reminder ladder.

    Without `opens_at` a new cycle opens now and an existing one keeps its opening, so that
    moving a deadline does not also move the start of the cycle. Settings left out (None)
    keep their current or default value.
    """
    _require(actor.can(MANAGE_CYCLES), _("Only cycle managers open cycles."))
    settings: dict[str, Any] = {
        "year": year,
        "deadline": deadline,
        "opens_at": opens_at,
        "review_deadline": review_deadline,
        "spending_target_pct": spending_target_pct,
        "equipment_target_pct": equipment_target_pct,
        "approval_levels": approval_levels,
        "reminder_days_before": reminder_days_before,
        "overdue_days_after": overdue_days_after,
        "classification": classification.strip() if classification is not None else None,
    }
    # Checked here so that every caller gets a message naming the field, not an IntegrityError.
    findings = cycle_validate(**settings)
    if findings:
        raise PlanInvalid(findings)
    existing = Cycle.objects.filter(year=year).first()
    defaults = {key: value for key, value in settings.items() if key != "year" and value is not None}
    defaults["opens_at"] = opens_at or (existing.opens_at if existing else timezone.now())
    cycle, created = Cycle.objects.update_or_create(year=year, defaults=defaults)
    if created:
        event_record(
            type=EventType.CYCLE_OPENED,
            member=None,
            data={
                "cycle": cycle.year,
                "opens_at": cycle.opens_at,
                "deadline": cycle.deadline,
                "review_deadline": cycle.review_deadline,
                "approval_levels": cycle.approval_levels,
            },
        )
    return cycle, created


def extension_validate(*, cycle: Cycle, deadline: datetime | None, reason: str) -> list[Finding]:
    """What `extension_grant` would refuse, per field; writes nothing."""
    findings = []
    if not (reason or "").strip():
        findings.append(Finding("reason", "required", _("Give the reason for the extension."), "error"))
    if deadline is not None and deadline <= cycle.deadline:
        findings.append(
            Finding("deadline", "not_later", _("An extension must end after the cycle's deadline."), "error")
        )
    return findings


@transaction.atomic
def extension_grant(
    *, cycle: Cycle, member: Member, deadline: datetime, reason: str, actor: Actor
) -> DeadlineExtension:
    """Move one member's deadline for one cycle (replacing an earlier extension)."""
    _require(actor.can(MANAGE_CYCLES, cycle), _("Only cycle managers grant extensions."))
    findings = extension_validate(cycle=cycle, deadline=deadline, reason=reason)
    if findings:
        raise PlanInvalid(findings)
    reason = reason.strip()
    extension, _created = DeadlineExtension.objects.update_or_create(
        cycle=cycle,
        member=member,
        defaults={
            "deadline": deadline,
            "reason": reason,
            "granted_by": actor.user,
            "granted_at": timezone.now(),
        },
    )
    send_extension_notice(extension_id=extension.pk)  # written to the outbox in this transaction
    event_record(
        type=EventType.EXTENSION_GRANTED,
        member=member,
        data={"cycle": cycle.year, "member": member.code, "deadline": deadline, "reason": reason},
    )
    return extension


@transaction.atomic
def extension_withdraw(*, extension: DeadlineExtension, actor: Actor) -> None:
    """Remove one member's extension: its deadline is the cycle's again."""
    _require(actor.can(MANAGE_CYCLES, extension.cycle), _("Only cycle managers withdraw extensions."))
    DeadlineExtension.objects.filter(pk=extension.pk).delete()
