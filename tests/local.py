"""Local servers and waiting, for tests that start real processes or listen on real ports."""

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A local port nothing listens on now (a server may take it; a client finds it closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float = 60, step: float = 0.2) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; its last answer either way."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


@contextmanager
def smtp_server(handler) -> Iterator[int]:
    """A real SMTP server (aiosmtpd) on a free local port with `handler`; yields the port."""
    # aiosmtpd checks its own port on start, so it needs a real one rather than 0.
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
