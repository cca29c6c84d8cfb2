from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from reports.models import ComplianceReport, ReportStatus
from tests.factories import valid_content
from tests.reports.helpers import DEADLINE, plan_in_state, report_cycle

pytestmark = pytest.mark.django_db
AFTER = DEADLINE + timedelta(days=10)


@pytest.fixture
def cycle2025():
    cycle = report_cycle()
    line = valid_content()["lines"][0]
    plan_in_state(
        cycle,
        "EE",
        "accepted",
        lines=[{**line, "bottleneck": "workforce"}],
        partnerships=[{"kind": "ally", "partner_name": "Latvia", "partner_members": ["LV"], "status": "signed"}],
    )
    plan_in_state(cycle, "LV", "submitted", submitted_at=DEADLINE + timedelta(days=3))
    return cycle


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reports_staff(charlie):
    charlie.user_permissions.add(*Permission.objects.filter(content_type__app_label="reports"))
    return charlie


def test_dashboard_shows_the_table_totals_picture_and_runs(cycle2025, charlie):
    ComplianceReport.objects.create(cycle=cycle2025, status=ReportStatus.RUNNING, progress=40)
    with time_machine.travel(AFTER, tick=False):
        response = signed_in(charlie).get("/staff/reports/2025/")
    assert response.status_code == 200
    context = response.context
    rows = {row["member_code"]: row for row in context["rows"]}
    assert (rows["EE"]["status_label"], rows["LV"]["days_late"], len(rows)) == ("Accepted", 3, 32)
    assert (context["totals"]["submitted"], context["totals"]["accepted"]) == (2, 1)
    assert [(row["member_code"], row["partner_code"]) for row in context["reconciliation"]] == [("EE", "LV")]
    assert [row["bottleneck"] for row in context["bottlenecks"]] == ["workforce"]
    assert context["refresh"] is True
    html = response.content.decode()
    assert "late by 3 days" in html
    assert '<progress max="100" value="40">' in html
    assert "/staff/reports/2025/charts/spending.svg" in html


@pytest.mark.parametrize("runs", [1, 3])
def test_dashboard_queries_do_not_grow(charlie, runs, django_assert_num_queries):
    cycle = report_cycle()
    for code in ("EE", "LV", "LT")[:runs]:
        plan_in_state(cycle, code, "submitted")
    for _ in range(runs):
        ComplianceReport.objects.create(cycle=cycle, requested_by=charlie)
    client = signed_in(charlie)
    # session, user, cycle, rows, capacity per item (2), joint procurement (2), bottlenecks, runs,
    # programmes (2), reconciliation (3), the submissions (for the chart's data table), and the
    # session's save (savepoint, update, release)
    with django_assert_num_queries(20):
        response = client.get("/staff/reports/2025/")
    assert len(response.context["runs"]) == runs


@pytest.mark.parametrize("name", ["spending", "submissions", "capacity"])
def test_charts_are_svg_drawn_on_the_server(cycle2025, charlie, name):
    response = signed_in(charlie).get(f"/staff/reports/2025/charts/{name}.svg")
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    assert b"<svg" in response.content
    # Nothing fetched from elsewhere: no linked images or fonts.
    assert b'href="http' not in response.content


def test_unknown_chart_and_cycle_are_404(cycle2025, charlie):
    client = signed_in(charlie)
    assert client.get("/staff/reports/2025/charts/pie.svg").status_code == 404
    assert client.get("/staff/reports/2031/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/reports/",
        "/staff/reports/2025/",
        "/staff/reports/2025/charts/spending.svg",
        "/staff/reports/files/1/pdf/",
    ],
)
@pytest.mark.parametrize("persona", ["alice", "bob", None])
def test_members_and_anonymous_are_sent_to_the_staff_login(cycle2025, path, persona, request):
    client = signed_in(request.getfixturevalue(persona)) if persona else Client()
    response = client.get(path)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")


def test_members_cannot_request_reports(cycle2025, alice):
    response = signed_in(alice).post("/staff/reports/2025/request/")
    assert response.status_code == 302
    assert ComplianceReport.objects.count() == 0


