"""The plan as a spreadsheet template: what it holds, in the reader's language, and who may have it."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from members.actors import Actor
from plans import services
from tests.factories import valid_content


def template_url(plan):
    return reverse("plan-template", args=[plan.pk])


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


def test_the_template_holds_the_plan_with_lists_and_a_locked_header(alice_client, plan):
    response = alice_client.get(template_url(plan))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan-EE-2025.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    book = workbook_of(response)
    assert book.sheetnames == ["Instructions", "Headline", "Lines", "Partnerships"]
    lines = book["Lines"]
    header = [cell.value for cell in lines[1]]
    assert header[:4] == ["Catalogue item", "Category", "Item", "Unit"]
    assert header[-1] == "Key"
    row = dict(zip(header, [cell.value for cell in lines[2]], strict=True))
    assert (row["Catalogue item"], row["Category"], row["Item"], row["Unit"]) == (
        "other",
        "ammunition",
        "155 mm shells",
        "rounds",
    )
    assert (row["Target capacity (a year)"], row["Target year"]) == (5000, 2030)
    # The row's stable key, so that an upload knows the line again.
    assert row["Key"] == str(plan.lines.get().key)
    assert lines.protection.sheet is True
    assert lines["A1"].protection.locked is True
    assert lines["A2"].protection.locked is False
    lists = {str(validation.sqref): validation.formula1 for validation in lines.data_validations.dataValidation}
    assert lists["B2:B501"].startswith('"ammunition,')
    # Catalogue items: a list too long to write inline, kept on the instructions sheet.
    codes_range = lists["A2:A501"]
    assert codes_range.startswith("'Instructions'!$A$")
    first, last = (int(part.rsplit("$", 1)[1]) for part in codes_range.split("!")[1].split(":"))
    codes = [book["Instructions"].cell(row=n, column=1).value for n in range(first, last + 1)]
    assert codes[0] == "other"
    assert {"art-155", "manpads", "gbad-long"} <= set(codes)
    partnerships = book["Partnerships"]
    assert [cell.value for cell in partnerships[2]][2] == "LV"
    headline = {row[0].value: row[1].value for row in book["Headline"].iter_rows(min_row=2)}
    assert headline["GDP"] == Decimal("40000000.00") or headline["GDP"] == 40000000


def test_the_template_speaks_french(alice_client, plan):
    alice_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    book = workbook_of(alice_client.get(template_url(plan)))
    assert book.sheetnames[0] != "Instructions"
    assert book[book.sheetnames[2]]["B1"].value == "Catégorie"


def test_text_that_looks_like_a_formula_stays_text(alice_client, alice, plan):
    content = valid_content()
    content["lines"][0]["item"] = '=HYPERLINK("https://evil.example", "Open")'
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=content)
    cell = workbook_of(alice_client.get(template_url(plan)))["Lines"]["C2"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("https://evil.example", "Open")')


def test_another_member_gets_404(bob_client, plan):
    assert bob_client.get(template_url(plan)).status_code == 404


def test_the_template_takes_the_same_queries_at_any_size(alice_client, alice, plan, django_assert_num_queries):
    def lines(count):
        return [
            {
                "category": "ammunition",
                "item": f"Item {n}",
                "unit": "rounds",
                "baseline_capacity": 1,
                "target_capacity": 2,
                "target_year": 2030,
            }
            for n in range(count)
        ]

    counts = []
    for size in (1, 50):
        services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(lines=lines(size)))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(template_url(plan)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
