"""Every (status, transition) pair, who may do what, when content may change, and notifications on commit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from members.actors import Actor
from members.enums import Role
from members.models import ApiKey
from plans import services
from plans.enums import NotificationKind, PlanStatus, Transition
from plans.errors import IllegalTransition, NotAllowed
from plans.models import Notification, Plan, PlanEvent, PlanVersion, Review
from tests.factories import DelegateFactory, UserFactory, valid_content

pytestmark = pytest.mark.django_db

# The workflow of the design, written out by hand so that a wrong ALLOWED table fails here.
EXPECTED = {
    (PlanStatus.DRAFT, Transition.SUBMIT): PlanStatus.SUBMITTED,
    (PlanStatus.RETURNED, Transition.SUBMIT): PlanStatus.SUBMITTED,
    (PlanStatus.SUBMITTED, Transition.START_REVIEW): PlanStatus.IN_REVIEW,
    (PlanStatus.SUBMITTED, Transition.RETURN): PlanStatus.RETURNED,
    (PlanStatus.IN_REVIEW, Transition.RETURN): PlanStatus.RETURNED,
    (PlanStatus.IN_REVIEW, Transition.ACCEPT): PlanStatus.ACCEPTED,
}
PAIRS = [(status, transition) for status in PlanStatus for transition in Transition]


def perform(plan, transition, *, submitter, staff):
    if transition == Transition.SUBMIT:
        return services.plan_submit(plan=plan, actor=submitter)
    if transition == Transition.START_REVIEW:
        return services.plan_start_review(plan=plan, actor=staff)
    if transition == Transition.RETURN:
        return services.plan_return(plan=plan, actor=staff, comment="Figures do not add up.")
    return services.plan_accept(plan=plan, actor=staff)


def snapshot(plan) -> dict:
    plan = Plan.objects.get(pk=plan.pk)
    return {
        "status": plan.status,
        "revision": plan.revision,
        "latest_version": plan.latest_version_id,
        "assigned_reviewer": plan.assigned_reviewer_id,
        "events": PlanEvent.objects.filter(plan=plan).count(),
        "versions": PlanVersion.objects.filter(plan=plan).count(),
        "reviews": Review.objects.filter(plan=plan).count(),
    }


def test_allowed_table_is_the_designed_workflow():
    table = {
        (status, transition): target for transition, (sources, target) in services.ALLOWED.items() for status in sources
    }
    assert table == EXPECTED


@pytest.mark.parametrize(("status", "transition"), [pair for pair in PAIRS if pair in EXPECTED])
def test_legal_transition_moves_and_records_event(plan_in, status, transition, alice, charlie, as_alice, as_charlie):
    plan = plan_in(status)
    events_before = PlanEvent.objects.filter(plan=plan).count()

    perform(plan, transition, submitter=as_alice, staff=as_charlie)

    plan.refresh_from_db()
    assert plan.status == EXPECTED[(status, transition)]
    assert PlanEvent.objects.filter(plan=plan).count() == events_before + 1
    event = PlanEvent.objects.filter(plan=plan).latest("id")
    actor = alice if transition == Transition.SUBMIT else charlie
    assert (event.from_status, event.to_status, event.actor, event.actor_label) == (
        status,
        EXPECTED[(status, transition)],
        actor,
        actor.email,
    )


@pytest.mark.parametrize(("status", "transition"), [pair for pair in PAIRS if pair not in EXPECTED])
def test_illegal_transition_raises_and_changes_nothing(plan_in, status, transition, as_alice, as_charlie):
    plan = plan_in(status)
    before = snapshot(plan)

    with pytest.raises(IllegalTransition):
        perform(plan, transition, submitter=as_alice, staff=as_charlie)

    assert snapshot(plan) == before


def test_illegal_transition_error_names_status_and_action(plan_in, as_charlie):
    plan = plan_in(PlanStatus.DRAFT)
    with pytest.raises(IllegalTransition) as caught:
        services.plan_accept(plan=plan, actor=as_charlie)
    assert (caught.value.status, caught.value.action) == ("draft", "accepted")


def test_allowed_transitions_lists_moves_open_from_each_status():
    assert {status: set(services.allowed_transitions(status)) for status in PlanStatus} == {
        PlanStatus.DRAFT: {Transition.SUBMIT},
        PlanStatus.SUBMITTED: {Transition.START_REVIEW, Transition.RETURN},
        PlanStatus.IN_REVIEW: {Transition.RETURN, Transition.ACCEPT},
        PlanStatus.RETURNED: {Transition.SUBMIT},
        PlanStatus.ACCEPTED: set(),
    }


# Roles and scopes ---------------------------------------------------------------------------


def estonian(role: str) -> Actor:
    return Actor.for_user(DelegateFactory(user=UserFactory(), role=role).user)


def api_key(member, scopes: list[str]) -> Actor:
    key, _secret = ApiKey.objects.create_key(member=member, name="MoD ERP", scopes=scopes)
    return Actor.for_api_key(key)


def test_viewer_may_neither_edit_nor_submit(draft):
    viewer = estonian(Role.VIEWER)
    before = snapshot(draft)
    with pytest.raises(NotAllowed):
        services.plan_update(plan=draft, actor=viewer, content=valid_content(summary="Changed."))
    with pytest.raises(NotAllowed):
        services.plan_submit(plan=draft, actor=viewer)
    assert snapshot(draft) == before


def test_editor_may_edit_but_not_submit(draft):
    editor = estonian(Role.EDITOR)
    services.plan_update(plan=draft, actor=editor, content=valid_content(summary="Changed by the editor."))
    with pytest.raises(NotAllowed):
        services.plan_submit(plan=draft, actor=editor)
    draft.refresh_from_db()
    assert (draft.summary, draft.status) == ("Changed by the editor.", PlanStatus.DRAFT)


def test_viewer_and_editor_may_not_create_or_only_edit(cycle, estonia):
    with pytest.raises(NotAllowed):
        services.plan_create(cycle=cycle, member=estonia, actor=estonian(Role.VIEWER), content=valid_content())
    assert not Plan.objects.filter(cycle=cycle, member=estonia).exists()
    services.plan_create(cycle=cycle, member=estonia, actor=estonian(Role.EDITOR), content=valid_content())
    assert Plan.objects.filter(cycle=cycle, member=estonia).count() == 1


def test_submitter_may_edit_and_submit(draft, as_alice):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(summary="Final."))
    receipt = services.plan_submit(plan=draft, actor=as_alice)
    draft.refresh_from_db()
    assert (draft.status, draft.summary, receipt.version.submitted_by) == (
        PlanStatus.SUBMITTED,
        "Final.",
        as_alice.user,
    )


@pytest.mark.parametrize(
    ("scopes", "may_edit", "may_submit"),
    [
        (["read"], False, False),
        (["read", "write"], True, False),
        (["submit"], False, True),
        (["read", "write", "submit"], True, True),
    ],
)
def test_api_key_scopes_decide_edit_and_submit(draft, estonia, scopes, may_edit, may_submit):
    actor = api_key(estonia, scopes)
    if may_edit:
        services.plan_update(plan=draft, actor=actor, content=valid_content(summary="From the ERP."))
    else:
        with pytest.raises(NotAllowed):
            services.plan_update(plan=draft, actor=actor, content=valid_content(summary="From the ERP."))
    if may_submit:
        receipt = services.plan_submit(plan=draft, actor=actor)
        assert (receipt.version.submitted_by, receipt.version.submitted_by_key) == (None, actor.api_key)
    else:
        with pytest.raises(NotAllowed):
            services.plan_submit(plan=draft, actor=actor)
    draft.refresh_from_db()
    assert draft.summary == ("From the ERP." if may_edit else "More shells and interceptors.")
    assert draft.status == (PlanStatus.SUBMITTED if may_submit else PlanStatus.DRAFT)


def test_another_members_delegate_is_not_allowed(draft, cycle, estonia, as_bob):
    before = snapshot(draft)
    with pytest.raises(NotAllowed):
        services.plan_update(plan=draft, actor=as_bob, content=valid_content(summary="Latvian edit."))
    with pytest.raises(NotAllowed):
        services.plan_submit(plan=draft, actor=as_bob)
    with pytest.raises(NotAllowed):
        services.comment_add(plan=draft, actor=as_bob, body="Hello Estonia.")
    with pytest.raises(NotAllowed):
        services.plan_create(cycle=cycle, member=estonia, actor=as_bob, content=valid_content())
    assert snapshot(draft) == before


def test_another_members_api_key_is_not_allowed(draft, latvia):
    actor = api_key(latvia, ["read", "write", "submit"])
    before = snapshot(draft)
    with pytest.raises(NotAllowed):
        services.plan_update(plan=draft, actor=actor, content=valid_content(summary="Latvian edit."))
    with pytest.raises(NotAllowed):
        services.plan_submit(plan=draft, actor=actor)
    assert snapshot(draft) == before


def test_staff_review_but_do_not_write_or_submit_plans(draft, as_charlie):
    with pytest.raises(NotAllowed):
        services.plan_update(plan=draft, actor=as_charlie, content=valid_content(summary="Staff edit."))
    with pytest.raises(NotAllowed):
        services.plan_submit(plan=draft, actor=as_charlie)
    draft.refresh_from_db()
    assert (draft.summary, draft.status) == ("More shells and interceptors.", PlanStatus.DRAFT)


@pytest.mark.parametrize("review", ["start_review", "return", "accept"])
def test_delegates_and_api_keys_do_not_review(plan_in, estonia, as_alice, review):
    plan = plan_in(PlanStatus.IN_REVIEW if review == "accept" else PlanStatus.SUBMITTED)
    before = snapshot(plan)
    calls = {
        "start_review": services.plan_start_review,
        "return": lambda **kw: services.plan_return(comment="Self-review.", **kw),
        "accept": services.plan_accept,
    }
    for actor in (as_alice, api_key(estonia, ["read", "write", "submit"])):
        with pytest.raises(NotAllowed):
            calls[review](plan=plan, actor=actor)
    assert snapshot(plan) == before


def test_inactive_staff_may_not_review(plan_in, charlie):
    plan = plan_in(PlanStatus.SUBMITTED)
    charlie.is_active = False
    charlie.save()
    with pytest.raises(NotAllowed):
        services.plan_start_review(plan=plan, actor=Actor.for_user(charlie))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


# Content locks ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.RETURNED])
def test_content_changes_in_draft_and_returned(plan_in, as_alice, status):
    plan = plan_in(status)
    result = services.plan_update(plan=plan, actor=as_alice, content=valid_content(summary="Revised."))
    plan.refresh_from_db()
    assert (plan.summary, plan.status, result.plan.revision) == ("Revised.", status, plan.revision)


@pytest.mark.parametrize("status", [PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW, PlanStatus.ACCEPTED])
def test_content_of_a_locked_plan_cannot_change(plan_in, as_alice, status):
    plan = plan_in(status)
    before = snapshot(plan)
    with pytest.raises(IllegalTransition):
        services.plan_update(plan=plan, actor=as_alice, content=valid_content(summary="Too late."))
    with pytest.raises(IllegalTransition):
        services.plan_update(
            plan=plan, actor=as_alice, content=valid_content(summary="Too late."), expected_revision=plan.revision
        )
    plan.refresh_from_db()
    assert (plan.summary, snapshot(plan)) == ("More shells and interceptors.", before)


# Notifications ------------------------------------------------------------------------------


def test_submission_writes_its_emails_in_its_transaction_and_sends_after_commit(
    draft, as_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receipt = services.plan_submit(plan=draft, actor=as_alice)
    # The rows are part of the submission (the outbox); nothing is sent before the commit.
    assert len(callbacks) == 2
    receipts = Notification.objects.filter(plan=draft, kind=NotificationKind.RECEIPT)
    assert [(n.version_id, n.status) for n in receipts] == [(receipt.version.pk, "pending")]
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    assert receipts.get().status == "sent"
    assert [m.subject for m in mail.outbox] == [f"Receipt: Estonia plan {draft.cycle.year}, version 1"]


@pytest.mark.parametrize(("status", "review"), [(PlanStatus.SUBMITTED, "return"), (PlanStatus.IN_REVIEW, "accept")])
def test_decision_queues_notification_after_commit(
    plan_in, as_charlie, status, review, django_capture_on_commit_callbacks
):
    plan = plan_in(status)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if review == "return":
            services.plan_return(plan=plan, actor=as_charlie, comment="Incomplete.")
        else:
            services.plan_accept(plan=plan, actor=as_charlie)
    kind = NotificationKind.RETURNED if review == "return" else NotificationKind.ACCEPTED
    assert len(callbacks) >= 1
    assert Notification.objects.filter(plan=plan, kind=kind).count() == 1


def test_start_review_sends_nothing(plan_in, as_charlie, django_capture_on_commit_callbacks):
    plan = plan_in(PlanStatus.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks:
        services.plan_start_review(plan=plan, actor=as_charlie)
    assert callbacks == []


class Rollback(Exception):
    pass


def test_rolled_back_submission_queues_nothing(draft, as_alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.plan_submit(plan=draft, actor=as_alice)
                raise Rollback
        except Rollback:
            pass
    assert callbacks == []
    assert not Notification.objects.filter(plan=draft).exists()
    assert snapshot(draft)["status"] == PlanStatus.DRAFT
    assert not PlanVersion.objects.filter(plan=draft).exists()


def test_refused_submission_queues_nothing(cycle, estonia, as_alice, django_capture_on_commit_callbacks):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content={"summary": "Unfinished."}).plan
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Exception):  # noqa: B017, PT011
        services.plan_submit(plan=plan, actor=as_alice)
    assert callbacks == []
    assert not Notification.objects.filter(plan=plan).exists()


def test_expired_cycle_still_takes_submission(draft, as_alice, cycle):
    cycle.opens_at = timezone.now() - timedelta(days=60)
    cycle.deadline = timezone.now() - timedelta(days=1)
    cycle.save()
    receipt = services.plan_submit(plan=draft, actor=as_alice)
    assert (receipt.number, receipt.is_late) == (1, True)


def test_plan_decide_accepts_a_submitted_plan_by_taking_it_into_review_first(plan_in, as_charlie):
    from plans import services
    from plans.models import PlanEvent

    plan = plan_in("submitted")
    review = services.plan_decide(plan=plan, actor=as_charlie, decision="accept", comment="Fine.")
    plan.refresh_from_db()
    steps = list(PlanEvent.objects.filter(plan=plan).order_by("id").values_list("from_status", "to_status"))[-2:]
    assert (plan.status, review.decision, steps) == (
        "accepted",
        "accept",
        [("submitted", "in_review"), ("in_review", "accepted")],
    )
