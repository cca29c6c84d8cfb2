"""One question, every door, the same answer.

For each permission-bearing persona and each question of the permission table ("may X read
Estonia's plan?", "... write it?", "... review it?" ...), every door open to that persona (the
REST API with a key or a session, the delegation pages, the admin) is asked by doing the
thing, and each must answer as the expected column says. A door that lets someone through
that another refuses (or the reverse) fails here.

The expectations are written out by hand, not derived from core.permissions, so that a change
to the table that nobody meant shows up as a failing row.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from members.actors import Actor
from members.enums import Role
from members.models import ApiKey, User
from members.services import api_key_issue
from plans import services
from plans.attachments import attachment_add
from plans.enums import PlanStatus
from plans.models import (
    Attachment,
    CatalogueItem,
    Comment,
    DeadlineExtension,
    Notification,
    Plan,
    Recommendation,
    Review,
)
from tests import attachment_files
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member, valid_content

WEB_BACKEND = "members.backends.StaffPermissionBackend"
NO_EXPIRY = {"expiry_date_0": "", "expiry_date_1": ""}

# Persona -> how it is made. Keys act through the API only; people through the API (session),
# and the delegation pages (delegates) or the admin (staff).
PERSONAS = [
    "ee_viewer",
    "ee_editor",
    "ee_submitter",
    "lv_submitter",
    "ee_read_key",
    "ee_write_key",
    "ee_full_key",
    "lv_full_key",
    "reviewer",
    "approver",
    "cycle_manager",
    "security_officer",
    "staff_no_group",
    "superuser",
]
DELEGATES = {"ee_viewer", "ee_editor", "ee_submitter", "lv_submitter"}
KEYS = {"ee_read_key", "ee_write_key", "ee_full_key", "lv_full_key"}
STAFF = {"reviewer", "approver", "cycle_manager", "security_officer", "staff_no_group", "superuser"}

# Question -> the personas that may. Everyone else must be refused at every door.
MAY = {
    "read the plan": {
        "ee_viewer",
        "ee_editor",
        "ee_submitter",
        "ee_read_key",
        "ee_full_key",
        "reviewer",
        "approver",
        "cycle_manager",
        "superuser",
    },
    "write the plan": {"ee_editor", "ee_submitter", "ee_write_key", "ee_full_key"},
    "submit the plan": {"ee_submitter", "ee_full_key"},
    "comment on the plan": {
        "ee_editor",
        "ee_submitter",
        "ee_write_key",
        "ee_full_key",
        "reviewer",
        "approver",
        "superuser",
    },
    "read internal comments": {"reviewer", "approver", "superuser"},
    "write an internal comment": {"reviewer", "approver", "superuser"},
    "review the plan": {"reviewer", "superuser"},
    "approve a recommendation": {"approver", "superuser"},
    "grant an extension": {"cycle_manager", "superuser"},
    "send a reminder": {"reviewer", "cycle_manager", "superuser"},
    "read every member's compliance": {"reviewer", "approver", "cycle_manager", "superuser"},
    "read the alliance figures and joint procurement signals": {"reviewer", "approver", "cycle_manager", "superuser"},
    "maintain the catalogue": {"cycle_manager", "superuser"},
    "issue an API key for the member": {"ee_submitter", "cycle_manager", "superuser"},
    "read the security log": {"security_officer", "superuser"},
}


@dataclass
class World:
    plan: Plan
    persona: str
    user: User | None
    key: str | None


def _person(persona: str) -> User:
    if persona in DELEGATES:
        code, role = {
            "ee_viewer": ("EE", Role.VIEWER),
            "ee_editor": ("EE", Role.EDITOR),
            "ee_submitter": ("EE", Role.SUBMITTER),
            "lv_submitter": ("LV", Role.SUBMITTER),
        }[persona]
        return DelegateFactory(user=UserFactory(email=f"{persona}@example.org"), member=member(code), role=role).user
    if persona == "superuser":
        return StaffFactory(email="root@staff.example.org", is_superuser=True)
    groups = {
        "reviewer": ["Reviewers"],
        "approver": ["Approvers"],
        "cycle_manager": ["Cycle managers"],
        "security_officer": ["Security officers"],
        "staff_no_group": [],
    }[persona]
    return StaffFactory(email=f"{persona}@staff.example.org", groups=groups)


def _key(persona: str) -> str:
    code, scopes = {
        "ee_read_key": ("EE", ["read"]),
        "ee_write_key": ("EE", ["write"]),
        "ee_full_key": ("EE", ["read", "write", "submit"]),
        "lv_full_key": ("LV", ["read", "write", "submit"]),
    }[persona]
    return api_key_issue(actor=Actor.system(), member=member(code), name=persona, scopes=scopes)[1]


RECOMMENDED = "recommended"  # two-level cycle, in review, a recommendation waiting for its approver


def _world(persona: str, status: str) -> World:
    """Estonia's plan in `status` (returned: editable, with a version; submitted: waiting for review)."""
    head = DelegateFactory(user=UserFactory(email="head@ee.example.org"), member=member("EE"), role=Role.SUBMITTER)
    as_head = Actor.for_user(head.user)
    reviewer = Actor.for_user(StaffFactory(email="rita@staff.example.org", groups=["Reviewers"]))
    cycle = CycleFactory(approval_levels=2 if status == RECOMMENDED else 1)
    plan = services.plan_create(cycle=cycle, member=member("EE"), actor=as_head, content=valid_content()).plan
    services.plan_submit(plan=plan, actor=as_head)
    services.comment_add(plan=plan, actor=reviewer, body="Internal: check the stockpiles.", internal=True)
    if status == PlanStatus.RETURNED:
        services.plan_return(plan=plan, actor=reviewer, comment="Give the stockpile figures.")
    if status == RECOMMENDED:
        services.plan_start_review(plan=plan, actor=reviewer)
        services.plan_recommend(plan=plan, actor=reviewer, decision="accept", comment="Complete.")
    plan.refresh_from_db()
    user = key = None
    if persona in KEYS:
        key = _key(persona)
    else:
        user = _person(persona)
    return World(plan=plan, persona=persona, user=user, key=key)


