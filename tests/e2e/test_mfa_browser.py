"""The second step of sign-in in a real browser: a submitter's first sign-in enrols an authenticator
app (and is shown recovery codes), the next sign-in asks for its code, a lost phone is replaced by a
recovery code; and a passkey on Chromium's virtual authenticator."""

import base64
import os
import re

import pytest
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from members.enums import Role
from tests.e2e.browser import chromium, csp_violations, sign_in_with_app
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member
from tests.signin import PASSWORD, code_now, later

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_first_sign_in_enrols_an_app_then_signs_in_with_its_code_and_a_recovery_code(live_server):
    CycleFactory(year=2025)
    alice = DelegateFactory(
        user=UserFactory(email="alice@ee.example.org"), member=member("EE"), role=Role.SUBMITTER
    ).user
    console: list[str] = []
    with chromium() as context:
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page.get_by_role("heading", name="Set up the second step of sign-in")).to_be_visible()
        page.get_by_role("link", name="An authenticator app on your phone").click()
        expect(
            page.get_by_role("img", name="In your authenticator app, add an account and scan this QR code.")
        ).to_be_visible()
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        device = TOTPDevice.objects.get(user=alice, confirmed=False)
        assert base64.b32encode(device.bin_key).decode().rstrip("=") == secret  # what a phone would read

        page.get_by_label("Code from the app").fill(code_now(device))
        page.get_by_role("button", name="Confirm the app").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        codes = page.locator("#recovery-codes code").all_inner_texts()
        assert [bool(re.fullmatch(r"([a-z2-7]{4}-){5}[a-z2-7]{4}", code)) for code in codes] == [True] * 10
        page.get_by_role("link", name="I have kept them: continue").click()
        expect(page.get_by_role("heading", name="Delegation of Estonia")).to_be_visible()

        page.get_by_role("button", name="Sign out").click()
        with later(31):  # the next 30-second code: each code signs in once
            sign_in_with_app(page, live_server.url, alice.email, TOTPDevice.objects.get(user=alice))
            expect(page.get_by_role("heading", name="Delegation of Estonia")).to_be_visible()

        # The phone is lost: a recovery code instead of the app's code.
        page.get_by_role("button", name="Sign out").click()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("You used a recovery code; 9 remain.")).to_be_visible()
        expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
        assert csp_violations(page, console) == []


def test_a_passkey_is_added_and_then_signs_in(live_server):
    alice = DelegateFactory(
        user=UserFactory(email="alice@ee.example.org"), member=member("EE"), role=Role.SUBMITTER
    ).user
    console: list[str] = []
    with (
        override_settings(
            PASSKEYS_ENABLED=True, OTP_WEBAUTHN_RP_ID="localhost", OTP_WEBAUTHN_ALLOWED_ORIGINS=[live_server.url]
        ),
        chromium() as context,
    ):
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text))
        # Chromium's virtual authenticator stands in for a security key with a PIN.
        session = context.new_cdp_session(page)
        session.send("WebAuthn.enable")
        session.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "usb",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="A passkey").click()
        page.get_by_role("button", name="Create a passkey").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        page.get_by_role("link", name="I have kept them: continue").click()
        expect(page.get_by_role("heading", name="Delegation of Estonia")).to_be_visible()

        page.get_by_role("button", name="Sign out").click()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Use a passkey").click()
        expect(page.get_by_role("heading", name="Delegation of Estonia")).to_be_visible()
        assert csp_violations(page, console) == []
