"""E-mails to the delegation about a comment from the secretariat and about an extended deadline."""

from datetime import timedelta

import pytest
from django.core import mail

from plans import services
from plans.enums import NotificationKind, NotificationStatus
from plans.models import Notification
from tests.factories import DelegateFactory, UserFactory, valid_content


@pytest.fixture
def plan(ladder_cycle, estonia, alice, as_alice):
    return services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan


@pytest.fixture
def french_delegate(estonia):
    return DelegateFactory(user=UserFactory(email="amelie@ee.example.org", language="fr"), member=estonia).user


def test_a_staff_comment_is_mailed_to_the_delegation_in_its_language(
    plan, charlie, french_delegate, as_charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(plan=plan, actor=as_charlie, body="Please add the stockpile figures.")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["alice@ee.example.org", "amelie@ee.example.org"]
    english, french = by_recipient["alice@ee.example.org"], by_recipient["amelie@ee.example.org"]
    assert english.subject == "New comment on the plan of Estonia for 2025"
    assert "Please add the stockpile figures." in english.body
    assert f"/plans/{plan.pk}/" in english.body
    assert french.subject == "Nouveau commentaire sur le plan de Estonie pour 2025"
    assert "Please add the stockpile figures." in french.body
    assert list(Notification.objects.values_list("kind", "status")) == [
        (NotificationKind.COMMENT, NotificationStatus.SENT)
    ]


def test_internal_comments_and_the_delegations_own_are_not_mailed(
    plan, as_alice, as_charlie, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(plan=plan, actor=as_charlie, body="Between us.", internal=True)
        services.comment_add(plan=plan, actor=as_alice, body="Our answer.")
    assert (mail.outbox, Notification.objects.count()) == ([], 0)


def test_a_comment_is_mailed_once_even_if_the_task_runs_twice(plan, as_charlie):
    from plans.notifications import send_comment_notice

    # The service writes the e-mail to the outbox in its own transaction; a task queued by an
    # older release for the same comment, run twice, adds nothing.
    comment = services.comment_add(plan=plan, actor=as_charlie, body="Once.")
    assert Notification.objects.filter(comment=comment).count() == 1
    assert [send_comment_notice(comment_id=comment.pk) for _ in range(2)] == [0, 0]
    assert Notification.objects.filter(comment=comment).count() == 1


def test_an_extension_is_mailed_to_the_delegation_with_its_new_deadline(
    ladder_cycle, estonia, alice, french_delegate, as_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.extension_grant(
            cycle=ladder_cycle,
            member=estonia,
            deadline=ladder_cycle.deadline + timedelta(days=14),
            reason="Elections.",
            actor=as_manager,
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english, french = by_recipient["alice@ee.example.org"], by_recipient["amelie@ee.example.org"]
    assert english.subject == "Deadline extended: Estonia plan 2025"
    assert "Effective deadline: 2025-07-14 23:59 UTC" in english.body
    assert "Reason: Elections." in english.body
    assert french.subject == "Échéance prolongée : plan 2025 de Estonie"

    # Granting the same deadline again tells nobody twice; a new deadline is news.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for days in (14, 21):
            services.extension_grant(
                cycle=ladder_cycle,
                member=estonia,
                deadline=ladder_cycle.deadline + timedelta(days=days),
                reason="Elections.",
                actor=as_manager,
            )
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@ee.example.org", "amelie@ee.example.org"]
    assert "2025-07-21 23:59 UTC" in mail.outbox[0].body
