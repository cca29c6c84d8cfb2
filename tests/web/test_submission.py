"""Submission: confirmation, the receipt, the late mark, and the whole path from an empty draft."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan, PlanVersion
from tests.factories import valid_content
from tests.web.conftest import editor_post


def test_confirmation_then_receipt_with_number_hash_and_time(alice_client, plan):
    confirm = alice_client.get(reverse("plan-submit", args=[plan.pk]))
    assert (confirm.status_code, confirm.context["errors"]) == (200, [])
    assert "Confirm and submit" in confirm.content.decode()
    assert PlanVersion.objects.count() == 0  # looking at the confirmation submits nothing
    response = alice_client.post(reverse("plan-submit", args=[plan.pk]), follow=True)
    version = PlanVersion.objects.get(plan=plan)
    assert response.redirect_chain == [(reverse("plan-receipt", args=[plan.pk, 1]), 302)]
    html = response.content.decode()
    assert (version.number, version.is_late) == (1, False)
    assert f'<code class="hash" id="receipt-sha256">{version.sha256}</code>' in html
    assert version.submitted_at.isoformat() in html
    assert "On time" in html


def test_a_late_submission_is_marked_late_on_the_receipt(alice, plan):
    from tests.web.conftest import signed_in

    with time_machine.travel(plan.cycle.deadline + timedelta(hours=1)):
        alice_client = signed_in(alice)
        confirm = alice_client.get(reverse("plan-submit", args=[plan.pk]))
        assert "the submission will be marked late" in confirm.content.decode()
        response = alice_client.post(reverse("plan-submit", args=[plan.pk]), follow=True)
        confirm_text = response.content.decode()
    assert PlanVersion.objects.get(plan=plan).is_late is True
    assert '<span class="late-mark">Late</span>' in confirm_text


def test_an_incomplete_plan_is_not_submitted_and_says_what_to_fix(alice_client, plan):
    plan.gdp = None
    plan.save(update_fields=["gdp"])
    response = alice_client.post(reverse("plan-submit", args=[plan.pk]))
    assert response.status_code == 400
    assert [(e["label"], e["message"]) for e in response.context["errors"]] == [("GDP", "Give the GDP.")]
    assert f"{reverse('plan-edit', args=[plan.pk])}#id_gdp" in response.content.decode()
    assert (PlanVersion.objects.count(), Plan.objects.get(pk=plan.pk).status) == (0, "draft")


def test_a_submitted_plan_cannot_be_submitted_again(alice_client, submitted_plan):
    response = alice_client.post(reverse("plan-submit", args=[submitted_plan.pk]))
    assert response["Location"] == reverse("plan-detail-page", args=[submitted_plan.pk])
    assert PlanVersion.objects.count() == 1


def test_from_sign_in_to_receipt_fixing_an_error_on_the_way(alice, cycle):
    from django.test import Client

    from tests.signin import authenticator_for, sign_in

    client = Client()
    signed_in = sign_in(client, "alice@ee.example.org", authenticator_for(alice))
    assert signed_in["Location"] == "/"
    client.post(reverse("plan-start"))
    plan = Plan.objects.get(member__code="EE", cycle=cycle)
    edit = reverse("plan-edit", args=[plan.pk])

    wrong = valid_content(other_expenditure="999999")
    refused = client.post(edit, editor_post(wrong, revision=plan.revision))
    assert refused.status_code == 400
    assert "defence_expenditure" in refused.context["headline"].errors

    fixed = editor_post(valid_content(), revision=refused.context["revision"])
    assert client.post(edit, fixed)["Location"] == edit
    receipt = client.post(reverse("plan-submit", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    assert (plan.status, receipt.context["version"].number) == ("submitted", 1)
    assert plan.latest_version.submitted_at <= timezone.now()


def test_resubmitting_late_after_a_return_marks_the_version_but_the_plan_stays_on_time(alice, charlie, plan):
    from members.actors import Actor
    from plans import services
    from tests.web.conftest import signed_in

    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    services.plan_return(plan=plan, actor=Actor.for_user(charlie), comment="Add the partners.")
    with time_machine.travel(plan.cycle.deadline + timedelta(hours=1)):
        alice_client = signed_in(alice)
        confirm = alice_client.get(reverse("plan-submit", args=[plan.pk])).content.decode()
        alice_client.post(reverse("plan-submit", args=[plan.pk]))
        page = alice_client.get(reverse("plan-detail-page", args=[plan.pk])).content.decode()

    assert "The plan itself stays on time: it was first submitted by the deadline." in confirm
    assert '<dd id="timeliness"><span class="badge badge--ok">Submitted on time</span></dd>' in page
    assert "this version came after the deadline" in page
