"""Each decision through its admin confirmation page: the happy path, and the illegal move as a message."""

from django.contrib.messages import get_messages
from django.urls import reverse

from plans.enums import Decision, EventAction, PlanStatus
from plans.models import PlanEvent, Review


def url(name: str, plan) -> str:
    return reverse(f"admin:plans_plan_{name}", args=[plan.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_start_review_assigns_the_chosen_reviewer(reviewer_client, reviewer, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)
    form_page = reviewer_client.get(url("start_review", plan))
    assert form_page.status_code == 200
    assert form_page.context["form"].initial == {"reviewer": reviewer.pk}

    response = reviewer_client.post(url("start_review", plan), {"reviewer": reviewer.pk})

    assert response.status_code == 302
    assert response["Location"] == url("change", plan)
    plan.refresh_from_db()
    assert (plan.status, plan.assigned_reviewer) == (PlanStatus.IN_REVIEW, reviewer)
    event = PlanEvent.objects.filter(plan=plan).latest("id")
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        EventAction.REVIEW_STARTED,
        reviewer,
        PlanStatus.SUBMITTED,
        PlanStatus.IN_REVIEW,
    )


def test_return_records_the_comment_and_reasons(reviewer_client, reviewer, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    response = reviewer_client.post(
        url("return", plan), {"comment": "Figures do not add up.", "reasons": ["inconsistent_figures", "incomplete"]}
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    review = Review.objects.get(plan=plan)
    assert (review.decision, review.comment, review.reasons, review.reviewer, review.version_id) == (
        Decision.RETURN,
        "Figures do not add up.",
        ["incomplete", "inconsistent_figures"],
        reviewer,
        plan.latest_version_id,
    )


def test_return_without_comment_is_refused_on_the_form(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    response = reviewer_client.post(url("return", plan), {"comment": "   ", "reasons": ["incomplete"]})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["comment"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW
    assert Review.objects.filter(plan=plan).count() == 0


def test_return_with_an_unknown_reason_is_refused_on_the_form(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    response = reviewer_client.post(url("return", plan), {"comment": "Redo it.", "reasons": ["too_short"]})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reasons"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW


def test_accept_locks_the_plan(reviewer_client, reviewer, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    response = reviewer_client.post(url("accept", plan), {"comment": "Thank you."})

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    review = Review.objects.get(plan=plan)
    assert (review.decision, review.comment, review.reviewer) == (Decision.ACCEPT, "Thank you.", reviewer)


def test_accepting_a_plan_not_in_review_is_a_message_not_an_error_page(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    response = reviewer_client.post(url("accept", plan), {"comment": ""})

    assert response.status_code == 302
    assert response["Location"] == url("change", plan)
    assert messages_of(response) == ["A plan that is submitted cannot be accepted."]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert Review.objects.filter(plan=plan).count() == 0


def test_opening_the_form_of_an_illegal_move_redirects_with_a_message(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.ACCEPTED)

    response = reviewer_client.get(url("return", plan))

    assert response.status_code == 302
    assert messages_of(response) == ["Return for revision is not possible: the plan is accepted."]


def test_starting_a_review_twice_shows_the_services_refusal(reviewer_client, reviewer, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    response = reviewer_client.post(url("start_review", plan), {"reviewer": reviewer.pk})

    assert response.status_code == 302
    assert messages_of(response) == ["A plan that is in review cannot be taken into review."]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW


def test_plan_page_shows_only_the_buttons_of_allowed_moves(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.SUBMITTED)

    response = reviewer_client.get(url("change", plan))

    assert response.status_code == 200
    assert [str(label) for _url, label in response.context["decisions"]] == ["Start review", "Return for revision"]
    assert url("accept", plan) not in response.content.decode()


def test_accepted_plan_has_no_decision_buttons(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.ACCEPTED)

    response = reviewer_client.get(url("change", plan))

    assert response.context["decisions"] == []


def test_decision_on_a_plan_that_does_not_exist_is_404(reviewer_client):
    response = reviewer_client.post(reverse("admin:plans_plan_accept", args=[999999]), {})

    assert response.status_code == 404
