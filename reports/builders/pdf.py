"""The PDF report (reportlab): a title page with the totals, the summary table and the charts."""

import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import charts
from .data import ReportData, item_label, status_label, unit_label
from .tables import TOTAL_LABELS

PAGE = landscape(A4)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def _summary_table(data: ReportData) -> Table:
    header = [
        _("Ally"),
        _("Status"),
        _("Deadline"),
        _("First submitted"),
        _("Late (days)"),
        _("Versions"),
        _("GDP share (%)"),
        _("Spending"),
        _("Equipment %"),
        _("Equipment"),
    ]
    body = []
    for row in data.rows:
        if row["overdue"]:
            late = _("overdue, %(days)s") % {"days": row["days_late"]}
        elif row["submitted_late"] is None:
            late = ""
        else:
            late = str(row["days_late"]) if row["submitted_late"] else _("on time")
        body.append(
            [
                f"{row['member_code']} {row['member_name']}",
                status_label(row["status"]),
                row["effective_deadline"].strftime("%Y-%m-%d") + (" *" if row["has_extension"] else ""),
                row["first_submitted_at"].strftime("%Y-%m-%d %H:%M") if row["first_submitted_at"] else "",
                late,
                str(row["versions"]),
                "" if row["spending_pct_gdp"] is None else f"{row['spending_pct_gdp']:.2f}",
                _yes_no(row["meets_spending_target"]),
                "" if row["equipment_share_pct"] is None else f"{row['equipment_share_pct']:.2f}",
                _yes_no(row["meets_equipment_target"]),
            ]
        )
    return _plain_table(header, body, numbers_from=4, h_align="CENTER")


def _quantity(value) -> str:
    return f"{value:,.0f}"


def _plain_table(header: list[str], body: list[list[str]], numbers_from: int = 3, h_align: str = "LEFT") -> Table:
    """A table with a header row on every page; columns from `numbers_from` on are right-aligned."""
    table = Table([header, *body], repeatRows=1, hAlign=h_align)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef2f7")]),
                ("ALIGN", (numbers_from, 1), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table


def _capacity_table(data: ReportData) -> Table:
    """Per catalogue item, in its own unit (selectors.capacity_by_item): the same figures as the XLSX."""
    header = [_("Item"), _("Unit"), _("Allies"), _("Baseline"), _("Target"), _("Growth %"), _("Stockpile gap")]
    body = [
        [
            item_label(item),
            unit_label(item["unit"]),
            str(len(item["allies"])),
            _quantity(item["baseline"]),
            _quantity(item["target"]),
            "" if item["growth_pct"] is None else f"{item['growth_pct']:.2f}",
            _quantity(item["stockpile_gap"]),
        ]
        for item in data.capacity["items"]
    ]
    return _plain_table(header, body)


def _joint_table(data: ReportData) -> Table:
    header = [_("Item"), _("Unit"), _("Allies"), _("Target increase"), _("Stockpile gap"), _("Already partners")]
    body = [
        [
            item_label(item),
            unit_label(item["unit"]),
            ", ".join(item["allies"]),
            _quantity(item["target_increase"]),
            _quantity(item["stockpile_gap"]),
            ", ".join("-".join(pair) for pair in item["partnered_pairs"]) or _("none"),
        ]
        for item in data.joint
    ]
    return _plain_table(header, body)


def build_pdf(
    data: ReportData, progress: Callable[[int], None] | None = None, drawn: dict[str, bytes] | None = None
) -> bytes:
    """The PDF; `progress` is told 0-100 as the charts are drawn (the slow part), unless `drawn` has them."""
    styles = getSampleStyleSheet()
    year = data.cycle.year
    story = [
        Spacer(1, 4 * cm),
        Paragraph(_("Defence industrial capacity plans"), styles["Title"]),
        Paragraph(_("Compliance report, cycle %(year)s") % {"year": year}, styles["Heading1"]),
        Paragraph(
            _("Deadline %(deadline)s UTC. Generated %(at)s UTC.")
            % {
                "deadline": data.cycle.deadline.strftime("%Y-%m-%d %H:%M"),
                "at": data.generated_at.strftime("%Y-%m-%d %H:%M"),
            },
            styles["Normal"],
        ),
        Spacer(1, 1 * cm),
        Table([[_(label), str(data.totals[key])] for key, label in TOTAL_LABELS.items()], hAlign="LEFT"),
        PageBreak(),
        Paragraph(_("Summary"), styles["Heading2"]),
        Paragraph(_("* an extension moved the deadline."), styles["Normal"]),
        _summary_table(data),
        PageBreak(),
        Paragraph(_("Capacity per catalogue item"), styles["Heading2"]),
        Paragraph(
            _(
                "Summed over the allies' submitted lines of each item, in its own unit; "
                "lines outside the catalogue are not summed (see the XLSX)."
            ),
            styles["Normal"],
        ),
        _capacity_table(data),
        Paragraph(_("Joint procurement signals"), styles["Heading2"]),
        Paragraph(
            _(
                "Items that two or more allies plan to expand or restock, "
                "and which of them already name each other as partners."
            ),
            styles["Normal"],
        ),
        _joint_table(data),
    ]
    if drawn is None:
        drawn = charts.draw(data, progress=progress)
    for name in charts.CHARTS:
        story += [PageBreak(), Image(io.BytesIO(drawn[name]), width=25 * cm, height=11 * cm)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        title=_("Compliance report %(year)s") % {"year": year},
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    document.build(story)
    return buffer.getvalue()
