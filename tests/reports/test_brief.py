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
from reports.selectors import (
    alliance_trends,
    bottlenecks,
    capacity_by_item,
    compliance_rows,
    compliance_totals,
    executive_summary,
    joint_procurement,
    multinational_programmes,
)
from tests.factories import valid_content
from tests.reports.helpers import DEADLINE, plan_in_state, report_cycle, spending

pytestmark = pytest.mark.django_db
D = Decimal
AFTER = DEADLINE + timedelta(days=40)


def line(code: str, baseline: str, target: str, bottleneck: str = "none") -> dict:
    """A line of catalogue item `code` (its category and unit come from the item)."""
    return {
        **{key: value for key, value in valid_content()["lines"][0].items() if key not in ("category", "unit")},
        "item_code": code,
        "item": "",
        "baseline_capacity": D(baseline),
        "target_capacity": D(target),
        "bottleneck": bottleneck,
    }


@pytest.fixture
def two_cycles():
    """2024: EE and LV submitted, EE meets 2 %. 2025 (marked NATO RESTRICTED): EE on time and
    meeting 2 %, LV late and meeting it too, LT on time below it; the 2025 lines name
    workforce twice and components once; EE and LT name one multinational programme.

    2025 lines: EE MANPADS 10 -> 60 missiles, 155 mm 1,000 -> 1,500 rounds, fuzes 100 -> 200
    units; LV 155 mm 500 -> 3,500 rounds; LT cruise missiles 3 -> 10 and an "other" line
    (Fuze adapters, 7 -> 9 units) that is listed, never summed."""
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
        lines=[
            line("manpads", "10", "60", "workforce"),
            line("art-155", "1000", "1500"),
            line("art-fuzes", "100", "200"),
        ],
        partnerships=[programme],
        **spending("2500", "600", "100000"),
    )
    plan_in_state(
        y2025,
        "LV",
        "submitted",
        submitted_at=DEADLINE + timedelta(days=2),
        lines=[line("art-155", "500", "3500", "workforce")],
        **spending("2000", "420", "100000"),
    )
    plan_in_state(
        y2025,
        "LT",
        "submitted",
        lines=[
            line("cruise", "3", "10", "components"),
            {
                **valid_content()["lines"][0],
                "item": "Fuze adapters",
                "unit": "units",
                "baseline_capacity": D("7"),
                "target_capacity": D("9"),
            },
        ],
        partnerships=[programme],
        **spending("1800", "400", "100000"),
    )
    return y2025


