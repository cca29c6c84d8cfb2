"""The spreadsheet import over the API: preview, apply, If-Match, cell-referenced errors, atomicity."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from plans.content import plan_content
from plans.imports import field_labels, lines_csv
from plans.models import Plan


def url(plan) -> str:
    return f"/api/v1/plans/{plan.pk}/import/"


def csv_file(plan, **changes) -> SimpleUploadedFile:
    content = plan_content(plan)
    for line in content["lines"]:
        line.update(changes)
    return SimpleUploadedFile("lines.csv", lines_csv(content, field_labels()).encode())


def workbook(plan, cells: dict[str, dict[str, object]]) -> SimpleUploadedFile:
    from plans.selectors import catalogue_choices
    from plans.spreadsheet import plan_template

    catalogue = [(code, label, group) for group, items in catalogue_choices() for code, label in items]
    book = load_workbook(io.BytesIO(plan_template(plan_content(plan), field_labels(), catalogue)))
    for sheet, values in cells.items():
        for ref, value in values.items():
            book[sheet][ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("plan.xlsx", buffer.getvalue())


def stored(plan) -> dict:
    return plan_content(Plan.objects.get(pk=plan.pk))


def test_preview_lists_the_changes_and_writes_nothing(alice_key, draft):
    response = alice_key.post(
        url(draft) + "?preview=true",
        {"file": csv_file(draft, target_capacity=Decimal("6000"))},
        format="multipart",
        HTTP_IF_MATCH=draft.etag,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changes"] == [{"field": "lines[0].target_capacity", "old": "5000.00", "new": "6000.00"}]
    assert [entry["text"] for entry in body["comparison"]] == [
        "Line changed: 155 mm shells: target capacity (a year) 5,000 rounds -> 6,000 rounds"
    ]
    assert response["ETag"] == draft.etag
    assert stored(draft)["lines"][0]["target_capacity"] == Decimal("5000.00")


def test_an_unchanged_template_previews_no_changes(alice_key, draft):
    response = alice_key.post(
        url(draft) + "?preview=true", {"file": workbook(draft, {})}, format="multipart", HTTP_IF_MATCH=draft.etag
    )
    assert (response.status_code, response.json()["changes"]) == (200, [])


def test_apply_answers_the_plan_and_its_etag(alice_key, draft):
    response = alice_key.post(
        url(draft),
        {"file": workbook(draft, {"Headline": {"B7": 41000000}})},
        format="multipart",
        HTTP_IF_MATCH=draft.etag,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["gdp"], body["revision"], response["ETag"]) == ("41000000.00", 2, f'"{draft.pk}-2"')


def test_without_if_match_428_and_stale_412(alice_key, draft):
    missing = alice_key.post(url(draft), {"file": csv_file(draft)}, format="multipart")
    stale = alice_key.post(url(draft), {"file": csv_file(draft)}, format="multipart", HTTP_IF_MATCH=f'"{draft.pk}-9"')
    assert (missing.status_code, stale.status_code) == (428, 412)
    assert Plan.objects.get(pk=draft.pk).revision == draft.revision


def test_errors_name_their_cells_under_file_and_nothing_is_written(alice_key, draft):
    response = alice_key.post(
        url(draft),
        {"file": workbook(draft, {"Lines": {"F2": "lots", "G2": "=A1"}, "Headline": {"B7": 41000000}})},
        format="multipart",
        HTTP_IF_MATCH=draft.etag,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "Lines!F2: Enter a number, written like 4,790,000,000.50.",
        "Lines!G2: formulas are not accepted, type the value",
    ]
    assert stored(draft)["gdp"] == Decimal("40000000.00")


def test_a_file_that_is_not_a_workbook_is_400(alice_key, draft):
    response = alice_key.post(
        url(draft), {"file": SimpleUploadedFile("plan.xlsx", b"MZ not a zip")}, format="multipart", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
