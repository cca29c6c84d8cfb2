"""JSON log lines with a request id, which the answer also carries."""

import io
import json
import logging

import pytest
from django.conf import settings

from config.logging import logging_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the root logger writes, through the service's JSON formatter."""
    stream = io.StringIO()
    formatter_config = logging_config(level="INFO", fmt="json")["formatters"]["structured"]
    factory = formatter_config.pop("()")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**formatter_config))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_every_answer_carries_a_new_request_id(client):
    first, second = client.get("/accounts/login/", secure=True), client.get("/accounts/login/", secure=True)
    assert len(first["X-Request-ID"]) == 32
    assert len(second["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_client_request_id_is_ignored_unless_the_proxy_is_trusted(client, settings):
    settings.REQUEST_ID_TRUST_HEADER = False
    response = client.get("/accounts/login/", secure=True, HTTP_X_REQUEST_ID="proxy-id-0123456789")
    assert response["X-Request-ID"] != "proxy-id-0123456789"


def test_a_trusted_proxy_request_id_is_kept(client, settings):
    settings.REQUEST_ID_TRUST_HEADER = True
    response = client.get("/accounts/login/", secure=True, HTTP_X_REQUEST_ID="proxy-id-0123456789")
    assert response["X-Request-ID"] == "proxy-id-0123456789"


@pytest.mark.parametrize("supplied", ["short", "x" * 129, "spaces are not allowed", 'a"quote-0123456789'])
def test_a_malformed_request_id_is_replaced_even_from_a_trusted_proxy(client, settings, supplied):
    settings.REQUEST_ID_TRUST_HEADER = True
    response = client.get("/accounts/login/", secure=True, HTTP_X_REQUEST_ID=supplied)
    assert (response["X-Request-ID"] != supplied, len(response["X-Request-ID"])) == (True, 32)


def test_request_log_lines_are_json_with_the_request_id(client, log_lines, alice):
    client.force_login(alice)
    response = client.get("/", secure=True, HTTP_X_REQUEST_ID="ignored-untrusted-id")
    finished = [line for line in log_lines() if line["event"] == "request_finished"]
    assert len(finished) == 1
    line = finished[0]
    assert (line["request_id"], line["code"], line["user_id"], line["level"]) == (
        response["X-Request-ID"],
        response.status_code,
        alice.pk,
        "info",
    )
    assert line["request"] == "GET /"


def test_standard_library_loggers_get_the_request_id_too(client, log_lines, settings):
    """A module's logging.getLogger(__name__) line inside a request carries the id (core.queue's here)."""
    settings.CELERY_BROKER_URL = ""
    import structlog

    from core.queue import enqueue

    with structlog.contextvars.bound_contextvars(request_id="req-from-a-request"):
        enqueue("core.no_such_task")
    lines = [line for line in log_lines() if line["logger"] == "core.queue"]
    assert [(line["request_id"], line["level"]) for line in lines] == [("req-from-a-request", "error")]
    assert "NotRegistered" in lines[0]["exception"]


def test_logs_are_json_unless_debug():
    assert settings.LOG_FORMAT == "json"