def read(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(pages: list[str]) -> str:
    """The pages' text on one line, single spaces (the no-break spaces between thousands too)."""
    return " ".join(" ".join(pages).replace("\xa0", " ").split())


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


def summary_of(cycle: Cycle) -> dict:
    """The executive summary's figures, from the selectors the dashboard, the API and the XLSX call."""
    with time_machine.travel(AFTER, tick=False):
        return executive_summary(
            cycle=cycle,
            rows=compliance_rows(cycle=cycle),
            capacity=capacity_by_item(cycle=cycle),
            bottleneck_rows=bottlenecks(cycle=cycle),
            programmes=multinational_programmes(cycle=cycle),
            joint=joint_procurement(cycle=cycle),
            alliance_years=alliance_trends(),
        )


def test_the_executive_summary_states_the_selectors_figures(two_cycles):
    with time_machine.travel(AFTER, tick=False):
        totals = compliance_totals(compliance_rows(cycle=two_cycles))
        years = {row["year"]: row for row in alliance_trends()}
    summary = summary_of(two_cycles)
    text = flat(read(brief_in("en", two_cycles)))

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
    # Growth in % of the baseline, per item: MANPADS 10 -> 60 (+500 %); 155 mm EE 1,000 -> 1,500
    # plus LV 500 -> 3,500 = 1,500 -> 5,000 (+233.33 %, two allies) ties with cruise missiles
    # 3 -> 10 (+233.33 %, one ally): the item more allies plan comes first; fuzes +100 % are fourth.
    assert [
        (item["code"], item["baseline"], item["target"], item["growth_pct"], item["allies"])
        for item in summary["largest_increases"]
    ] == [
        ("manpads", D("10"), D("60"), D("500.00"), ["EE"]),
        ("art-155", D("1500"), D("5000"), D("233.33"), ["EE", "LV"]),
        ("cruise", D("3"), D("10"), D("233.33"), ["LT"]),
    ]
    assert (
        "Largest planned capacity increases, per catalogue item: MANPADS missiles (Stinger class) from 10 to 60 "
        "missiles a year (+500.00 %, allies: 1); 155 mm artillery rounds from 1 500 to 5 000 rounds a year "
        "(+233.33 %, allies: 2); Land-attack cruise missiles from 3 to 10 missiles a year (+233.33 %, allies: 1)."
    ) in text
    assert "Main bottlenecks: Workforce (lines: 2, allies: 2); Components (lines: 1, allies: 1)." in text
    # Joint procurement: only 155 mm is planned by two allies; EE +500 and LV +3,000 rounds.
    assert [(item["code"], item["allies"], item["target_increase"]) for item in summary["joint_signals"]] == [
        ("art-155", ["EE", "LV"], D("3500"))
    ]
    assert summary["joint_items"] == 1
    assert (
        "Joint procurement signals: 1 catalogue item is planned by two or more allies: 155 mm artillery rounds "
        "(allies: EE, LV; combined increase 3 500 rounds a year)."
    ) in text
    assert "Multinational programmes named: 1; the most named: European Sky Shield (named by 2)." in text


def test_two_allies_on_one_item_add_up_in_the_brief_and_two_units_never_do(two_cycles):
    pages = read(brief_in("en", two_cycles))
    alliance = flat([page for page in pages if "Planned capacity per catalogue item" in page and "Summed" in page])
    figures = capacity_by_item(cycle=two_cycles)

    # Per category, its items side by side: 155 mm rounds of EE and LV add up (1,000 + 500 ->
    # 1,500 + 3,500); the fuzes, counted in units, are their own row of the same category.
    assert (
        "Ammunition Item Unit Allies Baseline (a year) Target (a year) Growth % Stockpile gap "
        "155 mm artillery rounds rounds 2 1 500 5 000 233.33 % 0 "
        "Artillery fuzes units (pieces) 1 100 200 100.00 % 0 "
        "Air and missile defence"
    ) in alliance
    by_code = {item["code"]: item for item in figures["items"]}
    assert [(by_code[code]["baseline"], by_code[code]["target"]) for code in ("art-155", "art-fuzes")] == [
        (D("1500"), D("5000")),
        (D("100"), D("200")),
    ]
    # Never rounds and units together (1,500 + 100, 5,000 + 200), nor the "other" line's 7 -> 9 units.
    for total in ("1 600", "5 200", "1 507", "5 009"):
        assert total not in alliance
    assert "Fuze adapters" not in alliance
    assert "1 line outside the catalogue is not summed; the XLSX lists it." in alliance
    assert (
        "Joint procurement signals Catalogue items that two or more allies plan to expand or restock, and which of "
        "them already name each other as partners. Item Unit Allies Combined increase (a year) Stockpile gap "
        "Already partners 155 mm artillery rounds rounds EE, LV 3 500 0 none"
    ) in alliance
    lithuania = flat([page for page in pages if "Annex: LT Lithuania" in page])
    assert "Missiles Land-attack cruise missiles missiles 3 10 233.33 %" in lithuania
    assert "Other: Fuze adapters units (pieces) 7 9 28.57 %" in lithuania


def test_a_french_brief_xlsx_and_csv(two_cycles):
    pages = read(brief_in("fr", two_cycles))
    text = " ".join(" ".join(pages).split())

    assert re.search(r"Page 1 sur \d+", pages[0])
    assert "Synthèse" in text
    assert "Annexe : EE Estonie" in text
    french = text.replace("\xa0", " ")
    # Item names and units in French, each item in its own unit.
    assert (
        "Plus fortes hausses de capacité prévues, par article du catalogue : Missiles sol-air portables "
        "(type Stinger) : de 10 à 60 missiles par an (+500.00 %, Alliés : 1); Obus d'artillerie de 155 mm : "
        "de 1 500 à 5 000 coups par an (+233.33 %, Alliés : 2)"
    ) in french
    assert (
        "Signaux d’acquisition conjointe : 1 article du catalogue est prévu par deux Alliés ou plus : "
        "Obus d'artillerie de 155 mm (Alliés : EE, LV ; hausse cumulée de 3 500 coups par an)."
    ) in french
    assert "Autre : Fuze adapters" in french
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


def test_text_typed_by_delegations_is_printed_as_text_not_markup(db):
    cycle = report_cycle(2025)
    programme = {"kind": "multinational", "partner_name": "Sky & Shield <ESSI>", "partner_members": ["DE"]}
    plan_in_state(
        cycle,
        "EE",
        "submitted",
        lines=[{**valid_content()["lines"][0], "item": "Fuzes & <b>adapters", "unit": "units"}],
        partnerships=[programme],
    )

    text = flat(read(brief_in("en", cycle)))

    assert "Other: Fuzes & <b>adapters units (pieces) 1 000 5 000 400.00 %" in text
    assert "the most named: Sky & Shield <ESSI> (named by 1)." in text
