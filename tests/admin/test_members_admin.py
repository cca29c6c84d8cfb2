"""Delegates and API keys in the admin: through the members services; a key is shown once."""

from django.urls import reverse

from members.actors import Actor
from members.enums import Role
from members.models import ApiKey, Delegate, User
from members.services import api_key_issue


def test_cycle_manager_issues_a_read_key_and_sees_it_once(manager_client, manager, estonia):
    response = manager_client.post(
        reverse("admin:members_apikey_add"),
        {"member": estonia.pk, "name": "Ministry BI", "scopes": ["read"], "expiry_date_0": "", "expiry_date_1": ""},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    key = response.context["key"]
    api_key = ApiKey.objects.get_from_key(key)
    assert (api_key.member, api_key.name, api_key.scopes, api_key.created_by) == (
        estonia,
        "Ministry BI",
        ["read"],
        manager,
    )
    change_page = manager_client.get(reverse("admin:members_apikey_change", args=[api_key.pk]))
    assert key not in change_page.content.decode()


def test_staff_may_not_grant_write_or_submit_on_a_key(manager_client, estonia):
    # Staff never write a member's plan, so they cannot hand that right to a system either.
    response = manager_client.post(
        reverse("admin:members_apikey_add"),
        {"member": estonia.pk, "name": "ERP", "scopes": ["read", "submit"], "expiry_date_0": "", "expiry_date_1": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "scopes": ["You may not grant submit: a key gets only rights its issuer holds for the member."]
    }
    assert ApiKey.objects.count() == 0


def test_a_key_without_scopes_is_refused(manager_client, estonia):
    response = manager_client.post(
        reverse("admin:members_apikey_add"),
        {"member": estonia.pk, "name": "Ministry ERP", "expiry_date_0": "", "expiry_date_1": ""},
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["scopes"]
    assert ApiKey.objects.count() == 0


def test_revoke_action_revokes_the_selected_keys(manager_client, estonia):
    api_key, _key = api_key_issue(actor=Actor.system(), member=estonia, name="Old system", scopes=["read"])

    response = manager_client.post(
        reverse("admin:members_apikey_changelist"), {"action": "revoke", "_selected_action": [api_key.pk]}
    )

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked is True


def test_cycle_manager_adds_a_delegate_by_email(manager_client, latvia):
    response = manager_client.post(
        reverse("admin:members_delegate_add"),
        {"email": "Head@LV.example.org", "member": latvia.pk, "role": Role.SUBMITTER},
    )

    assert response.status_code == 302
    delegate = Delegate.objects.get(user__email="head@lv.example.org")
    assert (delegate.member, delegate.role, delegate.user.has_usable_password()) == (latvia, Role.SUBMITTER, False)


def test_changing_a_delegates_role(manager_client, alice, estonia):
    delegate = alice.delegate

    response = manager_client.post(
        reverse("admin:members_delegate_change", args=[delegate.pk]), {"member": estonia.pk, "role": Role.VIEWER}
    )

    assert response.status_code == 302
    delegate.refresh_from_db()
    assert (delegate.role, delegate.user, User.objects.filter(email=alice.email).count()) == (Role.VIEWER, alice, 1)
