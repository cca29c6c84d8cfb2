"""The summit brief read back with pypdf: marking on every page, page numbers, contents, the
executive summary's figures equal to the selectors', and the same brief in French."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from plans.models import Cycle
from reports.builders.brief import build_brief
from reports.builders.data import report_data
from reports.builders.tables import build_csv, build_xlsx
from reports.models import ComplianceReport
from reports.selectors import alliance_trends, compliance_rows, compliance_totals
from tests.factories import valid_content
from tests.reports.helpers import DEADLINE, plan_in_state, report_cycle, spending

pytestmark = pytest.mark.django_db
D = Decimal
AFTER = DEADLINE + timedelta(days=40)


def line(category: str, baseline: str, target: str, bottleneck: str = "none") -> dict:
    return {
        **valid_content()["lines"][0],
        "category": category,
        "baseline_capacity": D(baseline),
        "target_capacity": D(target),
        "bottleneck": bottleneck,
    }


@pytest.fixture
def two_cycles():
    """2024: EE and LV submitted, EE meets 2 %. 2025 (marked NATO RESTRICTED): EE on time and
    meeting 2 %, LV late and meeting it too, LT on time below it; the 2025 lines name
    workforce twice and components once; EE and LT name one multinational programme."""
    y2024, y2025 = report_cycle(2024), report_cycle(2025)
    y2025.classification = "NATO RESTRICTED"
    y2025.save()
    plan_in_state(y2024, "EE", "accepted", **spending("2100", "500", "100000"))
    plan_in_state(y2024, "LV", "accepted", **spending("1500", "300", "100000"))
    programme = {"kind": "multinational", "partner_name": "European Sky Shield", "partner_members": ["DE"]}
    plan_in_state(
        y2025,
        "EE",
        "accepted",
        lines=[line("air_missile_defence", "10", "60", "workforce"), line("ammunition", "1000", "1500")],
        partnerships=[programme],
        **spending("2500", "600", "100000"),
    )
    plan_in_state(
        y2025,
        "LV",
        "submitted",
        submitted_at=DEADLINE + timedelta(days=2),
        lines=[line("ammunition", "500", "3500", "workforce")],
        **spending("2000", "420", "100000"),
    )
    plan_in_state(
        y2025,
        "LT",
        "submitted",
        lines=[line("missiles", "5", "6", "components")],
        partnerships=[programme],
        **spending("1800", "400", "100000"),
    )
    return y2025


def read(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def brief_in(language: str, cycle: Cycle) -> bytes:
    with translation.override(language), time_machine.travel(AFTER, tick=False):
        return build_brief(report_data(cycle=cycle))


def test_every_page_carries_the_cycles_marking_top_and_bottom_and_its_number(two_cycles):
    pages = read(brief_in("en", two_cycles))

    assert len(pages) > 32  # cover, contents, summary, tables, charts and an annex per ally
    for number, text in enumerate(pages, start=1):
        assert text.count("NATO RESTRICTED") >= 2, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text
    assert "Summit brief, cycle 2025" in pages[0]
    contents = pages[1]
    for heading in ("Executive summary", "Compliance", "The alliance", "Charts", "Annexes: the allies"):
        assert heading in contents
    annexes = [text for text in pages if "Annex: " in text]
    assert len(annexes) == 32
    assert "Annex: EE Estonia" in annexes[7]


def test_the_executive_summary_states_the_selectors_figures(two_cycles):
    with time_machine.travel(AFTER, tick=False):
        totals = compliance_totals(compliance_rows(cycle=two_cycles))
        years = {row["year"]: row for row in alliance_trends()}
    text = " ".join(" ".join(read(brief_in("en", two_cycles))).split())

    # By hand: 3 of 32 submitted, 2 on time, 1 late, 29 overdue, 1 accepted; 2 meet 2 %
    # (EE 2.50, LV 2.00; LT 1.80 does not); equipment 20 %: EE 24 %, LV 21 %, LT 22.22 %.
    assert (totals["submitted"], totals["on_time"], totals["submitted_late"], totals["overdue"]) == (3, 2, 1, 29)
    assert (totals["meeting_spending_target"], totals["meeting_equipment_target"]) == (2, 3)
    assert (
        f"{totals['submitted']} of 32 allies have submitted their plan for 2025: {totals['on_time']} on time, "
        f"{totals['submitted_late']} late; {totals['overdue']} are overdue and {totals['accepted']} plans are accepted."
    ) in text
    assert (
        f"{totals['meeting_spending_target']} allies meet the guideline of 2.00 % of GDP for defence expenditure, "
        f"and {totals['meeting_equipment_target']} the guideline of 20.00 % for major equipment."
    ) in text
    # 2024: 2 submitted, 1 met 2 %; 2025: 2 met: a change of +1.
    assert (years[2024]["reported"], years[2024]["meeting_spending_target"]) == (2, 1)
    assert (
        "In 2024, 2 allies had submitted and 1 met that year's guideline of 2.00 %; "
        "change in allies meeting the guideline: +1."
    ) in (text)
    # Growth: ammunition 1500 -> 5000 (+3500), air and missile defence 10 -> 60 (+50), missiles 5 -> 6 (+1).
    assert "Largest planned capacity increases: Ammunition from 1 500 to 5 000 a year (233.33 %)" in text.replace(
        "\u202f", " "
    )
    assert "Main bottlenecks: Workforce (lines: 2, allies: 2); Components (lines: 1, allies: 1)." in text
    assert "multinational programmes named: 1; the most named: European Sky Shield (named by 2)" in text


def test_a_french_brief_xlsx_and_csv(two_cycles):
    pages = read(brief_in("fr", two_cycles))
    text = " ".join(" ".join(pages).split())

    assert re.search(r"Page 1 sur \d+", pages[0])
    assert "Synthèse" in text
    assert "Annexe : EE Estonie" in text
    assert all(page.count("NATO RESTRICTED") >= 2 for page in pages)
    with translation.override("fr"):
        workbook = load_workbook(io.BytesIO(build_xlsx(report_data(cycle=two_cycles))))
        csv_text = build_csv(report_data(cycle=two_cycles)).decode("utf-8-sig")
    assert workbook.sheetnames[0] == "Résumé"
    assert "Alliance par année" in workbook.sheetnames
    assert csv_text.splitlines()[0].startswith("member_code,")  # machine-readable column names stay


def test_staff_build_a_french_brief_through_the_api(two_cycles, charlie, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(charlie)  # the session would expire on the way back from the travel below
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(AFTER):
        response = client.post("/api/v1/reports/", {"cycle": 2025, "language": "fr"}, format="json")
    report = ComplianceReport.objects.get()

    download = client.get(f"/api/v1/reports/{report.pk}/brief/")

    assert (response.status_code, report.language, report.status) == (202, "fr", "done")
    assert download["Content-Type"] == "application/pdf", (report.error, download.content[:300])
    assert f"summit-brief-2025-{report.pk}-fr.pdf" in download["Content-Disposition"]
    pages = read(b"".join(download.streaming_content))
    assert "Page 1 sur" in pages[0]
    bad = client.post("/api/v1/reports/", {"cycle": 2025, "language": "de"}, format="json")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["language"])
