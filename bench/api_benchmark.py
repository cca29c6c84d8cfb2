#!/usr/bin/env python
"""API read-path benchmark: the Django API next to a raw-SQL baseline, both under gunicorn.

    .venv/bin/python bench/api_benchmark.py [--duration 8] [--rounds 3] [--refill]

Fills a PostgreSQL database of its own (default plans_api_bench; --database-url to change)
with 32 allies x 10 cycles x 200 capability lines, serves the app with gunicorn (2 sync
workers, DEBUG off; production settings plus a floor endpoint, bench/floor_settings.py) and
bench/raw_sql_app.py the same way, checks that both return the same data, then loads each case
with wrk in interleaved rounds (API, raw SQL, floor, floor+query; API, raw SQL, ...) and prints
requests per second, latency, CPU per request from /proc (the server's workers, the PostgreSQL
backends, the whole machine) and the median of the per-round ratios to the baseline and to the
floor. The floor is a view that makes no query, behind the same authentication, throttling and
middleware: the framework's fixed cost. "floor+query" is the floor running the baseline's own
query and answering its text: the least any Django endpoint serving that document can cost.
Needs wrk (`apt-get install -y wrk`). Goals (issue 16): detail >= 0.5 of the baseline, the list
>= 0.75 of the floor, the year's dump >= 1.0 of the baseline.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/plans_api_bench"
CYCLES = range(2024, 2034)
LINES_PER_PLAN = 200


def server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + secrets.token_hex(16),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "EMAIL_URL": "dummymail://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
        # Throttling stays on (its cache lookups are part of the cost) but never refuses.
        "API_THROTTLE_KEY_RATE": "1000000000/min",
        "API_THROTTLE_USER_RATE": "1000000000/min",
    }


# Filling the database (runs in a child process with the bench settings) -----------------------


def fill(refill: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import UTC, datetime
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django_otp import DEVICE_ID_SESSION_KEY

    from members.actors import Actor
    from members.models import ApiKey, Member, User
    from members.services import api_key_issue
    from plans.models import CapabilityLine, Cycle, Partnership, Plan

    members = list(Member.objects.order_by("code"))
    expected_lines = len(members) * len(CYCLES) * LINES_PER_PLAN
    if refill or CapabilityLine.objects.count() != expected_lines:
        with transaction.atomic():
            Partnership.objects.all().delete()
            CapabilityLine.objects.all().delete()
            Plan.objects.all().delete()
            Cycle.objects.all().delete()
            cycles = Cycle.objects.bulk_create(
                Cycle(
                    year=year,
                    opens_at=datetime(year - 1, 10, 1, tzinfo=UTC),
                    deadline=datetime(year, 6, 30, 22, tzinfo=UTC),
                )
                for year in CYCLES
            )
            plans = Plan.objects.bulk_create(
                Plan(
                    cycle=cycle,
                    member=member,
                    status="submitted" if cycle.year < 2033 else "draft",
                    defence_expenditure=Decimal("1000000000.00"),
                    equipment_expenditure=Decimal("250000000.00"),
                    gdp=Decimal("45000000000.00"),
                    currency="EUR",
                    military_personnel=7000,
                    summary="More shells, interceptors and drones.",
                )
                for cycle in cycles
                for member in members
            )
            categories = ["ammunition", "air_missile_defence", "missiles", "uncrewed_systems", "explosives_propellants"]
            CapabilityLine.objects.bulk_create(
                (
                    CapabilityLine(
                        plan=plan,
                        position=index,
                        category=categories[index % len(categories)],
                        item=f"Item {index} for {plan.member_id}",
                        unit="units",
                        baseline_capacity=Decimal(1000 + index),
                        target_capacity=Decimal(5000 + index),
                        target_year=2030,
                        stockpile_current=Decimal(100),
                        stockpile_target=Decimal(900),
                        planned_investment=Decimal("2500000.00"),
                        notes="Ramp-up with a second production line.",
                    )
                    for plan in plans
                    for index in range(LINES_PER_PLAN)
                ),
                batch_size=5000,
            )
            partnerships = Partnership.objects.bulk_create(
                Partnership(plan=plan, position=index, kind=kind, partner_name=f"Partner {index}", status="signed")
                for plan in plans
                for index, kind in enumerate(["ally", "industry"])
            )
            through = Partnership.partner_members.through
            neighbour = {member.pk: members[(i + 1) % len(members)].pk for i, member in enumerate(members)}
            through.objects.bulk_create(
                through(partnership_id=p.pk, member_id=neighbour[p.plan.member_id])
                for p in partnerships
                if p.kind == "ally"
            )

    estonia = Member.objects.get(code="EE")
    ApiKey.objects.filter(name="bench").delete()
    _record, key = api_key_issue(actor=Actor.system(), member=estonia, name="bench", scopes=["read"])
    staff, _created = User.objects.get_or_create(email="bench-staff@example.org", defaults={"is_staff": True})
    staff.groups.add(Group.objects.get(name="Reviewers"))  # staff read plans through a group
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "members.backends.StaffPermissionBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = "bench/0"  # staff sign in with a second step: as if passed
    session.create()
    plan_id = Plan.objects.get(member=estonia, cycle__year=2032).pk
    print(json.dumps({"key": key, "session": session.session_key, "plan_id": plan_id, "year": 2032}))


# Load --------------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def _process_cpu(pid: int | str) -> int:
    """Clock ticks of CPU (user + system) a process has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def workers_cpu(master: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by a gunicorn master's worker processes."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return sum(_process_cpu(pid) for pid in children) / CLOCK_TICKS


class PostgresCpu:
    """CPU used by the PostgreSQL backends serving one database, read from /proc (same machine).

    The backends are the servers' persistent connections, listed before and after a run; a
    backend that started during the run counts from zero. This monitor's own backend is left out.
    """

    def __init__(self, database_url: str) -> None:
        import psycopg

        self.name = database_url.rsplit("/", 1)[1]
        self.connection = psycopg.connect(database_url, autocommit=True)

    def ticks(self) -> dict[int, int]:
        pids = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
            " AND pid <> pg_backend_pid()",
            [self.name],
        ).fetchall()
        return {pid: _process_cpu(pid) for (pid,) in pids}

    @staticmethod
    def seconds(before: dict[int, int], after: dict[int, int]) -> float:
        return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / CLOCK_TICKS


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores; /proc/stat, less idle and iowait)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS


