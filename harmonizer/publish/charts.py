"""SVG charts of the html report, drawn with pygal: NPS bars and stacked distributions.

The SVG is inline and static: pygal's tooltip script (fetched from the network by
default) is switched off, so the report opens anywhere, offline. Bars that are
suppressed or unanswered are left out, and their category label says why.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

from harmonizer.publish.content import NpsRow, StatementRow

# pygal appends a legacy import hook (for its map plugins, unused here) to sys.meta_path;
# on Python 3.11 it makes every failed import warn (ImportWarning), which breaks callers
# that run with warnings as errors. Remove it: importing pygal must not change imports.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

# Diverging from "fully disagree" (red) to "fully agree" (green); readable by most
# colour-blind readers because lightness also changes.
SCALE_COLOURS = ("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac")
NPS_COLOUR = "#2166ac"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDTH = 900
ROW_HEIGHT = 34
BASE_HEIGHT = 120


def _style(colours: Sequence[str]) -> Style:
    return Style(
        background="white",
        plot_background="white",
        foreground="#222",
        foreground_strong="#222",
        foreground_subtle="#bbb",
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=12,
        legend_font_size=13,
        title_font_size=15,
        colors=tuple(colours),
        opacity="1",
        opacity_hover="0.85",
    )


def _height(rows: int) -> int:
    return BASE_HEIGHT + ROW_HEIGHT * max(rows, 1)


def _render(chart: pygal.graph.graph.Graph) -> str:
    return str(chart.render(is_unicode=True))


def category_label(label: str, n: int, suppressed: bool, min_n: int) -> str:
    """Return a bar's label: the group and its n, and why a bar is missing.

    >>> category_label("Lappi", 3, True, 5)
    'Lappi (n=3, n<5)'
    """
    if suppressed:
        return f"{label} (n={n}, n<{min_n})"
    return f"{label} (n={n})"


def nps_chart(rows: Sequence[NpsRow], title: str, min_n: int) -> str:
    """Return an SVG bar chart of NPS per group (-100..100), with each group's n."""
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=True,
        width=WIDTH,
        height=_height(len(rows)),
        style=_style([NPS_COLOUR]),
        show_legend=False,
        range=(-100, 100),
        xrange=(-100, 100),
        print_values=True,
        value_formatter=lambda v: f"{v:.0f}",
        truncate_label=-1,
        title=title,
    )
    # pygal draws the first category at the bottom; reverse so the table order reads down.
    ordered = list(reversed(rows))
    chart.x_labels = [category_label(r.label, r.n, r.suppressed, min_n) for r in ordered]
    chart.add("NPS", [r.nps for r in ordered])
    return _render(chart)


def distribution_chart(
    rows: Sequence[StatementRow], scale: Sequence[str], title: str, min_n: int
) -> str:
    """Return an SVG 100% stacked bar chart: the shares of answers 1..5 per row."""
    chart = pygal.HorizontalStackedBar(
        js=[],
        disable_xml_declaration=True,
        width=WIDTH,
        height=_height(len(rows)),
        style=_style(SCALE_COLOURS),
        range=(0, 100),
        xrange=(0, 100),
        print_values=True,
        value_formatter=lambda v: f"{v:.0f}" if v >= 5 else "",
        # The legend is html beside the chart: pygal's bottom legend overlaps long labels.
        show_legend=False,
        truncate_label=-1,
        title=title,
    )
    ordered = list(reversed(rows))
    chart.x_labels = [category_label(r.label, r.n, r.suppressed, min_n) for r in ordered]
    for point, name in enumerate(scale):
        chart.add(f"{point + 1} {name}", [r.shares[point] if r.shares else None for r in ordered])
    return _render(chart)
