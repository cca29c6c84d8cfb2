"""Guessing passwords: paused per account and per address, never in a way that locks the real user
out; the client's address from the proxy only when the proxy is named; spraying detected."""

import pytest
import time_machine
from axes.helpers import get_client_str
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from core.enums import SecurityEventKind
from core.models import SecurityEvent
from core.security import client_ip
from members.signin import DEVICE_COOKIE
from tests.factories import UserFactory
from tests.signin import PASSWORD, sign_in_password

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


def fail(client, email, times=1, **extra):
    for _ in range(times):
        client.post(reverse("login"), {"username": email, "password": "wrong-password"}, **extra)


def via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


# The client's address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        ([], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, PROXY),
        (["10.0.0.2/32"], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "203.0.113.9"),
        (["10.0.0.2"], {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "10.0.0.9"),
        (
            ["10.0.0.0/24"],
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.7"},
            "203.0.113.9",
        ),
        (["10.0.0.2"], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, not-an-ip"}, PROXY),
        (["10.0.0.2"], {"REMOTE_ADDR": PROXY}, PROXY),
    ],
)
def test_the_forwarded_address_counts_only_from_a_named_proxy(settings, proxies, meta, expected):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network(item) for item in proxies]
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_behind_the_named_proxy_a_spraying_client_is_paused_and_others_are_not(settings, alice):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]
    attacker = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        UserFactory(email=f"target{index}@example.org")
        fail(attacker, f"target{index}@example.org", **via_proxy("203.0.113.9"))
    paused = attacker.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, **via_proxy("203.0.113.9")
    )
    assert paused.status_code == 429
    colleague = Client()
    ok = colleague.post(reverse("login"), {"username": alice.email, "password": PASSWORD}, **via_proxy("198.51.100.7"))
    assert ok.status_code == 302


def test_spraying_one_password_over_accounts_is_logged_once_per_address(settings):
    for index in range(settings.SIGN_IN_SPRAYING_ACCOUNTS + 2):
        UserFactory(email=f"staff{index}@example.org")
        fail(Client(), f"staff{index}@example.org")
    spraying = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_SPRAYING)
    assert [(event.ip_address, event.detail["accounts"]) for event in spraying] == [
        ("127.0.0.1", settings.SIGN_IN_SPRAYING_ACCOUNTS)
    ]


# Pausing that cannot be held against the real user ----------------------------------------------


def test_an_attacker_pausing_the_account_does_not_pause_the_browser_that_signed_in_before(alice):
    browser = Client()
    assert sign_in_password(browser, alice.email).cookies[DEVICE_COOKIE].value
    browser.post(reverse("logout"))
    attacker = Client()  # the same address: behind a proxy nobody named, everyone shares one
    fail(attacker, alice.email, settings.AXES_FAILURE_LIMIT)
    assert sign_in_password(attacker, alice.email).status_code == 429
    assert sign_in_password(browser, alice.email).status_code == 302


def test_the_reset_link_lifts_the_pause_for_the_real_user(alice, django_capture_on_commit_callbacks):
    fail(Client(), alice.email, settings.AXES_FAILURE_LIMIT)
    owner = Client()
    assert sign_in_password(owner, alice.email).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("password_reset"), {"email": alice.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    form = owner.get(link.split(settings.SITE_URL, 1)[1], follow=True)
    new_password = "a-new-long-passphrase-7"
    owner.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert sign_in_password(owner, alice.email, new_password).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_SET, user=alice).count() == 1


def test_a_device_cookie_has_its_own_failure_budget(alice):
    browser = Client()
    sign_in_password(browser, alice.email)
    browser.post(reverse("logout"))
    fail(Client(), alice.email, settings.AXES_FAILURE_LIMIT)  # the account is paused for others
    fail(browser, alice.email, settings.DEVICE_COOKIE_FAILURE_LIMIT)  # a stolen cookie guessing
    assert sign_in_password(browser, alice.email).status_code == 429


def test_a_device_cookie_of_another_account_does_not_help(alice, bob):
    browser = Client()
    sign_in_password(browser, bob.email)
    browser.post(reverse("logout"))
    fail(Client(), alice.email, settings.AXES_FAILURE_LIMIT)
    assert sign_in_password(browser, alice.email).status_code == 429


def test_a_pause_ends_after_the_cool_off_however_often_the_attacker_retries(alice):
    with time_machine.travel("2025-03-01 10:00Z", tick=False) as clock:
        attacker = Client()
        fail(attacker, alice.email, settings.AXES_FAILURE_LIMIT)
        clock.shift(settings.AXES_COOLOFF_TIME / 2)
        fail(attacker, alice.email, 20)  # hammering a paused account does not extend the pause
        clock.shift(settings.AXES_COOLOFF_TIME / 2)
        clock.shift(1)
        assert sign_in_password(Client(), alice.email).status_code == 302


def test_case_and_spaces_do_not_make_a_new_account_to_guess(alice):
    attacker = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        variant = alice.email.upper() if index % 2 else f" {alice.email.title()}"
        fail(attacker, variant, REMOTE_ADDR=f"203.0.113.{index + 1}")
    assert sign_in_password(Client(REMOTE_ADDR="198.51.100.7"), alice.email).status_code == 429


# What is kept and logged --------------------------------------------------------------------------


def test_a_success_keeps_the_failures_before_it_and_the_log_names_account_and_address(alice):
    client = Client()
    fail(client, alice.email, 2)
    sign_in_password(client, alice.email)
    assert AccessAttempt.objects.get(username=alice.email).failures_since_start == 2
    events = SecurityEvent.objects.filter(kind__in=[SecurityEventKind.SIGN_IN_FAILED, SecurityEventKind.SIGN_IN])
    assert [(e.kind, e.user, e.identifier, e.ip_address) for e in events.order_by("id")] == [
        (SecurityEventKind.SIGN_IN_FAILED, alice, alice.email, "127.0.0.1"),
        (SecurityEventKind.SIGN_IN_FAILED, alice, alice.email, "127.0.0.1"),
        (SecurityEventKind.SIGN_IN, alice, alice.email, "127.0.0.1"),
    ]


def test_a_failure_for_an_unknown_address_is_logged_with_what_was_typed(db):
    fail(Client(), "nobody@example.org")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    assert (event.user, event.identifier, event.ip_address) == (None, "nobody@example.org", "127.0.0.1")


def test_the_axes_log_line_names_the_account_and_the_address():
    request = RequestFactory().post("/accounts/login/")
    line = get_client_str("alice@ee.example.org", "203.0.113.9", "agent", "/accounts/login/", request)
    assert 'username: "alice@ee.example.org"' in line
    assert 'ip_address: "203.0.113.9"' in line


def test_a_pause_is_logged(alice):
    fail(Client(), alice.email, settings.AXES_FAILURE_LIMIT)
    paused = SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN_PAUSED)
    assert [(e.user, e.ip_address) for e in paused] == [(alice, "127.0.0.1")]
