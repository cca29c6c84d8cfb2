"""The head of delegation manages the member's API keys on a page of its own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from members.actors import Actor
from members.enums import Role
from members.models import ApiKey
from members.services import api_key_issue
from tests.factories import DelegateFactory, UserFactory
from tests.web.conftest import signed_in

PAGE = "/accounts/api-keys/"


def _issue(client, **data):
    return client.post(PAGE, {"name": "Ministry ERP", "scopes": ["read", "write", "submit"], **data})


def test_head_of_delegation_issues_a_key_that_is_shown_once_and_works(alice, estonia, cycle):
    client = signed_in(alice)
    response = _issue(client)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["issued"][1]
    record = ApiKey.objects.get_from_key(key)
    assert (record.member, record.name, record.scopes, record.created_by) == (
        estonia,
        "Ministry ERP",
        ["read", "write", "submit"],
        alice,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/cycles/").status_code == 200
    again = client.get(PAGE)
    assert key not in again.content.decode()
    assert record.prefix in again.content.decode()


def test_revoked_key_stops_working(alice, estonia, cycle):
    client = signed_in(alice)
    key = _issue(client).context["issued"][1]
    record = ApiKey.objects.get_from_key(key)

    response = client.post(reverse("api-key-revoke", args=[record.prefix]))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.revoked is True
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/cycles/").status_code == 401


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"scopes": []}, "scopes", "This field is required."),
        ({"scopes": ["admin"]}, "scopes", "Select a valid choice. admin is not one of the available choices."),
        ({"expiry_date": "2001-01-01"}, "expiry_date", "The expiry must be in the future."),
        ({"expiry_date": "31/31/2031"}, "expiry_date", "Enter a valid date."),
    ],
)
def test_bad_input_names_the_field_and_issues_nothing(alice, data, field, message):
    response = _issue(signed_in(alice), **data)
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_other_roles_may_not_manage_keys(db, estonia, role):
    user = DelegateFactory(user=UserFactory(), member=estonia, role=role).user
    client = signed_in(user)
    assert client.get(PAGE).status_code == 403
    assert _issue(client).status_code == 403
    assert ApiKey.objects.count() == 0


def test_another_members_key_is_not_found_and_stays_active(bob, estonia):
    record, _key = api_key_issue(actor=Actor.system(), member=estonia, name="ERP", scopes=["read"])
    response = signed_in(bob).post(reverse("api-key-revoke", args=[record.prefix]))
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.revoked is False


def test_another_members_keys_are_not_listed(bob, alice, estonia):
    api_key_issue(actor=Actor.system(), member=estonia, name="Estonian ERP", scopes=["read"])
    page = signed_in(bob).get(PAGE)
    assert list(page.context["keys"]) == []
    assert "Estonian ERP" not in page.content.decode()


def test_staff_are_sent_to_the_admin(charlie):
    response = signed_in(charlie).get(PAGE)
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_dashboard_links_the_page_for_the_head_of_delegation_only(alice, estonia, cycle):
    viewer = DelegateFactory(user=UserFactory(), member=estonia, role=Role.VIEWER).user
    assert PAGE in signed_in(alice).get("/").content.decode()
    assert PAGE not in signed_in(viewer).get("/").content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_key_list_queries(alice, estonia, count, django_assert_num_queries):
    for index in range(count):
        api_key_issue(
            actor=Actor.system(),
            member=estonia,
            name=f"ERP {index}",
            scopes=["read"],
            expires=timezone.now() + timedelta(days=30),
        )
    client = signed_in(alice)
    # session, user, delegate, member, keys with their issuers, and the session saved (savepoint, update, release)
    with django_assert_num_queries(8):
        response = client.get(PAGE)
    assert len(response.context["keys"]) == count
