"""The second step of sign-in: required for staff and submitters, optional for others, enrolled on
first sign-in, verified at every sign-in, with recovery codes for a lost device."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.enums import SecurityEventKind
from core.models import SecurityEvent
from members import mfa
from members.actors import Actor
from members.models import RecoveryCode, RecoveryCodeDevice
from tests.signin import authenticator_for, code_now, later, sign_in, sign_in_password

pytestmark = pytest.mark.django_db


def secret_of(response) -> str:
    return re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', response.content.decode()).group(1)


def events(kind: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).order_by("id"))


def test_the_policy_per_role_is_one_table():
    assert mfa.MFA_POLICY == {
        "staff": mfa.REQUIRED,
        "submitter": mfa.REQUIRED,
        "editor": mfa.OPTIONAL,
        "viewer": mfa.OPTIONAL,
    }


def test_staff_signing_in_to_the_admin_must_enrol_before_anything(charlie):
    client = Client()
    client.post(reverse("admin:login"), {"username": charlie.email, "password": "correct-horse-battery"})
    response = client.get("/admin/plans/plan/")
    assert response["Location"] == f"{reverse('mfa-setup')}?next=%2Fadmin%2Fplans%2Fplan%2F"
    assert client.get("/admin/").status_code == 302


def test_submitter_first_sign_in_enrols_an_app_gets_recovery_codes_and_reaches_the_page(alice, plan):
    client = Client()
    assert sign_in_password(client, alice.email)["Location"] == "/"
    assert client.get("/")["Location"] == f"{reverse('mfa-setup')}?next=%2F"
    setup = client.get(f"{reverse('mfa-setup')}?next=/")
    assert f'href="{reverse("mfa-totp")}?next=/"' in setup.content.decode()

    page = client.get(f"{reverse('mfa-totp')}?next=/")
    assert page["Cache-Control"] == "no-store"
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert secret_of(page).replace(" ", "") == mfa.totp_secret(device).replace(" ", "")

    wrong = client.post(reverse("mfa-totp"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"] == [
        "That code does not match. Check the app's clock and type the code it shows now."
    ]
    with later():  # past the one-second wait django-otp imposes after a failure
        confirmed = client.post(reverse("mfa-totp"), {"code": code_now(device), "next": "/"})
    codes = confirmed.context["codes"]
    assert (confirmed.status_code, len(codes), confirmed["Cache-Control"]) == (200, 10, "no-store")
    assert all(re.fullmatch(r"([a-z2-7]{4}-){5}[a-z2-7]{4}", code) for code in codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    assert client.get("/").status_code == 200
    assert [e.user for e in events(SecurityEventKind.MFA_DEVICE_ADDED)] == [alice]


def test_recovery_codes_are_stored_as_hashes_only(alice):
    codes = mfa.mfa_recovery_codes_issue(user=alice)
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest or code in digest for code in codes for digest in stored)


def test_next_sign_in_asks_for_the_code_and_a_right_code_opens_the_page(alice, plan):
    device = authenticator_for(alice)
    client = Client()
    sign_in_password(client, alice.email)
    assert client.get("/")["Location"] == f"{reverse('mfa-verify')}?next=%2F"
    response = client.post(reverse("mfa-verify"), {"code": code_now(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    verified = events(SecurityEventKind.MFA_VERIFIED)
    assert [(e.user, e.detail["method"], e.ip_address) for e in verified] == [(alice, "totp", "127.0.0.1")]


def test_a_wrong_code_is_refused_logged_and_the_next_try_must_wait(alice):
    device = authenticator_for(alice)
    client = Client()
    sign_in_password(client, alice.email)
    refused = client.post(reverse("mfa-verify"), {"code": "123456", "next": "/"})
    assert refused.status_code == 400
    # django-otp's throttle: right after a failure even the right code is refused.
    assert client.post(reverse("mfa-verify"), {"code": code_now(device), "next": "/"}).status_code == 400
    assert client.get("/")["Location"].startswith(reverse("mfa-verify"))
    assert len(events(SecurityEventKind.MFA_FAILED)) == 2


def test_a_lost_device_is_replaced_with_a_recovery_code_used_once(alice, plan):
    authenticator_for(alice)
    codes = mfa.mfa_recovery_codes_issue(user=alice)
    client = Client()
    sign_in_password(client, alice.email)
    used = client.post(reverse("mfa-verify"), {"code": codes[3].upper(), "next": "/"})
    assert used["Location"] == f"{reverse('mfa-manage')}?next=/"
    assert client.get("/").status_code == 200
    assert RecoveryCodeDevice.objects.get(user=alice).remaining == 9
    recovered = events(SecurityEventKind.MFA_RECOVERY_CODE_USED)
    assert [(e.user, e.detail["remaining"]) for e in recovered] == [(alice, 9)]

    again = Client()
    sign_in_password(again, alice.email)
    with later():
        assert again.post(reverse("mfa-verify"), {"code": codes[3], "next": "/"}).status_code == 400


def test_viewers_and_editors_may_go_without_a_second_step(victor, erin, plan):
    for person in (victor, erin):
        client = Client()
        sign_in_password(client, person.email)
        assert client.get("/").status_code == 200


def test_a_viewer_who_added_an_app_is_asked_for_it(victor, plan):
    authenticator_for(victor)
    client = Client()
    sign_in_password(client, victor.email)
    assert client.get("/")["Location"] == f"{reverse('mfa-verify')}?next=%2F"


def test_a_password_alone_cannot_add_a_method_to_an_account_that_has_one(alice):
    authenticator_for(alice)
    client = Client()
    sign_in_password(client, alice.email)
    for name in ("mfa-totp", "mfa-passkey", "mfa-manage"):
        assert client.get(reverse(name))["Location"].startswith(reverse("mfa-verify"))
    assert client.post(reverse("mfa-recovery-codes"))["Location"].startswith(reverse("mfa-verify"))
    begin = client.post(reverse("passkey-registration-begin"), content_type="application/json")
    assert (begin.status_code, begin.json()["code"]) == (403, "user_not_verified")
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_session_api_calls_need_the_second_step_but_api_keys_do_not(alice, plan, estonia):
    from members.services import api_key_issue

    client = Client()
    sign_in_password(client, alice.email)
    refused = client.get("/api/v1/plans/")
    assert (refused.status_code, refused.json()["code"]) == (403, "mfa_required")
    _record, key = api_key_issue(actor=Actor.system(), member=estonia, name="erp", scopes=["read"])
    assert Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_a_submitter_keeps_at_least_one_method(alice):
    device = authenticator_for(alice)
    client = Client()
    sign_in(client, alice.email, device)
    response = client.post(reverse("mfa-remove"), {"device": device.persistent_id}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Your role needs a second step: add another method before removing this one."
    ]
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_viewer_may_remove_their_app_and_it_is_logged(victor):
    device = authenticator_for(victor)
    client = Client()
    sign_in(client, victor.email, device)
    client.post(reverse("mfa-remove"), {"device": device.persistent_id})
    assert TOTPDevice.objects.filter(user=victor).count() == 0
    assert [e.user for e in events(SecurityEventKind.MFA_DEVICE_REMOVED)] == [victor]


def test_another_users_device_cannot_be_removed(alice, victor):
    theirs = authenticator_for(alice)
    device = authenticator_for(victor)
    client = Client()
    sign_in(client, victor.email, device)
    response = client.post(reverse("mfa-remove"), {"device": theirs.persistent_id}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["That sign-in method is not yours or is already removed."]
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_new_recovery_codes_replace_the_old_ones(alice):
    device = authenticator_for(alice)
    old = mfa.mfa_recovery_codes_issue(user=alice)
    client = Client()
    sign_in(client, alice.email, device)
    new = client.post(reverse("mfa-recovery-codes"), {"next": "/"}).context["codes"]
    assert set(new).isdisjoint(old)
    assert RecoveryCodeDevice.objects.get(user=alice).remaining == 10
    assert RecoveryCodeDevice.objects.filter(user=alice).count() == 1


def test_the_verify_page_is_not_a_way_around_the_next_parameter(alice):
    device = authenticator_for(alice)
    client = Client()
    sign_in_password(client, alice.email)
    response = client.post(reverse("mfa-verify"), {"code": code_now(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_second_step_pages_in_french(alice):
    from django.conf import settings

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    sign_in_password(client, alice.email)
    setup = client.get(reverse("mfa-setup")).content.decode()
    assert "Configurer la deuxième étape de connexion" in setup
    page = client.get(reverse("mfa-totp")).content.decode()
    assert '<label for="id_code">Code de l’application' in page


def test_an_authenticator_code_signs_in_once(alice):
    device = authenticator_for(alice)
    code = code_now(device)
    first = Client()
    sign_in_password(first, alice.email)
    assert first.post(reverse("mfa-verify"), {"code": code, "next": "/"})["Location"] == "/"
    replay = Client()
    sign_in_password(replay, alice.email)
    assert replay.post(reverse("mfa-verify"), {"code": code, "next": "/"}).status_code == 400


def test_a_password_reset_does_not_sign_in_nor_skip_the_second_step(alice, django_capture_on_commit_callbacks):
    from django.conf import settings
    from django.core import mail

    authenticator_for(alice)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": alice.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    form = client.get(link.split(settings.SITE_URL, 1)[1], follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-long-pass-7", "new_password2": "a-new-long-pass-7"}
    )
    assert client.get("/")["Location"] == f"{reverse('login')}?next=/"
    sign_in_password(client, alice.email, "a-new-long-pass-7")
    assert client.get("/")["Location"] == f"{reverse('mfa-verify')}?next=%2F"


def test_a_superuser_removes_a_lost_second_step_and_the_person_enrols_again(alice, django_user_model):
    device = authenticator_for(alice)
    mfa.mfa_recovery_codes_issue(user=alice)
    root = django_user_model.objects.create_superuser(email="root@staff.example.org", password="x-long-password-1")
    admin = Client()
    admin.force_login(root)
    page = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page  # the admin never shows the key a phone holds
    recovery = RecoveryCodeDevice.objects.get(user=alice)
    admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    admin.post(f"/admin/members/recoverycodedevice/{recovery.pk}/delete/", {"post": "yes"})
    client = Client()
    sign_in_password(client, alice.email)
    assert client.get("/")["Location"] == f"{reverse('mfa-setup')}?next=%2F"
