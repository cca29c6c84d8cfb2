"""The report's charts, drawn with matplotlib's Agg renderer (no display, safe in workers and views).

`Figure` objects are used directly rather than pyplot, whose global state is not thread-safe.
"""

import io
from datetime import datetime

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
