"""How long the spreadsheet round trip takes with 20 and 200 capability lines.

Template download (GET template.xlsx), upload of that template with one figure changed
(POST import/: read, check, compare; the preview) and its confirmation (the save through
plan_update). A pytest file run on its own, for a fresh test database (PostgreSQL when
DATABASE_URL names one); prints the median server time and the number of queries:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench \\
        .venv/bin/pytest -q -s -p no:cacheprovider -m "" bench/import_benchmark.py
"""

import io
import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from openpyxl import load_workbook

from members.actors import Actor
from plans import services
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member, valid_content

RUNS = 5


def lines(count: int) -> list[dict]:
    return [
        {
            "category": "ammunition",
            "item": f"Item {n}",
            "unit": "rounds",
            "baseline_capacity": Decimal(1000 + n),
            "target_capacity": Decimal(5000 + n),
            "target_year": 2030,
        }
        for n in range(count)
    ]


def measured(call) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - start
    return elapsed * 1000, len(captured), response


def changed(data: bytes, value: int) -> bytes:
    book = load_workbook(io.BytesIO(data))
    book["Headline"]["B7"] = value  # the GDP
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_import_timings():
    cycle = CycleFactory(year=2026)
    alice = DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=member("EE")).user
    client = Client()
    client.force_login(alice)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "tests.forced_login/0"
    session.save()
    plan = services.plan_create(
        cycle=cycle, member=member("EE"), actor=Actor.for_user(alice), content=valid_content(lines=[])
    ).plan
    print(f"\ndatabase: {connection.vendor}; median of {RUNS} runs")
    for count in (20, 200):
        services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(lines=lines(count)))
        results: dict[str, list] = {"download": [], "preview": [], "confirm": []}
        for run in range(RUNS):
            ms, queries, response = measured(lambda: client.get(reverse("plan-template", args=[plan.pk])))
            assert response.status_code == 200
            results["download"].append((ms, queries))
            file = io.BytesIO(changed(response.content, 41_000_000 + run))
            file.name = "plan.xlsx"
            ms, queries, response = measured(
                lambda file=file: client.post(reverse("plan-import", args=[plan.pk]), {"file": file})
            )
            assert response.status_code == 200, response.context["errors"]
            results["preview"].append((ms, queries))
            token = response.context["token"]
            ms, queries, response = measured(
                lambda token=token: client.post(
                    reverse("plan-import-confirm", args=[plan.pk]), {"action": "confirm", "token": token}
                )
            )
            assert response.status_code == 302
            results["confirm"].append((ms, queries))
        print(
            f"{count:4d} lines: "
            + "; ".join(
                f"{name} {statistics.median(ms for ms, _q in runs):7.1f} ms, {runs[-1][1]} queries"
                for name, runs in results.items()
            )
        )
