"""A delegate moves 40 capability lines into a submitted plan (typed, pasted, uploaded), in English and in French.

Each way of entering lines is a function of `ENTRY_WAYS` that puts its share of `LINES` into the
grid, numbers written as the page's language writes them; the scenario around them (sign in,
save, a refused number fixed from the error summary's link, submit from the editor, receipt) is
the same for every way. Controls are found by their accessible names (a grid cell is named by
its column header and its row header, "Item 4"), in the page's language.
"""

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from members.actors import Actor
from members.enums import Role
from plans import services
from plans.content import LINE
from plans.enums import OTHER_ITEM, Category, Unit
from plans.models import PlanVersion
from plans.spreadsheet import columns as template_columns
from plans.views.common import field_label
from tests.e2e.browser import AXE, chromium_browser, paste, violations_of
from tests.e2e.test_delegation_browser import signed_in_editor
from tests.factories import CycleFactory, DelegateFactory, UserFactory, member, valid_content
from tests.signin import PASSWORD, authenticator_for, code_now

# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain
# synchronous test code, not coroutines, so Django's guard against async use does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARROW_NBSP, NBSP = "\u202f", "\u00a0"


@dataclass(frozen=True)
class Line:
    category: str
    item: str
    unit: str
    baseline_capacity: Decimal
    target_capacity: Decimal
    target_year: int
    planned_investment: Decimal


CATEGORIES = [Category.AMMUNITION, Category.MISSILES]
UNITS = [Unit.ROUNDS, Unit.UNITS]
# Forty lines with large, grouped and fractional figures; "4,790,000,000.50" among them.
LINES = [
    Line(
        category=CATEGORIES[n % 2],
        item=f"Item {n + 1:02d}",
        unit=UNITS[n % 2],
        baseline_capacity=Decimal(1_000 * (n + 1)) + Decimal("0.25"),
        target_capacity=Decimal(12_345 * (n + 1)) + Decimal("0.50"),
        target_year=2030 + n % 6,
        planned_investment=Decimal("4790000000.50") + Decimal(1_000_000 * n),
    )
    for n in range(40)
]


def written(value: Decimal, language: str, group: str = NBSP) -> str:
    """`value` as a person writes it: EN 4,790,000,000.50; FR 4 790 000 000,50 (groups split by `group`)."""
    text = f"{value:,.2f}"
    if language == "fr":
        text = text.replace(",", group).replace(".", ",")
    return text


def label(language: str, text: str, number: int | None = None) -> str:
    """A translated name; with `number`, a grid cell's name (its column header, then its row's number)."""
    with translation.override(language):
        name = gettext(text)
    return name if number is None else f"{name} {number}"


def choice_label(language: str, choice) -> str:
    with translation.override(language):
        return str(choice.label)


# The grid's columns whose cells are lists to pick from; the others are text boxes.
LIST_COLUMNS = {"Catalogue item", "Category", "Unit", "Funding", "Priority", "Bottleneck"}


class Grid:
    """The editor's grid of capability lines, in the page's language."""

    def __init__(self, page: Page, language: str):
        self.page, self.language = page, language
        self.table = page.get_by_role("table", name=label(language, "Capability lines"))

    def cell(self, column: str, number: int) -> Locator:
        """A cell's control, named by its column and row headers ("Item 4"): a list or a text box."""
        role = "combobox" if column in LIST_COLUMNS else "textbox"
        return self.table.get_by_role(role, name=label(self.language, column, number), exact=True)

    def rows(self) -> Locator:
        """The rows shown (a removed row is hidden), each headed by its number."""
        return self.table.get_by_role("rowheader")


# Ways of entering lines -------------------------------------------------------------------------
#
# Each takes the grid, the number of the first row to fill and its lines, and leaves them shown in
# the editor after the rows before them: typed or pasted lines wait in the grid, unsaved; uploaded
# lines are saved with the grid's. A further way is one more function and one more entry in
# ENTRY_WAYS (with its share of LINES).


