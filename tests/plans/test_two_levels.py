"""Approval on two levels: a reviewer recommends, another person (an approver) confirms or sends back."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from members.actors import Actor
from plans import services
from plans.enums import ApprovalLevels, Decision, PlanStatus, RecommendationStatus
from plans.errors import NeedsApproval, NoRecommendation, NotAllowed, PlanInvalid, RecommendationPending
from plans.models import Cycle, PlanEvent, Recommendation, Review
from plans.selectors import reviewer_workload
from tests.factories import StaffFactory, valid_content

BACKEND = "members.backends.StaffPermissionBackend"


@pytest.fixture
def two_level_plan(cycle, estonia, as_alice, as_charlie):
    Cycle.objects.filter(pk=cycle.pk).update(approval_levels=ApprovalLevels.TWO)
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_start_review(plan=plan, actor=as_charlie)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def approver(db):
    return StaffFactory(email="ada@staff.example.org", groups=["Approvers"])


@pytest.fixture
def as_approver(approver):
    return Actor.for_user(approver)


def web(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def test_a_recommendation_changes_nothing_the_delegation_sees(
    two_level_plan, as_charlie, alice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recommendation = services.plan_recommend(
            plan=two_level_plan, actor=as_charlie, decision=Decision.ACCEPT, comment="Complete."
        )
    two_level_plan.refresh_from_db()
    assert (two_level_plan.status, recommendation.status) == (PlanStatus.IN_REVIEW, RecommendationStatus.PENDING)
    assert Review.objects.count() == 0
    assert mail.outbox == []
    page = web(alice).get(reverse("plan-detail-page", args=[two_level_plan.pk]))
    assert "Complete." not in page.content.decode()


def test_the_approver_confirms_and_the_decision_reaches_the_delegation(
    two_level_plan, as_charlie, charlie, approver, as_approver, django_capture_on_commit_callbacks
):
    services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.ACCEPT, comment="Complete.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = services.plan_confirm(plan=two_level_plan, actor=as_approver)
    two_level_plan.refresh_from_db()
    recommendation = Recommendation.objects.get()
    assert two_level_plan.status == PlanStatus.ACCEPTED
    assert (review.decision, review.comment, review.reviewer, review.approved_by) == (
        Decision.ACCEPT,
        "Complete.",
        charlie,
        approver,
    )
    assert (recommendation.status, recommendation.approver, recommendation.review) == (
        RecommendationStatus.CONFIRMED,
        approver,
        review,
    )
    assert [message.to for message in mail.outbox] == [["alice@ee.example.org"]]


def test_a_return_recommendation_needs_a_comment_and_becomes_the_return(two_level_plan, as_charlie, as_approver):
    with pytest.raises(PlanInvalid):
        services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.RETURN, comment=" ")
    services.plan_recommend(
        plan=two_level_plan, actor=as_charlie, decision=Decision.RETURN, comment="Stockpiles?", reasons=["incomplete"]
    )
    review = services.plan_confirm(plan=two_level_plan, actor=as_approver)
    two_level_plan.refresh_from_db()
    assert (two_level_plan.status, review.comment, review.reasons) == (
        PlanStatus.RETURNED,
        "Stockpiles?",
        ["incomplete"],
    )


def test_four_eyes_whoever_recommended_cannot_approve(two_level_plan):
    both = StaffFactory(email="both@staff.example.org", groups=["Reviewers", "Approvers"])
    services.plan_recommend(plan=two_level_plan, actor=Actor.for_user(both), decision=Decision.ACCEPT)
    with pytest.raises(NotAllowed, match="Four eyes"):
        services.plan_confirm(plan=two_level_plan, actor=Actor.for_user(both))
    with pytest.raises(NotAllowed, match="Four eyes"):
        services.plan_send_back(plan=two_level_plan, actor=Actor.for_user(both), comment="Mine.")
    two_level_plan.refresh_from_db()
    assert (two_level_plan.status, Recommendation.objects.get().status) == (
        PlanStatus.IN_REVIEW,
        RecommendationStatus.PENDING,
    )


def test_four_eyes_at_every_door(two_level_plan):
    both = StaffFactory(email="both@staff.example.org", groups=["Reviewers", "Approvers"])
    services.plan_recommend(plan=two_level_plan, actor=Actor.for_user(both), decision=Decision.ACCEPT)
    api = APIClient()
    api.force_login(both)
    response = api.post(f"/api/v1/plans/{two_level_plan.pk}/review/", {"decision": "confirm"}, format="json")
    assert response.status_code == 403
    page = web(both).get(reverse("admin:plans_plan_change", args=[two_level_plan.pk]))
    assert [label for _url, label in page.context["decisions"]] == []
    web(both).post(reverse("admin:plans_plan_confirm", args=[two_level_plan.pk]))
    two_level_plan.refresh_from_db()
    assert two_level_plan.status == PlanStatus.IN_REVIEW


def test_send_back_needs_a_comment_and_lets_the_reviewer_recommend_again(two_level_plan, as_charlie, as_approver):
    services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.ACCEPT)
    with pytest.raises(PlanInvalid):
        services.plan_send_back(plan=two_level_plan, actor=as_approver, comment="")
    services.plan_send_back(plan=two_level_plan, actor=as_approver, comment="Check the equipment share.")
    again = services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.RETURN, comment="Fix it.")
    assert list(Recommendation.objects.order_by("id").values_list("status", "approver_comment")) == [
        (RecommendationStatus.SENT_BACK, "Check the equipment share."),
        (RecommendationStatus.PENDING, ""),
    ]
    assert again.decision == Decision.RETURN
    assert list(PlanEvent.objects.filter(plan=two_level_plan).values_list("action", flat=True))[-3:] == [
        "recommended",
        "sent_back",
        "recommended",
    ]


def test_one_recommendation_waits_at_a_time(two_level_plan, as_charlie):
    services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.ACCEPT)
    with pytest.raises(RecommendationPending):
        services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.ACCEPT)


def test_the_levels_decide_which_path_is_open(two_level_plan, as_charlie, as_approver):
    with pytest.raises(NeedsApproval):
        services.plan_accept(plan=two_level_plan, actor=as_charlie)
    with pytest.raises(NoRecommendation):
        services.plan_confirm(plan=two_level_plan, actor=as_approver)


def test_one_level_cycles_do_not_take_recommendations(plan_in, as_charlie):
    plan = plan_in(PlanStatus.IN_REVIEW)
    with pytest.raises(NeedsApproval):
        services.plan_recommend(plan=plan, actor=as_charlie, decision=Decision.ACCEPT)


def test_reviewers_recommend_and_approvers_confirm_over_the_api(two_level_plan, charlie, approver):
    reviewer_api, approver_api = APIClient(), APIClient()
    reviewer_api.force_login(charlie)
    approver_api.force_login(approver)
    url = f"/api/v1/plans/{two_level_plan.pk}/review/"

    recommended = reviewer_api.post(url, {"decision": "accept", "comment": "Fine."}, format="json")
    refused = approver_api.post(url, {"decision": "accept"}, format="json")
    confirmed = approver_api.post(url, {"decision": "confirm"}, format="json")

    assert (recommended.status_code, recommended.json()["status"], recommended.json()["review"]) == (
        200,
        "in_review",
        None,
    )
    assert recommended.json()["recommendation"]["status"] == "pending"
    assert refused.status_code == 403
    body = confirmed.json()
    assert (confirmed.status_code, body["status"], body["review"]["decision"]) == (200, "accepted", "accept")
    assert (body["recommendation"]["status"], body["recommendation"]["approver"]) == ("confirmed", approver.email)


def test_the_admin_offers_each_person_their_own_buttons(two_level_plan, charlie, approver, as_charlie):
    change = reverse("admin:plans_plan_change", args=[two_level_plan.pk])
    labels = [label for _url, label in web(charlie).get(change).context["decisions"]]
    assert labels == ["Recommend return", "Recommend acceptance"]

    web(charlie).post(reverse("admin:plans_plan_accept", args=[two_level_plan.pk]), {"comment": "Good."})
    assert [label for _url, label in web(charlie).get(change).context["decisions"]] == []
    assert [label for _url, label in web(approver).get(change).context["decisions"]] == [
        "Confirm the recommendation",
        "Send the recommendation back",
    ]
    web(approver).post(reverse("admin:plans_plan_send_back", args=[two_level_plan.pk]), {"comment": "Look again."})
    assert Recommendation.objects.get().status == RecommendationStatus.SENT_BACK


def test_workload_counts_plans_per_reviewer_and_recommendations(two_level_plan, charlie, as_charlie, approver):
    services.plan_recommend(plan=two_level_plan, actor=as_charlie, decision=Decision.ACCEPT)
    [row] = [row for row in reviewer_workload() if row["reviewer"] == charlie]
    assert (row["plans"], row["recommendations_waiting"]) == (1, 1)
    assert row["oldest"] == two_level_plan.latest_version.submitted_at
    page = web(approver).get(reverse("admin:plans_plan_workload"))
    assert page.status_code == 200
    assert (
        web(StaffFactory(email="nobody@staff.example.org")).get(reverse("admin:plans_plan_workload")).status_code == 403
    )


@pytest.mark.parametrize("size", [1, 3])
def test_workload_page_queries(cycle, as_charlie, approver, size, django_assert_num_queries):
    from tests.factories import DelegateFactory, UserFactory, member

    for code in ("LV", "LT", "PL")[:size]:
        head = DelegateFactory(user=UserFactory(email=f"head@{code}.example.org"), member=member(code))
        content = valid_content(partnerships=[])
        plan = services.plan_create(cycle=cycle, member=member(code), actor=Actor.for_user(head.user), content=content)
        services.plan_submit(plan=plan.plan, actor=Actor.for_user(head.user))
        services.plan_start_review(plan=plan.plan, actor=as_charlie)
    client = web(approver)
    # session, user, permissions, reviewers, plans waiting per reviewer, recommendations per reviewer,
    # and the session saved (savepoint, update, release)
    with django_assert_num_queries(9):
        page = client.get(reverse("admin:plans_plan_workload"))
    assert [row["plans"] for row in page.context["rows"] if row["plans"]] == [size]
