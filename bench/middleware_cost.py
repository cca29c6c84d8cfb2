#!/usr/bin/env python
"""What each middleware costs an API request: the floor endpoint served in-process, all middleware
against all but one, interleaved.

    .venv/bin/python bench/middleware_cost.py [--requests 2000] [--rounds 3] [--path /api/v1/bench/floor/]

Uses the database of bench/api_benchmark.py (run that first: it fills it; --database-url to
change). Each round times `--requests` calls of the WSGI handler with the first k middleware of
MIDDLEWARE for every k (a middleware may need those before it); a middleware's cost is the step
it adds, the median over rounds, in microseconds per request. CPU time of this process only
(time.process_time), so the figures hold on a busy machine better than wall time.
"""

import argparse
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_benchmark import DEFAULT_DATABASE_URL, server_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--path", default="/api/v1/bench/floor/")
    args = parser.parse_args()
    os.environ.update(server_env(args.database_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
    filled = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "api_benchmark.py"), "--fill"],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(filled.stdout.strip().splitlines()[-1])["key"]

    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    def environ() -> dict:
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": args.path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {key}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }

    def per_request(middleware: list[str]) -> float:
        with override_settings(MIDDLEWARE=middleware):
            handler = WSGIHandler()
            for _ in range(50):  # warm up
                handler(environ(), lambda status, headers: None)
            start = time.process_time()
            for _ in range(args.requests):
                statuses = []
                body = handler(environ(), lambda status, headers, statuses=statuses: statuses.append(status))
                b"".join(body)
                body.close()
            elapsed = time.process_time() - start
            if not statuses[0].startswith("200"):
                raise SystemExit(f"{args.path} answered {statuses[0]}")
        return elapsed / args.requests * 1e6

    # Middleware depend on those before them (authentication on sessions), so each is measured
    # as the step from the first k-1 to the first k of the list.
    logging.disable(logging.CRITICAL)  # a failing step is reported once below, not logged per request
    full = list(settings.MIDDLEWARE)
    prefixes: list[list[float]] = [[] for _ in range(len(full) + 1)]
    for _ in range(args.rounds):
        for k in range(len(full) + 1):
            prefixes[k].append(per_request(full[:k]))
    medians = [statistics.median(times) for times in prefixes]
    print(f"\n{args.path}, {args.requests} requests x {args.rounds} rounds, CPU microseconds per request (median)\n")
    print(f"{'no middleware':60} {medians[0]:8.0f}")
    for k, name in enumerate(full, start=1):
        print(f"  + {name:56} {medians[k] - medians[k - 1]:8.0f}")
    print(f"{'all middleware':60} {medians[-1]:8.0f}")


if __name__ == "__main__":
    main()
