"""Bar charts drawn by the server: counts per year turned into plain figures (coordinates in
the drawing's own units, which its viewBox scales to any width), and written out as an SVG
figure with the same figures as a table."""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

# The drawing's size in its own units: narrow enough that its text stays readable when a
# phone shows it about 360 pixels wide.
CHART_WIDTH = 400
CHART_HEIGHT = 200
# Room on the left for the scale's figures, on the right for half a year, above the tallest bar,
# and below the bars for the years.
PLOT_LEFT = 34
PLOT_RIGHT = CHART_WIDTH - 20
PLOT_TOP = 12
PLOT_BOTTOM = CHART_HEIGHT - 26
AXIS_LABEL_Y = CHART_HEIGHT - 8
# A year is about 32 units wide at the chart's font size: labels closer than this would touch.
AXIS_LABEL_SPACING = 44
AXIS_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
# A bar fills this share of its year's slot, at most this wide: one year alone is a bar, not a
# wall.
BAR_SHARE = 0.7
BAR_MAX_WIDTH = 40
# One publication among hundreds is still a bar that can be seen and told apart from none.
BAR_MIN_HEIGHT = 3
# The scale shows at most this many steps above zero.
SCALE_STEPS = 4


@dataclass(frozen=True)
class Bar:
    """A year with publications: its bar, and the column around it that its link covers
    (``slot_x``, ``slot_width``: a target wider than a thin bar)."""

    year: int
    count: int
    label: str
    link: str
    x: float
    y: float
    width: float
    height: float
    slot_x: float
    slot_width: float


@dataclass(frozen=True)
class Gap:
    """A year without publications between the first and the last: a mark on the baseline."""

    year: int
    label: str
    x: float


@dataclass(frozen=True)
class AxisYear:
    """A year written under the bars, centred on its slot."""

    label: str
    x: float


@dataclass(frozen=True)
class ScaleLine:
    """A line of the scale across the plot, and its figure."""

    value: int
    y: float


@dataclass(frozen=True)
class YearRow:
    """A year of the chart's table: every year from the first to the last, none left out."""

    label: str
    count: int
    link: str


@dataclass(frozen=True)
class YearChart:
    """What a template needs to draw counts per year and to give the same figures as a table."""

    bars: list[Bar]
    gaps: list[Gap]
    axis_years: list[AxisYear]
    scale: list[ScaleLine]
    rows: list[YearRow]
    total: int
    first_year: str
    last_year: str
    peak_year: str
    peak_count: int
    html_id: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    plot_top: int = PLOT_TOP
    plot_bottom: int = PLOT_BOTTOM
    plot_height: int = PLOT_BOTTOM - PLOT_TOP
    axis_label_y: int = AXIS_LABEL_Y

    @property
    def single_year(self) -> bool:
        return self.first_year == self.last_year


def year_chart(
    counts: Mapping[int, int],
    *,
    link: Callable[[int], str] | None = None,
    html_id: str = "year-chart",
) -> YearChart | None:
    """The bar chart of ``counts`` (publications per year), or None when there is nothing to
    draw. ``link(year)`` is where a year's bar leads; ``html_id`` starts the ids of the
    template's elements, unique on the page."""
    counts = {year: count for year, count in counts.items() if count > 0}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    years = range(first, last + 1)
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(years)
    top = scale_top(max(counts.values()))
    bars, gaps, rows = [], [], []
    for index, year in enumerate(years):
        count = counts.get(year, 0)
        address = link(year) if link and count else ""
        rows.append(YearRow(label=str(year), count=count, link=address))
        slot_x = PLOT_LEFT + index * slot
        if count:
            bars.append(_bar(year, count, address, slot_x, slot, top))
        else:
            gaps.append(Gap(year=year, label=str(year), x=_round(slot_x + slot / 2)))
    peak = max(counts, key=lambda year: (counts[year], year))
    return YearChart(
        bars=bars,
        gaps=gaps,
        axis_years=[
            AxisYear(label=str(year), x=_round(PLOT_LEFT + (year - first + 0.5) * slot))
            for year in axis_years(first, last)
        ],
        scale=[ScaleLine(value=value, y=_value_y(value, top)) for value in scale_values(top)],
        rows=rows,
        total=sum(counts.values()),
        first_year=str(first),
        last_year=str(last),
        peak_year=str(peak),
        peak_count=counts[peak],
        html_id=html_id,
    )


