"""The other plan services and selectors: creating drafts, reviewers, comments, visibility."""

from decimal import Decimal

import pytest

from members.actors import Actor
from members.enums import Role
from members.models import ApiKey
from plans import selectors, services
from plans.content import content_of, normalize, plan_content, stored_rows
from plans.enums import PlanStatus
from plans.errors import NotAllowed, PlanExists, PlanInvalid, StalePlan
from plans.models import Comment, Plan, PlanEvent
from tests.factories import CycleFactory, DelegateFactory, PlanFactory, StaffFactory, UserFactory, valid_content

pytestmark = pytest.mark.django_db


def test_second_create_for_member_and_cycle_raises_plan_exists(draft, cycle, estonia, as_alice):
    with pytest.raises(PlanExists, match="Estonia already has a plan for 2025"):
        services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content())
    assert Plan.objects.filter(cycle=cycle, member=estonia).count() == 1


def test_create_copies_the_last_submitted_plan(plan_in, estonia, as_alice):
    previous = plan_in(PlanStatus.ACCEPTED)
    next_cycle = CycleFactory(year=2026)
    result = services.plan_create(cycle=next_cycle, member=estonia, actor=as_alice, copy_previous=True)
    assert normalize(plan_content(result.plan)) == normalize(plan_content(previous))
    assert (result.plan.status, result.plan.cycle) == (PlanStatus.DRAFT, next_cycle)


def test_create_copy_without_previous_plan_starts_empty(cycle, estonia, as_alice):
    result = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, copy_previous=True)
    assert normalize(plan_content(result.plan)) == normalize({})


def test_create_never_copies_a_draft_that_was_never_submitted(draft, estonia, as_alice):
    result = services.plan_create(cycle=CycleFactory(year=2026), member=estonia, actor=as_alice, copy_previous=True)
    assert plan_content(result.plan)["lines"] == []


def test_start_review_assigns_the_acting_reviewer(plan_in, charlie, as_charlie):
    plan = plan_in(PlanStatus.SUBMITTED)
    services.plan_start_review(plan=plan, actor=as_charlie)
    plan.refresh_from_db()
    assert plan.assigned_reviewer == charlie


def test_start_review_may_assign_another_reviewer(plan_in, as_charlie):
    plan = plan_in(PlanStatus.SUBMITTED)
    colleague = StaffFactory(groups=["Reviewers"])
    services.plan_start_review(plan=plan, actor=as_charlie, reviewer=colleague)
    plan.refresh_from_db()
    assert plan.assigned_reviewer == colleague


@pytest.mark.parametrize("groups", [[], ["Cycle managers"]])
def test_start_review_refuses_a_staff_member_who_may_not_review(plan_in, as_charlie, groups):
    plan = plan_in(PlanStatus.SUBMITTED)
    colleague = StaffFactory(groups=groups)
    with pytest.raises(NotAllowed):
        services.plan_start_review(plan=plan, actor=as_charlie, reviewer=colleague)
    plan.refresh_from_db()
    assert (plan.status, plan.assigned_reviewer) == (PlanStatus.SUBMITTED, None)


