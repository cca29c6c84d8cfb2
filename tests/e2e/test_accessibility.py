"""axe-core finds no WCAG 2.0, 2.1 or 2.2 A/AA violation on any delegation page or the admin plan page.

axe-core comes from the npm registry (package.json, installed with `npm ci` by the browser
stage), never from a CDN. Every page is checked and all violations are reported together.
"""

import os

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page

from members.actors import Actor
from members.enums import Role
from plans import services
from plans.attachments import attachment_add
from tests import attachment_files
from tests.e2e.browser import AXE, chromium_browser, violations_of
from tests.factories import CycleFactory, DelegateFactory, StaffFactory, UserFactory, member, valid_content
from tests.signin import authenticator_for, code_now

# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain
# synchronous test code, not coroutines, so Django's guard against async use does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in the project's root")
    return AXE.read_text()


@pytest.fixture
def browser():
    with chromium_browser() as browser:
        yield browser


def new_page(browser, language: str = "en") -> Page:
    # axe is evaluated into the page: the page's own Content-Security-Policy is not what is
    # tested here, so it may not keep the checker out.
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    if language != "en":
        context.add_cookies([{"name": "django_language", "value": language, "domain": "localhost", "path": "/"}])
    return context.new_page()


def sign_in(page: Page, base: str, email: str, device=None, audit: "Audit | None" = None) -> None:
    """The sign-in form, then (for those who have one) the authenticator app's code."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:not(.button--small)")
    page.wait_for_load_state()
    if device is not None:
        if audit is not None:
            audit.check(page, "second step of sign-in")
        page.get_by_label("Code").fill(code_now(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


class Audit:
    """Visits pages and keeps every page's violations, so that one run reports all of them."""

    def __init__(self, axe_source: str, base: str):
        self.axe_source = axe_source
        self.base = base
        self.found: dict[str, list[str]] = {}
        self.visited: list[str] = []

    def check(self, page: Page, name: str, path: str | None = None, *, status: int | None = 200) -> None:
        if path is not None:
            response = page.goto(f"{self.base}{path}")
            assert response is not None
            assert response.status == status, f"{name}: {path} answered {response.status}"
        self.visited.append(name)
        found = violations_of(page, self.axe_source)
        if found:
            self.found[f"{name} ({page.url})"] = found

    def report(self) -> str:
        return "\n".join(f"\n{name}:\n" + "\n".join(lines) for name, lines in self.found.items())