# Doors: each does the thing and says whether it was allowed ---------------------------------------


def api(world: World) -> APIClient:
    client = APIClient()
    if world.key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.key}")
    else:
        client.force_login(world.user)
    return client


def browser(world: World) -> Client:
    client = Client()
    client.force_login(world.user, backend=WEB_BACKEND)
    return client


def allowed(status: int, yes: set[int], no: set[int]) -> bool:
    if status in yes:
        return True
    assert status in no, f"unexpected status {status}"
    return False


def read_plan_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    doors = {"api": allowed(api(world).get(f"/api/v1/plans/{pk}/").status_code, {200}, {403, 404})}
    # Who reads the plan reads why it came back: its decisions, and the decision in the thread.
    reviews = api(world).get(f"/api/v1/plans/{pk}/reviews/")
    doors["api reviews"] = allowed(reviews.status_code, {200}, {403, 404}) and [
        row["comment"] for row in reviews.json()["results"]
    ] == ["Give the stockpile figures."]
    comments = api(world).get(f"/api/v1/plans/{pk}/comments/")
    doors["api thread"] = allowed(comments.status_code, {200}, {403, 404}) and any(
        row["decision"] == "return" and row["body"] == "Give the stockpile figures."
        for row in comments.json()["results"]
    )
    if world.persona in DELEGATES:
        page = browser(world).get(reverse("plan-detail-page", args=[pk]))
        doors["web thread"] = allowed(page.status_code, {200}, {404}) and "Review decision: Return for revision" in (
            page.content.decode()
        )
    if world.persona in DELEGATES:
        doors["web"] = allowed(browser(world).get(reverse("plan-detail-page", args=[pk])).status_code, {200}, {404})
        template = browser(world).get(reverse("plan-template", args=[pk]))
        doors["web template"] = allowed(template.status_code, {200}, {404})
        lines_csv = browser(world).get(reverse("plan-lines-csv", args=[pk]))
        doors["web lines csv"] = allowed(lines_csv.status_code, {200}, {404})
    # Its supporting documents: listed and downloaded by whoever reads the plan, at every door.
    head = Actor.for_user(User.objects.get(email="head@ee.example.org"))
    annex = attachment_add(
        plan=world.plan, actor=head, upload=attachment_files.upload("annex.pdf", attachment_files.PDF)
    )
    listed = api(world).get(f"/api/v1/plans/{pk}/attachments/")
    doors["api documents"] = allowed(listed.status_code, {200}, {403, 404}) and listed.json()["count"] == 1
    download = api(world).get(f"/api/v1/plans/{pk}/attachments/{annex.pk}/")
    doors["api document download"] = allowed(download.status_code, {200}, {403, 404})
    if world.persona in DELEGATES:
        download = browser(world).get(reverse("plan-attachment", args=[pk, annex.pk]))
        doors["web document download"] = allowed(download.status_code, {200}, {404})
    if world.persona in STAFF:
        download = browser(world).get(reverse("admin:plans_attachment_download", args=[annex.pk]))
        doors["admin document download"] = allowed(download.status_code, {200}, {403, 302})
    if world.persona in STAFF:
        page = browser(world).get(reverse("admin:plans_plan_change", args=[pk]))
        doors["admin"] = allowed(page.status_code, {200}, {403, 302})
        history = browser(world).get(reverse("admin:plans_plan_history", args=[pk]))
        doors["admin history"] = allowed(history.status_code, {200}, {403, 302})
        lines = page.context and page.context.get("lines_table")
        if doors["admin"]:
            # The plan's lines are part of it: who reads the plan reads them.
            doors["admin lines"] = bool(lines) and len(lines["rows"]) == 1
    return doors


