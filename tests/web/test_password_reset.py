"""Password reset and invitations: links that expire, requests limited, mails through the queue."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.enums import SecurityEventKind
from core.models import SecurityEvent
from members.actors import Actor
from members.models import User
from members.services import delegate_add, member_by_code
from tests.factories import UserFactory
from tests.signin import sign_in_password

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-long-passphrase-7"


def ask_reset(client, email, callbacks):
    with callbacks(execute=True):
        return client.post(reverse("password_reset"), {"email": email})


def link_in(message, marker: str) -> str:
    line = next(line for line in message.body.splitlines() if marker in line)
    return line.split(settings.SITE_URL, 1)[1]


def set_password_through(client, path: str, password: str = NEW_PASSWORD):
    form = client.get(path, follow=True)
    if not form.context["validlink"]:
        return form
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_reset_mail_goes_through_the_task_queue_after_commit(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@ee.example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("password_reset"), {"email": "dana@ee.example.org"})
    assert (len(callbacks), mail.outbox) == (1, [])  # queued, not sent within the request
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["dana@ee.example.org"]]
    assert "expires after 1 hour" in mail.outbox[0].body


def test_the_reset_link_works_for_an_hour_only(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@ee.example.org")
    with time_machine.travel("2025-03-01 10:00Z", tick=False) as clock:
        ask_reset(client, "dana@ee.example.org", django_capture_on_commit_callbacks)
        path = link_in(mail.outbox[0], "/accounts/reset/")
        clock.shift(timedelta(minutes=61))
        assert client.get(path, follow=True).context["validlink"] is False
        clock.shift(timedelta(minutes=-2))
        assert client.get(path, follow=True).context["validlink"] is True


def test_reset_requests_are_limited_per_account_without_saying_so(client, django_capture_on_commit_callbacks):
    UserFactory(email="dana@ee.example.org")
    answers = {
        ask_reset(Client(REMOTE_ADDR=f"203.0.113.{n}"), "dana@ee.example.org", django_capture_on_commit_callbacks)[
            "Location"
        ]
        for n in range(1, settings.PASSWORD_RESET_PER_ACCOUNT + 3)
    }
    assert answers == {reverse("password_reset_done")}
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ACCOUNT
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_THROTTLED).count() == 2


def test_reset_requests_are_limited_per_address(client, django_capture_on_commit_callbacks):
    for n in range(settings.PASSWORD_RESET_PER_ADDRESS):
        ask_reset(client, f"someone{n}@example.org", django_capture_on_commit_callbacks)
    refused = ask_reset(client, "another@example.org", django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert "Too many reset requests came from your network" in refused.content.decode()
    assert ask_reset(Client(REMOTE_ADDR="198.51.100.7"), "x@example.org", django_capture_on_commit_callbacks)[
        "Location"
    ] == reverse("password_reset_done")


def test_a_new_delegate_is_invited_with_a_link_to_choose_a_password(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delegate_add(
            actor=Actor.system(), email="new@ee.example.org", member=member_by_code("EE"), role="editor", language="fr"
        )
    assert [m.to for m in mail.outbox] == [["new@ee.example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Votre compte sur le service des plans industriels de défense"
    client = Client()
    done = set_password_through(client, link_in(message, "/accounts/invitation/"))
    assert done["Location"] == reverse("invitation_done")
    assert sign_in_password(client, "new@ee.example.org", NEW_PASSWORD).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.INVITATION_SENT).count() == 1


def test_the_add_delegate_command_invites_too(django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("add_delegate", "cmd@ee.example.org", "--member", "EE", "--role", "viewer")
    assert [m.to for m in mail.outbox] == [["cmd@ee.example.org"]]
    assert "Invitation queued: cmd@ee.example.org" in capsys.readouterr().out


def test_a_delegate_given_a_password_is_not_invited(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delegate_add(
            actor=Actor.system(),
            email="pw@ee.example.org",
            member=member_by_code("EE"),
            role="viewer",
            password=NEW_PASSWORD,
        )
    assert mail.outbox == []


def test_the_invitation_link_expires_and_the_reset_form_then_reaches_the_invited(django_capture_on_commit_callbacks):
    with time_machine.travel("2025-03-01 10:00Z", tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            delegate_add(actor=Actor.system(), email="late@ee.example.org", member=member_by_code("EE"), role="viewer")
        path = link_in(mail.outbox[0], "/accounts/invitation/")
        clock.shift(timedelta(seconds=settings.INVITATION_TIMEOUT + 1))
        expired = Client().get(path, follow=True)
        assert expired.context["validlink"] is False
        # The user has no usable password yet: Django's own reset form would skip them.
        assert User.objects.get(email="late@ee.example.org").has_usable_password() is False
        ask_reset(Client(), "late@ee.example.org", django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["late@ee.example.org"], ["late@ee.example.org"]]
    assert "/accounts/reset/" in mail.outbox[1].body


def test_an_invitation_link_is_no_reset_link_and_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delegate_add(actor=Actor.system(), email="both@ee.example.org", member=member_by_code("EE"), role="viewer")
    invitation = link_in(mail.outbox[0], "/accounts/invitation/")
    as_reset = invitation.replace("/accounts/invitation/", "/accounts/reset/")
    assert Client().get(as_reset, follow=True).context["validlink"] is False


def test_a_deactivated_user_gets_no_reset_mail(client, django_capture_on_commit_callbacks):
    UserFactory(email="gone@ee.example.org", is_active=False)
    ask_reset(client, "gone@ee.example.org", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_delegate_added_in_the_admin_is_invited_once(settings, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    from tests.factories import StaffFactory

    settings.SECURE_SSL_REDIRECT = False
    manager = StaffFactory(email="max@staff.example.org")
    manager.groups.add(Group.objects.get(name="Cycle managers"))
    client = Client()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_delegate_add"),
            {"email": "head@lv.example.org", "member": member_by_code("LV").pk, "role": "submitter"},
            follow=True,
        )
    assert [str(m) for m in response.context["messages"]][0] == (
        "head@lv.example.org is invited: an e-mail with a link to choose a password is on its way."
    )
    # The form's check runs the service in a rolled-back savepoint: that run queues nothing.
    assert [m.to for m in mail.outbox] == [["head@lv.example.org"]]
    assert "/accounts/invitation/" in mail.outbox[0].body