def type_lines(grid: Grid, first_row: int, lines: list[Line]) -> None:
    """Typed cell by cell, each further row added with the page's "Add a line" button."""
    language = grid.language
    for offset, line in enumerate(lines):
        number = first_row + offset
        if grid.rows().count() < number:
            grid.page.get_by_role("button", name=label(language, "Add a line")).click()
        grid.cell("Category", number).select_option(line.category.value)
        grid.cell("Item", number).fill(line.item)
        grid.cell("Unit", number).select_option(line.unit.value)
        # The narrow no-break space French typography puts between groups, in one line's figures.
        group = NARROW_NBSP if offset == 3 else NBSP
        grid.cell("Baseline capacity (a year)", number).fill(written(line.baseline_capacity, language, group))
        grid.cell("Target capacity (a year)", number).fill(written(line.target_capacity, language, group))
        grid.cell("Target year", number).fill(str(line.target_year))
        grid.cell("Planned investment", number).fill(written(line.planned_investment, language, group))


def paste_lines(grid: Grid, first_row: int, lines: list[Line]) -> None:
    """A block copied from a spreadsheet (tab-separated, choices by their names), pasted into one cell."""
    language = grid.language
    if grid.rows().count() < first_row:
        grid.page.get_by_role("button", name=label(language, "Add a line")).click()
    block = "\r\n".join(
        "\t".join(
            [
                choice_label(language, line.category),
                line.item,
                choice_label(language, line.unit),
                written(line.baseline_capacity, language, NARROW_NBSP),
                written(line.target_capacity, language, " "),
                str(line.target_year),
                "",  # current stockpile
                "",  # stockpile target
                written(line.planned_investment, language, NBSP),
            ]
        )
        for line in lines
    )
    paste(grid.cell("Category", first_row), block + "\r\n")


def upload_lines(grid: Grid, first_row: int, lines: list[Line]) -> None:
    """Save the grid, download the plan's template, add the lines to its Lines sheet, upload it, confirm.

    Figures go in as a ministry's sheet has them: some as numbers, some as text written the
    template's language's way.
    """
    page, language = grid.page, grid.language
    page.get_by_role("button", name=label(language, "Save as draft")).first.click()
    expect(page.get_by_text(label(language, "The draft was saved."))).to_be_visible()
    page.get_by_role("link", name=label(language, "Import from a spreadsheet")).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=label(language, "Download the plan as a spreadsheet (XLSX)")).click()
    # (Playwright keeps a download under a name of its own, without the .xlsx openpyxl looks for.)
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook[label(language, "Lines")]
    assert sheet.max_row == first_row  # the header and the lines saved before
    names = [spec.name for spec in template_columns(LINE)]
    for line in lines:
        values = {
            "item_code": OTHER_ITEM,
            "category": line.category.value,
            "item": line.item,
            "unit": line.unit.value,
            "baseline_capacity": float(line.baseline_capacity),
            "target_capacity": written(line.target_capacity, language, NARROW_NBSP),
            "target_year": line.target_year,
            "planned_investment": written(line.planned_investment, language),
        }
        sheet.append([values.get(name) for name in names])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as filled:
        workbook.save(filled.name)
        page.get_by_label(label(language, "Filled template (.xlsx) or lines (.csv)")).set_input_files(filled.name)
        page.get_by_role("button", name=label(language, "Upload and preview")).click()
    page.get_by_role("button", name=label(language, "Confirm and save these changes")).click()
    expect(page.get_by_text(label(language, "The spreadsheet was imported."))).to_be_visible()
    expect(grid.cell("Item", first_row + len(lines) - 1)).to_have_value(lines[-1].item)


EntryWay = Callable[[Grid, int, list[Line]], None]
# Each way enters its own share of the forty lines, in this order.
ENTRY_WAYS: list[tuple[str, EntryWay, slice]] = [
    ("typed", type_lines, slice(0, 14)),
    ("pasted", paste_lines, slice(14, 27)),
    ("uploaded", upload_lines, slice(27, 40)),
]
# The line typed wrong on the first save: its target capacity, with a letter O for a zero.
WRONG_LINE = 6


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in the project's root")
    return AXE.read_text()


