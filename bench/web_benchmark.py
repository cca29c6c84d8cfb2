"""Where people wait on the web pages: the editor (GET and POST at 200 and 2,000 lines), the admin plan
page at 200 lines, and submitting from the confirmation page. The editor is opened twice a round:
as a client that takes the page as it is, and as a browser that accepts gzip (the size printed is
then what goes over the wire).

A pytest file run on its own, so that it gets a fresh test database (PostgreSQL when DATABASE_URL
names one). Each figure is the median server time of ROUNDS rounds, the measurements interleaved
(every page once per round), with the number of queries of the last round:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/web_bench \\
        .venv/bin/pytest -q -s -p no:cacheprovider -m "" bench/web_benchmark.py

ROUNDS=N changes the number of rounds; ONLY=text keeps the pages whose name holds that text;
PROFILE=cumulative (or tottime) prints a profile of each page once, after the rounds.
"""

import cProfile
import os
import pstats
import statistics
import time
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from members.actors import Actor
from plans import services
from plans.models import Plan
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member, valid_content
from tests.web.conftest import editor_post

ROUNDS = int(os.environ.get("ROUNDS", "5"))
SIZES = (200, 2000)
FORM = "application/x-www-form-urlencoded"


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


def partnerships(count: int) -> list[dict]:
    return [
        {"kind": "ally", "partner_name": f"Partner {n}", "partner_members": ["LV", "LT"], "value": Decimal(1000 * n)}
        for n in range(count)
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "tests.forced_login/0"
    session.save()
    return client


def measure(call) -> tuple[float, int, int]:
    """One call: server time in ms, queries, HTTP status."""
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - start
    return elapsed * 1000, len(captured), response.status_code


@pytest.mark.django_db
def test_web_timings():
    cycle = CycleFactory(year=2026)
    ee = member("EE")
    alice_user = DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=ee).user
    alice, staff = Actor.for_user(alice_user), StaffFactory(email="charlie@staff.example.org", groups=["Reviewers"])
    delegate, reviewer = client_for(alice_user), client_for(staff)
    contents = {size: valid_content(lines=lines(size), partnerships=partnerships(10)) for size in SIZES}
    # One plan per size, so that the pages of one size never see the other's rows.
    plans = {}
    for size in SIZES:
        other = CycleFactory(year=2026 + SIZES.index(size) + 1) if size != SIZES[0] else cycle
        plans[size] = services.plan_create(cycle=other, member=ee, actor=alice, content=contents[size]).plan

    def editor_get(size, **headers):
        return lambda: delegate.get(reverse("plan-edit", args=[plans[size].pk]), **headers)

    def editor_save(size):
        def call():
            revision = Plan.objects.values_list("revision", flat=True).get(pk=plans[size].pk)
            # Sent as a browser sends the form (URL-encoded), not as the test client's default multipart.
            body = urlencode(editor_post(contents[size], revision=revision), doseq=True)
            return delegate.post(reverse("plan-edit", args=[plans[size].pk]), body, content_type=FORM)

        return call

    def admin_page():
        return reviewer.get(reverse("admin:plans_plan_change", args=[plans[200].pk]))

    def submit():
        response = delegate.post(reverse("plan-submit", args=[plans[200].pk]))
        return response

    def reopen():
        # Back to a draft after a submission (not timed): the reviewer returns it.
        plan = Plan.objects.get(pk=plans[200].pk)
        services.plan_return(plan=plan, actor=Actor.for_user(staff), comment="Again.")

    pages = {
        "editor GET 200 lines": editor_get(200),
        "editor GET 200 lines, gzip": editor_get(200, HTTP_ACCEPT_ENCODING="gzip"),
        "editor POST 200 lines": editor_save(200),
        "editor GET 2000 lines": editor_get(2000),
        "editor GET 2000 lines, gzip": editor_get(2000, HTTP_ACCEPT_ENCODING="gzip"),
        "editor POST 2000 lines": editor_save(2000),
        "admin plan page 200 lines": admin_page,
        "submit 200 lines": submit,
    }
    pages = {name: call for name, call in pages.items() if os.environ.get("ONLY", "") in name}
    figures: dict[str, list] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    for _round in range(ROUNDS + 1):
        for name, call in pages.items():
            figures[name].append(measure(call))
            if name.startswith("submit"):
                reopen()
        if not _round:
            # The first round warms the caches (templates, translations, the catalogue): not counted.
            for name in pages:
                figures[name].clear()
    for name in (
        "editor GET 200 lines",
        "editor GET 200 lines, gzip",
        "editor GET 2000 lines",
        "editor GET 2000 lines, gzip",
        "admin plan page 200 lines",
    ):
        if name in pages:
            sizes[name] = len(pages[name]().content)

    print(f"\ndatabase: {connection.vendor}; median of {ROUNDS} interleaved rounds (after one warm-up round)")
    for name, results in figures.items():
        median = statistics.median(ms for ms, _queries, _status in results)
        _ms, queries, status = results[-1]
        size = f", {sizes[name] / 1024:.0f} KiB" if name in sizes else ""
        print(f"{name:33s} {median:8.1f} ms  {queries:3d} queries  HTTP {status}{size}")
    if os.environ.get("PROFILE"):
        for name, call in pages.items():
            profile = cProfile.Profile()
            profile.runcall(call)
            print(f"\n--- {name}")
            pstats.Stats(profile).sort_stats(os.environ["PROFILE"]).print_stats(int(os.environ.get("LINES", "25")))
            if name.startswith("submit"):
                reopen()
