from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.signin import authenticator_for, code_now

PASSWORD = "correct-horse-battery"


@pytest.fixture
def client():
    return Client()


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next=/")


def test_sign_in_with_email_password_and_code_opens_the_dashboard(client, alice, plan):
    device = authenticator_for(alice)
    response = sign_in(client, "alice@ee.example.org")
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    second = client.post(reverse("mfa-verify"), {"code": code_now(device), "next": "/"})
    assert second["Location"] == reverse("home")
    page = client.get(reverse("home"))
    assert page.context["member"].code == "EE"


def test_wrong_password_is_refused_with_a_message(client, alice):
    response = sign_in(client, "alice@ee.example.org", "wrong-password")
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [
        "That e-mail address and password do not match an account. Check both and try again."
    ]
    assert "_auth_user_id" not in client.session


def test_repeated_failures_pause_sign_in_then_the_cool_off_ends(client, alice):
    with time_machine.travel("2025-03-01 10:00Z", tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "alice@ee.example.org", "wrong-password")
        locked = sign_in(client, "alice@ee.example.org")
        assert locked.status_code == 429
        assert "paused for 15 minutes" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        after = sign_in(client, "alice@ee.example.org")
        assert (after.status_code, client.session["_auth_user_id"]) == (302, str(alice.pk))


def test_failures_for_one_user_do_not_lock_out_another_elsewhere(client, alice, bob):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice@ee.example.org", "wrong-password")
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, "bob@lv.example.org").status_code == 302


def test_sign_out_needs_a_post(client, alice):
    sign_in(client, "alice@ee.example.org")
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert "_auth_user_id" not in client.session


def test_session_expires_after_inactivity(client, alice):
    device = authenticator_for(alice)
    with time_machine.travel("2025-03-01 10:00Z", tick=False) as clock:
        sign_in(client, "alice@ee.example.org")
        client.post(reverse("mfa-verify"), {"code": code_now(device)})
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get(reverse("home")).status_code == 200  # activity renews the session
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get(reverse("home"))
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next=/")


def test_password_reset_by_email_sets_a_new_password(client, db, django_capture_on_commit_callbacks):
    user = UserFactory(email="dana@ee.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "dana@ee.example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["dana@ee.example.org"]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split(settings.SITE_URL, 1)[1]  # links name the public site
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    new_password = "a-new-long-passphrase-7"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password) is True


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (response["Location"], mail.outbox) == (reverse("password_reset_done"), [])
