"""Delegation pages: the personas signed in, and an Estonian plan to look at."""

import pytest
from django.test import Client

from members.actors import Actor
from members.enums import Role
from plans import services
from tests.factories import DelegateFactory, UserFactory, valid_content

MODEL_BACKEND = "members.backends.StaffPermissionBackend"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def erin(db, estonia):
    """An editor of Estonia: edits, cannot submit."""
    return DelegateFactory(user=UserFactory(email="erin@ee.example.org"), member=estonia, role=Role.EDITOR).user


@pytest.fixture
def victor(db, estonia):
    """A viewer of Estonia: reads only."""
    return DelegateFactory(user=UserFactory(email="victor@ee.example.org"), member=estonia, role=Role.VIEWER).user


@pytest.fixture
def alice_client(alice):
    return signed_in(alice)


@pytest.fixture
def bob_client(bob):
    return signed_in(bob)


@pytest.fixture
def charlie_client(charlie):
    return signed_in(charlie)


@pytest.fixture
def erin_client(erin):
    return signed_in(erin)


@pytest.fixture
def victor_client(victor):
    return signed_in(victor)


@pytest.fixture
def plan(cycle, estonia, alice):
    """Estonia's draft for the cycle, complete enough to submit."""
    return services.plan_create(cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=valid_content()).plan


@pytest.fixture
def submitted_plan(plan, alice):
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    plan.refresh_from_db()
    return plan


def editor_post(content: dict, *, revision: int, action: str = "save", blank_rows: int = 1) -> dict:
    """The editor's POST body for a content dict, as a browser would send it."""
    data = {"revision": str(revision), "action": action}
    for field in (
        "defence_expenditure",
        "equipment_expenditure",
        "personnel_expenditure",
        "infrastructure_expenditure",
        "other_expenditure",
        "gdp",
        "currency",
        "military_personnel",
        "summary",
        "nil_return_reason",
    ):
        value = content.get(field)
        data[field] = "" if value is None else str(value)
    if content.get("nil_return"):
        data["nil_return"] = "on"
    for prefix, rows, defaults in (
        ("lines", content.get("lines", []), {"funding": "national", "priority": "normal", "bottleneck": "none"}),
        ("partnerships", content.get("partnerships", []), {"status": "planned"}),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + blank_rows)
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for index, row in enumerate([*rows, *[{}] * blank_rows]):
            for field, value in {**defaults, **row}.items():
                key = f"{prefix}-{index}-{field}"
                if isinstance(value, list):
                    data[key] = value
                elif value is not None:
                    data[key] = str(value)
    return data
