"""Reviews over the API: a national system learns what was decided on its plan, and why."""

import pytest

from members.actors import Actor
from plans import services
from tests.factories import CycleFactory, StaffFactory, valid_content


def _returned_and_resubmitted(plan, as_alice, as_charlie, times: int) -> None:
    for number in range(times):
        services.plan_submit(plan=plan, actor=as_alice)
        services.plan_return(plan=plan, actor=as_charlie, comment=f"Round {number + 1}.", reasons=["incomplete"])


def test_reviews_list_each_decision_with_version_reasons_and_reviewer(alice_key, draft, as_alice, as_charlie):
    _returned_and_resubmitted(draft, as_alice, as_charlie, 2)
    services.plan_submit(plan=draft, actor=as_alice)
    services.plan_decide(plan=draft, actor=as_charlie, decision="accept", comment="Thank you.")

    body = alice_key.get(f"/api/v1/plans/{draft.pk}/reviews/").json()

    assert [(r["version"], r["decision"], r["comment"], r["reasons"], r["reviewer"]) for r in body["results"]] == [
        (1, "return", "Round 1.", ["incomplete"], "charlie@staff.example.org"),
        (2, "return", "Round 2.", ["incomplete"], "charlie@staff.example.org"),
        (3, "accept", "Thank you.", [], "charlie@staff.example.org"),
    ]
    detail = alice_key.get(f"/api/v1/plans/{draft.pk}/").json()
    assert (detail["latest_review"]["version"], detail["latest_review"]["decision"]) == (3, "accept")


def test_a_plan_never_decided_has_no_latest_review(alice_key, draft):
    assert alice_key.get(f"/api/v1/plans/{draft.pk}/").json()["latest_review"] is None
    assert alice_key.get(f"/api/v1/plans/{draft.pk}/reviews/").json()["results"] == []


def test_another_member_gets_404_on_reviews(bob_key, submitted, as_charlie):
    services.plan_return(plan=submitted, actor=as_charlie, comment="No.")
    response = bob_key.get(f"/api/v1/plans/{submitted.pk}/reviews/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_two_level_recommendations_stay_hidden_until_confirmed(alice_key, estonia, as_alice, as_charlie):
    cycle = CycleFactory(year=2027, approval_levels=2)
    approver = StaffFactory(email="ann@staff.example.org", first_name="Ann", last_name="Approver", groups=["Approvers"])
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_alice)
    services.plan_decide(plan=plan, actor=as_charlie, decision="start_review")
    services.plan_decide(plan=plan, actor=as_charlie, decision="return", comment="Stockpiles?", reasons=["other"])
    assert alice_key.get(f"/api/v1/plans/{plan.pk}/reviews/").json()["results"] == []
    assert [c["body"] for c in alice_key.get(f"/api/v1/plans/{plan.pk}/comments/").json()["results"]] == []

    services.plan_confirm(plan=plan, actor=Actor.for_user(approver))

    (row,) = alice_key.get(f"/api/v1/plans/{plan.pk}/reviews/").json()["results"]
    assert (row["decision"], row["comment"], row["reasons"], row["reviewer"], row["approved_by"]) == (
        "return",
        "Stockpiles?",
        ["other"],
        "charlie@staff.example.org",
        "Ann Approver",
    )
    thread = alice_key.get(f"/api/v1/plans/{plan.pk}/comments/").json()["results"]
    assert [(c["body"], c["decision"], c["internal"]) for c in thread] == [("Stockpiles?", "return", False)]


def test_an_accept_without_comment_adds_nothing_to_the_thread(alice_key, submitted, as_charlie):
    services.plan_decide(plan=submitted, actor=as_charlie, decision="accept")
    assert alice_key.get(f"/api/v1/plans/{submitted.pk}/comments/").json()["results"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_review_list_queries(alice_key, draft, as_alice, as_charlie, count, django_assert_num_queries):
    _returned_and_resubmitted(draft, as_alice, as_charlie, count)
    with django_assert_num_queries(5):  # key, its last-use stamp, first use today logged, plan, page (with the count)
        response = alice_key.get(f"/api/v1/plans/{draft.pk}/reviews/")
    assert len(response.json()["results"]) == count