def write_plan_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk

    def written(text: str) -> bool:
        return Plan.objects.get(pk=pk).summary == text

    doors = {}
    response = api(world).patch(f"/api/v1/plans/{pk}/", {"summary": "API."}, format="json", HTTP_IF_MATCH="*")
    doors["api"] = allowed(response.status_code, {200}, {403, 404}) and written("API.")
    if world.persona in DELEGATES:
        page = browser(world).get(reverse("plan-edit", args=[pk]))
        doors["web"] = allowed(page.status_code, {200}, {403, 404})
        upload = browser(world).get(reverse("plan-import", args=[pk]))
        doors["web import"] = allowed(upload.status_code, {200}, {403, 404})
    # Attaching a document is writing the plan.
    upload = attachment_files.upload("api.pdf", attachment_files.PDF)
    response = api(world).post(f"/api/v1/plans/{pk}/attachments/", {"file": upload}, format="multipart")
    doors["api document"] = allowed(response.status_code, {201}, {403, 404}) and (
        Attachment.objects.filter(plan_id=pk, name="api.pdf").exists()
    )
    if world.persona in DELEGATES:
        upload = attachment_files.upload("web.pdf", attachment_files.PDF)
        response = browser(world).post(reverse("plan-attachment-add", args=[pk]), {"file": upload})
        doors["web document"] = allowed(response.status_code, {302}, {403, 404}) and (
            Attachment.objects.filter(plan_id=pk, name="web.pdf").exists()
        )
    if world.persona in STAFF:
        # The admin shows a plan read-only to everyone: staff never write a member's plan.
        admin = browser(world).post(reverse("admin:plans_plan_change", args=[pk]), {"summary": "Admin."})
        doors["admin"] = allowed(admin.status_code, {302}, {403}) and written("Admin.")
    return doors


def submit_plan_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    doors = {"api": allowed(api(world).post(f"/api/v1/plans/{pk}/submit/").status_code, {201}, {403, 404})}
    if world.persona in DELEGATES:
        Plan.objects.filter(pk=pk).update(status=PlanStatus.RETURNED)
        response = browser(world).post(reverse("plan-submit", args=[pk]))
        doors["web"] = allowed(response.status_code, {302}, {403, 404})
    return doors