def test_start_review_refuses_a_reviewer_who_is_not_staff(plan_in, alice, as_charlie):
    plan = plan_in(PlanStatus.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.plan_start_review(plan=plan, actor=as_charlie, reviewer=alice)
    plan.refresh_from_db()
    assert (plan.status, plan.assigned_reviewer) == (PlanStatus.SUBMITTED, None)


def test_assign_reviewer_records_the_change(draft, charlie, as_charlie):
    services.plan_assign_reviewer(plan=draft, actor=as_charlie, reviewer=charlie)
    services.plan_assign_reviewer(plan=draft, actor=as_charlie, reviewer=None)
    changes = [e.changes for e in PlanEvent.objects.filter(plan=draft, action="reviewer_assigned").order_by("id")]
    assert changes == [
        [{"field": "assigned_reviewer", "old": None, "new": "charlie@staff.example.org"}],
        [{"field": "assigned_reviewer", "old": "charlie@staff.example.org", "new": None}],
    ]


def test_assign_reviewer_refuses_delegates_both_ways(draft, alice, as_alice, as_charlie):
    with pytest.raises(NotAllowed):
        services.plan_assign_reviewer(plan=draft, actor=as_alice, reviewer=None)
    with pytest.raises(NotAllowed):
        services.plan_assign_reviewer(plan=draft, actor=as_charlie, reviewer=alice)
    draft.refresh_from_db()
    assert draft.assigned_reviewer is None


def test_return_needs_a_comment_and_known_reasons(plan_in, as_charlie):
    plan = plan_in(PlanStatus.SUBMITTED)
    with pytest.raises(PlanInvalid) as no_comment:
        services.plan_return(plan=plan, actor=as_charlie, comment="   ")
    with pytest.raises(PlanInvalid) as bad_reason:
        services.plan_return(plan=plan, actor=as_charlie, comment="See notes.", reasons=["vibes"])
    assert [no_comment.value.findings[0].field, bad_reason.value.findings[0].field] == ["comment", "reasons"]
    plan.refresh_from_db()
    assert (plan.status, plan.reviews.count()) == (PlanStatus.SUBMITTED, 0)


def test_return_records_review_of_latest_version_with_reasons(plan_in, charlie, as_charlie):
    plan = plan_in(PlanStatus.SUBMITTED)
    review = services.plan_return(
        plan=plan, actor=as_charlie, comment=" Incomplete. ", reasons=["other", "incomplete", "other"]
    )
    assert (review.version, review.decision, review.comment, review.reasons, review.reviewer) == (
        plan.latest_version,
        "return",
        "Incomplete.",
        ["incomplete", "other"],
        charlie,
    )


# Comments -----------------------------------------------------------------------------------


def test_delegate_and_staff_comment_and_internal_ones_stay_with_staff(draft, as_alice, as_charlie):
    services.comment_add(plan=draft, actor=as_alice, body="Figures are provisional.")
    services.comment_add(plan=draft, actor=as_charlie, body="Thanks, noted.")
    services.comment_add(plan=draft, actor=as_charlie, body="Check with the finance team.", internal=True)
    visible = {
        "alice": [c.body for c in selectors.comments_visible_to(plan=draft, actor=as_alice)],
        "charlie": [c.body for c in selectors.comments_visible_to(plan=draft, actor=as_charlie)],
    }
    assert visible == {
        "alice": ["Figures are provisional.", "Thanks, noted."],
        "charlie": ["Figures are provisional.", "Thanks, noted.", "Check with the finance team."],
    }


def test_delegate_may_not_write_internal_or_empty_comments(draft, as_alice):
    with pytest.raises(NotAllowed):
        services.comment_add(plan=draft, actor=as_alice, body="Secret.", internal=True)
    with pytest.raises(PlanInvalid):
        services.comment_add(plan=draft, actor=as_alice, body="  ")
    assert not Comment.objects.exists()


def test_comment_on_another_plans_version_is_refused(plan_in, cycle, latvia, as_charlie):
    estonian_plan = plan_in(PlanStatus.SUBMITTED)
    latvian_plan = PlanFactory(cycle=cycle, member=latvia)
    with pytest.raises(PlanInvalid):
        services.comment_add(
            plan=latvian_plan, actor=as_charlie, body="Wrong thread.", version=estonian_plan.latest_version
        )
    assert not Comment.objects.exists()


def test_api_key_comment_is_signed_by_the_key(draft, estonia):
    key, _secret = ApiKey.objects.create_key(member=estonia, name="MoD ERP", scopes=["read", "write"])
    comment = services.comment_add(plan=draft, actor=Actor.for_api_key(key), body="Synced from the ERP.")
    assert (comment.author, comment.author_key, comment.author_label) == (None, key, "API key MoD ERP")


def test_a_read_only_key_and_a_viewer_may_not_comment(draft, estonia):
    key, _secret = ApiKey.objects.create_key(member=estonia, name="Reader", scopes=["read"])
    viewer = DelegateFactory(user=UserFactory(), member=estonia, role=Role.VIEWER).user
    for actor in (Actor.for_api_key(key), Actor.for_user(viewer)):
        with pytest.raises(NotAllowed):
            services.comment_add(plan=draft, actor=actor, body="Only reading.")
    assert draft.comments.count() == 0


# Visibility ---------------------------------------------------------------------------------


def test_plans_visible_to_each_persona(cycle, estonia, latvia, as_alice, as_bob, as_charlie):
    estonian, latvian = PlanFactory(cycle=cycle, member=estonia), PlanFactory(cycle=cycle, member=latvia)
    viewer = Actor.for_user(DelegateFactory(user=UserFactory(), member=estonia, role=Role.VIEWER).user)
    write_only_key, _secret = ApiKey.objects.create_key(member=estonia, name="Writer", scopes=["write"])
    outsider = Actor.for_user(UserFactory())
    visible = {
        name: set(selectors.plans_visible_to(actor))
        for name, actor in {
            "alice": as_alice,
            "bob": as_bob,
            "charlie": as_charlie,
            "viewer": viewer,
            "write_only_key": Actor.for_api_key(write_only_key),
            "outsider": outsider,
        }.items()
    }
    assert visible == {
        "alice": {estonian},
        "bob": {latvian},
        "charlie": {estonian, latvian},
        "viewer": {estonian},
        "write_only_key": set(),
        "outsider": set(),
    }


def _rows_read_with(plan: Plan):
    """The plan as a caller reads it, then its rows (what the API's PUT and PATCH hand over)."""
    plan = Plan.objects.get(pk=plan.pk)
    return plan, stored_rows(plan)


def test_update_with_rows_read_at_the_expected_revision_writes_and_records_as_before(draft, as_alice):
    plan, stored = _rows_read_with(draft)
    content = {**content_of(plan, *stored), "gdp": Decimal("41000000.00")}
    saved = services.plan_update(
        plan=plan, actor=as_alice, content=content, expected_revision=plan.revision, stored=stored
    ).plan
    draft.refresh_from_db()
    assert (draft.gdp, draft.revision, draft.updated_at > plan.created_at) == (Decimal("41000000.00"), 2, True)
    assert saved.gdp == draft.gdp
    assert draft.events.latest("id").changes == [{"field": "gdp", "old": "40000000.00", "new": "41000000.00"}]


def test_update_with_rows_read_before_a_change_it_did_not_see_is_stale(draft, as_alice):
    plan, stored = _rows_read_with(draft)
    services.plan_update(plan=draft, actor=as_alice, content={**plan_content(draft), "summary": "Theirs"})
    content = {**content_of(plan, *stored), "gdp": Decimal("41000000.00")}
    with pytest.raises(StalePlan):
        services.plan_update(plan=plan, actor=as_alice, content=content, expected_revision=plan.revision, stored=stored)
    draft.refresh_from_db()
    assert (draft.summary, draft.gdp) == ("Theirs", Decimal("40000000.00"))


def test_update_with_rows_older_than_the_expected_revision_reads_them_again(draft, as_alice):
    # The caller expects a revision its rows were not read at: they prove nothing, and the
    # history must compare with what was stored, not with what the caller read.
    plan, stored = _rows_read_with(draft)
    services.plan_update(plan=draft, actor=as_alice, content={**plan_content(draft), "summary": "Theirs"})
    content = {**content_of(plan, *stored), "summary": "Ours"}
    services.plan_update(plan=plan, actor=as_alice, content=content, expected_revision=2, stored=stored)
    draft.refresh_from_db()
    assert (draft.summary, draft.revision) == ("Ours", 3)
    assert draft.events.latest("id").changes == [{"field": "summary", "old": "Theirs", "new": "Ours"}]