def test_staff_request_from_the_dashboard_and_download(cycle2025, charlie, django_capture_on_commit_callbacks):
    client = signed_in(charlie)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/reports/2025/request/")
    assert (response.status_code, response["Location"]) == (302, "/staff/reports/2025/")
    report = ComplianceReport.objects.get()
    assert (report.status, report.requested_by) == (ReportStatus.DONE, charlie)
    download = client.get(f"/staff/reports/files/{report.pk}/xlsx/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert client.get(f"/staff/reports/files/{report.pk}/doc/").status_code == 404


def test_admin_add_view_requests_a_report(cycle2025, reports_staff, django_capture_on_commit_callbacks):
    client = signed_in(reports_staff)
    form = client.get("/admin/reports/compliancereport/add/")
    assert form.status_code == 200
    assert list(form.context["form"].fields) == ["cycle", "language"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/reports/compliancereport/add/", {"cycle": "2025"})
    assert response.status_code == 302
    report = ComplianceReport.objects.get()
    assert (report.cycle, report.status) == (cycle2025, ReportStatus.DONE)
    listing = client.get("/admin/reports/compliancereport/").content.decode()
    assert f'href="/staff/reports/files/{report.pk}/pdf/"' in listing
    assert 'href="/staff/reports/"' in listing


def test_admin_add_view_rejects_an_unknown_cycle(cycle2025, reports_staff):
    response = signed_in(reports_staff).post("/admin/reports/compliancereport/add/", {"cycle": "1999"})
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["cycle"])
    assert ComplianceReport.objects.count() == 0


@pytest.mark.parametrize("runs", [1, 3])
def test_admin_list_queries_do_not_grow(cycle2025, reports_staff, runs, django_assert_num_queries):
    for _ in range(runs):
        ComplianceReport.objects.create(cycle=cycle2025, requested_by=reports_staff, status=ReportStatus.DONE)
    client = signed_in(reports_staff)
    with django_assert_num_queries(10):
        response = client.get("/admin/reports/compliancereport/")
    assert response.content.decode().count("/pdf/") == runs


def test_dashboard_is_in_the_admins_look_with_the_service_name(cycle2025, charlie):
    response = signed_in(charlie).get("/staff/reports/2025/")

    html = response.content.decode()
    assert "Defence industrial plans" in html
    assert "Django administration" not in html
    assert 'id="nav-sidebar"' in html
    assert 'href="/staff/reports/"' in html


def test_charts_have_alt_texts_with_figures_and_a_data_table_beside_them(cycle2025, charlie):
    with time_machine.travel(AFTER, tick=False):
        response = signed_in(charlie).get("/staff/reports/2025/")

    charts = response.context["charts"]
    assert set(charts) == {"spending", "submissions", "capacity"}
    assert charts["submissions"]["alt"] == (
        "Step chart of first submissions over time: 2 of 32 allies have submitted, "
        f"1 by the cycle's deadline of {DEADLINE:%Y-%m-%d}."
    )
    spending = {row["member_code"]: row["spending_pct_gdp"] for row in response.context["spending"]}
    assert f"{len(spending)} allies" in charts["spending"]["alt"]
    html = response.content.decode()
    for name in ("spending", "submissions", "capacity"):
        assert f'alt="{charts[name]["alt"]}"'.replace("'", "&#x27;") in html
    for table in ("spending-data", "submissions-data", "capacity"):
        assert f'id="{table}"' in html
    assert [row["count"] for row in response.context["submissions"]] == [1, 2]


def test_admin_index_and_sidebar_link_the_dashboard_and_report_runs(charlie):
    client = signed_in(charlie)

    index = client.get("/admin/").content.decode()
    plan_list = client.get("/admin/plans/plan/").content.decode()

    for html in (index, plan_list):
        assert 'href="/staff/reports/"' in html
        assert 'href="/admin/reports/compliancereport/"' in html
        assert "Django administration" not in html


def test_the_dashboard_link_is_not_offered_to_staff_who_may_not_read_compliance(db):
    from tests.factories import StaffFactory

    clerk = StaffFactory(email="clerk@staff.example.org", groups=[])

    assert 'href="/staff/reports/"' not in signed_in(clerk).get("/admin/").content.decode()
    assert signed_in(clerk).get("/staff/reports/").status_code == 403
