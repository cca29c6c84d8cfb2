"""The editor's grids read without a form per row (RowFormSet.read_rows), and as their forms read them."""

from decimal import Decimal
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import translation

from plans.content import PARTNERSHIP
from plans.forms import LineForm, LineFormSet, PartnershipForm, PartnershipFormSet, filled_rows, row_form
from tests.factories import valid_content
from tests.web.conftest import editor_post

LINE = {
    "category": "ammunition",
    "item": "Shells",
    "unit": "rounds",
    "baseline_capacity": "1,000.50",
    "target_capacity": "2000",
    "target_year": "2030",
}


def posted(lines=(LINE,), partnerships=(), blank_rows=1, **changes) -> QueryDict:
    data = editor_post(
        valid_content(lines=list(lines), partnerships=list(partnerships)), revision=1, blank_rows=blank_rows
    )
    data.update(changes)
    return QueryDict(urlencode(data, doseq=True))


def line_grid(data):
    grid = LineFormSet(data, prefix="lines")
    grid.form = row_form(LineForm, item_code=[])
    return grid


def partnership_grid(data):
    grid = PartnershipFormSet(data, prefix="partnerships")
    grid.form = row_form(PartnershipForm, partner_members=[("LV", "Latvia"), ("LT", "Lithuania")])
    return grid


def as_forms_read_it(grid) -> tuple[list[dict], list[tuple]]:
    """The content of the filled rows and the errors, as Django's formset and its forms give them."""
    valid = grid.is_valid()
    errors = [
        (index, name, message)
        for index, form in enumerate(grid.forms)
        if not grid._should_delete_form(form)
        for name, messages in form.errors.items()
        for message in messages
    ]
    errors += [(None, "", message) for message in grid.non_form_errors()]
    return ([form.content_of(form.cleaned_data) for form in filled_rows(grid)] if valid else []), errors


def test_a_line_is_read_with_its_figures_as_typed_in_english():
    read = line_grid(posted()).read_rows()
    assert read.errors == []
    assert [
        (row["item"], row["baseline_capacity"], row["target_capacity"], row["target_year"]) for row in read.rows
    ] == [("Shells", Decimal("1000.50"), Decimal("2000"), 2030)]


def test_a_bad_english_number_names_its_row_and_field():
    read = line_grid(posted(**{"lines-0-target_capacity": "1,5"})).read_rows()
    assert (read.rows, read.errors) == ([], [(0, "target_capacity", "Enter a number, written like 4,790,000,000.50.")])


def test_french_figures_are_read_and_an_english_one_is_refused_beside_its_field():
    with translation.override("fr"):
        french = line_grid(posted(**{"lines-0-baseline_capacity": "1\u00a0000,50"})).read_rows()
        english = line_grid(posted(**{"lines-0-baseline_capacity": "1,000.50"})).read_rows()
    assert (french.errors, french.rows[0]["baseline_capacity"]) == ([], Decimal("1000.50"))
    assert english.errors == [
        (0, "baseline_capacity", "Saisissez un nombre, écrit comme 4\u00a0790\u00a0000\u00a0000,50.")
    ]


def test_a_blank_row_is_left_out_wherever_it_is():
    emptied = dict.fromkeys((f"lines-0-{name}" for name in LINE), "")
    # The first line emptied: its selects keep what they were offered with, as a browser sends them.
    data = posted(lines=(LINE, {**LINE, "item": "Rockets"}), blank_rows=2, **emptied)
    read = line_grid(data).read_rows()
    assert ([row["item"] for row in read.rows], read.errors) == (["Rockets"], [])


def test_a_row_marked_for_removal_is_left_out_even_with_a_bad_figure():
    read = line_grid(posted(**{"lines-0-DELETE": "on", "lines-0-target_capacity": "many"})).read_rows()
    assert (read.rows, read.errors) == ([], [])


def test_more_rows_than_the_schema_allows_are_refused():
    rows = [
        {"kind": "ally", "partner_name": f"Partner {n}", "partner_members": ["LV"]}
        for n in range(PARTNERSHIP.max_rows + 1)
    ]
    read = partnership_grid(posted(partnerships=rows)).read_rows()
    assert read.errors == [(None, "", f"Please submit at most {PARTNERSHIP.max_rows} forms.")]


def test_a_form_without_its_row_count_is_refused():
    data = posted().copy()
    del data["lines-TOTAL_FORMS"]
    read = line_grid(data).read_rows()
    assert read.rows == []
    assert read.errors[0][:2] == (None, "")
    assert "lines-TOTAL_FORMS" in read.errors[0][2]


def test_the_rows_read_are_the_formsets_rows():
    partnerships = [
        {"kind": "ally", "partner_name": "Baltic buy", "partner_members": ["LV", "LT"], "value": "1,000"},
        {"kind": "national", "partner_name": "Home"},
    ]
    posts = [
        posted(partnerships=partnerships),
        posted(partnerships=partnerships, **{"partnerships-0-partner_members": "XX"}),
        posted(partnerships=partnerships, **{"partnerships-1-DELETE": "on", "lines-0-item_code": "other"}),
        posted(lines=(LINE, {**LINE, "target_year": "soon"}), partnerships=partnerships, blank_rows=3),
        posted(**{"lines-0-item_code": "nonsense", "lines-0-notes": "x" * 100_000}),
    ]
    for data in posts:
        for grid in (line_grid, partnership_grid):
            read = grid(data).read_rows()
            assert (read.rows if not read.errors else [], read.errors) == as_forms_read_it(grid(data))
