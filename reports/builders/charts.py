"""The report's charts, drawn with matplotlib's Agg renderer (no display, safe in workers and views).

`Figure` objects are used directly rather than pyplot, whose global state is not thread-safe.
"""

import io
from datetime import datetime
from typing import Any

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from plans.enums import Category

from .data import ReportData

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


def capacity_chart(data: ReportData) -> Figure:
    """Planned capacity per category: baseline and target summed over the submitted plans."""
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    labels = dict(Category.choices)
    names = [str(labels.get(row["category"], row["category"])) for row in data.capacity]
    positions = range(len(names))
    baseline = [float(row["baseline"]) for row in data.capacity]
    target = [float(row["target"]) for row in data.capacity]
    axes.barh([p - 0.2 for p in positions], baseline, height=0.4, color="#9db4c0", label=_("Baseline"))
    axes.barh([p + 0.2 for p in positions], target, height=0.4, color=ACCENT, label=_("Target"))
    axes.set_yticks(list(positions), names)
    axes.set_xlabel(_("Units a year (summed over allies)"))
    axes.set_title(_("Planned capacity per category, %(year)s") % {"year": data.cycle.year})
    if names:
        axes.legend(loc="lower right")
    else:
        axes.text(0.5, 0.5, _("No submitted capability lines yet"), ha="center", va="center", transform=axes.transAxes)
    return figure


BUILDERS = {"spending": spending_chart, "submissions": submissions_chart, "capacity": capacity_chart}


def render(figure: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def chart(name: str, data: ReportData, fmt: str = "png") -> bytes:
    return render(BUILDERS[name](data), fmt=fmt)


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
    labels = dict(Category.choices)
    caption = _("Planned capacity per category, %(year)s: baseline and target summed over the allies.") % {"year": year}
    if not data.capacity:
        return {"caption": caption, "alt": _("Bar chart with no capability lines submitted yet.")}
    largest = max(data.capacity, key=lambda row: row["growth"])
    alt = _(
        "Horizontal bar chart of baseline and target capacity in %(count)d categories; the largest "
        "increase is in %(category)s, from %(baseline)s to %(target)s units a year."
    ) % {
        "count": len(data.capacity),
        "category": labels.get(largest["category"], largest["category"]),
        "baseline": _figure(largest["baseline"]),
        "target": _figure(largest["target"]),
    }
    return {"caption": caption, "alt": alt}


def submissions_table(data: ReportData) -> list[dict[str, Any]]:
    """The submissions chart as rows: each first submission with the running count."""
    return [
        {"at": moment, "count": index, "late": moment > data.cycle.deadline}
        for index, moment in enumerate(data.submissions, start=1)
    ]
