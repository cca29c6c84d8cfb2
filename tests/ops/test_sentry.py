"""Sentry: events go to SENTRY_DSN when it is set, and nowhere when it is not."""

import gzip
import http.server
import threading

from tests.plans.test_settings import start

CAPTURE = (
    "import django; django.setup(); import sentry_sdk, structlog; "
    "structlog.contextvars.bind_contextvars(request_id='req-0123456789'); "
    "sentry_sdk.capture_message('restore drill'); sentry_sdk.flush(timeout=10); "
    "print(sentry_sdk.get_client().is_active())"
)


class Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_event_reaches_the_dsn_tagged_with_the_request_id(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://public@127.0.0.1:{server.server_port}/1"
        result = start({"DEBUG": "true", "SENTRY_DSN": dsn}, tmp_path, "-c", CAPTURE)
    finally:
        server.shutdown()
    assert (result.returncode, result.stdout.strip().splitlines()[-1]) == (0, "True"), result.stderr
    events = [body for body in Collector.received if b"restore drill" in body]
    assert len(events) == 1
    assert b'"request_id":"req-0123456789"' in events[0].replace(b" ", b"")


def test_without_a_dsn_the_sdk_is_not_started(tmp_path):
    result = start({"DEBUG": "true"}, tmp_path, "-c", CAPTURE)
    assert (result.returncode, result.stdout.strip().splitlines()[-1]) == (0, "False"), result.stderr
