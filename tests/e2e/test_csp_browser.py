"""The Content-Security-Policy holds on every page: each page template of the project is loaded in
Chromium (the admin's and the API docs' included) and no violation may be reported."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from members.actors import Actor
from members.enums import Role
from members.tokens import invitation_token_generator
from plans import services
from tests.e2e.browser import chromium, csp_violations
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member, valid_content
from tests.signin import PASSWORD, authenticator_for

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
BASE = Path(settings.BASE_DIR)


def page_templates() -> set[str]:
    """Every page template of ours: not a partial (_name), not an e-mail, not the base layout."""
    roots = [BASE / "templates", *sorted(BASE.glob("*/templates"))]
    return {
        str(path.relative_to(root))
        for root in roots
        for path in root.rglob("*.html")
        if "email" not in path.parts and not path.name.startswith("_") and path.name != "base.html"
    }


def session_cookie(client: Client, base_url: str) -> dict:
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def verified(user) -> Client:
    client = Client()
    client.force_login(user)  # tests/conftest.py: counts as both steps
    return client


def password_only(user) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    return client


@pytest.fixture
def world(db):
    cycle = CycleFactory(year=2025, deadline=timezone.now() + timedelta(days=20))
    alice = DelegateFactory(
        user=UserFactory(email="alice@ee.example.org"), member=member("EE"), role=Role.SUBMITTER
    ).user
    authenticator_for(alice)
    victor = DelegateFactory(
        user=UserFactory(email="victor@ee.example.org"), member=member("EE"), role=Role.VIEWER
    ).user
    newcomer = DelegateFactory(
        user=UserFactory(email="new@lv.example.org"), member=member("LV"), role=Role.SUBMITTER
    ).user
    nobody = UserFactory(email="nobody@example.org")
    root = UserFactory(email="root@staff.example.org", is_staff=True, is_superuser=True)
    locked = UserFactory(email="locked@example.org")
    staff = Actor.for_user(root)
    plan = services.plan_create(
        cycle=cycle, member=member("EE"), actor=Actor.for_user(alice), content=valid_content()
    ).plan
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    services.plan_return(plan=plan, actor=staff, comment="Add the partnerships.")
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(summary="Second"))
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    services.comment_add(plan=plan, actor=staff, body="Internal note.", internal=True)
    next_year = CycleFactory(year=2026, deadline=timezone.now() + timedelta(days=380))
    draft = services.plan_create(
        cycle=next_year, member=member("EE"), actor=Actor.for_user(alice), content=valid_content()
    ).plan
    return {
        "draft": draft,
        "cycle": cycle,
        "plan": plan,
        "alice": alice,
        "victor": victor,
        "newcomer": newcomer,
        "nobody": nobody,
        "root": root,
        "locked": locked,
    }


def test_no_page_reports_a_csp_violation(live_server, world):
    url = live_server.url
    plan, cycle, root = world["plan"], world["cycle"], world["root"]
    rendered: set[str] = set()

    def remember(sender, template, **kwargs):
        if template.name:
            rendered.add(template.name)

    template_rendered.connect(remember, dispatch_uid="csp-sweep")
    uid = urlsafe_base64_encode(force_bytes(world["locked"].pk))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="203.0.113.9").post("/accounts/login/", {"username": "locked@example.org", "password": "x"})

    visits: dict[str, list[str]] = {
        "anonymous": [
            "/accounts/login/",
            "/accounts/password-reset/",
            "/accounts/password-reset/sent/",
            f"/accounts/reset/{uid}/{default_token_generator.make_token(world['locked'])}/",
            "/accounts/reset/done/",
            f"/accounts/invitation/{uid}/{invitation_token_generator.make_token(world['locked'])}/",
            "/admin/login/",
            "/api/docs/",
        ],
        "alice": [
            "/",
            f"/plans/{plan.pk}/",
            f"/plans/{plan.pk}/versions/",
            f"/plans/{plan.pk}/versions/2/",
            f"/plans/{plan.pk}/versions/2/receipt/",
            f"/plans/{plan.pk}/versions/compare/?old=1&new=2",
            f"/plans/{world['draft'].pk}/edit/",
            f"/plans/{world['draft'].pk}/import/",
            f"/plans/{world['draft'].pk}/submit/",
            "/accounts/api-keys/",
            "/accounts/two-step/",
        ],
        "alice_password_only": ["/accounts/two-step/verify/"],
        "newcomer_password_only": [
            "/accounts/two-step/setup/",
            "/accounts/two-step/app/",
            "/accounts/two-step/passkey/",
        ],
        "victor": [f"/plans/{plan.pk}/edit/"],
        "nobody": ["/"],
        "root": [
            "/admin/",
            "/admin/plans/plan/",
            "/admin/plans/plan/workload/",
            f"/admin/plans/plan/{plan.pk}/change/",
            f"/admin/plans/plan/{plan.pk}/start-review/",
            f"/admin/plans/plan/{plan.pk}/compare/?old=1&new=2",
            f"/admin/plans/plan/{plan.pk}/history/",
            f"/admin/plans/cycle/{cycle.pk}/change/",
            f"/admin/plans/cycle/{cycle.pk}/compliance/",
            "/admin/plans/planversion/",
            "/admin/plans/planversion/verify/",
            "/admin/core/securityevent/",
            "/admin/reports/compliancereport/",
            "/admin/reports/compliancereport/add/",
            "/admin/members/delegate/add/",
            f"/admin/members/user/{root.pk}/change/",
            "/staff/reports/",
            "/staff/reports/2025/",
        ],
    }
    sessions = {
        "alice": verified(world["alice"]),
        "alice_password_only": password_only(world["alice"]),
        "newcomer_password_only": password_only(world["newcomer"]),
        "victor": verified(world["victor"]),
        "nobody": verified(world["nobody"]),
        "root": verified(root),
    }
    found: dict[str, list[str]] = {}
    for persona, paths in visits.items():
        with chromium() as context:
            if persona in sessions:
                context.add_cookies([session_cookie(sessions[persona], url)])
            page = context.new_page()
            console: list[str] = []
            page.on("console", lambda message, console=console: console.append(message.text))
            for path in paths:
                response = page.goto(f"{url}{path}")
                assert response.status < 500, (path, response.status)
                if path == "/api/docs/":
                    expect(page.locator(".swagger-ui .info")).to_be_visible()
                page.wait_for_load_state("networkidle")
                found[f"{persona} {path}"] = csp_violations(page, console)
                console.clear()
                page.evaluate("window.__cspViolations = []")

            if persona == "anonymous":
                # The lockout page: the account was paused by failures from elsewhere.
                page.goto(f"{url}/accounts/login/")
                page.get_by_label("E-mail address").fill("locked@example.org")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_role("heading", name="Too many failed sign-in attempts")).to_be_visible()
                found["anonymous lockout"] = csp_violations(page, console)
            if persona == "alice":
                page.goto(f"{url}/accounts/two-step/")
                page.get_by_role("button", name="Make new recovery codes").click()
                expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
                found["alice recovery codes"] = csp_violations(page, console)
                # The import's preview: the draft's lines' CSV uploaded back without its rows.
                draft = world["draft"].pk
                page.goto(f"{url}/plans/{draft}/import/")
                lines_csv = page.request.get(f"{url}/plans/{draft}/lines.csv").body().splitlines()[0]
                page.get_by_label("Filled template (.xlsx) or lines (.csv)").set_input_files(
                    files=[{"name": "lines.csv", "mimeType": "text/csv", "buffer": lines_csv}]
                )
                page.get_by_role("button", name="Upload and preview").click()
                expect(page.get_by_role("button", name="Confirm and save these changes")).to_be_visible()
                found["alice import preview"] = csp_violations(page, console)
            if persona == "root":
                page.goto(f"{url}/admin/plans/plan/")
                page.locator("input[name=_selected_action]").first.check()
                page.select_option("select[name=action]", "assign_reviewer")
                page.get_by_role("button", name="Go").click()
                expect(page.get_by_role("heading", name="Assign a reviewer")).to_be_visible()
                found["root assign reviewer"] = csp_violations(page, console)
                # Issuing a key: the autocomplete (select2) widget, then the page that shows the key once.
                page.goto(f"{url}/admin/members/apikey/add/")
                page.locator(".field-member .select2-selection").click()
                page.locator(".select2-search__field").fill("Eston")
                page.locator(".select2-results__option", has_text="Estonia").click()
                page.get_by_label("Name").fill("ERP")
                page.get_by_role("button", name="Save", exact=True).click()
                expect(page.get_by_role("heading", name="API key issued")).to_be_visible()
                found["root api key issued"] = csp_violations(page, console)
    template_rendered.disconnect(dispatch_uid="csp-sweep")

    # The database-outage page is served only while the database is down (so not here): it is
    # plain text in HTML with nothing a policy could block, which this checks instead.
    outage = (BASE / "templates" / "503.html").read_text()
    assert not any(token in outage for token in ("<script", "<style", " style=", " src=", "<link", "<img"))
    rendered.add("503.html")

    assert {where: violations for where, violations in found.items() if violations} == {}
    assert sorted(page_templates() - rendered) == []


def test_the_sweep_would_see_a_violation(live_server, db):
    """The detector itself: an inline handler added to a page is blocked and reported."""
    with chromium() as context:
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{live_server.url}/accounts/login/")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"/nowhere\" onerror=\"window.x=1\">')")
        page.wait_for_timeout(300)
        assert any("script-src" in violation for violation in csp_violations(page, console))
