"""The three personas of every ownership test, and the objects they work on.

- `alice`: submitter of Estonia (EE), the owning member;
- `bob`: submitter of Latvia (LV), another member: gets 404 on Estonia's things;
- `charlie`: a staff reviewer (in the Reviewers group);
- `manager`: a cycle manager (in the Cycle managers group).
"""

import pytest

from members.actors import Actor
from members.enums import Role
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member


@pytest.fixture
def estonia():
    return member("EE")


@pytest.fixture
def latvia():
    return member("LV")


@pytest.fixture
def cycle(db):
    return CycleFactory()


@pytest.fixture
def alice(db, estonia):
    return DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=estonia, role=Role.SUBMITTER).user


@pytest.fixture
def bob(db, latvia):
    return DelegateFactory(user=UserFactory(email="bob@lv.example.org"), member=latvia, role=Role.SUBMITTER).user


@pytest.fixture
def charlie(db):
    return StaffFactory(email="charlie@staff.example.org", groups=["Reviewers"])


@pytest.fixture
def manager(db):
    """A cycle manager: runs cycles, extensions and reminders; does not review."""
    return StaffFactory(email="max@staff.example.org", groups=["Cycle managers"])


@pytest.fixture
def as_manager(manager):
    return Actor.for_user(manager)


@pytest.fixture
def as_alice(alice):
    return Actor.for_user(alice)


@pytest.fixture
def as_bob(bob):
    return Actor.for_user(bob)


@pytest.fixture
def as_charlie(charlie):
    return Actor.for_user(charlie)
