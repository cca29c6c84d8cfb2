"""The spreadsheet round trip's upload: read a filled template or CSV, preview the changes, confirm."""

import io
import zipfile
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.actors import Actor
from plans import services
from plans.content import plan_content, to_jsonable
from plans.models import Plan
from tests.factories import valid_content


def stored(plan) -> dict:
    return plan_content(Plan.objects.get(pk=plan.pk))


def download(client, plan) -> bytes:
    return client.get(reverse("plan-template", args=[plan.pk])).content


def edited(data: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    """The workbook with cells set: {"Lines": {"F2": 6000}}."""
    book = load_workbook(io.BytesIO(data))
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column(data: bytes, sheet: str, title: str) -> str:
    book = load_workbook(io.BytesIO(data))
    for cell in book[sheet][1]:
        if cell.value == title:
            return cell.column_letter
    raise AssertionError(title)


def upload(client, plan, data: bytes, name: str = "plan.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("plan-import", args=[plan.pk]), {"file": file})


def confirm(client, plan, response):
    return client.post(
        reverse("plan-import-confirm", args=[plan.pk]), {"action": "confirm", "token": response.context["token"]}
    )


def test_an_unchanged_template_changes_nothing(alice_client, plan):
    before = to_jsonable(stored(plan))
    response = upload(alice_client, plan, download(alice_client, plan))
    assert response.status_code == 200
    assert response.context["changes"] == []
    assert "No changes" in response.content.decode()
    assert to_jsonable(stored(plan)) == before


def test_edited_cells_show_exact_changes_and_nothing_is_written_before_confirming(alice_client, plan):
    data = download(alice_client, plan)
    col = {
        title: column(data, "Lines", title)
        for title in ("Item", "Baseline capacity (a year)", "Target capacity (a year)", "Target year")
    }
    target = col["Target capacity (a year)"]
    data = edited(
        data,
        {
            "Lines": {
                f"{target}2": 6000,
                "A3": "other",
                "B3": "ammunition",
                f"{col['Item']}3": "120 mm mortar bombs",
                "D3": "rounds",
                f"{col['Baseline capacity (a year)']}3": 0,
                f"{target}3": "2,500",
                f"{col['Target year']}3": 2031,
            },
            "Headline": {"B7": "41,000,000.50"},
        },
    )
    response = upload(alice_client, plan, data)
    assert response.status_code == 200, response.context.get("errors")
    changes = [(c["part"], c["change"], c["label"]) for c in response.context["changes"]]
    assert changes == [
        ("plan", "changed", ""),
        ("line", "changed", "155 mm shells"),
        ("line", "added", "120 mm mortar bombs"),
    ]
    line_change = response.context["changes"][1]["fields"]
    assert [(f["field"], f["old"], f["new"]) for f in line_change] == [
        ("target_capacity", "5,000 rounds", "6,000 rounds")
    ]
    assert stored(plan)["lines"][0]["target_capacity"] == Decimal("5000.00")

    applied = confirm(alice_client, plan, response)
    assert applied.status_code == 302
    content = stored(plan)
    assert content["gdp"] == Decimal("41000000.50")
    assert [(line["item"], line["target_capacity"]) for line in content["lines"]] == [
        ("155 mm shells", Decimal("6000.00")),
        ("120 mm mortar bombs", Decimal("2500.00")),
    ]


def test_errors_name_their_cells_and_nothing_is_written(alice_client, plan):
    data = download(alice_client, plan)
    target = column(data, "Lines", "Target capacity (a year)")
    data = edited(
        data,
        {
            "Lines": {f"{target}2": "lots", "A2": "no-such-item", f"{target}3": "=1+1", "B3": "ammunition"},
            "Headline": {"A20": "Colour"},
        },
    )
    before = to_jsonable(stored(plan))
    response = upload(alice_client, plan, data)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert "Headline!A20: unknown field “Colour”" in errors
    assert f"Lines!{target}2: Enter a number, written like 4,790,000,000.50." in errors
    assert f"Lines!{target}3: formulas are not accepted, type the value" in errors
    assert to_jsonable(stored(plan)) == before


def test_rule_errors_are_mapped_to_cells(alice_client, plan):
    data = edited(download(alice_client, plan), {"Lines": {"A2": "no-such-item"}})
    response = upload(alice_client, plan, data)
    assert response.status_code == 400
    assert any(error.startswith("Lines!A2: ") for error in response.context["errors"]), response.context["errors"]


def test_unknown_and_missing_columns(alice_client, plan):
    data = download(alice_client, plan)
    item = column(data, "Lines", "Item")
    response = upload(alice_client, plan, edited(data, {"Lines": {f"{item}1": "Thing"}}))
    assert response.status_code == 400
    assert response.context["errors"] == [
        f"Lines!{item}1: unknown column “Thing”",
        "Lines: the column “Item” is missing",
    ]


def test_french_headers_and_french_numbers(alice_client, plan):
    alice_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    data = download(alice_client, plan)
    target = column(data, "Lignes", "Capacité visée (par an)")
    alice_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = upload(alice_client, plan, edited(data, {"Lignes": {f"{target}2": "12\u202f500,50"}}))
    assert response.status_code == 200, response.context.get("errors")
    confirm(alice_client, plan, response)
    assert stored(plan)["lines"][0]["target_capacity"] == Decimal("12500.50")


def test_a_plan_changed_since_the_preview_is_not_overwritten(alice_client, alice, plan):
    data = edited(download(alice_client, plan), {"Headline": {"B7": 41000000}})
    response = upload(alice_client, plan, data)
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(summary="Meanwhile"))
    answer = confirm(alice_client, plan, response)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("plan-import", args=[plan.pk])
    assert stored(plan)["summary"] == "Meanwhile"
    assert stored(plan)["gdp"] == Decimal("40000000.00")


def test_cancel_writes_nothing(alice_client, plan):
    response = upload(alice_client, plan, edited(download(alice_client, plan), {"Headline": {"B7": 41000000}}))
    alice_client.post(reverse("plan-import-confirm", args=[plan.pk]), {"action": "cancel"})
    assert stored(plan)["gdp"] == Decimal("40000000.00")
    # The preview is gone: confirming it afterwards does nothing either.
    confirm(alice_client, plan, response)
    assert stored(plan)["gdp"] == Decimal("40000000.00")


def test_not_a_workbook_and_too_large_files(alice_client, plan, settings):
    response = upload(alice_client, plan, b"MZ\x90\x00 not a zip")
    assert response.status_code == 400
    assert response.context["errors"] == ["This file is not an .xlsx workbook: download the template and fill it in."]
    response = upload(alice_client, plan, b"x", name="plan.exe")
    assert response.context["errors"] == ["Upload the .xlsx template or a .csv file of lines."]
    settings.PLAN_IMPORT_MAX_UNPACKED_BYTES = 1000
    response = upload(alice_client, plan, download(alice_client, plan))
    assert response.context["errors"] == ["The workbook is too large once unpacked."]
    settings.PLAN_IMPORT_MAX_BYTES = 100
    response = upload(alice_client, plan, download(alice_client, plan))
    assert response.context["errors"] == ["The file is too large: at most 1 MB."]


def test_csv_round_trip_replaces_lines_only(alice_client, plan):
    data = alice_client.get(reverse("plan-lines-csv", args=[plan.pk])).content
    text = data.decode()
    assert text.splitlines()[0].startswith("Catalogue item,Category,Item,Unit,")
    response = upload(alice_client, plan, data, name="lines.csv")
    assert response.status_code == 200
    assert response.context["changes"] == []
    changed = text.replace("5000.00", "7000.00")
    response = upload(alice_client, plan, changed.encode(), name="lines.csv")
    assert [c["text"] for c in response.context["changes"]] == [
        "Line changed: 155 mm shells: target capacity (a year) 5,000 rounds -> 7,000 rounds"
    ]
    confirm(alice_client, plan, response)
    assert stored(plan)["lines"][0]["target_capacity"] == Decimal("7000.00")
    assert stored(plan)["partnerships"][0]["partner_name"] == "Latvia"


def test_another_member_gets_404_and_a_viewer_403(bob_client, victor_client, plan):
    for url in (reverse("plan-import", args=[plan.pk]), reverse("plan-lines-csv", args=[plan.pk])):
        assert bob_client.get(url).status_code == 404
    assert bob_client.post(reverse("plan-import-confirm", args=[plan.pk]), {"action": "confirm"}).status_code == 404
    assert victor_client.get(reverse("plan-import", args=[plan.pk])).status_code == 403


def test_a_submitted_plan_cannot_be_imported_into(alice_client, alice, plan):
    services.plan_submit(plan=plan, actor=Actor.for_user(alice))
    response = alice_client.get(reverse("plan-import", args=[plan.pk]))
    assert response.status_code == 302


def test_the_preview_takes_the_same_queries_at_any_size(alice_client, alice, plan):
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
    for size in (1, 40):
        services.plan_update(plan=plan, actor=Actor.for_user(alice), content=valid_content(lines=lines(size)))
        data = edited(download(alice_client, plan), {"Headline": {"B7": 41000000}})
        with CaptureQueriesContext(connection) as captured:
            response = upload(alice_client, plan, data)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Plan.objects.get(pk=plan.pk).gdp == Decimal("40000000.00")


def test_a_missing_required_value_names_its_cell(alice_client, plan):
    response = upload(alice_client, plan, edited(download(alice_client, plan), {"Lines": {"B2": None}}))
    assert response.status_code == 400
    assert [error.split(": ", 1)[0] for error in response.context["errors"]] == ["Lines!B2"]


def test_a_zip_that_is_not_a_workbook_is_refused(alice_client, plan):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    response = upload(alice_client, plan, buffer.getvalue())
    assert response.status_code == 400
    assert response.context["errors"] == ["This file is not an .xlsx workbook: download the template and fill it in."]


def test_csv_text_that_looks_like_a_formula_is_neutralised_and_read_back_as_typed(alice_client, alice, plan):
    content = valid_content()
    content["lines"][0]["item"] = "=HYPERLINK(1)"
    services.plan_update(plan=plan, actor=Actor.for_user(alice), content=content)
    data = alice_client.get(reverse("plan-lines-csv", args=[plan.pk])).content
    assert ",'=HYPERLINK(1)," in data.decode()
    response = upload(alice_client, plan, data, name="lines.csv")
    assert (response.status_code, response.context["changes"]) == (200, [])


def test_a_missing_headline_row_is_an_error_not_a_blank(alice_client, plan):
    response = upload(alice_client, plan, edited(download(alice_client, plan), {"Headline": {"A7": None, "B7": None}}))
    assert response.status_code == 400
    assert response.context["errors"] == ["Headline: the field “GDP” is missing"]
