"""Versions, comparison and the comment thread as the delegation sees them."""

from decimal import Decimal

from django.urls import reverse

from members.actors import Actor
from plans import services
from plans.models import Comment
from tests.factories import valid_content


def resubmit(plan, alice, charlie, **changes):
    services.plan_return(plan=plan, actor=Actor.for_user(charlie), comment="Please add the figures for 2027.")
    plan.refresh_from_db()
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(**changes))
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))


def test_versions_list_and_a_version_page(alice_client, alice, charlie, submitted_plan):
    resubmit(submitted_plan, alice, charlie, summary="Second take")
    listing = alice_client.get(reverse("plan-versions", args=[submitted_plan.pk]))
    assert [v.number for v in listing.context["versions"]] == [2, 1]
    page = alice_client.get(reverse("plan-version", args=[submitted_plan.pk, 1]))
    assert page.context["content"]["summary"] == "More shells and interceptors."
    assert page.context["content"]["partnerships"][0]["partner_member_names"] == ["Latvia"]
    assert alice_client.get(reverse("plan-version", args=[submitted_plan.pk, 9])).status_code == 404


def test_comparison_lists_each_changed_field_with_its_label(alice_client, alice, charlie, submitted_plan):
    resubmit(submitted_plan, alice, charlie, summary="Second take", gdp=Decimal("50000000"))
    response = alice_client.get(reverse("plan-compare", args=[submitted_plan.pk]), {"old": 1, "new": 2})
    assert response.context["rows"] == [
        {"label": "GDP", "old": "40,000,000.00", "new": "50,000,000.00"},
        {"label": "Summary", "old": "More shells and interceptors.", "new": "Second take"},
    ]


def test_comparison_of_a_version_with_itself_or_an_unknown_one_is_refused(alice_client, submitted_plan):
    url = reverse("plan-compare", args=[submitted_plan.pk])
    same = alice_client.get(url, {"old": 1, "new": 1})
    assert (same.status_code, same.context["form"].non_field_errors()) == (400, ["Choose two different versions."])
    unknown = alice_client.get(url, {"old": 1, "new": "x"})
    assert (unknown.status_code, list(unknown.context["form"].errors)) == (400, ["new"])


def test_thread_hides_internal_comments_and_takes_a_reply(alice_client, charlie, submitted_plan):
    services.comment_add(plan=submitted_plan, actor=Actor.for_user(charlie), body="Figures look right.")
    services.comment_add(plan=submitted_plan, actor=Actor.for_user(charlie), body="Staff only note", internal=True)
    url = reverse("plan-detail-page", args=[submitted_plan.pk])
    page = alice_client.get(url)
    assert [c.body for c in page.context["comments"]] == ["Figures look right."]
    assert "Staff only note" not in page.content.decode()
    response = alice_client.post(reverse("plan-comment-add", args=[submitted_plan.pk]), {"body": "Thank you."})
    assert response["Location"] == f"{url}#comments"
    assert list(Comment.objects.filter(internal=False).values_list("body", flat=True)) == [
        "Figures look right.",
        "Thank you.",
    ]


def test_an_empty_reply_is_refused_beside_the_field(victor_client, submitted_plan):
    response = victor_client.post(reverse("plan-comment-add", args=[submitted_plan.pk]), {"body": "   "})
    assert (response.status_code, response.context["comment_form"].errors) == (
        400,
        {"body": ["This field is required."]},
    )
    assert Comment.objects.count() == 0


def test_a_viewer_reads_the_thread_but_may_not_reply(victor_client, submitted_plan):
    page = victor_client.get(reverse("plan-detail-page", args=[submitted_plan.pk]))
    reply_url = reverse("plan-comment-add", args=[submitted_plan.pk])
    assert reply_url not in page.content.decode()
    response = victor_client.post(reply_url, {"body": "Seen."})
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_dashboard_shows_deadline_with_extension_status_and_reviewer_comments(
    as_manager, alice_client, charlie, estonia, submitted_plan
):
    from datetime import timedelta

    extended = submitted_plan.cycle.deadline + timedelta(days=10)
    services.extension_grant(
        cycle=submitted_plan.cycle, member=estonia, deadline=extended, reason="Election", actor=as_manager
    )
    services.comment_add(plan=submitted_plan, actor=Actor.for_user(charlie), body="Looking at it now.")
    services.comment_add(plan=submitted_plan, actor=Actor.for_user(charlie), body="Hidden", internal=True)
    response = alice_client.get(reverse("home"))
    context = response.context
    assert (context["deadline"], context["has_extension"], context["plan"].status) == (extended, True, "submitted")
    assert [c.body for c in context["comments"]] == ["Looking at it now."]
    assert "Hidden" not in response.content.decode()


def test_dashboard_says_submitted_on_time_or_late_or_overdue(alice_client, alice, estonia, cycle):
    from datetime import timedelta

    from plans.models import Cycle
    from tests.factories import valid_content

    def timeliness() -> str:
        html = alice_client.get(reverse("home")).content.decode()
        start = html.index('<dd id="timeliness">')
        return html[start : html.index("</dd>", start)].removeprefix('<dd id="timeliness">')

    waiting = timeliness()
    Cycle.objects.filter(pk=cycle.pk).update(deadline=cycle.opens_at + timedelta(days=1))
    overdue = timeliness()
    plan = services.plan_create(cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=valid_content()).plan
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    late = timeliness()

    assert (waiting.endswith(" left."), "Overdue" in waiting) == (True, False)
    assert overdue.startswith('<span class="late-mark">Overdue</span> The deadline passed')
    assert late == '<span class="late-mark">Submitted late</span>'
