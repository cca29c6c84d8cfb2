"""Signing in as a person does, for tests of sign-in: password, then the second step."""

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery"


def authenticator_for(user) -> TOTPDevice:
    """A confirmed authenticator app (TOTP) for `user`, as if set up earlier."""
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code_now(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the app shows now (or at the Unix time `at`), as a person would read it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def sign_in_password(client, email: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def sign_in(client, email: str, device: TOTPDevice, password: str = PASSWORD):
    """Password then authenticator code; returns the response to the code."""
    sign_in_password(client, email, password)
    return client.post(reverse("mfa-verify"), {"code": code_now(device), "next": "/"})


def later(seconds: int = 60):
    """Travel `seconds` ahead (past the wait django-otp imposes after a failed code)."""
    import time_machine

    return time_machine.travel(time.time() + seconds, tick=True)
