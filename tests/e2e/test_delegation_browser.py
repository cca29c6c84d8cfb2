"""A delegate in a real browser: sign in, fill and save a plan, fix an error, submit, read the receipt."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect, sync_playwright

from members.enums import Role
from plans.content import LINE
from plans.enums import Category, Unit
from plans.imports import field_labels
from plans.models import CatalogueItem, PlanVersion
from plans.spreadsheet import columns as template_columns
from tests.e2e.browser import chromium_browser, paste
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member
from tests.signin import authenticator_for, code_now

# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain
# synchronous test code, not coroutines, so Django's guard against async use does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def page():
    with chromium_browser() as browser:
        yield browser.new_context(locale="en-GB").new_page()


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
    page.select_option("#id_lines-0-item_code", "other")  # not in the catalogue: category, item and unit
    page.select_option("#id_lines-0-category", "ammunition")
    page.fill("#id_lines-0-item", "155 mm shells")
    page.select_option("#id_lines-0-unit", "rounds")
    page.fill("#id_lines-0-baseline_capacity", "1000")
    page.fill("#id_lines-0-target_capacity", "5000")
    page.fill("#id_lines-0-target_year", "2030")
    page.select_option("#id_partnerships-0-kind", "ally")
    page.fill("#id_partnerships-0-partner_name", "Joint ammunition buy")
    page.get_by_label("Filter the allies").first.fill("lat")  # the list box narrows as one types
    page.select_option("#id_partnerships-0-partner_members", ["LV"])
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


def signed_in_editor(live_server, page, **content):
    from members.actors import Actor
    from plans import services
    from tests.factories import valid_content

    cycle = CycleFactory(year=2025)
    alice = DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=member("EE"), role=Role.SUBMITTER)
    device = authenticator_for(alice.user)
    plan = services.plan_create(
        cycle=cycle, member=member("EE"), actor=Actor.for_user(alice.user), content=valid_content(**content)
    ).plan
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("alice@ee.example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/")
    return plan


PASTED = (
    "\t".join(["ammunition", "Fuzes", "units", "1,000", "2,500.50", "2031"])
    + "\n"
    + "\t".join(["missiles", "Seekers", "units", "10", "40", "2032"])
)


def test_the_grid_adds_removes_and_takes_rows_pasted_from_a_spreadsheet(live_server, page):
    plan = signed_in_editor(live_server, page)
    rows = page.locator("table[data-grid=lines] tbody tr:visible")
    expect(rows).to_have_count(3)  # the line and two blank rows
    page.get_by_role("button", name="Add a line").click()
    expect(rows).to_have_count(4)
    # A block copied from a spreadsheet, pasted into the first blank row's category.
    paste(page.locator("#id_lines-1-category"), PASTED)
    expect(page.locator("#id_lines-2-item")).to_have_value("Seekers")
    expect(page.locator("#id_lines-1-target_capacity")).to_have_value("2,500.50")
    # The first line is dropped with its row's button.
    page.locator("table[data-grid=lines] tbody tr").first.get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.get_by_text("The draft was saved.")).to_be_visible()
    plan.refresh_from_db()
    assert [(line.item, line.target_capacity) for line in plan.lines.order_by("position")] == [
        ("Fuzes", Decimal("2500.50")),
        ("Seekers", Decimal("40.00")),
    ]


def test_rows_copied_from_the_template_keep_their_keys(live_server, page):
    """The template's columns are the grid's, then the key: a block with its header row and keys pastes as it is."""
    plan = signed_in_editor(live_server, page)
    key = str(plan.lines.get().key)
    empty = [""] * 7
    labels = field_labels()
    header = [labels[spec.name] for spec in template_columns(LINE)]
    copied = "\n".join(
        "\t".join(row)
        for row in (
            header,
            ["other", "ammunition", "Fuzes", "units", "1,000", "2,500", "2031", *empty, ""],
            ["other", "ammunition", "155 mm shells", "rounds", "1,000", "6,000", "2030", *empty, key],
        )
    )
    paste(page.locator("#id_lines-0-item_code"), copied)
    expect(page.locator("#id_lines-0-item")).to_have_value("Fuzes")
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.get_by_text("The draft was saved.")).to_be_visible()
    lines = list(plan.lines.order_by("position"))
    assert [(line.item, line.target_capacity) for line in lines] == [
        ("Fuzes", Decimal("2500.00")),
        ("155 mm shells", Decimal("6000.00")),
    ]
    assert str(lines[1].key) == key
    assert str(lines[0].key) != key


def test_the_grid_works_without_javascript(live_server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        page = browser.new_context(locale="en-GB", java_script_enabled=False).new_page()
        CatalogueItem.objects.get_or_create(
            code="art-155",
            defaults={
                "name_en": "155 mm artillery rounds",
                "name_fr": "Obus d'artillerie de 155 mm",
                "category": Category.AMMUNITION,
                "unit": Unit.ROUNDS,
            },
        )
        plan = signed_in_editor(live_server, page)
        key = plan.lines.get().key
        expect(page.get_by_role("button", name="Add a line")).to_be_hidden()
        page.get_by_role("button", name="Add more rows for lines").click()
        # The line, the two blank rows sent back, and ten more.
        expect(page.locator("table[data-grid=lines] tbody tr")).to_have_count(15)
        # A catalogue item brings its category and unit; the member's own name for it is kept.
        page.select_option("#id_lines-5-item_code", "art-155")
        page.fill("#id_lines-5-item", "Seekers")
        page.fill("#id_lines-5-baseline_capacity", "1,000")
        page.fill("#id_lines-5-target_capacity", "x")  # refused, and linked from the summary
        page.fill("#id_lines-5-target_year", "2031")
        page.select_option("#id_partnerships-0-partner_members", ["LV", "LT"])
        page.get_by_role("button", name="Save as draft").first.click()
        page.get_by_role("link", name="Capability line 6: Target capacity (a year)").click()
        page.fill("#id_lines-5-target_capacity", "4,000")
        page.get_by_role("button", name="Save as draft").first.click()
        expect(page.get_by_text("The draft was saved.")).to_be_visible()
        browser.close()
    plan.refresh_from_db()
    lines = list(plan.lines.order_by("position"))
    assert [(line.item, line.item_code_id, line.unit) for line in lines] == [
        ("155 mm shells", None, "rounds"),
        ("Seekers", "art-155", "rounds"),
    ]
    assert lines[0].key == key  # carried hidden through both round trips
    assert sorted(plan.partnerships.get().partner_members.values_list("code", flat=True)) == ["LT", "LV"]
