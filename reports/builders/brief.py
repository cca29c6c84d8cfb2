"""The summit brief (reportlab): a PDF for ministers, in the language active when it is built.

Cover with the cycle and its classification marking; the marking in the header and footer of
every page with "page n of N"; contents; an executive summary written from the selectors'
figures (reports.selectors.executive_summary); the compliance table; the alliance tables; the
charts with captions; an annex per ally. Every figure comes from ReportData, which the XLSX,
CSV and dashboard read too.
"""

import io
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from plans.enums import Bottleneck, Category
from plans.models import localized_name
from reports import selectors

from . import charts
from .data import ReportData, item_label, status_label, unit_label

PAGE = A4
MARGIN = 2 * cm
MARKING_COLOUR = colors.HexColor("#b00020")
HEADER_BLUE = colors.HexColor("#1f4e79")
ANNEX_LINES = 10  # lines listed per ally in its annex: the largest increases in %


def _number(value: Any, places: int = 0) -> str:
    if value is None:
        return "-"
    # A no-break space between thousands: the PDF's standard fonts have no narrow one (it printed as a box).
    return f"{Decimal(value):,.{places}f}".replace(",", "\u00a0")


def _percent(value: Any) -> str:
    return "-" if value is None else f"{Decimal(value):.2f} %"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "-"
    return _("yes") if value else _("no")


