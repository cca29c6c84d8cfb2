"""How long the plan editor takes with 20 and 200 capability lines: GET, and POST of the same rows.

A pytest file run on its own, so that it gets a fresh test database (PostgreSQL when
DATABASE_URL names one); prints the median server time and the number of queries (PROFILE=1 adds a profile of the GET):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/editor_bench \\
        .venv/bin/pytest -q -s -p no:cacheprovider -m "" bench/editor_benchmark.py
"""

import cProfile
import os
import pstats
import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from members.actors import Actor
from plans import services
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member, valid_content
from tests.web.conftest import editor_post

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
            "planned_investment": Decimal("1250000.50"),
            "notes": "From the ministry's sheet.",
        }
        for n in range(count)
    ]


def timed(call) -> tuple[float, int, int]:
    times, status, queries = [], 0, 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - start)
        status, queries = response.status_code, len(captured)
    return statistics.median(times) * 1000, queries, status


@pytest.mark.django_db
def test_editor_timings():
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
    url = reverse("plan-edit", args=[plan.pk])
    print(f"\ndatabase: {connection.vendor}; median of {RUNS} runs")
    for count in (20, 200):
        content = valid_content(lines=lines(count))
        services.plan_update(plan=plan, actor=Actor.for_user(alice), content=content)
        plan.refresh_from_db()
        get_ms, get_queries, get_status = timed(lambda: client.get(url))
        size = len(client.get(url).content)

        def post(content=content):
            plan.refresh_from_db()
            return client.post(url, editor_post(content, revision=plan.revision))

        post_ms, post_queries, post_status = timed(post)
        if os.environ.get("PROFILE") and count == 200:
            profile = cProfile.Profile()
            profile.runcall(client.get, url)
            pstats.Stats(profile).sort_stats(os.environ["PROFILE"]).print_stats(30)
        print(
            f"{count:4d} lines: GET {get_ms:7.1f} ms, {get_queries} queries, {size / 1024:.0f} KiB "
            f"(HTTP {get_status}); POST {post_ms:7.1f} ms, {post_queries} queries (HTTP {post_status})"
        )
