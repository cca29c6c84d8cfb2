"""The report's charts, drawn with matplotlib's Agg renderer (no display, safe in workers and views).

`Figure` objects are used directly rather than pyplot, whose global state is not thread-safe.
"""

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from .data import ReportData, item_label, unit_label

# Figures below never touch pyplot; this only keeps a stray pyplot import from picking a GUI.
matplotlib.use("Agg")

CHARTS = ("spending", "submissions", "capacity")
ACCENT = "#1f4e79"
WARN = "#c0392b"
GOOD = "#2e7d32"


def spending_chart(data: ReportData) -> Figure:
    """Share of GDP per ally with a figure, against the cycle's threshold line."""
    rows = [row for row in data.rows if row["spending_pct_gdp"] is not None]
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    threshold = float(data.cycle.spending_target_pct)
    codes = [row["member_code"] for row in rows]
    values = [float(row["spending_pct_gdp"]) for row in rows]
    colours = [GOOD if row["meets_spending_target"] else WARN for row in rows]
    axes.bar(codes, values, color=colours)
    axes.axhline(threshold, color="black", linestyle="--", linewidth=1, label=_("Guideline: %s %%") % threshold)
    axes.set_ylabel(_("Defence expenditure, % of GDP"))
    axes.set_title(_("Share of GDP per ally, %(year)s") % {"year": data.cycle.year})
    axes.legend(loc="upper right")
    if not rows:
        axes.text(0.5, 0.5, _("No submitted figures yet"), ha="center", va="center", transform=axes.transAxes)
    axes.tick_params(axis="x", labelrotation=90)
    return figure