def _marked_canvas(marking: str) -> type[canvas.Canvas]:
    """A canvas that prints the marking at the top and bottom of every page, and "page n of N".

    The total is known only at the end: each page's state is kept and the pages are drawn at
    save (reportlab's usual recipe for "of N").
    """

    class MarkedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = PAGE
            self.saveState()
            self.setFillColor(MARKING_COLOUR)
            self.setFont("Helvetica-Bold", 10)
            self.drawCentredString(width / 2, height - 1.2 * cm, marking)
            self.drawCentredString(width / 2, 0.8 * cm, marking)
            self.setFillColor(colors.black)
            self.setFont("Helvetica", 8)
            label = _("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total}
            self.drawRightString(width - MARGIN, 0.8 * cm, label)
            self.restoreState()

    return MarkedCanvas


class BriefDocument(BaseDocTemplate):
    """One frame per page; level-1 and level-2 headings go to the contents.

    The annexes' own headings (style BriefAnnex) are bookmarked but left out of the contents: the
    contents then always fit on one page, so the second layout pass finds the page numbers of the
    first and reportlab stops there (a third pass cost a third of the build time).
    """

    def __init__(self, buffer: io.BytesIO, **kwargs: Any) -> None:
        super().__init__(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, **kwargs)
        frame = Frame(MARGIN, 1.6 * cm, PAGE[0] - 2 * MARGIN, PAGE[1] - 3.4 * cm, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def afterFlowable(self, flowable: Any) -> None:
        if isinstance(flowable, Paragraph):
            name = flowable.style.name
            level = {"BriefH1": 0, "BriefH2": 1}.get(name)
            if level is not None or name == "BriefAnnex":
                key = f"h{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(flowable.getPlainText(), key, level=1 if level is None else level)
            if level is not None:
                self.notify("TOCEntry", (level, flowable.getPlainText(), self.page, key))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("BriefTitle", parent=base["Title"], fontSize=24, leading=30),
        "subtitle": ParagraphStyle("BriefSubtitle", parent=base["Heading2"], alignment=TA_CENTER),
        "marking": ParagraphStyle(
            "BriefMarking", parent=base["Title"], textColor=MARKING_COLOUR, fontSize=16, leading=20
        ),
        "centre": ParagraphStyle("BriefCentre", parent=base["Normal"], alignment=TA_CENTER),
        "h1": ParagraphStyle("BriefH1", parent=base["Heading1"], textColor=HEADER_BLUE),
        "h2": ParagraphStyle("BriefH2", parent=base["Heading2"], textColor=HEADER_BLUE),
        "annex": ParagraphStyle("BriefAnnex", parent=base["Heading2"], textColor=HEADER_BLUE),
        "h3": ParagraphStyle("BriefH3", parent=base["Heading3"], textColor=HEADER_BLUE, spaceBefore=6),
        "body": ParagraphStyle("BriefBody", parent=base["BodyText"], fontSize=10, leading=14),
        "bullet": ParagraphStyle("BriefBullet", parent=base["BodyText"], fontSize=10, leading=14, leftIndent=12),
        "caption": ParagraphStyle("BriefCaption", parent=base["Italic"], fontSize=9, alignment=TA_CENTER),
        "cell": ParagraphStyle("BriefCell", parent=base["BodyText"], fontSize=7.5, leading=9),
    }


def _table(header: list[str], body: list[list[Any]], widths: list[float] | None = None) -> Table:
    table = Table([header, *body], repeatRows=1, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef2f7")]),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def summary_sentences(summary: dict[str, Any]) -> list[str]:
    """The executive summary as sentences, each stating figures of `selectors.executive_summary`."""
    bottlenecks = dict(Bottleneck.choices)
    sentences = [
        _(
            "%(submitted)d of %(members)d allies have submitted their plan for %(year)d: %(on_time)d on time, "
            "%(late)d late; %(overdue)d are overdue and %(accepted)d plans are accepted."
        )
        % {
            "submitted": summary["submitted"],
            "members": summary["members"],
            "year": summary["year"],
            "on_time": summary["on_time"],
            "late": summary["submitted_late"],
            "overdue": summary["overdue"],
            "accepted": summary["accepted"],
        },
        _(
            "%(meeting)d allies meet the guideline of %(target)s %% of GDP for defence expenditure, and "
            "%(equipment)d the guideline of %(equipment_target)s %% for major equipment."
        )
        % {
            "meeting": summary["meeting_spending_target"],
            "target": summary["spending_target_pct"],
            "equipment": summary["meeting_equipment_target"],
            "equipment_target": summary["equipment_target_pct"],
        },
    ]
    previous = summary["previous"]
    if previous is None:
        sentences.append(_("This is the first cycle: there is no earlier year to compare with."))
    else:
        sentences.append(
            _(
                "In %(previous_year)d, %(previous_reported)d allies had submitted and %(previous_meeting)d met "
                "that year's guideline of %(previous_target)s %%; change in allies meeting the guideline: %(change)+d."
            )
            % {
                "previous_year": previous["year"],
                "previous_reported": previous["reported"],
                "previous_meeting": previous["meeting_spending_target"],
                "previous_target": previous["spending_target_pct"],
                "change": summary["meeting_spending_target"] - previous["meeting_spending_target"],
            }
        )
    if summary["largest_increases"]:
        named = "; ".join(
            _("%(item)s from %(baseline)s to %(target)s %(unit)s a year (%(growth)s, allies: %(allies)d)")
            % {
                "item": escape(item_label(item)),
                "baseline": _number(item["baseline"]),
                "target": _number(item["target"]),
                "unit": unit_label(item["unit"]),
                "growth": f"+{_percent(item['growth_pct'])}",
                "allies": len(item["allies"]),
            }
            for item in summary["largest_increases"]
        )
        sentences.append(_("Largest planned capacity increases, per catalogue item: %(list)s.") % {"list": named})
    else:
        sentences.append(_("No submitted plan plans a capacity increase of a catalogue item yet."))
    if summary["bottlenecks"]:
        named = "; ".join(
            _("%(bottleneck)s (lines: %(lines)d, allies: %(allies)d)")
            % {
                "bottleneck": bottlenecks.get(row["bottleneck"], row["bottleneck"]),
                "lines": row["lines"],
                "allies": row["allies"],
            }
            for row in summary["bottlenecks"]
        )
        sentences.append(_("Main bottlenecks: %(list)s.") % {"list": named})
    else:
        sentences.append(_("No bottleneck is named in the submitted plans."))
    if summary["joint_signals"]:
        named = "; ".join(
            _("%(item)s (allies: %(allies)s; combined increase %(increase)s %(unit)s a year)")
            % {
                "item": escape(item_label(item)),
                "allies": ", ".join(item["allies"]),
                "increase": _number(item["target_increase"]),
                "unit": unit_label(item["unit"]),
            }
            for item in summary["joint_signals"]
        )
        sentences.append(
            ngettext(
                "Joint procurement signals: %(count)d catalogue item is planned by two or more allies: %(list)s.",
                "Joint procurement signals: %(count)d catalogue items are planned by two or more allies; "
                "the most widely planned: %(list)s.",
                summary["joint_items"],
            )
            % {"count": summary["joint_items"], "list": named}
        )
    else:
        sentences.append(_("Joint procurement signals: no catalogue item is planned by two or more allies yet."))
    if summary["joint_programmes"]:
        named = "; ".join(
            _("%(name)s (named by %(count)d)")
            % {"name": escape(programme["name"]), "count": len(programme["named_by"])}
            for programme in summary["joint_programmes"]
        )
        sentences.append(
            _("Multinational programmes named: %(count)d; the most named: %(list)s.")
            % {"count": summary["programmes"], "list": named}
        )
    else:
        sentences.append(_("No multinational programme is named in the submitted plans."))
    return sentences


def _compliance_table(data: ReportData, styles: dict) -> Table:
    header = [_("Ally"), _("Status"), _("Timeliness"), _("% of GDP"), _("Spending"), _("Equipment %"), _("Equipment")]
    body = []
    for row in data.rows:
        if row["overdue"]:
            timeliness = _("overdue")
        elif row["submitted_late"] is None:
            timeliness = "-"
        else:
            timeliness = _("late") if row["submitted_late"] else _("on time")
        body.append(
            [
                Paragraph(f"{row['member_code']} {_ally_name(row)}", styles["cell"]),
                status_label(row["status"]),
                timeliness,
                _percent(row["spending_pct_gdp"]),
                _yes_no(row["meets_spending_target"]),
                _percent(row["equipment_share_pct"]),
                _yes_no(row["meets_equipment_target"]),
            ]
        )
    return _table(header, body, [4.6 * cm, 2.6 * cm, 2 * cm, 1.9 * cm, 1.6 * cm, 2 * cm, 1.6 * cm])


def _ally_name(row: dict[str, Any]) -> str:
    from django.utils.translation import get_language

    return (
        row.get("member_name_fr")
        if (get_language() or "").startswith("fr") and row.get("member_name_fr")
        else row["member_name"]
    )


def _capacity_tables(data: ReportData, styles: dict) -> list[Any]:
    """Per category, its catalogue items side by side, each in its own unit (selectors.capacity_by_item).

    No category total: a category holds items in different units. Lines outside the catalogue are
    counted, not summed (the XLSX lists them).
    """
    categories = dict(Category.choices)
    header = [_("Item"), _("Unit"), _("Allies"), _("Baseline (a year)"), _("Target (a year)"), _("Growth %")]
    header += [_("Stockpile gap")]
    story: list[Any] = []
    for group in selectors.capacity_by_category(data.capacity):
        if not group["items"]:
            continue
        body = [
            [
                Paragraph(escape(item_label(item)), styles["cell"]),
                unit_label(item["unit"]),
                str(len(item["allies"])),
                _number(item["baseline"]),
                _number(item["target"]),
                "-" if item["growth_pct"] is None else _percent(item["growth_pct"]),
                _number(item["stockpile_gap"]),
            ]
            for item in group["items"]
        ]
        story += [
            Paragraph(str(categories.get(group["category"], group["category"])), styles["h3"]),
            _table(header, body, [5.4 * cm, 2 * cm, 1.2 * cm, 2.3 * cm, 2.3 * cm, 1.8 * cm, 2.2 * cm]),
        ]
    if not story:
        story.append(Paragraph(_("No submitted line names a catalogue item yet."), styles["body"]))
    other = len(data.capacity["other"])
    if other:
        story.append(
            Paragraph(
                ngettext(
                    "%(count)d line outside the catalogue is not summed; the XLSX lists it.",
                    "%(count)d lines outside the catalogue are not summed; the XLSX lists them.",
                    other,
                )
                % {"count": other},
                styles["body"],
            )
        )
    return story


def _joint_table(data: ReportData, styles: dict) -> Any:
    if not data.joint:
        return Paragraph(_("No catalogue item is planned by two or more allies yet."), styles["body"])
    header = [_("Item"), _("Unit"), _("Allies"), _("Combined increase (a year)"), _("Stockpile gap")]
    header += [_("Already partners")]
    body = [
        [
            Paragraph(escape(item_label(item)), styles["cell"]),
            unit_label(item["unit"]),
            Paragraph(", ".join(item["allies"]), styles["cell"]),
            _number(item["target_increase"]),
            _number(item["stockpile_gap"]),
            Paragraph(", ".join("-".join(pair) for pair in item["partnered_pairs"]) or _("none"), styles["cell"]),
        ]
        for item in data.joint
    ]
    return _table(header, body, [4.6 * cm, 2 * cm, 3.4 * cm, 2.6 * cm, 2.2 * cm, 2.4 * cm])


def _years_table(years: list[dict[str, Any]]) -> Table:
    header = [_("Cycle"), _("Guideline"), _("Submitted"), _("Meeting"), _("Median % of GDP"), _("Equipment met")]
    body = [
        [
            str(row["year"]),
            _percent(row["spending_target_pct"]),
            f"{row['reported']} / {row['allies']}",
            str(row["meeting_spending_target"]),
            _percent(row["median_spending_pct_gdp"]),
            str(row["meeting_equipment_target"]),
        ]
        for row in years
    ]
    return _table(header, body)


def _annex(row: dict[str, Any], lines: list[dict], years: list[dict], styles: dict) -> list[Any]:
    categories = dict(Category.choices)
    story: list[Any] = [
        PageBreak(),
        Paragraph(
            _("Annex: %(code)s %(name)s") % {"code": row["member_code"], "name": _ally_name(row)}, styles["annex"]
        ),
    ]
    first = row["first_submitted_at"].strftime("%Y-%m-%d %H:%M UTC") if row["first_submitted_at"] else "-"
    facts = [
        [_("Status"), status_label(row["status"])],
        [_("Effective deadline"), row["effective_deadline"].strftime("%Y-%m-%d %H:%M UTC")],
        [_("First submitted"), first],
        [_("Versions"), str(row["versions"])],
        [
            _("Defence expenditure, % of GDP"),
            f"{_percent(row['spending_pct_gdp'])} ({_yes_no(row['meets_spending_target'])})",
        ],
        [_("Equipment share"), f"{_percent(row['equipment_share_pct'])} ({_yes_no(row['meets_equipment_target'])})"],
    ]
    story.append(Table(facts, hAlign="LEFT", colWidths=[6 * cm, 8 * cm]))
    if years:
        story += [Spacer(1, 0.3 * cm), Paragraph(_("Across years"), styles["body"])]
        story.append(
            _table(
                [_("Cycle"), _("% of GDP"), _("Guideline"), _("Met"), _("Equipment %")],
                [
                    [
                        str(year["year"]),
                        _percent(year["spending_pct_gdp"]),
                        _percent(year["spending_target_pct"]),
                        _yes_no(year["meets_spending_target"]),
                        _percent(year["equipment_share_pct"]),
                    ]
                    for year in years
                ],
            )
        )
    if lines:
        biggest = sorted(lines, key=_line_growth_order)[:ANNEX_LINES]
        story += [
            Spacer(1, 0.3 * cm),
            Paragraph(
                ngettext(
                    "%(count)d capability line; the largest increases in %% of the baseline:",
                    "%(count)d capability lines; the largest increases in %% of the baseline:",
                    len(lines),
                )
                % {"count": len(lines)},
                styles["body"],
            ),
            _table(
                [_("Category"), _("Item"), _("Unit"), _("Baseline"), _("Target"), _("Growth %"), _("Target year")],
                [
                    [
                        Paragraph(str(categories.get(line["category"], line["category"])), styles["cell"]),
                        Paragraph(_line_label(line), styles["cell"]),
                        unit_label(line["unit"]),
                        _number(line["baseline_capacity"]),
                        _number(line["target_capacity"]),
                        _percent(_line_growth_pct(line)),
                        str(line["target_year"]),
                    ]
                    for line in biggest
                ],
                [2.8 * cm, 5 * cm, 1.8 * cm, 2 * cm, 2 * cm, 1.8 * cm, 1.6 * cm],
            ),
        ]
    elif row["status"] == "nil_return":
        story.append(Paragraph(_("Nil return: nothing to report."), styles["body"]))
    return story


def _line_label(line: dict[str, Any]) -> str:
    """A catalogue line by its item's name in the brief's language; a line outside it by its own text.

    Escaped for reportlab's paragraph markup: delegations type the text of "other" lines.
    """
    if line.get("item_code"):
        return escape(localized_name(line["item_name_en"], line["item_name_fr"]))
    return _("Other: %(item)s") % {"item": escape(line["item"])}


def _line_growth_pct(line: dict[str, Any]) -> Decimal | None:
    return selectors.growth_pct(line["target_capacity"] - line["baseline_capacity"], line["baseline_capacity"])


def _line_growth_order(line: dict[str, Any]) -> tuple:
    """Lines in different units compare in % of their baseline; lines without a baseline come last.

    Sorting is stable: equal lines keep the plan's order.
    """
    pct = _line_growth_pct(line)
    return (pct is None, -(pct or 0))


def build_brief(
    data: ReportData, progress: Callable[[int], None] | None = None, drawn: dict[str, bytes] | None = None
) -> bytes:
    """The summit brief as PDF bytes, in the active language; `progress` hears 0-100 as charts are drawn.

    `drawn`: the charts already drawn for this data (`charts.draw`), as the report's build shares them with its PDF.
    """
    styles = _styles()
    cycle = data.cycle
    marking = cycle.classification
    years = data.trends.get("cycles", [])
    summary = selectors.executive_summary(
        cycle=cycle,
        rows=data.rows,
        capacity=data.capacity,
        bottleneck_rows=data.bottlenecks,
        programmes=data.programmes,
        joint=data.joint,
        alliance_years=years,
    )
    contents = TableOfContents()
    contents.levelStyles = [
        ParagraphStyle("Contents1", fontSize=11, leading=16, leftIndent=0, firstLineIndent=0),
        ParagraphStyle("Contents2", fontSize=9, leading=12, leftIndent=14, firstLineIndent=0),
    ]
    story: list[Any] = [
        Spacer(1, 3 * cm),
        Paragraph(marking, styles["marking"]),
        Spacer(1, 2 * cm),
        Paragraph(_("Defence industrial capacity plans"), styles["title"]),
        Paragraph(_("Summit brief, cycle %(year)d") % {"year": cycle.year}, styles["subtitle"]),
        Spacer(1, 1 * cm),
        Paragraph(
            _("Figures as of %(at)s UTC.") % {"at": data.generated_at.strftime("%Y-%m-%d %H:%M")}, styles["centre"]
        ),
        PageBreak(),
        Paragraph(_("Contents"), styles["subtitle"]),
        contents,
        PageBreak(),
        Paragraph(_("Executive summary"), styles["h1"]),
        *[Paragraph(sentence, styles["bullet"], bulletText="-") for sentence in summary_sentences(summary)],
        CondPageBreak(8 * cm),
        Paragraph(_("Compliance"), styles["h1"]),
        Paragraph(
            _(
                "Guidelines for %(year)d: %(spending)s %% of GDP; "
                "%(equipment)s %% of defence expenditure on major equipment."
            )
            % {"year": cycle.year, "spending": cycle.spending_target_pct, "equipment": cycle.equipment_target_pct},
            styles["body"],
        ),
        _compliance_table(data, styles),
        PageBreak(),
        Paragraph(_("The alliance"), styles["h1"]),
        Paragraph(_("Planned capacity per catalogue item"), styles["h2"]),
        Paragraph(
            _(
                "Summed over the allies' submitted lines of each item, in its own unit; the items of a category "
                "are shown side by side, never added together."
            ),
            styles["body"],
        ),
        *_capacity_tables(data, styles),
        Paragraph(_("Joint procurement signals"), styles["h2"]),
        Paragraph(
            _(
                "Catalogue items that two or more allies plan to expand or restock, and which of them already name "
                "each other as partners."
            ),
            styles["body"],
        ),
        _joint_table(data, styles),
        Paragraph(_("Across years"), styles["h2"]),
        _years_table(years),
        Paragraph(_("Charts"), styles["h1"]),
    ]
    if drawn is None:
        drawn = charts.draw(data, progress=(lambda pct: progress(pct * 80 // 100)) if progress else None)
    for index, name in enumerate(charts.CHARTS, start=1):
        described = charts.describe(name, data)
        story.append(
            KeepTogether(
                [
                    Image(io.BytesIO(drawn[name]), width=17 * cm, height=7.6 * cm),
                    Paragraph(
                        _("Figure %(number)d: %(caption)s") % {"number": index, "caption": described["caption"]},
                        styles["caption"],
                    ),
                    Spacer(1, 0.4 * cm),
                ]
            )
        )
    lines_by_ally: dict[str, list[dict]] = defaultdict(list)
    for line in data.lines:
        lines_by_ally[line["member_code"]].append(line)
    years_by_ally: dict[str, list[dict]] = defaultdict(list)
    for year in data.trends.get("allies", []):
        years_by_ally[year["member_code"]].append(year)
    story += [PageBreak(), Paragraph(_("Annexes: the allies"), styles["h1"])]
    for row in data.rows:
        story += _annex(
            row, lines_by_ally.get(row["member_code"], []), years_by_ally.get(row["member_code"], []), styles
        )
    buffer = io.BytesIO()
    document = BriefDocument(
        buffer,
        title=_("Summit brief %(year)d") % {"year": cycle.year},
        subject=marking,
        topMargin=1.8 * cm,
        bottomMargin=1.6 * cm,
    )
    document.multiBuild(story, canvasmaker=_marked_canvas(marking))
    if progress:
        progress(100)
    return buffer.getvalue()
