"""open_cycle and seed_demo: what they make, and bad arguments that change nothing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from members.actors import Actor
from members.models import Delegate, User
from plans import services
from plans.enums import PlanStatus
from plans.errors import PlanInvalid
from plans.models import Cycle, Plan, PlanEvent, PlanVersion, Review

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return str(caught.value)


def cycles() -> list[tuple]:
    return list(
        Cycle.objects.order_by("year").values_list(
            "year", "opens_at", "deadline", "review_deadline", "spending_target_pct", "equipment_target_pct"
        )
    )


# open_cycle ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_open_cycle_creates_a_cycle_open_from_now():
    out = run("open_cycle", "2025", "--deadline", "2025-06-30T23:59:59+02:00")
    assert cycles() == [
        (2025, NOW, datetime(2025, 6, 30, 21, 59, 59, tzinfo=UTC), None, Decimal("2.00"), Decimal("20.00"))
    ]
    assert out.startswith("Opened cycle 2025:")


@time_machine.travel(NOW, tick=False)
def test_open_cycle_with_every_option():
    run(
        "open_cycle",
        "2026",
        "--deadline",
        "2026-06-30T00:00:00+00:00",
        "--opens",
        "2026-01-01T00:00:00+00:00",
        "--review-deadline",
        "2026-09-30T00:00:00+00:00",
        "--spending-target",
        "3.5",
        "--equipment-target",
        "25",
    )
    assert cycles() == [
        (
            2026,
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2026, 6, 30, tzinfo=UTC),
            datetime(2026, 9, 30, tzinfo=UTC),
            Decimal("3.50"),
            Decimal("25.00"),
        )
    ]


def test_open_cycle_updates_an_existing_cycle_and_keeps_its_opening():
    with time_machine.travel(NOW, tick=False):
        run("open_cycle", "2025", "--deadline", "2025-06-30T00:00:00+00:00", "--spending-target", "3.5")
    with time_machine.travel(NOW + timedelta(days=60), tick=False):
        out = run("open_cycle", "2025", "--deadline", "2025-07-31T00:00:00+00:00")
    assert cycles() == [(2025, NOW, datetime(2025, 7, 31, tzinfo=UTC), None, Decimal("3.50"), Decimal("20.00"))]
    assert out.startswith("Updated cycle 2025:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2025", "--deadline", "30/06/2025"], "--deadline: not an ISO 8601 date-time"),
        (["2025", "--deadline", "2025-06-31T00:00:00+00:00"], "--deadline"),
        (["2025", "--deadline", "2025-06-30T23:59:59"], "with a time zone"),
        (["2025", "--deadline", "2025-06-30"], "--deadline"),
        (["2025", "--deadline", "2025-06-30T00:00:00+00:00", "--opens", "soon"], "--opens"),
        (["2025", "--deadline", "2025-01-01T00:00:00+00:00"], "deadline: The deadline must be after the opening"),
        (
            ["2025", "--deadline", "2025-06-30T00:00:00+00:00", "--opens", "2025-07-01T00:00:00+00:00"],
            "deadline: The deadline must be after the opening",
        ),
        (
            ["2025", "--deadline", "2025-06-30T00:00:00+00:00", "--review-deadline", "2025-06-01T00:00:00+00:00"],
            "--review-deadline",
        ),
        (["2025", "--deadline", "2025-06-30T00:00:00+00:00", "--spending-target", "101"], "--spending-target"),
        (["2025", "--deadline", "2025-06-30T00:00:00+00:00", "--spending-target", "-1"], "--spending-target"),
        (["2025", "--deadline", "2025-06-30T00:00:00+00:00", "--equipment-target", "lots"], "--equipment-target"),
        (["1999", "--deadline", "2025-06-30T00:00:00+00:00"], "year"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_open_cycle_bad_argument_is_refused_and_changes_nothing(args, message):
    run("open_cycle", "2026", "--deadline", "2026-06-30T00:00:00+00:00")
    before = cycles()
    assert message in refused("open_cycle", *args)
    assert cycles() == before


@time_machine.travel(NOW, tick=False)
def test_open_cycle_refuses_to_move_deadline_past_the_stored_review_deadline():
    run("open_cycle", "2025", "--deadline", "2025-06-30T00:00:00+00:00", "--review-deadline", "2025-07-15T00:00:00Z")
    before = cycles()
    assert "review_deadline" in refused("open_cycle", "2025", "--deadline", "2025-08-01T00:00:00+00:00")
    assert cycles() == before


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"year": 2101}, "year"),
        ({"review_deadline": NOW + timedelta(days=1)}, "review_deadline"),
        ({"spending_target_pct": Decimal("100.5")}, "spending_target_pct"),
        ({"equipment_target_pct": Decimal("-1")}, "equipment_target_pct"),
        ({"opens_at": NOW + timedelta(days=30)}, "deadline"),
    ],
)
def test_cycle_open_service_names_the_bad_field(arguments, field):
    with pytest.raises(PlanInvalid) as caught:
        services.cycle_open(actor=Actor.system(), **{"year": 2025, "deadline": NOW + timedelta(days=10), **arguments})
    assert [f.field for f in caught.value.findings] == [field]
    assert not Cycle.objects.exists()


def test_cycle_open_service_refuses_naive_datetimes():
    with pytest.raises(PlanInvalid) as caught:
        services.cycle_open(actor=Actor.system(), year=2025, deadline=datetime(2025, 6, 30))
    assert [(f.field, f.code) for f in caught.value.findings] == [("deadline", "naive")]
    assert not Cycle.objects.filter(year=2025).exists()


# seed_demo ----------------------------------------------------------------------------------


def counts() -> dict:
    return {
        model.__name__: model.objects.count() for model in (User, Delegate, Cycle, Plan, PlanVersion, Review, PlanEvent)
    }


@pytest.fixture
def development(settings):
    """seed_demo runs only in development (DEBUG on)."""
    settings.DEBUG = True
    return settings


def test_seed_demo_refuses_without_debug_and_creates_nobody(settings):
    settings.DEBUG = False
    before = counts()
    with pytest.raises(CommandError, match="^seed_demo runs only with DEBUG on"):
        run("seed_demo")
    assert counts() == before


def test_seed_demo_fills_every_state_and_prints_the_accounts(development):
    out = run("seed_demo")
    this_year = Cycle.objects.order_by("-year").first()
    statuses = dict(Plan.objects.filter(cycle=this_year).values_list("member__code", "status"))
    assert statuses == {
        "EE": PlanStatus.DRAFT,
        "FR": PlanStatus.SUBMITTED,
        "PL": PlanStatus.IN_REVIEW,
        "DE": PlanStatus.RETURNED,
        "IS": PlanStatus.SUBMITTED,
    }
    assert Plan.objects.get(cycle=this_year, member__code="IS").nil_return is True
    assert set(Plan.objects.exclude(cycle=this_year).values_list("status", flat=True)) == {PlanStatus.ACCEPTED}
    assert out.startswith("Demo data ready.\n")
    for email in ("admin@example.org", "reviewer@example.org", "ee.submitter@example.org", "is.submitter@example.org"):
        assert email in out
    assert "demo-plans-2025" in out
    assert User.objects.get(email="ee.submitter@example.org").check_password("demo-plans-2025")


def test_seed_demo_twice_does_not_duplicate(development):
    run("seed_demo")
    first = counts()
    out = run("seed_demo")
    assert counts() == first
    assert out.startswith("Demo data already present; nothing changed.\n")
    assert "ee.submitter@example.org" in out


def test_seed_demo_staff_can_work_in_the_admin(development, client):
    run("seed_demo")
    groups = {
        email: list(User.objects.get(email=email).groups.values_list("name", flat=True))
        for email in ("reviewer@example.org", "approver@example.org", "manager@example.org")
    }
    client.force_login(User.objects.get(email="reviewer@example.org"))
    assert (groups, client.get("/admin/plans/plan/", secure=True).status_code) == (
        {
            "reviewer@example.org": ["Reviewers"],
            "approver@example.org": ["Approvers"],
            "manager@example.org": ["Cycle managers"],
        },
        200,
    )
