"""E-mails on workflow transitions: receipt, staff notice, return, acceptance."""

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from plans import services
from plans.enums import NotificationKind, NotificationStatus
from plans.models import Notification
from plans.tasks import notify_plan_event
from tests.factories import DelegateFactory, UserFactory, valid_content
from tests.notifications.conftest import at


@pytest.fixture
def submitted(ladder_cycle, estonia, alice, charlie, as_alice, django_capture_on_commit_callbacks):
    """Estonia's plan submitted on 2025-06-20, before its deadline; the mails sent."""
    with time_machine.travel(at("2025-06-20 10:30"), tick=False), django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        receipt = services.plan_submit(plan=plan, actor=as_alice)
    return receipt


def test_submission_sends_a_receipt_to_the_delegation_and_a_notice_to_staff(submitted):
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["alice@ee.example.org", "charlie@staff.example.org"]
    receipt = by_recipient["alice@ee.example.org"]
    assert receipt.subject == "Receipt: Estonia plan 2025, version 1"
    assert f"SHA-256: {submitted.sha256}" in receipt.body
    assert "Version: 1" in receipt.body
    assert "Received at: 2025-06-20 10:30 UTC" in receipt.body
    assert "Effective deadline: 2025-06-30 23:59 UTC" in receipt.body
    assert "This submission is on time." in receipt.body
    assert f"/admin/plans/plan/{submitted.plan.pk}/" in by_recipient["charlie@staff.example.org"].body
    assert by_recipient["charlie@staff.example.org"].subject == "Submitted: Estonia plan 2025, version 1"
    assert sorted(Notification.objects.values_list("kind", "status")) == [
        (NotificationKind.RECEIPT, NotificationStatus.SENT),
        (NotificationKind.STAFF_SUBMISSION, NotificationStatus.SENT),
    ]


def test_a_late_submission_receipt_says_so(ladder_cycle, estonia, alice, as_alice, django_capture_on_commit_callbacks):
    with time_machine.travel(at("2025-07-02 08:00"), tick=False), django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        services.plan_submit(plan=plan, actor=as_alice)
    [receipt] = [m for m in mail.outbox if m.to == ["alice@ee.example.org"]]
    assert "This submission is late." in receipt.body


def test_return_tells_the_delegation_why(submitted, as_charlie, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_return(
            plan=submitted.plan, actor=as_charlie, comment="Figures do not add up.", reasons=["inconsistent_figures"]
        )
    [message] = mail.outbox
    assert (message.to, message.subject) == (["alice@ee.example.org"], "Returned for revision: Estonia plan 2025")
    assert "Version 1 of the plan of Estonia for 2025 was returned for revision." in message.body
    assert "Figures do not add up." in message.body
    assert "inconsistent_figures" in message.body


def test_acceptance_is_announced_to_the_delegation(submitted, as_charlie, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_start_review(plan=submitted.plan, actor=as_charlie)
        services.plan_accept(plan=submitted.plan, actor=as_charlie, comment="Thank you.")
    [message] = mail.outbox
    assert (message.to, message.subject) == (["alice@ee.example.org"], "Accepted: Estonia plan 2025")
    assert "Thank you." in message.body


def test_a_french_delegate_gets_the_receipt_in_french(
    ladder_cycle, estonia, alice, as_alice, django_capture_on_commit_callbacks
):
    DelegateFactory(user=UserFactory(email="aurelie@ee.example.org", language="fr"), member=estonia)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        services.plan_submit(plan=plan, actor=as_alice)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert by_recipient["aurelie@ee.example.org"].subject == "Accusé de réception : plan 2025 de Estonie, version 1"
    assert by_recipient["alice@ee.example.org"].subject == "Receipt: Estonia plan 2025, version 1"
    assert 'lang="fr"' in by_recipient["aurelie@ee.example.org"].alternatives[0][0]


def test_the_event_task_running_twice_sends_each_mail_once(submitted):
    version = submitted.version
    again = notify_plan_event.apply(
        kwargs={"plan_id": submitted.plan.pk, "event": "submitted", "version_id": version.pk}
    )
    assert (again.get(), len(mail.outbox)) == (0, 2)


def test_nothing_is_sent_for_a_submission_that_rolled_back(
    ladder_cycle, estonia, alice, as_alice, django_capture_on_commit_callbacks
):
    plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan

    def submit_then_fail():
        with transaction.atomic():
            services.plan_submit(plan=plan, actor=as_alice)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError, match="rolled back"):
        submit_then_fail()
    assert (Notification.objects.count(), mail.outbox) == (0, [])
