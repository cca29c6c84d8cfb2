"""A delegate in a real browser: sign in, fill and save a plan, fix an error, submit, read the receipt."""

import os

import pytest
from playwright.sync_api import expect, sync_playwright

from members.enums import Role
from plans.models import PlanVersion
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member
from tests.signin import authenticator_for, code_now

# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain
# synchronous test code, not coroutines, so Django's guard against async use does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        context = browser.new_context(locale="en-GB")
        yield context.new_page()
        browser.close()


def test_sign_in_fill_fix_submit_and_see_the_receipt(live_server, page):
    CycleFactory(year=2025)
    alice = DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=member("EE"), role=Role.SUBMITTER)
    device = authenticator_for(alice.user)

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail address").fill("alice@ee.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Delegation of Estonia")).to_be_visible()
    page.get_by_role("button", name="Start the plan for 2025").click()

    expect(page.get_by_text("The draft for 2025 was created.")).to_be_visible()
    page.fill("#id_currency", "EUR")
    page.fill("#id_defence_expenditure", "1000000")
    page.fill("#id_equipment_expenditure", "2000000")  # more than the total: refused
    page.fill("#id_gdp", "40000000")
    page.select_option("#id_lines-0-category", "ammunition")
    page.fill("#id_lines-0-item", "155 mm shells")
    page.fill("#id_lines-0-baseline_capacity", "1000")
    page.fill("#id_lines-0-target_capacity", "5000")
    page.fill("#id_lines-0-target_year", "2030")
    page.select_option("#id_partnerships-0-kind", "ally")
    page.fill("#id_partnerships-0-partner_name", "Joint ammunition buy")
    page.get_by_label("Latvia").first.check()
    page.get_by_role("button", name="Save as draft").first.click()

    expect(page.locator("#id_defence_expenditure_errors")).to_contain_text("more than the total")
    expect(page.locator("#id_lines-0-item")).to_have_value("155 mm shells")  # nothing typed is lost
    page.fill("#id_equipment_expenditure", "250000")
    page.get_by_role("button", name="Save as draft").first.click()

    expect(page.get_by_text("The draft was saved.")).to_be_visible()
    expect(page.locator("#derived-figures + dl")).to_contain_text("2.50 %")
    page.get_by_role("link", name="Back to the plan").first.click()
    page.get_by_role("link", name="Submit the plan").click()
    page.get_by_role("button", name="Confirm and submit").click()

    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    version = PlanVersion.objects.get(plan__member__code="EE")
    expect(page.locator("#receipt-version")).to_have_text("1")
    expect(page.locator("#receipt-sha256")).to_have_text(version.sha256)
    expect(page.locator("#receipt-timeliness")).to_have_text("On time")
