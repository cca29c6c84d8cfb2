"""The three personas of every ownership test, and the objects they work on.

- `alice`: submitter of Estonia (EE), the owning member;
- `bob`: submitter of Latvia (LV), another member: gets 404 on Estonia's things;
- `charlie`: a staff reviewer (in the Reviewers group);
- `manager`: a cycle manager (in the Cycle managers group).

`force_login` stands in for the whole sign-in, so it also counts as the second step (the
session is marked as verified). Tests of sign-in itself go through the real forms.
"""

import pytest
from django.core.cache import cache
from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY

from members.actors import Actor
from members.enums import Role
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member

FORCED_DEVICE = "tests.forced_login/0"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits, device-cookie budgets and first-use marks live in the cache, which outlives a
    # test's database transaction (and ids are reused from one test to the next).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_step(monkeypatch):
    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = FORCED_DEVICE
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


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