def submissions_chart(data: ReportData) -> Figure:
    """Cumulative first submissions over time, against the cycle's deadline."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.add_subplot()
    times: list[datetime] = data.submissions
    if times:
        axes.step(times, range(1, len(times) + 1), where="post", color=ACCENT, label=_("Plans submitted"))
        axes.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    else:
        axes.text(0.5, 0.5, _("No submissions yet"), ha="center", va="center", transform=axes.transAxes)
    axes.axvline(data.cycle.deadline, color=WARN, linestyle="--", label=_("Deadline"))
    axes.axhline(len(data.rows), color="grey", linewidth=0.5)
    axes.set_ylim(0, max(len(data.rows), 1) + 1)
    axes.set_ylabel(_("Allies"))
    axes.set_title(_("Submissions over time, %(year)s") % {"year": data.cycle.year})
    axes.legend(loc="upper left")
    figure.autofmt_xdate()
    return figure


# The chart shows this many items, those with the most allies first (the XLSX has them all).
CAPACITY_CHART_ITEMS = 15


def capacity_chart(data: ReportData) -> Figure:
    """Planned capacity growth per catalogue item, in % of its baseline.

    Items count in different units (rounds, missiles, tonnes), so no axis can hold their
    quantities together; the growth in % can. Each label names the item's summed figures in its
    own unit (selectors.capacity_by_item).
    """
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    items = sorted(
        (item for item in data.capacity["items"] if item["growth_pct"] is not None),
        key=lambda item: (-len(item["allies"]), item["category"], item["code"]),
    )[:CAPACITY_CHART_ITEMS]
    items.reverse()  # barh draws from the bottom up
    names = [
        f"{item_label(item)}: {item['baseline']:,.0f} -> {item['target']:,.0f} {unit_label(item['unit'])}"
        for item in items
    ]
    positions = range(len(names))
    axes.barh(list(positions), [float(item["growth_pct"]) for item in items], height=0.6, color=ACCENT)
    axes.set_yticks(list(positions), names, fontsize=7)
    axes.set_xlabel(_("Growth of yearly capacity, % of the baseline (summed over allies, per item)"))
    axes.set_title(_("Planned capacity growth per item, %(year)s") % {"year": data.cycle.year})
    if not names:
        axes.text(0.5, 0.5, _("No submitted capability lines yet"), ha="center", va="center", transform=axes.transAxes)
    return figure


BUILDERS = {"spending": spending_chart, "submissions": submissions_chart, "capacity": capacity_chart}


def render(figure: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def chart(name: str, data: ReportData, fmt: str = "png") -> bytes:
    return render(BUILDERS[name](data), fmt=fmt)


def draw(data: ReportData, progress: Callable[[int], None] | None = None) -> dict[str, bytes]:
    """Every chart of `CHARTS` as PNG, by name; `progress` is told 0-100 as each is drawn.

    Drawing is most of a PDF's time: a build draws them once and hands them to the PDF and the brief.
    """
    drawn = {}
    for index, name in enumerate(CHARTS, start=1):
        drawn[name] = chart(name, data)
        if progress:
            progress(int(index / len(CHARTS) * 100))
    return drawn


def _figure(value: Any) -> str:
    return f"{value:,}".replace(",", " ") if isinstance(value, int) else str(value)


def describe(name: str, data: ReportData) -> dict[str, str]:
    """A chart's alternative text (what it shows, with the figures that matter) and its caption.

    Written from the same data as the chart, so a screen reader user hears what a sighted reader
    sees; the full figures are in the data table beside each chart.
    """
    year = data.cycle.year
    if name == "spending":
        rows = [row for row in data.rows if row["spending_pct_gdp"] is not None]
        meeting = sum(1 for row in rows if row["meets_spending_target"])
        caption = _(
            "Defence expenditure as a share of GDP per ally, %(year)s, against the %(target)s %% guideline."
        ) % {
            "year": year,
            "target": data.cycle.spending_target_pct,
        }
        if not rows:
            return {
                "caption": caption,
                "alt": _("Bar chart with no figures yet: no plan with figures has been submitted."),
            }
        high = max(rows, key=lambda row: row["spending_pct_gdp"])
        low = min(rows, key=lambda row: row["spending_pct_gdp"])
        alt = _(
            "Bar chart of %(count)d allies' defence expenditure as a share of GDP; %(meeting)d meet the "
            "%(target)s %% guideline. Highest %(high)s at %(high_pct)s %%, lowest %(low)s at %(low_pct)s %%."
        ) % {
            "count": len(rows),
            "meeting": meeting,
            "target": data.cycle.spending_target_pct,
            "high": high["member_code"],
            "high_pct": high["spending_pct_gdp"],
            "low": low["member_code"],
            "low_pct": low["spending_pct_gdp"],
        }
        return {"caption": caption, "alt": alt}
    if name == "submissions":
        caption = _("Plans submitted over time, %(year)s, against the deadline.") % {"year": year}
        on_time = sum(1 for moment in data.submissions if moment <= data.cycle.deadline)
        alt = _(
            "Step chart of first submissions over time: %(submitted)d of %(members)d allies have submitted, "
            "%(on_time)d by the cycle's deadline of %(deadline)s."
        ) % {
            "submitted": len(data.submissions),
            "members": len(data.rows),
            "on_time": on_time,
            "deadline": data.cycle.deadline.strftime("%Y-%m-%d"),
        }
        return {"caption": caption, "alt": alt}
    caption = _(
        "Planned growth of yearly capacity per catalogue item, %(year)s, in %% of the baseline summed over the allies."
    ) % {"year": year}
    items = [item for item in data.capacity["items"] if item["growth_pct"] is not None]
    if not items:
        return {"caption": caption, "alt": _("Bar chart with no capability lines submitted yet.")}
    largest = max(items, key=lambda item: (item["growth_pct"], item["code"]))
    alt = _(
        "Horizontal bar chart of the planned capacity growth of %(count)d catalogue items; the largest "
        "is %(item)s, from %(baseline)s to %(target)s %(unit)s a year (%(pct)s %%)."
    ) % {
        "count": min(len(items), CAPACITY_CHART_ITEMS),
        "item": item_label(largest),
        "baseline": _figure(largest["baseline"]),
        "target": _figure(largest["target"]),
        "unit": unit_label(largest["unit"]),
        "pct": largest["growth_pct"],
    }
    return {"caption": caption, "alt": alt}


def submissions_table(data: ReportData) -> list[dict[str, Any]]:
    """The submissions chart as rows: each first submission with the running count."""
    return [
        {"at": moment, "count": index, "late": moment > data.cycle.deadline}
        for index, moment in enumerate(data.submissions, start=1)
    ]