def comment_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    before = Comment.objects.filter(internal=False).count()
    doors = {
        "api": allowed(
            api(world).post(f"/api/v1/plans/{pk}/comments/", {"body": "API."}, format="json").status_code,
            {201},
            {403, 404},
        )
    }
    if world.persona in DELEGATES:
        response = browser(world).post(reverse("plan-comment-add", args=[pk]), {"body": "Web."})
        doors["web"] = allowed(response.status_code, {302}, {403, 404})
    if world.persona in STAFF:
        response = browser(world).post(reverse("admin:plans_plan_comment", args=[pk]), {"body": "Admin."})
        doors["admin"] = allowed(response.status_code, {302}, {403})
    assert Comment.objects.filter(internal=False).count() - before == sum(doors.values())
    return doors


def read_internal_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    response = api(world).get(f"/api/v1/plans/{pk}/comments/")
    bodies = [row["body"] for row in response.json().get("results", [])] if response.status_code == 200 else []
    doors = {"api": "Internal: check the stockpiles." in bodies}
    if world.persona in DELEGATES:
        page = browser(world).get(reverse("plan-detail-page", args=[pk]))
        doors["web"] = "Internal: check the stockpiles." in page.content.decode()
    if world.persona in STAFF:
        page = browser(world).get(reverse("admin:plans_plan_change", args=[pk]))
        shown = "Internal: check the stockpiles." in page.content.decode()
        listed = browser(world).get(reverse("admin:plans_comment_changelist"))
        doors["admin plan page"] = shown
        doors["admin comment list"] = listed.status_code == 200 and any(
            comment.internal for comment in listed.context["cl"].result_list
        )
    return doors


def internal_comment_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    before = Comment.objects.filter(internal=True).count()
    response = api(world).post(
        f"/api/v1/plans/{pk}/comments/", {"body": "Between us.", "internal": True}, format="json"
    )
    doors = {"api": allowed(response.status_code, {201}, {403, 404})}
    if world.persona in STAFF:
        admin = browser(world).post(
            reverse("admin:plans_plan_comment", args=[pk]), {"body": "Staff.", "internal": "on"}
        )
        doors["admin"] = (
            allowed(admin.status_code, {302}, {403}) and Comment.objects.filter(body="Staff.", internal=True).exists()
        )
    assert Comment.objects.filter(internal=True).count() - before == sum(doors.values())
    return doors


def review_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    body = {"decision": "return", "comment": "Say more."}
    doors = {
        "api": allowed(
            api(world).post(f"/api/v1/plans/{pk}/review/", body, format="json").status_code, {200}, {403, 404}
        )
    }
    if world.persona in STAFF:
        Plan.objects.filter(pk=pk).update(status=PlanStatus.SUBMITTED)
        response = browser(world).post(reverse("admin:plans_plan_return", args=[pk]), {"comment": "Admin says more."})
        doors["admin"] = allowed(response.status_code, {302}, {403})
    assert Review.objects.count() == sum(doors.values())
    return doors


def approve_doors(world: World) -> dict[str, bool]:
    pk = world.plan.pk
    response = api(world).post(f"/api/v1/plans/{pk}/review/", {"decision": "confirm"}, format="json")
    doors = {"api": allowed(response.status_code, {200}, {403, 404})}
    if world.persona in STAFF:
        # Put the recommendation back to waiting, so the admin door is asked the same question.
        Recommendation.objects.filter(plan_id=pk).update(status="pending", review=None)
        Plan.objects.filter(pk=pk).update(status=PlanStatus.IN_REVIEW)
        admin = browser(world).post(reverse("admin:plans_plan_confirm", args=[pk]))
        doors["admin"] = allowed(admin.status_code, {302}, {403}) and Plan.objects.get(pk=pk).status == "accepted"
    assert Review.objects.count() == sum(doors.values())
    return doors


