"""The fast read paths: lines as JSON built by PostgreSQL, cached warnings, one-query pages.

Each fast path has a fallback (SQLite, a warnings cache miss): both must answer the same JSON.
"""

from decimal import Decimal

import orjson
import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from core.jsonwire import dumps
from plans import services
from plans.api import reads
from tests.factories import valid_content

TRICKY_LINES = [
    {
        "category": "ammunition",
        "item": 'Tricky "quotes" \\ back\tslash, ünïcødé ✓ and \u0001',
        "unit": "rounds",
        "baseline_capacity": Decimal("1000"),
        "target_capacity": Decimal("10.5"),
        "target_year": 2001,
        "stockpile_current": Decimal("0"),
        "stockpile_target": None,
        "planned_investment": Decimal("123456789.99"),
        "notes": "Line\nbreak",
    },
    {
        "item_code": "manpads",
        "item": "Interceptors",
        "baseline_capacity": Decimal("0"),
        "target_capacity": Decimal("5"),
        "target_year": 2030,
    },
]


@pytest.fixture
def tricky(cycle, estonia, as_alice):
    return services.plan_create(
        cycle=cycle, member=estonia, actor=as_alice, content=valid_content(lines=TRICKY_LINES)
    ).plan


def _detail(plan, *, use_json):
    return orjson.loads(dumps(reads.plan_detail(reads.plans_for_write(plan.pk), use_json=use_json)))


def test_detail_is_the_same_from_the_rows_and_from_the_cache(alice_key, tricky):
    cache.clear()
    first = alice_key.get(f"/api/v1/plans/{tricky.pk}/").json()  # warnings computed from the rows
    second = alice_key.get(f"/api/v1/plans/{tricky.pk}/").json()  # warnings cached (JSON lines on PostgreSQL)
    assert first == second
    assert [line["target_capacity"] for line in second["lines"]] == ["10.50", "5.00"]
    assert second["lines"][0]["stockpile_target"] is None
    assert {(w["field"], w["code"]) for w in second["warnings"]} >= {
        ("lines[0].target_capacity", "below_baseline"),
        ("lines[0].target_year", "in_the_past"),
    }


def test_detail_fallback_and_fast_path_agree(tricky):
    cache.clear()
    rows = _detail(tricky, use_json=False)
    cached = _detail(tricky, use_json=False)
    assert rows == cached
    if connection.vendor == "postgresql":
        assert _detail(tricky, use_json=True) == rows


def test_year_dump_fallback_and_fast_path_agree(tricky, staff):
    plans = [reads.plans_for_write(tricky.pk)]
    slow = orjson.loads(dumps(reads.plan_page(plans, with_content=True, use_json=False)))
    assert slow[0]["lines"][1]["target_capacity"] == "5.00"
    if connection.vendor == "postgresql":
        assert orjson.loads(dumps(reads.plan_page(plans, with_content=True, use_json=True))) == slow
    response = staff.get("/api/v1/plans/?expand=content").json()
    assert response["results"][0]["lines"] == slow[0]["lines"]


def test_cached_warnings_follow_the_revision(alice_key, tricky, as_alice):
    url = f"/api/v1/plans/{tricky.pk}/"
    assert alice_key.get(url).json()["warnings"]
    fixed = [{**line, "target_capacity": Decimal("5000"), "target_year": 2030} for line in TRICKY_LINES]
    services.plan_update(plan=tricky, actor=as_alice, content=valid_content(lines=fixed))
    assert alice_key.get(url).json()["warnings"] == []


def test_cached_warnings_are_per_language(alice_key, tricky):
    url = f"/api/v1/plans/{tricky.pk}/"
    english = alice_key.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["warnings"]
    french = alice_key.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()["warnings"]
    cache.clear()
    with translation.override("fr"):
        expected = _detail(tricky, use_json=False)["warnings"]
    assert [w["code"] for w in english] == [w["code"] for w in french]
    assert french == expected
    assert french != english


def test_pages_count_without_a_count_query(staff, tricky):
    assert staff.get("/api/v1/plans/?page=2").status_code == 404
    assert [staff.get(f"/api/v1/plans/?page={page}").json()["errors"] for page in ("0", "x")] == [
        {"page": ["Give a whole number from 1."]}
    ] * 2
    body = staff.get("/api/v1/plans/?page=last").json()
    assert body["count"] == 1
    assert len(body["results"]) == 1
    assert staff.get("/api/v1/plans/?cycle=1999").json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_value_rows_keep_their_keys(alice_key):
    first = alice_key.get("/api/v1/members/?page_size=2").json()
    assert first["count"] == 32
    assert "page_total_rows" not in first["results"][0]
    assert set(first["results"][0]) == set(alice_key.get("/api/v1/members/EE/").json())


@pytest.mark.parametrize("path", ["/api/v1/members/", "/api/v1/cycles/", "/api/v1/plans/"])
def test_a_page_beyond_any_list_is_404_not_a_database_error(alice_key, path):
    # Found by the fuzzer: the OFFSET of such a page overflowed PostgreSQL's bigint.
    response = alice_key.get(path, {"page": "527678324156067318004187136", "page_size": "5"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_prepared_reads_answer_as_the_querysets(tricky, as_alice, as_bob, as_manager):
    """plan_for, plan_list, partnerships_of and latest_review_of run SQL built once: same answers as the ORM's."""
    for actor in (as_alice, as_manager):
        expected = reads.plans_for(actor).get(pk=tricky.pk)
        assert reads.plan_summary(reads.plan_for(actor, tricky.pk)) == reads.plan_summary(expected)
        listed = reads.plan_list(actor)
        ordered = reads.plans_for(actor).order_by(*reads.DEFAULT_ORDER, "id")
        assert [reads.plan_summary(plan) for plan in listed[0:10]] == [reads.plan_summary(plan) for plan in ordered]
        assert listed.count() == ordered.count() == 1
        of_year = reads.plan_list(actor, year=tricky.cycle.year)
        assert [reads.plan_summary(plan) for plan in of_year[0:10]] == [reads.plan_summary(plan) for plan in ordered]
        assert reads.plan_list(actor, year=tricky.cycle.year + 1)[0:10] == []
        assert reads.plan_list(actor, year=2**70)[0:10] == []  # beyond the column: the ORM's way, still empty
    assert reads.plan_for(as_bob, tricky.pk) is None  # another member's: not found
    assert reads.plan_for(as_alice, 2**70) is None
    assert reads.partnerships_of([tricky.pk]) == reads.partnerships_of([tricky.pk, 0])
    assert reads.latest_review_of(tricky) is None
