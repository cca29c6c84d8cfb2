"""API personas: keys and a session for the people of tests/conftest.py.

- `alice_key`: Estonia's key with every scope (the owning member);
- `bob_key`: Latvia's key with every scope (another member: 404 on Estonia's things);
- `reader_key`: Estonia's read-only key;
- `staff`: charlie signed in (session);
- `anonymous`: no credentials.
"""

import pytest
from rest_framework.test import APIClient

from members.actors import Actor
from members.services import api_key_issue
from plans import services
from tests.factories import valid_content


def key_client(member, scopes, name="erp") -> APIClient:
    _record, key = api_key_issue(actor=Actor.system(), member=member, name=name, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.api_key = _record
    return client


@pytest.fixture
def alice_key(db, estonia) -> APIClient:
    return key_client(estonia, ["read", "write", "submit"], name="ee-erp")


@pytest.fixture
def bob_key(db, latvia) -> APIClient:
    return key_client(latvia, ["read", "write", "submit"], name="lv-erp")


@pytest.fixture
def reader_key(db, estonia) -> APIClient:
    return key_client(estonia, ["read"], name="ee-reader")


@pytest.fixture
def staff(charlie) -> APIClient:
    client = APIClient()
    client.force_login(charlie)
    return client


@pytest.fixture
def anonymous(db) -> APIClient:
    return APIClient()


@pytest.fixture
def clients(alice_key, bob_key, reader_key, staff, anonymous) -> dict[str, APIClient]:
    return {"owner": alice_key, "other": bob_key, "reader": reader_key, "staff": staff, "anonymous": anonymous}


@pytest.fixture
def draft(cycle, estonia, as_alice):
    """Estonia's draft for the cycle, complete enough to submit."""
    return services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan


@pytest.fixture
def submitted(draft, as_alice):
    services.plan_submit(plan=draft, actor=as_alice)
    draft.refresh_from_db()
    return draft