def _bar(year: int, count: int, link: str, slot_x: float, slot: float, top: int) -> Bar:
    width = min(slot * BAR_SHARE, BAR_MAX_WIDTH)
    height = max((PLOT_BOTTOM - PLOT_TOP) * count / top, BAR_MIN_HEIGHT)
    return Bar(
        year=year,
        count=count,
        label=str(year),
        link=link,
        x=_round(slot_x + (slot - width) / 2),
        y=_round(PLOT_BOTTOM - height),
        width=_round(width),
        height=_round(height),
        slot_x=_round(slot_x),
        slot_width=_round(slot),
    )


def scale_top(highest: int) -> int:
    """The top of the scale: the smallest round figure (1, 2 or 5 times a power of ten steps)
    at or above ``highest``, so that the tallest bar nearly fills the plot."""
    step = scale_step(highest)
    return max(step, math.ceil(highest / step) * step)


def scale_step(highest: int) -> int:
    """The step between the scale's lines: at most ``SCALE_STEPS`` of them reach ``highest``."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            if math.ceil(highest / step) <= SCALE_STEPS:
                return step
        power *= 10


def scale_values(top: int) -> list[int]:
    """The figures of the scale's lines, from zero to ``top``."""
    step = scale_step(top)
    return list(range(0, top + 1, step))