def test_every_delegation_page_and_the_admin_plan_page_have_no_wcag_violations(
    live_server, browser, axe_source, settings, tmp_path
):
    cycle = CycleFactory(year=2025)
    estonia = member("EE")
    alice = DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=estonia, role=Role.SUBMITTER).user
    viewer = DelegateFactory(user=UserFactory(email="victor@ee.example.org"), member=estonia, role=Role.VIEWER).user
    staff = StaffFactory(email="charlie@staff.example.org", is_superuser=True)
    # Submitters and staff sign in with a second step; a code is accepted once, so each sign-in
    # below has an authenticator of its own.
    alice_phone, alice_tablet = authenticator_for(alice), authenticator_for(alice)
    staff_phone = authenticator_for(staff)
    audit = Audit(axe_source, live_server.url)

    # The checker itself: a page with two known violations must be reported.
    page = new_page(browser)
    page.set_content('<html><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    assert [line.split(" ")[0] for line in violations_of(page, axe_source) if not line.startswith(" ")] == [
        "html-has-lang",
        "image-alt",
    ]

    # Signed out: sign-in and the password reset pages.
    page = new_page(browser)
    audit.check(page, "sign-in", "/accounts/login/")
    page.fill("#id_username", "alice@ee.example.org")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]:not(.button--small)")
    page.wait_for_load_state()
    audit.check(page, "sign-in, refused")
    audit.check(page, "password reset", "/accounts/password-reset/")
    audit.check(page, "password reset sent", "/accounts/password-reset/sent/")
    uid, token = urlsafe_base64_encode(force_bytes(alice.pk)), default_token_generator.make_token(alice)
    audit.check(page, "new password", f"/accounts/reset/{uid}/{token}/")
    audit.check(page, "new password, link no longer valid", f"/accounts/reset/{uid}/not-a-token/")
    audit.check(page, "password reset done", "/accounts/reset/done/")

    # The delegate: dashboard before and after starting the plan, the plan, the editor.
    page = new_page(browser)
    sign_in(page, live_server.url, alice.email, alice_phone, audit)
    audit.check(page, "dashboard without a plan", "/")
    plan = services.plan_create(cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=valid_content()).plan
    audit.check(page, "dashboard with a plan", "/")
    # With a supporting document listed, then a refused upload (an executable named .pdf).
    settings.MEDIA_ROOT = tmp_path / "media"
    attachment_add(
        plan=plan, actor=Actor.for_user(alice), upload=attachment_files.upload("Annex A.pdf", attachment_files.PDF)
    )
    audit.check(page, "plan", f"/plans/{plan.pk}/")
    page.set_input_files(
        "#id_file", files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": attachment_files.ELF}]
    )
    page.get_by_role("button", name="Attach the document").click()
    page.wait_for_selector("#id_file_errors")
    audit.check(page, "plan, a refused document")
    audit.check(page, "editor", f"/plans/{plan.pk}/edit/")
    page.fill("#id_equipment_expenditure", "2000000")  # more than the total: refused
    page.get_by_role("button", name="Save as draft").first.click()
    page.wait_for_selector("#id_defence_expenditure_errors")
    audit.check(page, "editor after a refused save")
    # The spreadsheet import: its page, a refused file (errors naming cells), a preview.
    audit.check(page, "import", f"/plans/{plan.pk}/import/")
    upload = page.get_by_label("Filled template (.xlsx) or lines (.csv)")
    upload.set_input_files(files=[{"name": "lines.csv", "mimeType": "text/csv", "buffer": b"Nothing,we,know\n1,2,3\n"}])
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_selector("#error-summary")
    audit.check(page, "import, a refused file")
    # The lines' own CSV with its rows left out: every line removed, a change to confirm.
    lines_csv = page.request.get(f"{live_server.url}/plans/{plan.pk}/lines.csv").body().splitlines()[0]
    upload.set_input_files(files=[{"name": "lines.csv", "mimeType": "text/csv", "buffer": lines_csv}])
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Cancel").wait_for()
    audit.check(page, "import preview")
    page.get_by_role("button", name="Cancel").click()
    audit.check(page, "submit confirmation", f"/plans/{plan.pk}/submit/")
    page.get_by_role("button", name="Confirm and submit").click()
    page.wait_for_selector("#receipt-version")
    audit.check(page, "receipt")
    audit.check(page, "API keys", "/accounts/api-keys/")
    page.fill("#id_name", "Ministry ERP")
    page.get_by_role("button", name="Issue the key").click()  # no rights chosen: refused
    page.wait_for_selector("#id_scopes_errors")
    audit.check(page, "API keys, a refused key")
    page.check("#id_scopes_0")
    page.get_by_role("button", name="Issue the key").click()
    page.wait_for_selector("#issued-key")
    audit.check(page, "API keys, a key issued")

    # A second version, for the list, one version and the comparison.
    services.plan_return(plan=plan, actor=Actor.for_user(staff), comment="Add the partnerships.")
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(summary="Second edition."))
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    audit.check(page, "versions", f"/plans/{plan.pk}/versions/")
    audit.check(page, "one version", f"/plans/{plan.pk}/versions/1/")
    audit.check(page, "comparison", f"/plans/{plan.pk}/versions/compare/?old=1&new=2")

    # A viewer may read, not edit: the forbidden page.
    page = new_page(browser)
    sign_in(page, live_server.url, viewer.email)
    audit.check(page, "forbidden", f"/plans/{plan.pk}/edit/", status=403)

    # French.
    page = new_page(browser, language="fr")
    audit.check(page, "sign-in, French", "/accounts/login/")
    sign_in(page, live_server.url, alice.email, alice_tablet)
    audit.check(page, "dashboard, French", "/")
    audit.check(page, "plan, French", f"/plans/{plan.pk}/")
    audit.check(page, "versions, French", f"/plans/{plan.pk}/versions/")

    # Staff: the admin's plan page.
    page = new_page(browser)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    page.get_by_label("Code").fill(code_now(staff_phone))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    audit.check(page, "admin plan page", f"/admin/plans/plan/{plan.pk}/change/")
    audit.check(page, "admin plan history", f"/admin/plans/plan/{plan.pk}/history/")
    audit.check(page, "admin index", "/admin/")
    audit.check(page, "compliance dashboard index", "/staff/reports/")
    audit.check(page, "compliance dashboard", f"/staff/reports/{cycle.year}/")

    assert audit.found == {}, "axe-core found WCAG A/AA violations:" + audit.report()
    assert len(audit.visited) == 35