def extension_doors(world: World) -> dict[str, bool]:
    doors = {}
    cycle = world.plan.cycle
    if world.persona in STAFF:
        deadline = cycle.deadline + timedelta(days=14)
        response = browser(world).post(
            reverse("admin:plans_deadlineextension_add"),
            {
                "cycle": cycle.pk,
                "member": member("LV").pk,
                "deadline_0": deadline.strftime("%Y-%m-%d"),
                "deadline_1": deadline.strftime("%H:%M:%S"),
                "reason": "Elections.",
            },
        )
        doors["admin"] = allowed(response.status_code, {302}, {403})
    else:
        # Members have no door to extensions at all: the only honest answer is "no".
        doors["none"] = False
    assert DeadlineExtension.objects.count() == sum(doors.values())
    return doors


def reminder_doors(world: World) -> dict[str, bool]:
    doors = {}
    if world.persona in STAFF:
        cycle = world.plan.cycle
        response = browser(world).post(reverse("admin:plans_cycle_remind", args=[cycle.pk, "LV"]))
        doors["admin compliance page"] = allowed(response.status_code, {302}, {403})
        changelist = browser(world).get(reverse("admin:plans_plan_changelist"))
        actions = (
            [name for name, _ in changelist.context["action_form"].fields["action"].choices]
            if changelist.status_code == 200 and changelist.context.get("action_form")
            else []
        )
        doors["admin plan action"] = "send_reminder_now" in actions
        assert Notification.objects.filter(member__code="LV").count() == int(doors["admin compliance page"])
    else:
        doors["none"] = False
    return doors


def compliance_doors(world: World) -> dict[str, bool]:
    year = world.plan.cycle.year
    response = api(world).get(f"/api/v1/cycles/{year}/compliance/")
    doors = {"api": response.status_code == 200 and len(response.json()["rows"]) == 32}
    # Figures across years: every ally's, so staff only; a member is refused rather than given its own rows.
    doors["api trends"] = allowed(api(world).get("/api/v1/trends/").status_code, {200}, {403})
    if world.persona in STAFF:
        cycle = world.plan.cycle
        admin = browser(world).get(reverse("admin:plans_cycle_compliance", args=[cycle.pk]))
        doors["admin compliance page"] = allowed(admin.status_code, {200}, {403, 302})
        dashboard = browser(world).get(reverse("reports:dashboard", args=[year]))
        doors["staff dashboard"] = allowed(dashboard.status_code, {200}, {403, 302})
        across_years = browser(world).get(reverse("reports:index"))
        doors["staff dashboard across years"] = allowed(across_years.status_code, {200}, {403, 302})
        reports = api(world).post("/api/v1/reports/", {"cycle": year}, format="json")
        doors["report request"] = allowed(reports.status_code, {202}, {403})
    return doors


def alliance_figures_doors(world: World) -> dict[str, bool]:
    year = world.plan.cycle.year
    capacity = api(world).get(f"/api/v1/cycles/{year}/capacity/")
    joint = api(world).get(f"/api/v1/cycles/{year}/joint-procurement/")
    # The secretariat's figures, not a member's data: a member is refused (403), not told "not found".
    doors = {
        "api capacity": allowed(capacity.status_code, {200}, {403}) and capacity.json().get("cycle") == year,
        "api joint procurement": allowed(joint.status_code, {200}, {403}) and joint.json().get("cycle") == year,
    }
    if world.persona in STAFF:
        dashboard = browser(world).get(reverse("reports:dashboard", args=[year]))
        doors["staff dashboard"] = allowed(dashboard.status_code, {200}, {403, 302}) and b'id="joint"' in (
            dashboard.content
        )
    return doors


def catalogue_doors(world: World) -> dict[str, bool]:
    if world.persona not in STAFF:
        return {"none": False}  # the catalogue is maintained in the admin only (the API reads it)
    response = browser(world).post(
        reverse("admin:plans_catalogueitem_add"),
        {
            "code": "door-test",
            "name_en": "Door test",
            "name_fr": "Essai",
            "category": "ammunition",
            "unit": "rounds",
            "position": 0,
            "active": "on",
        },
    )
    added = CatalogueItem.objects.filter(code="door-test").exists()
    return {"admin add": allowed(response.status_code, {302}, {403}) and added}