def axis_years(first: int, last: int) -> list[int]:
    """The years written under the bars: every year when they fit, else every second, fifth,
    tenth... year (round years, which a reader places the others from)."""
    fitting = max(1, int((PLOT_RIGHT - PLOT_LEFT) // AXIS_LABEL_SPACING))
    for step in AXIS_STEPS:
        years = [year for year in range(first, last + 1) if year % step == 0]
        if len(years) <= fitting:
            return years or [first]
    return [first, last]


def _value_y(value: int, top: int) -> float:
    return _round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * value / top)


def _round(value: float) -> float:
    # Two decimals are finer than any screen shows the drawing, and keep the markup short.
    return round(value, 2)


# The chart as HTML ({% load charts %}{% year_chart chart %}) ---------------------------------
#
# Written here rather than by a template: a chart of thirty years places some three hundred
# figures, which the template engine took 5 ms to resolve and localise, a tenth of a profile
# right after an edit. Coordinates are written as Python writes numbers (a French decimal comma
# is no SVG number); every word is escaped.

register = template.Library()


@register.simple_tag
def year_chart_figure(chart: YearChart | None) -> SafeString:
    """The chart as a figure: an ``<svg role="img">`` named by its title and described by its
    desc, the bars' links drawn over it, outside it (an image's content is hidden from
    assistive technologies: a link there would be focused but never announced), and the same
    figures as a table behind "Show the figures". Nothing for no chart."""
    if chart is None:
        return SafeString("")
    title = escape(gettext("Publications per year"))
    ids = escape(chart.html_id)
    size = f'width="{chart.width}" height="{chart.height}"'
    drawing = (
        f'<svg class="year-chart__drawing" viewBox="0 0 {chart.width} {chart.height}" {size}>\n'
        f'    <svg role="img" aria-labelledby="{ids}-title {ids}-desc" {size}>\n'
        f'      <title id="{ids}-title">{title}</title>\n'
        f'      <desc id="{ids}-desc">{escape(_description(chart))}</desc>\n'
        f"{_scale(chart)}{_gaps(chart)}{_axis(chart)}    </svg>\n"
        f"{_bars(chart)}  </svg>"
    )
    # Every value above is a number or escaped here.
    return mark_safe(  # noqa: S308
        f'<figure class="year-chart">\n'
        f'  <figcaption class="year-chart__caption">{title}</figcaption>\n'
        f"  {drawing}\n{_table(chart, title)}</figure>\n"
    )


def _description(chart: YearChart) -> str:
    if chart.single_year:
        message = ngettext(
            "%(counter)s publication in %(year)s.",
            "%(counter)s publications in %(year)s.",
            chart.total,
        )
        return message % {"counter": chart.total, "year": chart.first_year}
    message = ngettext(
        "%(counter)s publication from %(first)s to %(last)s; the most in %(peak)s "
        "(%(peak_count)s).",
        "%(counter)s publications from %(first)s to %(last)s; the most in %(peak)s "
        "(%(peak_count)s).",
        chart.total,
    )
    return message % {
        "counter": chart.total,
        "first": chart.first_year,
        "last": chart.last_year,
        "peak": chart.peak_year,
        "peak_count": chart.peak_count,
    }


def _scale(chart: YearChart) -> str:
    return "".join(
        f'      <line class="year-chart__grid" x1="{chart.plot_left}" x2="{chart.plot_right}" '
        f'y1="{line.y}" y2="{line.y}"/>\n'
        f'      <text class="year-chart__value" x="{chart.plot_left - 6}" y="{line.y}" '
        f'dy="0.35em" text-anchor="end">{line.value}</text>\n'
        for line in chart.scale
    )


def _gaps(chart: YearChart) -> str:
    gaps = "".join(
        f'<circle class="year-chart__gap" cx="{gap.x}" cy="{chart.plot_bottom}" r="2"/>'
        for gap in chart.gaps
    )
    return f"      {gaps}\n" if gaps else ""


def _axis(chart: YearChart) -> str:
    return "".join(
        f'      <text class="year-chart__year" x="{year.x}" y="{chart.axis_label_y}" '
        f'text-anchor="middle">{escape(year.label)}</text>\n'
        for year in chart.axis_years
    )


def _bars(chart: YearChart) -> str:
    written = []
    for bar in chart.bars:
        label = ngettext(
            "%(year)s: %(counter)s publication", "%(year)s: %(counter)s publications", bar.count
        ) % {"year": bar.label, "counter": bar.count}
        opening, closing = (
            (f'<a class="year-chart__link" href="{escape(bar.link)}">', "</a>")
            if bar.link
            else ('<g class="year-chart__column">', "</g>")
        )
        written.append(
            f"    {opening}\n      <title>{escape(label)}</title>\n"
            f'      <rect class="year-chart__target" x="{bar.slot_x}" y="{chart.plot_top}" '
            f'width="{bar.slot_width}" height="{chart.plot_height}"/>\n'
            f'      <rect class="year-chart__bar" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{bar.height}"/>\n    {closing}\n'
        )
    return "".join(written)


def _year_label(row: YearRow) -> str:
    label = escape(row.label)
    return f'<a href="{escape(row.link)}">{label}</a>' if row.link else label


def _table(chart: YearChart, title: str) -> str:
    show = escape(gettext("Show the figures"))
    year = escape(gettext("Year"))
    publications = escape(gettext("Publications"))
    rows = "".join(
        f'<tr><th scope="row">{_year_label(row)}</th><td>{row.count}</td></tr>\n'
        for row in chart.rows
    )
    return (
        '  <details class="year-chart__figures">\n'
        f"    <summary>{show}</summary>\n"
        '    <table class="year-chart__table">\n'
        f'      <caption class="visually-hidden">{title}</caption>\n'
        f'      <thead>\n        <tr><th scope="col">{year}</th>'
        f'<th scope="col">{publications}</th></tr>\n      </thead>\n'
        f"      <tbody>\n{rows}      </tbody>\n    </table>\n  </details>\n"
    )
