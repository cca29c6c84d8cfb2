"""A cycle with a fixed deadline for the ladder tests: 2025-06-30 23:59 UTC, opened on 1 March."""

from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message

import pytest

from plans.models import Cycle
from tests.local import smtp_server as local_smtp_server

DEADLINE = datetime(2025, 6, 30, 23, 59, tzinfo=UTC)


def at(text: str) -> datetime:
    """An aware UTC moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@pytest.fixture
def ladder_cycle(db) -> Cycle:
    return Cycle.objects.create(year=2025, opens_at=at("2025-03-01 00:00"), deadline=DEADLINE)


class FlakySmtp:
    """aiosmtpd handler: answers the first `failures` messages with `reply`, then accepts."""

    def __init__(self):
        self.failures = 0
        self.reply = "451 4.3.0 Try again later"
        self.attempts = 0
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.attempts += 1
        if self.attempts <= self.failures:
            return self.reply
        message = message_from_bytes(envelope.original_content or envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings) -> Iterator[FlakySmtp]:
    """A real local SMTP server, and Django's SMTP backend pointed at it."""
    handler = FlakySmtp()
    with local_smtp_server(handler) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield handler


def text_body(message) -> str:
    """The text/plain part of a message received by the SMTP server."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""
