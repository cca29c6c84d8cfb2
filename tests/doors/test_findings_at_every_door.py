"""A plan's findings come from one selector (plans.selectors.plan_findings) at every door.

The editor, the plan page and the submit page of the delegation, the admin's plan page and the
API's warnings all show, for the same plan, exactly what the selector returns.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.findings import warnings
from members.actors import Actor
from members.services import api_key_issue
from plans import services
from plans.selectors import plan_findings
from tests.factories import StaffFactory, valid_content

pytestmark = pytest.mark.django_db


def shown(findings) -> set[tuple[str, str, str]]:
    """(field, message, severity) of Finding objects or of the pages' labelled dicts."""
    return {
        (f["field"], f["message"], f["severity"]) if isinstance(f, dict) else (f.field, f.message, f.severity)
        for f in findings
    }


@pytest.fixture
def plan(cycle, estonia, alice):
    # One warning (a target below the baseline) and one error of the submission check (no currency).
    content = valid_content(currency="")
    content["lines"][0]["target_capacity"] = Decimal("10")
    return services.plan_create(cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=content).plan


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_door_shows_the_selectors_findings(plan, alice):
    expected = plan_findings(plan=plan, for_submission=True)
    assert shown(expected) == {
        ("currency", "Give the currency of the figures.", "error"),
        ("lines[0].target_capacity", "The target capacity is below the baseline: production would fall.", "warning"),
    }
    web = signed_in(alice)
    reviewer = StaffFactory(email="rita@staff.example.org")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    _record, key = api_key_issue(actor=Actor.system(), member=plan.member, name="erp", scopes=["read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    editor = web.get(reverse("plan-edit", args=[plan.pk])).context["findings"]
    page = web.get(reverse("plan-detail-page", args=[plan.pk])).context["findings"]
    submit = web.get(reverse("plan-submit", args=[plan.pk])).context
    admin = signed_in(reviewer).get(reverse("admin:plans_plan_change", args=[plan.pk])).context["findings"]
    api_warnings = api.get(f"/api/v1/plans/{plan.pk}/").json()["warnings"]

    assert {
        "editor": shown(item["finding"] for item in editor),
        "plan page": shown(page),
        "submit page": shown([*submit["errors"], *submit["warnings"]]),
        "admin": shown(admin),
    } == dict.fromkeys(("editor", "plan page", "submit page", "admin"), shown(expected))
    assert shown(api_warnings) == shown(warnings(expected))
