"""Concurrent API writers on PostgreSQL: row locks and unique constraints decide, not timing."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from members.actors import Actor
from members.models import Member
from members.services import api_key_issue, delegate_add
from plans import services
from plans.models import Plan, PlanVersion
from tests.factories import CycleFactory, valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.fail("these tests need PostgreSQL: set DATABASE_URL")


@pytest.fixture
def estonian_plan(postgres):
    estonia = Member.objects.get(code="EE")
    delegate = delegate_add(
        actor=Actor.system(), email="alice@ee.example.org", member=estonia, role="submitter"
    ).delegate
    plan = services.plan_create(
        cycle=CycleFactory(), member=estonia, actor=Actor.for_user(delegate.user), content=valid_content()
    ).plan
    _record, key = api_key_issue(actor=Actor.system(), member=estonia, name="erp", scopes=["read", "write", "submit"])
    return plan, key


def in_parallel(count: int, request: Callable[[APIClient], object]) -> list:
    """Run `request` in `count` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        client = APIClient()
        try:
            barrier.wait(timeout=10)
            results[index] = request(client)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_patches_with_one_etag_one_wins(estonian_plan):
    plan, key = estonian_plan

    def patch(client: APIClient):
        summary = f"by {threading.get_ident()}"
        response = client.patch(
            f"/api/v1/plans/{plan.pk}/",
            {"summary": summary},
            format="json",
            HTTP_IF_MATCH=plan.etag,
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        return response.status_code, summary

    results = in_parallel(2, patch)
    stored = Plan.objects.get(pk=plan.pk)
    assert sorted(status for status, _summary in results) == [200, 412]
    assert stored.summary == next(summary for status, summary in results if status == 200)
    assert stored.revision == 2


def test_parallel_submits_with_one_idempotency_key_make_one_version(estonian_plan):
    plan, key = estonian_plan

    def submit(client: APIClient):
        response = client.post(
            f"/api/v1/plans/{plan.pk}/submit/",
            HTTP_IDEMPOTENCY_KEY="submit-once",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        return response.status_code, response.get("Idempotent-Replayed"), response.json()

    results = in_parallel(4, submit)
    originals = [body for status, replayed, body in results if status == 201 and not replayed]
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    assert len(originals) == 1
    assert {status for status, _replayed, _body in results} <= {201, 409}
    for status, _replayed, body in results:
        if status == 201:
            assert body == originals[0]  # a replay answers the very same receipt
        else:
            assert body["code"] == "conflict"
