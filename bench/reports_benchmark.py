"""How long the compliance query and a full report build take on a year-sized database.

Fills a PostgreSQL database of its own (created if missing) with the 32 allies x 10 cycles,
each plan with 200 capability lines (`--lines N`, or `--scale 10` for 2,000) and a few
partnerships, then prints the median time of several runs of `compliance_rows`, of the figures
across the ten cycles (`trends`), of a whole report build (data, XLSX, PDF with charts, CSV), of
the worker's build (the same and the brief, the charts drawn once) and of the summit brief in
English and French.

    .venv/bin/python bench/reports_benchmark.py [--database-url postgres://...] [--runs 7] [--refill]
        [--lines 200 | --scale 10] [--profile FILE]

Without `--database-url`, each size has a database of its own (plans_reports_bench for 200
lines, plans_reports_bench_2000 for 2,000), filled once and kept.
"""

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/plans_reports_bench"
YEARS = range(2025, 2035)
LINES_PER_PLAN = 200
CATEGORIES = ["ammunition", "air_missile_defence", "missiles", "land_systems", "naval_systems", "uncrewed_systems"]
# A catalogue item of each category above, with its unit; one line in four is "other" (free text).
ITEMS = [
    ("art-155", "rounds"),
    ("manpads", "missiles"),
    ("lrpf-gmlrs", "rockets"),
    ("mbt", "systems"),
    ("frigates", "vessels"),
    ("loitering", "units"),
]
BOTTLENECKS = ["none", "none", "workforce", "components", "raw_materials", "financing"]
STATUSES = ["accepted", "accepted", "in_review", "submitted", "returned", "draft"]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="reports-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(refill: bool, lines_per_plan: int = LINES_PER_PLAN) -> None:
    from django.db import transaction

    from members.models import Member
    from plans.models import CapabilityLine, Cycle, Partnership, Plan, PlanVersion

    if refill:
        # Versions are protected from cascades on purpose; clear them first.
        Plan.objects.update(latest_version=None)
        PlanVersion.objects.all().delete()
        Plan.objects.all().delete()
        Cycle.objects.all().delete()
    if Plan.objects.count() >= len(YEARS) * 32:
        filled = CapabilityLine.objects.filter(plan=Plan.objects.order_by("pk").first()).count()
        if filled != lines_per_plan:
            raise SystemExit(f"this database holds {filled} lines per plan, not {lines_per_plan}: use --refill")
        return
    members = list(Member.objects.order_by("code"))
    started = time.perf_counter()
    with transaction.atomic():
        for year in YEARS:
            deadline = datetime(year, 6, 30, 22, 0, tzinfo=UTC)
            cycle = Cycle.objects.create(year=year, opens_at=deadline - timedelta(days=180), deadline=deadline)
            plans = Plan.objects.bulk_create(
                Plan(
                    cycle=cycle,
                    member=member,
                    status=STATUSES[(index + year) % len(STATUSES)],
                    defence_expenditure=Decimal(1_000_000 + index * 10_000),
                    equipment_expenditure=Decimal(150_000 + index * 5_000),
                    gdp=Decimal(50_000_000),
                    currency="EUR",
                )
                for index, member in enumerate(members)
            )
            versions = []
            for index, plan in enumerate(plans):
                if plan.status == "draft":
                    continue
                text = f"{year}-{plan.member_id}"
                versions.append(
                    PlanVersion(
                        plan=plan,
                        number=1,
                        content=text,
                        sha256=hashlib.sha256(text.encode()).hexdigest(),
                        submitted_at=deadline + timedelta(days=(index % 7) - 4),
                        deadline=deadline,
                        is_late=(index % 7) - 4 > 0,
                    )
                )
            PlanVersion.objects.bulk_create(versions)
            for version in versions:
                Plan.objects.filter(pk=version.plan_id).update(latest_version=version)
            CapabilityLine.objects.bulk_create(
                [
                    CapabilityLine(
                        plan=plan,
                        position=position,
                        category=CATEGORIES[position % len(CATEGORIES)],
                        item_code_id=None if position % 4 == 3 else ITEMS[position % len(ITEMS)][0],
                        item=f"Item {position}",
                        unit="units" if position % 4 == 3 else ITEMS[position % len(ITEMS)][1],
                        stockpile_current=Decimal(50 + position),
                        stockpile_target=Decimal(80 + position),
                        baseline_capacity=Decimal(100 + position),
                        target_capacity=Decimal(200 + position * 2),
                        target_year=year + 5,
                        planned_investment=Decimal(1_000_000),
                        bottleneck=BOTTLENECKS[position % len(BOTTLENECKS)],
                    )
                    for plan in plans
                    for position in range(lines_per_plan)
                ],
                batch_size=5000,
            )
            partnerships = Partnership.objects.bulk_create(
                Partnership(plan=plan, position=n, kind=kind, partner_name=name, status="signed")
                for plan in plans
                for n, (kind, name) in enumerate([("ally", "Neighbour"), ("multinational", "ESSI")])
            )
            through = Partnership.partner_members.through
            through.objects.bulk_create(
                through(partnership_id=partnership.pk, member_id=members[(i // 2 + 1) % len(members)].pk)
                for i, partnership in enumerate(partnerships)
            )
    print(f"filled {len(YEARS)} cycles x 32 allies x {lines_per_plan} lines in {time.perf_counter() - started:.1f} s")


def median_seconds(function, runs: int) -> tuple[float, float, float]:
    """Median and best wall time, and the median CPU time of this process (the machine is shared)."""
    timings = []
    cpu = []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(timings), min(timings), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--refill", action="store_true")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--lines", type=int, default=LINES_PER_PLAN, help="capability lines per plan (default 200)")
    size.add_argument("--scale", type=int, help=f"{LINES_PER_PLAN} lines per plan times this (10: 2,000)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of one worker build to FILE")
    options = parser.parse_args()
    lines_per_plan = LINES_PER_PLAN * options.scale if options.scale else options.lines
    if options.database_url is None:
        suffix = "" if lines_per_plan == LINES_PER_PLAN else f"_{lines_per_plan}"
        options.database_url = f"{DEFAULT_URL}{suffix}"
    ensure_database(options.database_url)
    setup_django(options.database_url)
    fill(options.refill, lines_per_plan)

    from django.db import connection, reset_queries
    from django.utils import translation

    from plans.models import CapabilityLine, Cycle
    from reports.builders.brief import build_brief
    from reports.builders.data import report_data
    from reports.builders.pdf import build_pdf
    from reports.builders.tables import build_csv, build_xlsx
    from reports.selectors import compliance_rows, executive_summary, trends

    cycle = Cycle.objects.get(year=2030)
    print(
        f"database: {connection.settings_dict['NAME']}, {lines_per_plan} lines per plan, "
        f"lines in all: {CapabilityLine.objects.count()}"
    )

    def compliance() -> None:
        rows = compliance_rows(cycle=cycle)
        assert len(rows) == 32

    def gather() -> None:
        report_data(cycle=cycle)

    def full_build() -> None:
        data = report_data(cycle=cycle)
        build_xlsx(data)
        build_pdf(data)
        build_csv(data)

    from django.conf import settings

    settings.DEBUG = True
    reset_queries()
    compliance()
    queries = len(connection.queries)
    median, best, cpu = median_seconds(compliance, options.runs)
    print(f"compliance_rows (32 rows, {queries} query): median {median * 1000:.1f} ms, best {best * 1000:.1f} ms")
    reset_queries()
    reported_lines = len(report_data(cycle=cycle).lines)
    queries = len(connection.queries)
    median, best, cpu = median_seconds(gather, options.runs)
    print(
        f"report data ({queries} queries, {reported_lines} reported lines): "
        f"median {median * 1000:.0f} ms, best {best * 1000:.0f} ms"
    )
    median, best, cpu = median_seconds(full_build, max(3, options.runs // 2))
    print(
        f"full report build (data, XLSX, PDF with 3 charts, CSV): median {median:.2f} s, best {best:.2f} s, "
        f"CPU median {cpu:.2f} s"
    )
    for name, part in (("XLSX", build_xlsx), ("PDF", build_pdf), ("CSV", build_csv)):
        data = report_data(cycle=cycle)
        median, best, cpu = median_seconds(lambda part=part, data=data: part(data), max(3, options.runs // 2))
        print(f"  {name} alone (data read once): median {median:.2f} s, best {best:.2f} s, CPU median {cpu:.2f} s")

    # What the worker does for one request: the four files (XLSX, PDF, brief, CSV), stored.
    from reports.models import ComplianceReport, ReportStatus
    from reports.services import report_build

    def worker_build() -> None:
        report = ComplianceReport.objects.create(cycle=cycle)
        built = report_build(report_id=report.pk)
        assert built is not None
        assert built.status == ReportStatus.DONE, built.error
        for stored in (built.xlsx, built.pdf, built.csv, built.brief):
            stored.delete(save=False)
        built.delete()

    median, best, cpu = median_seconds(worker_build, max(3, options.runs // 2))
    print(
        f"worker build (report_build: XLSX, PDF, brief, CSV, stored): median {median:.2f} s, best {best:.2f} s, "
        f"CPU median {cpu:.2f} s"
    )
    if options.profile:
        import cProfile

        cProfile.runctx("worker_build()", globals(), {"worker_build": worker_build}, options.profile)
        print(f"profile of one worker build written to {options.profile}")

    reset_queries()
    across = trends()
    queries = len(connection.queries)
    median, best, cpu = median_seconds(trends, options.runs)
    print(
        f"trends over {len(across['cycles'])} cycles ({queries} queries, {len(across['allies'])} ally-years): "
        f"median {median * 1000:.0f} ms, best {best * 1000:.0f} ms"
    )
    data = report_data(cycle=cycle)
    summary = executive_summary(
        cycle=cycle,
        rows=data.rows,
        capacity=data.capacity,
        bottleneck_rows=data.bottlenecks,
        programmes=data.programmes,
        joint=data.joint,
        alliance_years=data.trends["cycles"],
    )
    print(
        f"brief's figures: {summary['submitted']} of {summary['members']} submitted, {summary['on_time']} on time; "
        f"{len(data.capacity['items'])} catalogue items summed, {summary['other_lines']} other lines not summed, "
        f"{len(data.trends['capacity'])} item-years across cycles; largest increases: "
        + "; ".join(
            f"{item['code']} {item['baseline']:,.0f} -> {item['target']:,.0f} {item['unit']} "
            f"(+{item['growth_pct']} %, {len(item['allies'])} allies)"
            for item in summary["largest_increases"]
        )
        + f"; joint procurement signals: {summary['joint_items']} items ("
        + ", ".join(f"{item['code']}: {len(item['allies'])} allies" for item in summary["joint_signals"])
        + ")"
    )
    for language in ("en", "fr"):

        def brief(language: str = language) -> None:
            with translation.override(language):
                build_brief(data)

        with translation.override(language):
            size = len(build_brief(data))
        median, best, cpu = median_seconds(brief, max(3, options.runs // 2))
        print(
            f"summit brief ({language}, 32 allies, {len(data.lines)} lines, {size // 1024} KiB; data read once): "
            f"median {median:.2f} s, best {best:.2f} s"
        )

    def brief_with_data() -> None:
        build_brief(report_data(cycle=cycle))

    median, best, cpu = median_seconds(brief_with_data, max(3, options.runs // 2))
    print(f"summit brief with its data read (budget 5 s): median {median:.2f} s, best {best:.2f} s")


if __name__ == "__main__":
    main()
