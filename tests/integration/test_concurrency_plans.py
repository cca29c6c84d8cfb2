"""Two writers at once on PostgreSQL: the row lock and the conditional UPDATE let exactly one win.

Each thread has its own database connection (Django's connections are per thread), so the
two calls really run in two transactions that contend for the same plan row.
"""

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection

from plans import services
from plans.enums import PlanStatus
from plans.errors import IllegalTransition, PlanExists, StalePlan
from plans.models import Plan, PlanEvent, PlanVersion
from tests.factories import valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def postgresql():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("concurrency tests need PostgreSQL: set DATABASE_URL")


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, one thread and one connection each; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def work(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # a domain error is the expected answer; anything else fails the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def kinds(results: list[object]) -> list[str]:
    return sorted(type(result).__name__ for result in results)


@pytest.fixture
def plan(cycle, estonia, as_alice):
    return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


def test_two_updates_with_same_revision_give_one_success_and_one_stale(plan, as_alice):
    results = race(
        lambda: services.plan_update(
            plan=plan, actor=as_alice, content=valid_content(summary="First writer."), expected_revision=1
        ),
        lambda: services.plan_update(
            plan=plan, actor=as_alice, content=valid_content(summary="Second writer."), expected_revision=1
        ),
    )
    assert kinds(results) == ["SaveResult", "StalePlan"]
    winner = next(result for result in results if not isinstance(result, StalePlan))
    plan.refresh_from_db()
    assert (plan.revision, plan.summary) == (2, winner.plan.summary)
    assert PlanEvent.objects.filter(plan=plan, action="updated").count() == 1
    assert plan.lines.count() == 1


def test_two_simultaneous_submissions_make_exactly_one_version(plan, as_alice):
    results = race(
        lambda: services.plan_submit(plan=plan, actor=as_alice),
        lambda: services.plan_submit(plan=plan, actor=as_alice),
    )
    assert kinds(results) == ["IllegalTransition", "Receipt"]
    receipt = next(result for result in results if not isinstance(result, IllegalTransition))
    plan.refresh_from_db()
    assert list(PlanVersion.objects.filter(plan=plan).values_list("number", "sha256")) == [(1, receipt.sha256)]
    assert (plan.status, plan.latest_version_id) == (PlanStatus.SUBMITTED, receipt.version.pk)
    assert PlanEvent.objects.filter(plan=plan, action="submitted").count() == 1


def test_update_racing_a_submission_never_changes_submitted_content(plan, as_alice):
    results = race(
        lambda: services.plan_submit(plan=plan, actor=as_alice),
        lambda: services.plan_update(plan=plan, actor=as_alice, content=valid_content(summary="Late edit.")),
    )
    plan.refresh_from_db()
    version = PlanVersion.objects.get(plan=plan)
    # Either the edit landed first and was submitted, or the submission locked the plan first.
    if isinstance(results[1], IllegalTransition):
        assert plan.summary == version.data["content"]["summary"] == "More shells and interceptors."
    else:
        assert plan.summary == version.data["content"]["summary"] == "Late edit."
    assert plan.status == PlanStatus.SUBMITTED


def test_two_simultaneous_creates_make_one_plan(cycle, estonia, as_alice):
    results = race(
        lambda: services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()),
        lambda: services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()),
    )
    assert kinds(results) == ["PlanExists", "SaveResult"]
    assert isinstance(next(r for r in results if not hasattr(r, "plan")), PlanExists)
    assert Plan.objects.filter(cycle=cycle, member=estonia).count() == 1
