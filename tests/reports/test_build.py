import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from members.actors import Actor
from plans.errors import NotAllowed
from reports.models import ComplianceReport, ReportStatus
from reports.selectors import compliance_rows
from reports.services import report_build, report_request
from tests.factories import valid_content
from tests.reports.helpers import DEADLINE, nil_return, plan_in_state, report_cycle, spending

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_cycle():
    cycle = report_cycle()
    line = valid_content()["lines"][0]
    plan_in_state(
        cycle,
        "EE",
        "accepted",
        lines=[line, {**line, "item": "Stinger interceptors", "category": "air_missile_defence"}],
        partnerships=[{"kind": "ally", "partner_name": "Latvia", "partner_members": ["LV"], "status": "signed"}],
        **spending("2500", "600", "100000"),
    )
    plan_in_state(
        cycle, "LV", "submitted", submitted_at=DEADLINE + timedelta(days=2), **spending("1000", "100", "100000")
    )
    nil_return(cycle, "IS")
    return cycle


def built(cycle, charlie, django_capture_on_commit_callbacks) -> ComplianceReport:
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(DEADLINE + timedelta(days=10)):
        report = report_request(cycle=cycle, actor=Actor.for_user(charlie))
    report.refresh_from_db()
    return report


def test_request_builds_the_three_files(filled_cycle, charlie, django_capture_on_commit_callbacks):
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    assert (report.status, report.progress, report.error, report.requested_by) == (ReportStatus.DONE, 100, "", charlie)
    assert all(
        name.endswith(ext)
        for name, ext in ((report.xlsx.name, ".xlsx"), (report.pdf.name, ".pdf"), (report.csv.name, ".csv"))
    )


def test_xlsx_summary_details_and_totals(filled_cycle, charlie, django_capture_on_commit_callbacks):
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == [
        "Summary",
        "Capability lines",
        "Partnerships",
        "Capacity by item",
        "Other lines (not summed)",
        "Joint procurement",
        "Reconciliation",
        "Alliance by year",
        "Allies by year",
        "Capacity by year",
    ]
    summary = workbook["Summary"]
    assert (summary.freeze_panes, summary.auto_filter.ref) == ("A2", "A1:P33")
    rows = {row[0]: row for row in summary.iter_rows(min_row=2, max_row=33, values_only=True)}
    assert len(rows) == 32
    assert rows["EE"][1:3] == ("Estonia", "Accepted")
    assert (rows["EE"][12], rows["EE"][13]) == (2.5, "yes")
    assert summary["M2"].number_format == "0.00"
    # Late, submitted late, overdue, days late
    assert (rows["LV"][2], rows["LV"][7:11]) == ("Submitted", ("yes", "yes", "no", 2))
    assert rows["DE"][7:10] == ("yes", None, "yes")  # never submitted: overdue, not submitted late
    assert rows["IS"][2] == "Nil return"
    assert rows["DE"][2] == "Missing"
    totals = {row[0]: row[1] for row in summary.iter_rows(min_row=36, values_only=True)}
    assert totals == {
        "Allies": 32,
        "Submitted": 3,
        "On time": 2,
        "Late": 30,
        "Submitted late": 1,
        "Overdue": 29,
        "Accepted": 1,
        "Missing": 29,
        "Nil returns": 1,
        "Meeting the spending guideline": 1,
        "Meeting the equipment guideline": 1,  # EE 24 %; LV 10 %
    }
    lines = list(workbook["Capability lines"].iter_rows(min_row=2, values_only=True))
    assert [(line[0], line[1], line[3], line[7]) for line in lines] == [
        ("EE", "Ammunition", "155 mm shells", 4000),
        ("EE", "Air and missile defence", "Stinger interceptors", 4000),
        ("LV", "Ammunition", "155 mm shells", 4000),
    ]
    assert workbook["Capability lines"].freeze_panes == "A2"
    partnerships = list(workbook["Partnerships"].iter_rows(min_row=2, values_only=True))
    assert partnerships == [("EE", "Ally", "Latvia", "LV", "Signed", None)]
    reconciliation = list(workbook["Reconciliation"].iter_rows(min_row=2, values_only=True))
    assert reconciliation == [("EE", "Estonia", "LV", "Latvia", "yes")]


