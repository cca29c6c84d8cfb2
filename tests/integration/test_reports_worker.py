import csv
import io
import time

import pytest
from django.db import transaction
from openpyxl import load_workbook

from members.actors import Actor
from reports.models import ComplianceReport, ReportStatus
from reports.services import report_build, report_request
from tests.reports.helpers import nil_return, plan_in_state, report_cycle

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_until_finished(report: ComplianceReport, timeout: float = 60) -> tuple[ComplianceReport, list[int]]:
    """Poll as a client would; returns the report and the progress values seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        seen.append(report.progress)
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return report, seen
        time.sleep(0.05)
    pytest.fail(f"the report is still {report.status} at {report.progress} %")


def test_worker_builds_the_report_requested_in_a_transaction(celery_worker, charlie):
    cycle = report_cycle()
    plan_in_state(cycle, "EE", "accepted")
    nil_return(cycle, "IS")
    with transaction.atomic():
        report = report_request(cycle=cycle, actor=Actor.for_user(charlie))
    report, seen = wait_until_finished(report)
    try:
        assert (report.status, report.progress, report.error) == (ReportStatus.DONE, 100, "")
        assert seen == sorted(seen)
        with report.xlsx.open("rb") as handle:
            summary = load_workbook(io.BytesIO(handle.read()))["Summary"]
        statuses = {row[0]: row[2] for row in summary.iter_rows(min_row=2, max_row=33, values_only=True)}
        assert (statuses["EE"], statuses["IS"], statuses["LV"]) == ("Accepted", "Nil return", "Missing")
        with report.csv.open("rb") as handle:
            rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
        assert len(rows) == 32
        with report.pdf.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
        # The message may be delivered again (acks late): the second run finds it claimed.
        assert report_build(report_id=report.pk) is None
    finally:
        for field in (report.xlsx, report.pdf, report.csv):
            if field:
                field.delete(save=False)