def run_wrk(
    url: str,
    headers: dict[str, str],
    duration: int,
    connections: int,
    server: subprocess.Popen | None = None,
    postgres: PostgresCpu | None = None,
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = workers_cpu(server) if server else 0.0
    pg_before = postgres.ticks() if postgres else {}
    busy_before = machine_busy()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    busy = machine_busy() - busy_before
    pg = postgres.seconds(pg_before, postgres.ticks()) if postgres else 0.0
    cpu = (workers_cpu(server) - cpu_before) if server else 0.0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))

    def per_request(seconds: float) -> float:
        return seconds * 1000 / requests if requests else 0.0

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "cpu_ms": per_request(cpu),
        "pg_ms": per_request(pg),
        "machine_ms": per_request(busy),
    }


def wait_for(url: str, headers: dict[str, str], process: subprocess.Popen) -> bytes:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({process.args})")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{url} answered {error.code}: {error.read()[:300]!r}") from None
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


def _same_value(base, ours) -> bool:
    if isinstance(base, str) and isinstance(ours, str) and base != ours:
        try:  # the same moment written two ways (+00:00 and Z)
            return datetime.fromisoformat(base) == datetime.fromisoformat(ours)
        except ValueError:
            return False
    return base == ours


def differences(base, ours, path: str = "") -> list[str]:
    """Where the API's document differs from the baseline's, on every field the baseline has."""
    if isinstance(base, dict):
        if not isinstance(ours, dict):
            return [f"{path}: not an object"]
        return [d for key, value in base.items() for d in differences(value, ours.get(key), f"{path}.{key}")]
    if isinstance(base, list):
        if not isinstance(ours, list) or len(base) != len(ours):
            return [f"{path}: {len(base)} items, the API has {len(ours) if isinstance(ours, list) else ours!r}"]
        return [
            d
            for index, (a, b) in enumerate(zip(base, ours, strict=True))
            for d in differences(a, b, f"{path}[{index}]")
        ]
    return [] if _same_value(base, ours) else [f"{path}: baseline {base!r}, API {ours!r}"]


