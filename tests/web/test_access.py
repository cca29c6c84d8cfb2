"""Who may see and do what: the other member gets 404 everywhere, staff go to the admin, roles hold."""

import pytest
from django.urls import reverse

from plans.models import Comment, Plan, PlanVersion
from tests.factories import valid_content
from tests.web.conftest import editor_post

PLAN_PAGES = [
    ("get", "plan-detail-page", ()),
    ("get", "plan-edit", ()),
    ("post", "plan-edit", ()),
    ("get", "plan-submit", ()),
    ("post", "plan-submit", ()),
    ("post", "plan-comment-add", ()),
    ("get", "plan-versions", ()),
    ("get", "plan-version", (1,)),
    ("get", "plan-receipt", (1,)),
    ("get", "plan-compare", ()),
]


@pytest.mark.parametrize(("method", "name", "extra"), PLAN_PAGES)
def test_another_members_delegate_gets_404_and_changes_nothing(bob_client, submitted_plan, method, name, extra):
    url = reverse(name, args=[submitted_plan.pk, *extra])
    data = {"body": "Peek"} if method == "post" else {}
    response = getattr(bob_client, method)(url, data)
    assert response.status_code == 404
    assert (Comment.objects.count(), PlanVersion.objects.count()) == (0, 1)


@pytest.mark.parametrize(("method", "name", "extra"), PLAN_PAGES)
def test_staff_are_sent_to_the_admin_page_of_the_plan(charlie_client, submitted_plan, method, name, extra):
    response = getattr(charlie_client, method)(reverse(name, args=[submitted_plan.pk, *extra]))
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:plans_plan_change", args=[submitted_plan.pk]),
    )


def test_staff_landing_on_the_dashboard_go_to_the_admin(charlie_client):
    response = charlie_client.get(reverse("home"))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_another_member_cannot_start_a_plan_for_this_one(bob_client, cycle, estonia):
    bob_client.post(reverse("plan-start"))
    assert list(Plan.objects.values_list("member__code", flat=True)) == ["LV"]


def test_a_signed_in_user_without_delegation_sees_no_plan(db, plan):
    from tests.factories import UserFactory
    from tests.web.conftest import signed_in

    client = signed_in(UserFactory(email="nobody@example.org"))
    assert client.get(reverse("home")).templates[0].name == "plans/no_delegation.html"
    assert client.get(reverse("plan-detail-page", args=[plan.pk])).status_code == 404


def test_viewer_reads_but_cannot_edit_or_submit(victor_client, plan):
    detail = victor_client.get(reverse("plan-detail-page", args=[plan.pk]))
    assert (detail.status_code, detail.context["can_edit"], detail.context["can_submit"]) == (200, False, False)
    assert reverse("plan-submit", args=[plan.pk]) not in detail.content.decode()
    assert victor_client.get(reverse("plan-edit", args=[plan.pk])).status_code == 403
    changed = editor_post(valid_content(summary="Changed by a viewer"), revision=plan.revision)
    assert victor_client.post(reverse("plan-edit", args=[plan.pk]), changed).status_code == 403
    assert victor_client.post(reverse("plan-submit", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert (plan.summary, plan.status, plan.versions.count()) == ("More shells and interceptors.", "draft", 0)


def test_editor_edits_but_does_not_see_or_use_submit(erin_client, plan):
    detail = erin_client.get(reverse("plan-detail-page", args=[plan.pk]))
    assert (detail.context["can_edit"], detail.context["can_submit"]) == (True, False)
    assert reverse("plan-submit", args=[plan.pk]) not in detail.content.decode()
    response = erin_client.post(reverse("plan-submit", args=[plan.pk]))
    assert response.status_code == 403
    assert "submitter" in response.content.decode()
    assert plan.versions.count() == 0


def test_submitter_sees_the_submit_button(alice_client, plan):
    detail = alice_client.get(reverse("plan-detail-page", args=[plan.pk]))
    assert detail.context["can_submit"] is True
    assert reverse("plan-submit", args=[plan.pk]) in detail.content.decode()
