"""A real HTTP receiver on loopback that verifies Standard Webhooks signatures with the library."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    """Answers `status` (200 by default); keeps each verified call's (webhook-id, body) and each refused one.

    With `stall` > 0, that many verified calls are kept and then left without an answer (the
    receiver has the event, the sender waits) until `release` is set: `stalled` is set meanwhile.
    """

    def __init__(self, secret: str = "", port: int = 0, stall: int = 0):
        self.secrets = [secret] if secret else []
        self.status = 200
        self.stall = stall
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.received: list[tuple[str, dict]] = []
        self.refused: list[str] = []
        self.calls = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls it by this name
                receiver.calls += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {key.lower(): value for key, value in self.headers.items()}
                verified = None
                for secret in receiver.secrets:
                    try:
                        verified = Webhook(secret).verify(body, headers)
                        break
                    except WebhookVerificationError:
                        continue
                if verified is None:
                    receiver.refused.append(headers.get("webhook-id", ""))
                    self.send_response(401)
                    self.end_headers()
                    return
                if receiver.status < 300:
                    receiver.received.append((headers["webhook-id"], json.loads(body)))
                if receiver.stall > 0:
                    receiver.stall -= 1
                    receiver.stalled.set()
                    receiver.release.wait(timeout=120)
                self.send_response(receiver.status)
                if receiver.status in (301, 302, 307):
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                self.wfile.write(b"x" * 10_000 if receiver.status >= 500 else b"ok")

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