@pytest.fixture
def browser():
    # One browser a test, started after the test's database is set up: a browser kept for the
    # module would be running while later tests restore their data, and that restore is then lost.
    with chromium_browser() as browser:
        yield browser


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_delegate_enters_40_lines_fixes_an_error_from_the_summary_and_submits(
    live_server, browser, axe_source, language
):
    cycle = CycleFactory(year=2025)
    alice = DelegateFactory(user=UserFactory(email="alice@ee.example.org"), member=member("EE"), role=Role.SUBMITTER)
    device = authenticator_for(alice.user)
    plan = services.plan_create(
        cycle=cycle, member=member("EE"), actor=Actor.for_user(alice.user), content=valid_content(lines=[])
    ).plan
    # The browser asks for pages in the delegate's language (Accept-Language); axe is evaluated into the page.
    context = browser.new_context(locale="fr-FR" if language == "fr" else "en-GB", bypass_csp=True)
    page = context.new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(label(language, "E-mail address")).fill("alice@ee.example.org")
    page.get_by_label(label(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=label(language, "Sign in")).click()
    page.get_by_label(label(language, "Code")).fill(code_now(device))
    page.get_by_role("button", name=label(language, "Continue")).click()
    expect(page.get_by_role("button", name=label(language, "Continue"))).to_be_hidden()
    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/")

    grid = Grid(page, language)
    for _name, enter, share in ENTRY_WAYS:
        enter(grid, share.start + 1, LINES[share])
    expect(grid.cell("Item", 40)).to_have_value(LINES[39].item)

    # One figure typed wrong: saving keeps everything and names that one field at the top.
    wrong = grid.cell("Target capacity (a year)", WRONG_LINE + 1)
    wrong.fill(written(LINES[WRONG_LINE].target_capacity, language).replace("0", "O", 1))
    page.get_by_role("button", name=label(language, "Save as draft")).first.click()

    problem = page.get_by_role("heading", name=label(language, "There is a problem"))
    summary = page.get_by_role("alert").filter(has=problem)
    expect(problem).to_have_count(1)
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    with translation.override(language):
        wrong_name = field_label(f"lines[{WRONG_LINE}].target_capacity")
    expect(links).to_have_count(1)
    expect(links).to_have_text(wrong_name)
    expect(grid.cell("Item", 40)).to_have_value(LINES[39].item)  # nothing typed is lost
    found = violations_of(page, axe_source)
    assert found == [], "\n".join(found)

    links.click()
    expect(wrong).to_be_focused()
    assert page.url.endswith("#" + wrong.get_attribute("id"))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(written(LINES[WRONG_LINE].target_capacity, language, NARROW_NBSP))
    page.get_by_role("button", name=label(language, "Save and submit…")).first.click()
    page.get_by_role("button", name=label(language, "Confirm and submit")).click()

    expect(page.get_by_role("heading", name=label(language, "Receipt"))).to_be_visible()
    version = PlanVersion.objects.get(plan=plan)
    expect(page.get_by_text(version.sha256)).to_be_visible()
    stored = [
        Line(
            category=Category(line.category),
            item=line.item,
            unit=Unit(line.unit),
            baseline_capacity=line.baseline_capacity,
            target_capacity=line.target_capacity,
            target_year=line.target_year,
            planned_investment=line.planned_investment,
        )
        for line in plan.lines.order_by("position")
    ]
    assert stored == LINES
    # Exactly as written, to the cent (4,790,000,000.50 is not 4,790,000,000.5 nor rounded).
    assert [str(line.planned_investment) for line in stored] == [str(line.planned_investment) for line in LINES]
    context.close()


def test_a_pasted_cell_with_line_breaks_stays_one_cell(live_server, browser):
    """Spreadsheets copy a cell holding line breaks or tabs in quotes, its own quotes doubled."""
    page = browser.new_context(locale="en-GB").new_page()
    plan = signed_in_editor(live_server, page, lines=[])
    grid = Grid(page, "en")
    block = "\t".join(["ammunition", 'Shells, "M107"', "rounds", "1,000", "2,000", "2031"] + [""] * 6)
    block += '\t"Two plants:\r\nTallinn and ""Tartu""\tnorth"\r\n'
    block += "\t".join(["missiles", '"Big" seekers', "units", "10", "40", "2032"]) + "\r\n"
    paste(grid.cell("Category", 1), block)
    expect(grid.cell("Item", 2)).to_have_value('"Big" seekers')
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.get_by_text("The draft was saved.")).to_be_visible()
    # (A browser sends a text area's line breaks as CR LF.)
    lines = plan.lines.order_by("position")
    assert [(line.item, line.notes.replace("\r\n", "\n"), line.target_year) for line in lines] == [
        ('Shells, "M107"', 'Two plants:\nTallinn and "Tartu"\tnorth', 2031),
        ('"Big" seekers', "", 2032),
    ]