# The servers of each case, in the order of a round: the API, the baseline, the framework's floor
# and the floor with the baseline's own query (bench/floor_urls.py).
SERVERS = ("API", "raw SQL", "floor", "floor+query")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--api-port", type=int, default=8140)
    parser.add_argument("--baseline-port", type=int, default=8141)
    parser.add_argument("--refill", action="store_true", help="rebuild the data even if it is there")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    env = server_env(args.database_url)
    name = args.database_url.rsplit("/", 1)[1]
    exists = subprocess.run(
        [
            "psql",
            args.database_url.rsplit("/", 1)[0] + "/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    print(f"database {name}: migrating and filling (32 allies x {len(CYCLES)} cycles x {LINES_PER_PLAN} lines)")
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    filled = subprocess.run(
        [PYTHON, __file__, "--fill", *(["--refill"] if args.refill else [])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    setup = json.loads(filled.stdout.strip().splitlines()[-1])

    # The API under the production settings plus the floor endpoint (bench/floor_settings.py).
    api = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{args.api_port}", "--log-level", "warning"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings"},
    )
    baseline = subprocess.Popen(
        [
            GUNICORN,
            "raw_sql_app:application",
            "--chdir",
            str(ROOT / "bench"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.baseline_port}",
            "--log-level",
            "warning",
        ],
        env={**env, "BASELINE_DATABASE_URL": args.database_url},
    )
    key = {"Authorization": f"Bearer {setup['key']}"}
    staff = {"Cookie": f"sessionid={setup['session']}"}
    api_root, base_root = f"http://127.0.0.1:{args.api_port}", f"http://127.0.0.1:{args.baseline_port}"
    plan_id, year = setup["plan_id"], setup["year"]
    floor = ("/api/v1/bench/floor/", key)
    # Each case: the API's path and credentials, and the baseline's path. The floor with the
    # baseline's query is the baseline's path under /api/v1/bench/floor/ (bench/floor_urls.py).
    cases = [
        ("plan detail (200 lines)", f"/api/v1/plans/{plan_id}/", key, f"/detail/{plan_id}"),
        ("plan list (a member's 10 plans)", "/api/v1/plans/", key, "/list/EE"),
        (
            "year's plans (32 plans, 6,400 lines)",
            f"/api/v1/plans/?cycle={year}&page_size=32&expand=content",
            staff,
            f"/year/{year}",
        ),
    ]
    results: dict[str, dict[str, list[dict]]] = {label: {server: [] for server in SERVERS} for label, *_ in cases}
    postgres = PostgresCpu(args.database_url)
    sizes = {}
    try:
        # Before measuring: both servers answer, with the same data (every field the baseline has).
        wait_for(api_root + floor[0], floor[1], api)
        for label, api_path, headers, base_path in cases:
            api_body = wait_for(api_root + api_path, headers, api)
            base_body = wait_for(base_root + base_path, {}, baseline)
            found = differences(json.loads(base_body), json.loads(api_body))
            if found:
                raise SystemExit(f"{label}: the API and the baseline differ:\n  " + "\n  ".join(found[:20]))
            if wait_for(api_root + floor[0] + base_path.strip("/") + "/", key, api) != base_body:
                raise SystemExit(f"{label}: the floor with the baseline's query answers another document")
            sizes[label] = (len(api_body), len(base_body))
            run_wrk(api_root + api_path, headers, 2, args.connections)  # warm them up
            run_wrk(base_root + base_path, {}, 2, args.connections)
            run_wrk(api_root + floor[0] + base_path.strip("/") + "/", key, 2, args.connections)
        run_wrk(api_root + floor[0], floor[1], 2, args.connections)
        print(f"same data checked; {args.rounds} interleaved rounds of {args.duration} s runs")
        for _round in range(args.rounds):
            for label, api_path, headers, base_path in cases:
                runs = results[label]
                load = {"duration": args.duration, "connections": args.connections, "postgres": postgres}
                runs["API"].append(run_wrk(api_root + api_path, headers, server=api, **load))
                runs["raw SQL"].append(run_wrk(base_root + base_path, {}, server=baseline, **load))
                runs["floor"].append(run_wrk(api_root + floor[0], floor[1], server=api, **load))
                query_path = floor[0] + base_path.strip("/") + "/"
                runs["floor+query"].append(run_wrk(api_root + query_path, key, server=api, **load))
    finally:
        for process in (api, baseline):
            process.terminate()
            process.wait(timeout=20)

    print(
        f"\nwrk -t2 -c{args.connections} -d{args.duration}s x {args.rounds} rounds (API, raw SQL, floor, floor+query"
        " interleaved); gunicorn 2 sync workers each; DEBUG off. req/s, p50, p99: median of rounds. Per request:"
        " workers = the server's workers' CPU, PG = the PostgreSQL backends' CPU, machine = all CPU the machine"
        " was busy with (wrk and the kernel too); ratios: median of the per-round ratios\n"
    )
    header = (
        f"{'case':38} {'server':11} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'workers':>7} {'PG':>5}"
        f" {'machine':>7} {'bytes':>8} {'non-2xx':>7} {'/raw':>6} {'/floor':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, runs in results.items():
        for server in SERVERS:
            rounds = runs[server]
            ratio_raw = median(r["rps"] / raw["rps"] for r, raw in zip(rounds, runs["raw SQL"], strict=True))
            ratio_floor = median(r["rps"] / fl["rps"] for r, fl in zip(rounds, runs["floor"], strict=True))
            size = {"API": sizes[label][0], "raw SQL": sizes[label][1], "floor+query": sizes[label][1]}.get(server)
            print(
                f"{label if server == 'API' else '':38} {server:11} {median(r['rps'] for r in rounds):8.1f}"
                f" {median(r['p50'] for r in rounds):7.2f} {median(r['p99'] for r in rounds):7.2f}"
                f" {median(r['cpu_ms'] for r in rounds):7.2f} {median(r['pg_ms'] for r in rounds):5.2f}"
                f" {median(r['machine_ms'] for r in rounds):7.2f} {size or '':>8} {sum(r['errors'] for r in rounds):7}"
                f" {ratio_raw:6.2f} {ratio_floor:6.2f}"
            )
        per_round = ", ".join(
            f"{a['rps'] / b['rps']:.2f}/{a['rps'] / f['rps']:.2f}"
            for a, b, f in zip(runs["API"], runs["raw SQL"], runs["floor"], strict=True)
        )
        print(f"{'':38} API per round (/raw, /floor): {per_round}")


if __name__ == "__main__":
    if "--fill" in sys.argv:
        fill(refill="--refill" in sys.argv)
    else:
        main()
