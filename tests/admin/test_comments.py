"""The comment thread on the plan page: staff may write internal comments, which never reach the delegation."""

from django.test import Client
from django.urls import reverse

from members.actors import Actor
from plans.enums import PlanStatus
from plans.models import Comment
from plans.selectors import comments_visible_to


def add_comment(client, plan, body: str, internal: bool):
    data = {"body": body}
    if internal:
        data["internal"] = "on"
    return client.post(reverse("admin:plans_plan_comment", args=[plan.pk]), data)


def test_reviewer_adds_an_internal_and_a_public_comment(reviewer_client, reviewer, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    add_comment(reviewer_client, plan, "Check the GDP figure with the statistics office.", internal=True)
    response = add_comment(reviewer_client, plan, "Please add your ammunition partners.", internal=False)

    plan.refresh_from_db()
    assert response.status_code == 302
    assert list(Comment.objects.filter(plan=plan).values_list("body", "internal", "author", "version")) == [
        ("Check the GDP figure with the statistics office.", True, reviewer.pk, plan.latest_version_id),
        ("Please add your ammunition partners.", False, reviewer.pk, plan.latest_version_id),
    ]


def test_an_empty_comment_is_refused_with_a_message(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)

    response = add_comment(reviewer_client, plan, "   ", internal=False)

    assert response.status_code == 302
    assert Comment.objects.filter(plan=plan).count() == 0


def test_plan_page_shows_the_whole_thread_to_staff(reviewer_client, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)
    add_comment(reviewer_client, plan, "Staff only remark.", internal=True)

    response = reviewer_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))

    assert [comment.body for comment in response.context["comments"]] == ["Staff only remark."]
    assert "Staff only remark." in response.content.decode()


def test_internal_comment_never_reaches_the_delegation(reviewer_client, alice, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)
    add_comment(reviewer_client, plan, "Staff only remark.", internal=True)
    add_comment(reviewer_client, plan, "Public question.", internal=False)
    delegation = Client()
    delegation.force_login(alice)

    visible = [comment.body for comment in comments_visible_to(plan=plan, actor=Actor.for_user(alice))]
    page = delegation.get(reverse("plan-detail-page", args=[plan.pk]))
    api = delegation.get(reverse("api-plan-comments", args=[plan.pk]))

    assert visible == ["Public question."]
    assert page.status_code == 200
    assert "Public question." in page.content.decode()
    assert "Staff only remark." not in page.content.decode()
    assert api.status_code == 200
    assert "Public question." in api.content.decode()
    assert "Staff only remark." not in api.content.decode()


def test_a_delegate_cannot_post_to_the_admin_comment_view(alice, plan_in):
    plan = plan_in(PlanStatus.IN_REVIEW)
    delegation = Client()
    delegation.force_login(alice)

    response = add_comment(delegation, plan, "Sneaky internal note.", internal=True)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert Comment.objects.filter(plan=plan).count() == 0
