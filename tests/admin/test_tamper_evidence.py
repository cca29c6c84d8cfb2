"""Submitted versions cannot be changed, their authors cannot be erased, and a broken chain is found:
in the admin on demand and every night, with an e-mail to the staff who can act."""

import pytest
from django.core import mail
from django.db.models import ProtectedError
from django_celery_beat.models import PeriodicTask

from core.enums import SecurityEventKind
from core.models import ImmutableRecordError, SecurityEvent
from members.actors import Actor
from members.models import User
from members.services import api_key_issue
from plans import services
from plans.models import PlanVersion
from plans.tasks import verify_versions
from tests.admin.conftest import client_of, staff_in
from tests.factories import valid_content
from tests.tamper import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(cycle, estonia, as_alice):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    return services.plan_submit(plan=plan, actor=as_alice).version


def test_a_version_is_never_changed_or_deleted_through_the_application(version):
    version.content = version.content.replace("EE", "LV")
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        PlanVersion.objects.filter(pk=version.pk).update(is_late=True)
    with pytest.raises(ImmutableRecordError):
        version.delete()
    with pytest.raises(ImmutableRecordError):
        PlanVersion.objects.all().delete()
    assert PlanVersion.objects.get(pk=version.pk).content.count('"EE"') >= 1


def test_authors_cannot_be_deleted_they_are_deactivated(version, alice, charlie, manager, estonia):
    services.comment_add(plan=version.plan, actor=Actor.for_user(charlie), body="Noted.")
    api_key_issue(actor=Actor.for_user(manager), member=estonia, name="erp", scopes=["read"])
    for author in (alice, charlie, manager):
        with pytest.raises(ProtectedError):
            author.delete()
    assert User.objects.filter(pk__in=[alice.pk, charlie.pk, manager.pk]).count() == 3


def test_the_user_admin_deactivates_instead_of_deleting(version, alice, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@staff.example.org", password="x-long-password-1")
    client = client_of(root)
    assert client.get(f"/admin/members/user/{alice.pk}/delete/").status_code == 403
    actions = client.get("/admin/members/user/").context["action_form"].fields["action"].choices
    assert [name for name, _label in actions if name] == ["deactivate"]
    client.post("/admin/members/user/", {"action": "deactivate", "_selected_action": [alice.pk]})
    alice.refresh_from_db()
    assert alice.is_active is False
    assert PlanVersion.objects.get(pk=version.pk).submitted_by == alice
    assert list(SecurityEvent.objects.filter(kind=SecurityEventKind.USER_DEACTIVATED).values_list("user", "actor")) == [
        (alice.pk, root.pk)
    ]


def test_the_admin_check_reports_an_intact_chain_and_a_break(version, reviewer):
    client = client_of(reviewer)
    listing = client.get("/admin/plans/planversion/").content.decode()
    assert 'href="/admin/plans/planversion/verify/"' in listing
    intact = client.get("/admin/plans/planversion/verify/")
    assert (intact.context["checked"], intact.context["breaks"]) == (1, [])
    tamper(version, content=version.content.replace("EE", "LV", 1))
    broken = client.get("/admin/plans/planversion/verify/")
    assert [str(item) for item in broken.context["breaks"]] == [
        f"plan {version.plan_id} v1: the content does not hash to the stored sha256",
        f"plan {version.plan_id} v1: the content names another member, cycle, number or previous version",
    ]


def test_staff_without_the_right_to_view_versions_cannot_run_the_check(version):
    from tests.factories import StaffFactory

    assert (
        client_of(StaffFactory(email="new@staff.example.org")).get("/admin/plans/planversion/verify/").status_code
        == 403
    )


def test_the_nightly_check_is_scheduled_and_quiet_when_all_holds(version, reviewer):
    task = PeriodicTask.objects.get(task="plans.verify_versions")
    assert (task.enabled, task.crontab.hour, task.crontab.minute, task.crontab.timezone.key) == (True, "2", "0", "UTC")
    assert (verify_versions(), mail.outbox) == (0, [])


def test_a_break_found_at_night_is_logged_and_mailed_to_the_staff_who_can_act(version, reviewer, manager, charlie):
    officer = staff_in("Security officers", "sofia@staff.example.org")
    inactive = staff_in("Reviewers", "gone@staff.example.org")
    inactive.is_active = False
    inactive.save()
    tamper(version, content=version.content.replace("EE", "LV", 1))
    assert verify_versions() == 2
    # Reviewers (charlie, rita) may view versions, officers the security log; managers neither.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([charlie.email, officer.email, reviewer.email])
    assert mail.outbox[0].subject == "Plan versions: 2 breaks in the hash chain"
    assert f"plan {version.plan_id} v1: the content does not hash to the stored sha256" in mail.outbox[0].body
    assert "/admin/plans/planversion/verify/" in mail.outbox[0].body
    event = SecurityEvent.objects.get(kind=SecurityEventKind.VERSION_CHAIN_BROKEN)
    assert (event.detail["checked"], len(event.detail["breaks"])) == (1, 2)


def test_deactivating_a_user_ends_their_open_sessions(alice, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@staff.example.org", password="x-long-password-1")
    session = client_of(alice)
    assert session.get("/").status_code == 200
    client_of(root).post("/admin/members/user/", {"action": "deactivate", "_selected_action": [alice.pk]})
    assert session.get("/")["Location"] == "/accounts/login/?next=/"