def issue_key_doors(world: World) -> dict[str, bool]:
    estonian = ApiKey.objects.filter(member__code="EE")
    before = estonian.count()
    doors = {}
    if world.persona in DELEGATES:
        response = browser(world).post("/accounts/api-keys/", {"name": "Web key", "scopes": ["read"]})
        # The page issues keys of the delegation's own member: Latvia's head issues Latvian keys.
        doors["web"] = allowed(response.status_code, {200}, {403}) and estonian.filter(name="Web key").exists()
    elif world.persona in STAFF:
        response = browser(world).post(
            reverse("admin:members_apikey_add"),
            {
                "member": member("EE").pk,
                "name": "Admin key",
                "scopes": ["read"],
                "expiry_date_0": "",
                "expiry_date_1": "",
            },
        )
        doors["admin"] = allowed(response.status_code, {200}, {403}) and estonian.filter(name="Admin key").exists()
    else:
        doors["none"] = False  # a key never issues keys
    assert estonian.count() - before == sum(doors.values())
    return doors


def security_log_doors(world: World) -> dict[str, bool]:
    if world.persona not in STAFF:
        return {"none": False}  # the log is read in the admin only
    page = browser(world).get(reverse("admin:core_securityevent_changelist"))
    export = browser(world).get(reverse("admin:core_securityevent_export"))
    return {
        "admin list": allowed(page.status_code, {200}, {403}),
        "admin export": allowed(export.status_code, {200}, {403}),
    }


QUESTIONS = {
    "read the plan": (PlanStatus.RETURNED, read_plan_doors),
    "write the plan": (PlanStatus.RETURNED, write_plan_doors),
    "submit the plan": (PlanStatus.RETURNED, submit_plan_doors),
    "comment on the plan": (PlanStatus.RETURNED, comment_doors),
    "read internal comments": (PlanStatus.RETURNED, read_internal_doors),
    "write an internal comment": (PlanStatus.RETURNED, internal_comment_doors),
    "review the plan": (PlanStatus.SUBMITTED, review_doors),
    "approve a recommendation": (RECOMMENDED, approve_doors),
    "grant an extension": (PlanStatus.RETURNED, extension_doors),
    "send a reminder": (PlanStatus.RETURNED, reminder_doors),
    "read every member's compliance": (PlanStatus.RETURNED, compliance_doors),
    "read the alliance figures and joint procurement signals": (PlanStatus.SUBMITTED, alliance_figures_doors),
    "maintain the catalogue": (PlanStatus.RETURNED, catalogue_doors),
    "issue an API key for the member": (PlanStatus.RETURNED, issue_key_doors),
    "read the security log": (PlanStatus.RETURNED, security_log_doors),
}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_every_door_gives_the_same_answer(db, question, persona):
    status, ask = QUESTIONS[question]
    world = _world(persona, status)
    expected = persona in MAY[question]
    answers = ask(world)
    assert answers, "every persona meets at least one door"
    assert answers == dict.fromkeys(answers, expected)


def _names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_groups_in_the_database_are_the_table(db):
    from core.permissions import STAFF_GROUPS

    stored = {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.filter(name__in=STAFF_GROUPS)
    }
    assert stored == {name: set(permissions) for name, permissions in STAFF_GROUPS.items()}


def test_the_role_and_scope_tables_name_every_role_and_scope():
    from core.permissions import ROLE_PERMISSIONS, SCOPE_PERMISSIONS
    from members.enums import Scope

    assert (set(ROLE_PERMISSIONS), set(SCOPE_PERMISSIONS)) == (set(Role.values), set(Scope.values))


def test_staff_never_hold_member_only_permissions_even_as_superusers(db):
    root = StaffFactory(is_superuser=True)
    plan = Plan(member=member("EE"))
    assert (root.has_perm("plans.change_plan", plan), root.has_perm("plans.submit_plan", plan)) == (False, False)
    assert root.has_perm("plans.review_plan", plan) is True
