"""Member services and API-key authentication, without the commands in front of them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from members.actors import Actor
from members.authentication import ApiKeyAuthentication, ApiKeyPrincipal
from members.enums import Role
from members.models import ApiKey
from members.services import MemberInputError, api_key_issue, api_key_revoke, delegate_add, member_by_code
from tests.factories import member

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def request(authorization: str | None = None):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return APIRequestFactory().get("/api/v1/members/", **headers)


def test_member_by_code_accepts_any_case_and_refuses_unknown_codes():
    assert member_by_code(" ee ").code == "EE"
    with pytest.raises(MemberInputError, match="Unknown member code 'UA'"):
        member_by_code("UA")


@pytest.mark.parametrize(("scopes", "stored"), [(["submit", "read"], ["read", "submit"]), (["write"], ["write"])])
def test_api_key_issue_stores_scopes_in_a_fixed_order(scopes, stored):
    api_key, _key = api_key_issue(actor=Actor.system(), member=member("EE"), name="ERP", scopes=scopes)
    assert ApiKey.objects.get(pk=api_key.pk).scopes == stored


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "delete"]])
def test_api_key_issue_refuses_unknown_or_no_scopes(scopes):
    with pytest.raises(MemberInputError, match="scope"):
        api_key_issue(actor=Actor.system(), member=member("EE"), name="ERP", scopes=scopes)
    assert not ApiKey.objects.exists()


def test_bearer_key_authenticates_as_its_member():
    api_key, key = api_key_issue(actor=Actor.system(), member=member("EE"), name="ERP", scopes=["read"])
    principal, auth = ApiKeyAuthentication().authenticate(request(f"Bearer {key}"))
    assert isinstance(principal, ApiKeyPrincipal)
    assert (auth, str(principal), Actor.for_api_key(auth).member_id) == (api_key, "API key EE/ERP", member("EE").pk)


def test_other_authorization_schemes_are_left_to_other_authenticators():
    assert ApiKeyAuthentication().authenticate(request()) is None
    assert ApiKeyAuthentication().authenticate(request("Basic dXNlcjpwYXNz")) is None


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer nodot", "Bearer abc.def"])
def test_malformed_or_unknown_bearer_is_refused(header):
    with pytest.raises(exceptions.AuthenticationFailed):
        ApiKeyAuthentication().authenticate(request(header))


def test_revoked_key_is_refused():
    api_key, key = api_key_issue(actor=Actor.system(), member=member("EE"), name="ERP", scopes=["read"])
    api_key_revoke(actor=Actor.system(), api_key=api_key)
    with pytest.raises(exceptions.AuthenticationFailed):
        ApiKeyAuthentication().authenticate(request(f"Bearer {key}"))


def test_last_use_is_written_at_most_once_a_minute():
    with time_machine.travel(NOW, tick=False):
        api_key, key = api_key_issue(actor=Actor.system(), member=member("EE"), name="ERP", scopes=["read"])
        ApiKeyAuthentication().authenticate(request(f"Bearer {key}"))
    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        ApiKeyAuthentication().authenticate(request(f"Bearer {key}"))
    api_key.refresh_from_db()
    first = api_key.last_used_at
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        ApiKeyAuthentication().authenticate(request(f"Bearer {key}"))
    api_key.refresh_from_db()
    assert (first, api_key.last_used_at) == (NOW, NOW + timedelta(seconds=61))


def test_delegate_add_service_moves_and_changes_role():
    first = delegate_add(actor=Actor.system(), email="kadri@mod.ee", member=member("EE"), role=Role.VIEWER)
    second = delegate_add(actor=Actor.system(), email="KADRI@mod.ee", member=member("LV"), role=Role.SUBMITTER)
    assert (first.created_user, second.created_user, second.delegate.pk) == (True, False, first.delegate.pk)
    assert (second.delegate.member.code, second.delegate.role) == ("LV", Role.SUBMITTER)
