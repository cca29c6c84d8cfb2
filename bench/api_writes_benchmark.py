#!/usr/bin/env python
"""API writes under concurrency: create, one-field PATCH and submit of a 200-line plan, p95.

    .venv/bin/python bench/api_writes_benchmark.py [--clients 4] [--plans 8] [--lines 200]

Makes a fresh PostgreSQL database of its own (default plans_api_writes_bench, dropped first:
submitted versions cannot be deleted; --database-url to change), opens one cycle per plan each
client will write, issues a read/write/submit key for each client's member, and serves the app
as production does: gunicorn (2 sync workers, production settings, DEBUG off) and a Celery
worker on a Redis broker (`--broker`, default redis://127.0.0.1:6379/14, emptied before and
after), so a request queues its notifications and events and the worker sends them beside it,
on the same cores. Each client (a thread) then,
for each cycle in turn: creates its member's plan with `--lines` lines (POST), changes one
headline figure (PATCH with If-Match), and submits it (POST submit). The first plan of each
client warms up and is not counted. Prints each operation's p50, p95 and max in milliseconds
as the client saw them. Goal (issue 16): each p95 under 150 ms at 4 clients, 200 lines.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from statistics import median, quantiles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from api_benchmark import GUNICORN, PYTHON, server_env  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/plans_api_writes_bench"
MEMBERS = ["EE", "LV", "LT", "PL", "FI", "SE", "NO", "DK"]
FIRST_YEAR = 2040


def setup(clients: int, plans: int) -> None:
    """In a child process with the bench settings: cycles and keys; prints the keys as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from members.actors import Actor
    from members.models import Member
    from members.services import api_key_issue
    from plans.models import Cycle

    now = timezone.now()
    for year in range(FIRST_YEAR, FIRST_YEAR + plans):
        Cycle.objects.create(year=year, opens_at=now - timedelta(days=1), deadline=now + timedelta(days=365))
    keys = {}
    for code in MEMBERS[:clients]:
        member = Member.objects.get(code=code)
        _record, keys[code] = api_key_issue(
            actor=Actor.system(), member=member, name="bench", scopes=["read", "write", "submit"]
        )
    print(json.dumps(keys))


def content(lines: int) -> dict:
    line = {
        "category": "ammunition",
        "item": "155 mm shells",
        "unit": "rounds",
        "baseline_capacity": "1000.00",
        "target_capacity": "5000.00",
        "target_year": 2030,
        "stockpile_current": "100.00",
        "stockpile_target": "900.00",
        "planned_investment": "2500000.00",
        "notes": "Ramp-up with a second production line.",
    }
    return {
        "defence_expenditure": "1000000.00",
        "equipment_expenditure": "250000.00",
        "personnel_expenditure": "500000.00",
        "infrastructure_expenditure": "100000.00",
        "other_expenditure": "150000.00",
        "gdp": "40000000.00",
        "currency": "EUR",
        "military_personnel": 7000,
        "summary": "More shells and interceptors.",
        "lines": [{**line, "item": f"Lot {n}"} for n in range(lines)],
        "partnerships": [{"kind": "ally", "partner_name": "Neighbour", "partner_members": ["US"], "status": "signed"}],
    }


def request(method: str, url: str, key: str, body: dict | None, headers: dict | None = None) -> tuple[float, int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", **(headers or {})}
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=all_headers)) as r:
            status, payload, etag = r.status, r.read(), r.headers.get("ETag")
    except urllib.error.HTTPError as error:
        status, payload, etag = error.code, error.read(), None
    elapsed = (time.perf_counter() - started) * 1000
    if status >= 300:
        raise SystemExit(f"{method} {url} answered {status}: {payload[:500]!r}")
    return elapsed, status, {"etag": etag, **json.loads(payload)}


def client(root: str, key: str, plans: int, lines: int, timings: dict[str, list[float]], failures: list) -> None:
    try:
        _client(root, key, plans, lines, timings)
    except BaseException as error:  # a thread's SystemExit would end it silently
        failures.append(error)


def _client(root: str, key: str, plans: int, lines: int, timings: dict[str, list[float]]) -> None:
    body = content(lines)
    for index, year in enumerate(range(FIRST_YEAR, FIRST_YEAR + plans)):
        created_ms, _status, created = request("POST", f"{root}/api/v1/plans/", key, {"cycle": year, **body})
        url = f"{root}/api/v1/plans/{created['id']}/"
        patched_ms, _status, patched = request("PATCH", url, key, {"gdp": "41000000.00"}, {"If-Match": created["etag"]})
        submitted_ms, _status, _receipt = request("POST", f"{url}submit/", key, None)
        if index == 0:
            continue  # warm-up
        timings["create"].append(created_ms)
        timings["patch one field"].append(patched_ms)
        timings["submit"].append(submitted_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_WRITES_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--clients", type=int, default=4, choices=range(1, len(MEMBERS) + 1))
    parser.add_argument("--plans", type=int, default=8, help="plans each client writes (the first warms up)")
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--port", type=int, default=8142)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14", help="a Redis database of its own")
    args = parser.parse_args()

    env = {**server_env(args.database_url), "CELERY_BROKER_URL": args.broker, "CELERY_TASK_ALWAYS_EAGER": "false"}
    redis_cli = ["redis-cli", "-u", args.broker]
    subprocess.run([*redis_cli, "FLUSHDB"], check=True, capture_output=True)
    server_root, name = args.database_url.rsplit("/", 1)
    host_options = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *host_options, "--if-exists", name], check=True)
    subprocess.run(["createdb", *host_options, name], check=True)
    print(f"database {name}: migrating")
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run(
        [PYTHON, __file__, "--setup", str(args.clients), str(args.plans)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    keys = json.loads(made.stdout.strip().splitlines()[-1])
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [str(Path(PYTHON).with_name("celery")), "-A", "config", "worker", "-c", "1", "--loglevel", "warning"],
        cwd=ROOT,
        env=env,
    )
    root = f"http://127.0.0.1:{args.port}"
    timings: dict[str, list[float]] = {"create": [], "patch one field": [], "submit": []}
    failures: list[BaseException] = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{root}/health/live/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        started = time.perf_counter()
        threads = [
            threading.Thread(target=client, args=(root, key, args.plans, args.lines, timings, failures))
            for key in keys.values()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if failures:
            raise SystemExit(f"a client failed: {failures[0]}")
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=20)
        worker.wait(timeout=60)
        subprocess.run([*redis_cli, "FLUSHDB"], check=True, capture_output=True)

    print(
        f"\n{args.clients} concurrent clients, {args.lines}-line plans, {args.plans - 1} counted plans each"
        f" (+1 warm-up); gunicorn 2 sync workers and a Celery worker; DEBUG off; {elapsed:.1f} s in all\n"
    )
    print(f"{'operation':18} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for operation, values in timings.items():
        p95 = quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
        print(f"{operation:18} {len(values):4} {median(values):8.1f} {p95:8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    if "--setup" in sys.argv:
        position = sys.argv.index("--setup")
        setup(int(sys.argv[position + 1]), int(sys.argv[position + 2]))
    else:
        main()
