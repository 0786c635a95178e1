"""A KPI's outcomes as a chart: the target against each period's reported figure, with the
period's rating printed at its point, drawn on the server as SVG by pygal and served as an
image (so the page's content security policy holds), always beside a table of the same
figures. The SVG carries no script: pygal's tooltip configuration is taken out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pygal
from lxml import etree
from pygal.style import Style

from app.scoring.performance import Rating
from app.services.outcomes import KpiOutcomes, number

# GOV.UK Frontend's colours: text black, the target dashed in black, outcomes in blue.
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c",
    foreground_strong="#0b0c0c", foreground_subtle="#b1b4b6", colors=("#0b0c0c", "#1d70b8"),
    opacity="1", opacity_hover="1", font_family="Arial, sans-serif", label_font_size=14,
    major_label_font_size=14, legend_font_size=16, value_label_font_size=14,
    guide_stroke_color="#b1b4b6", major_guide_stroke_color="#b1b4b6",
    guide_stroke_dasharray="2,2", major_guide_stroke_dasharray="2,2",
)  # fmt: skip
_SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class ChartRow:
    """One period as the chart and its table show it: reported (with the target it was
    reported against), or overdue with nothing reported (`actual` None, rated "Other")."""

    start: date
    period: str
    target: Decimal | None
    actual: Decimal | None
    rating: str


def period_words(start: date, end: date) -> str:
    """A period in a few words: "Jan to Mar 2025", "Dec 2025 to Feb 2026", "Mar 2025", or
    by day ("1 Jan 2026 to 15 Jan 2026") when it is not whole months."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        last = end.strftime("%b %Y")
        if (start.year, start.month) == (end.year, end.month):
            return last
        first = start.strftime("%b") if start.year == end.year else start.strftime("%b %Y")
        return f"{first} to {last}"
    if start == end:
        return f"{start.day} {start:%b %Y}"
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def rows(found: KpiOutcomes) -> list[ChartRow]:
    """Each reported period and each overdue one, in order: a report with the target it was
    reported against, its figure in force and its rating; an overdue period with the KPI's
    target, no figure, and "Other" (nothing reported, Procurement Act 2023 s.71)."""
    reported = [
        ChartRow(view.report.period_start,
                 period_words(view.report.period_start, view.report.period_end),
                 number(view.latest.target), Decimal(view.latest.actual), view.rating.words)
        for view in found.reports
    ]  # fmt: skip
    missing = [
        ChartRow(period.start, period_words(period.start, period.end), number(found.kpi.target),
                 None, f"{Rating.OTHER.words} (nothing reported)")
        for period in (found.overdue if found.in_force else [])
    ]  # fmt: skip
    return sorted(reported + missing, key=lambda row: row.start)


def alt_text(found: KpiOutcomes) -> str:
    """What the chart shows, in words, for its alt text."""
    kpi, shown = found.kpi, rows(found)
    if not shown:
        return f"Chart of {kpi.title}: nothing has been reported yet."
    target = "no target yet (a baseline)" if kpi.target is None else f"a target of {kpi.target}"
    gaps = sum(row.actual is None for row in shown)
    missing = f", with a gap for each of {gaps} overdue" if gaps else ""
    return (f"Line chart of {kpi.title} in {kpi.unit}: the reported figure for each of "
            f"{len(shown)} period{'s' if len(shown) != 1 else ''} from {shown[0].period} to "
            f"{shown[-1].period}{missing} against {target}, each point labelled with its "
            "rating. The table that follows gives every figure.")  # fmt: skip


def svg(found: KpiOutcomes) -> str:
    """The chart as an SVG document."""
    shown = rows(found)
    chart = pygal.Line(
        style=STYLE, js=[], disable_xml_declaration=True, print_labels=True,
        legend_at_bottom=True, width=800, height=400, include_x_axis=True, dots_size=5,
        truncate_legend=-1, truncate_label=-1, margin_right=110, margin_left=20,
        show_x_guides=False, title=None, no_data_text="Nothing reported yet",
        x_title=None, y_title=found.kpi.unit,
    )  # fmt: skip
    chart.x_labels = [row.period for row in shown]
    if shown and any(row.target is not None for row in shown):
        chart.add("Target", [None if row.target is None else float(row.target) for row in shown],
                  stroke_style={"dasharray": "10,6", "width": 4}, show_dots=False)  # fmt: skip
    chart.add("Reported", [None if row.actual is None else
                           {"value": float(row.actual), "label": row.rating} for row in shown],
              stroke_style={"width": 3}, allow_interruptions=True)  # fmt: skip
    tree = chart.render_tree()
    for script in list(tree.iter(f"{_SVG}script", "script")):
        script.getparent().remove(script)
    return str(etree.tostring(tree, encoding="unicode"))
