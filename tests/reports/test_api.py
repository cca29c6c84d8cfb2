import csv
import io
from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from members.actors import Actor
from members.services import api_key_issue
from reports.models import ComplianceReport, ReportStatus
from tests.factories import member
from tests.reports.helpers import DEADLINE, plan_in_state, report_cycle

pytestmark = pytest.mark.django_db
AFTER = DEADLINE + timedelta(days=10)


@pytest.fixture
def cycle2025():
    cycle = report_cycle()
    plan_in_state(cycle, "EE", "accepted")
    plan_in_state(cycle, "LV", "submitted", submitted_at=DEADLINE + timedelta(days=3))
    return cycle


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def key_client(code: str, scopes=("read",)) -> APIClient:
    _api_key, key = api_key_issue(actor=Actor.system(), member=member(code), name="erp", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def compliance(client, year=2025):
    with time_machine.travel(AFTER, tick=False):
        return client.get(f"/api/v1/cycles/{year}/compliance/")


def test_staff_see_every_ally_and_the_totals(cycle2025, charlie):
    response = compliance(client_for(charlie))
    assert response.status_code == 200
    body = response.json()
    assert len(body["rows"]) == 32
    assert (body["cycle"], body["spending_target_pct"]) == (2025, "2.00")
    assert {row["member_code"]: row["status"] for row in body["rows"] if row["status"] != "missing"} == {
        "EE": "accepted",
        "LV": "submitted",
    }
    assert body["totals"] == {
        "members": 32,
        "submitted": 2,
        "on_time": 1,
        "late": 31,
        "submitted_late": 1,
        "overdue": 30,
        "accepted": 1,
        "missing": 30,
        "nil_returns": 0,
        "meeting_spending_target": 2,
        "meeting_equipment_target": 2,
    }
    latvia = next(row for row in body["rows"] if row["member_code"] == "LV")
    assert (latvia["is_late"], latvia["days_late"], latvia["spending_pct_gdp"]) == (True, 3, "2.50")


def test_a_delegate_sees_only_its_own_row(cycle2025, alice):
    body = compliance(client_for(alice)).json()
    assert [(row["member_code"], row["status"]) for row in body["rows"]] == [("EE", "accepted")]
    assert (body["totals"]["members"], body["totals"]["accepted"]) == (1, 1)


def test_another_members_key_sees_only_its_own_row(cycle2025, bob):
    body = compliance(key_client("LV")).json()
    assert [(row["member_code"], row["status"], row["days_late"]) for row in body["rows"]] == [("LV", "submitted", 3)]


def test_a_key_without_read_scope_is_refused(cycle2025):
    response = compliance(key_client("LV", scopes=("write",)))
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_anonymous_is_refused(cycle2025):
    assert compliance(client_for()).status_code == 401


def test_unknown_cycle_is_404(cycle2025, charlie):
    assert compliance(client_for(charlie), year=2031).status_code == 404


@pytest.mark.parametrize("plans", [1, 3])
def test_compliance_queries_do_not_grow_with_plans(charlie, plans, django_assert_num_queries):
    cycle = report_cycle()
    for code in ("EE", "LV", "LT")[:plans]:
        plan_in_state(cycle, code, "submitted")
    client = client_for(charlie)
    # cycle, the staff member's permissions, compliance rows
    with django_assert_num_queries(3):
        response = client.get("/api/v1/cycles/2025/compliance/")
    assert sum(1 for row in response.json()["rows"] if row["status"] == "submitted") == plans


def test_staff_request_a_report_and_download_its_files(cycle2025, charlie, django_capture_on_commit_callbacks):
    client = client_for(charlie)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(AFTER):
        response = client.post("/api/v1/reports/", {"cycle": 2025}, format="json")
    assert response.status_code == 202
    report = ComplianceReport.objects.get()
    # The answer is written before the worker runs: it shows the report queued.
    assert (response.json()["id"], response.json()["status"], response.json()["files"]) == (report.pk, "queued", None)
    assert response["Location"] == f"http://testserver/api/v1/reports/{report.pk}/"

    detail = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert (detail["status"], detail["progress"], detail["cycle"], detail["requested_by"]) == (
        "done",
        100,
        2025,
        charlie.email,
    )
    assert detail["files"] == {
        kind: f"http://testserver/api/v1/reports/{report.pk}/{kind}/" for kind in ("xlsx", "pdf", "csv", "brief")
    }
    download = client.get(f"/api/v1/reports/{report.pk}/csv/")
    assert (download.status_code, download["Content-Type"]) == (200, "text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert [row["status"] for row in rows if row["member_code"] in ("EE", "LV")] == ["accepted", "submitted"]
    pdf = client.get(f"/api/v1/reports/{report.pk}/pdf/")
    assert (pdf["Content-Type"], b"".join(pdf.streaming_content)[:5]) == ("application/pdf", b"%PDF-")


def test_files_of_a_report_not_done_are_404(cycle2025, charlie):
    report = ComplianceReport.objects.create(cycle=cycle2025)
    client = client_for(charlie)
    assert client.get(f"/api/v1/reports/{report.pk}/").json()["files"] is None
    assert client.get(f"/api/v1/reports/{report.pk}/xlsx/").status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_members_may_not_request_or_read_reports(cycle2025, persona, request):
    report = ComplianceReport.objects.create(cycle=cycle2025, status=ReportStatus.DONE)
    client = client_for(request.getfixturevalue(persona))
    assert client.post("/api/v1/reports/", {"cycle": 2025}, format="json").status_code == 403
    assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 403
    assert client.get(f"/api/v1/reports/{report.pk}/pdf/").status_code == 403
    assert ComplianceReport.objects.count() == 1


def test_member_keys_may_not_request_reports(cycle2025):
    response = key_client("EE", scopes=("read", "write", "submit")).post(
        "/api/v1/reports/", {"cycle": 2025}, format="json"
    )
    assert response.status_code == 403
    assert ComplianceReport.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "cycle"), ({"cycle": 1999}, "cycle"), ({"cycle": "soon"}, "cycle"), ({"cycle": 2031}, "cycle")],
)
def test_bad_report_requests_name_the_field(cycle2025, charlie, body, field):
    response = client_for(charlie).post("/api/v1/reports/", body, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, [field])
    assert ComplianceReport.objects.count() == 0


def test_unknown_report_is_404_for_staff(charlie, cycle2025):
    assert client_for(charlie).get("/api/v1/reports/999/").status_code == 404