def test_csv_has_a_header_and_one_row_per_ally(filled_cycle, charlie, django_capture_on_commit_callbacks):
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    with report.csv.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert len(rows) == 32
    estonia = next(row for row in rows if row["member_code"] == "EE")
    assert {key: estonia[key] for key in ("status", "is_late", "days_late", "spending_pct_gdp", "versions")} == {
        "status": "accepted",
        "is_late": "false",
        "days_late": "0",
        "spending_pct_gdp": "2.50",
        "versions": "1",
    }
    expected = compliance_rows(cycle=filled_cycle, at=DEADLINE + timedelta(days=10))
    assert [row["member_code"] for row in rows] == [row["member_code"] for row in expected]


def test_pdf_has_title_summary_and_charts(filled_cycle, charlie, django_capture_on_commit_callbacks):
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Compliance report, cycle 2025" in reader.pages[0].extract_text()
    assert "EE Estonia" in text
    assert "Nil return" in text
    # Title, summary (one or two pages), and one page per chart, each an image.
    images = sum(len(page.images) for page in reader.pages)
    assert images == 3


def test_second_run_does_nothing(filled_cycle, charlie, django_capture_on_commit_callbacks):
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    pdf_name = report.pdf.name
    assert report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert (report.status, report.pdf.name) == (ReportStatus.DONE, pdf_name)


def test_failure_is_recorded(filled_cycle, charlie, django_capture_on_commit_callbacks, settings, tmp_path):
    # A file where the media directory should be: the storage cannot write, the build fails.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    assert (report.status, report.progress < 100, report.error.split(":")[0]) == (
        ReportStatus.FAILED,
        True,
        "NotADirectoryError",
    )


def test_members_may_not_request_reports(filled_cycle, alice):
    with pytest.raises(NotAllowed):
        report_request(cycle=filled_cycle, actor=Actor.for_user(alice))
    assert ComplianceReport.objects.count() == 0


def test_nothing_is_queued_before_commit(filled_cycle, charlie):
    report = report_request(cycle=filled_cycle, actor=Actor.for_user(charlie))
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.QUEUED, 0)


def test_figures_in_files_agree_with_the_plan(filled_cycle, charlie, django_capture_on_commit_callbacks):
    report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    plan = filled_cycle.plans.get(member__code="LV")
    with report.csv.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    latvia = next(row for row in rows if row["member_code"] == "LV")
    assert (Decimal(latvia["spending_pct_gdp"]), Decimal(latvia["equipment_share_pct"])) == (
        plan.spending_pct_gdp,
        plan.equipment_share_pct,
    )


def test_files_are_in_the_default_language_whatever_language_is_active(
    filled_cycle, charlie, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("fr"):
        report = built(filled_cycle, charlie, django_capture_on_commit_callbacks)
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert (workbook.sheetnames[0], workbook["Summary"]["B2"].value, workbook["Summary"]["C2"].value) == (
        "Summary",
        "Albania",
        "Missing",
    )


def test_the_pdf_and_the_brief_show_charts_drawn_once_for_both(filled_cycle):
    from reports.builders import charts
    from reports.builders.brief import build_brief
    from reports.builders.data import report_data
    from reports.builders.pdf import build_pdf

    def images(content: bytes) -> list[bytes]:
        return [image.data for page in PdfReader(io.BytesIO(content)).pages for image in page.images]

    data = report_data(cycle=filled_cycle, at=DEADLINE + timedelta(days=10))
    heard: list[int] = []
    drawn = charts.draw(data, progress=heard.append)
    assert (list(drawn), heard) == (list(charts.CHARTS), [33, 66, 100])
    own = images(build_pdf(data))
    assert (len(own), images(build_pdf(data, drawn=drawn))) == (3, own)
    assert images(build_brief(data, drawn=drawn)) == images(build_brief(data))
