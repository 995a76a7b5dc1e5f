"""SVG charts of the html report, drawn with matplotlib: NPS bars and stacked distributions.

Each chart is a :class:`matplotlib.figure.Figure` of its own, saved with the SVG backend;
pyplot and its figure registry are never used, and matplotlib's settings are changed only
inside an ``rc_context`` for the time of one drawing. The SVG is static (no script) and
inlines cleanly: no XML declaration, no DOCTYPE, no metadata. Its text stays text
(``svg.fonttype`` none), and its ids derive from the chart's ``key``: unique in the page
and the same on every run, so the same figures always give the same bytes. Bars that are
suppressed or unanswered are left out, and their category label says why.

matplotlib is imported when a chart is drawn, not with this module: the xlsx report uses
the colours and labels here without paying for it.
"""

from __future__ import annotations

import io
import itertools
import textwrap
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from harmonizer.publish.content import NpsRow, StatementRow
from harmonizer.publish.texts import text
from harmonizer.publish.views import PathStep, Perspectives

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.typing import RcKeyType

# Diverging from "fully disagree" (red) to "fully agree" (green); readable by most
# colour-blind readers because lightness also changes.
SCALE_COLOURS = ("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac")
SCALE_TEXT_COLOURS = ("white", "#222", "#222", "#222", "white")  # readable on each colour
NPS_COLOUR = "#2166ac"
WHISKER_COLOUR = "#222"
DROP_COLOUR = "#b2182b"
# The three perspectives, Okabe-Ito colours: told apart by colour-blind readers too.
PERSPECTIVE_COLOURS = ("#0072b2", "#e69f00", "#cc79a7")
PERSPECTIVE_MARKERS = ("o", "s", "D")
TEXT_COLOUR = "#222"
GRID_COLOUR = "#d0d0d0"
# Text is measured with the first font (bundled with matplotlib, so layout is the same on
# every machine); browsers without it fall back to the next ones, which are narrower.
FONTS = ("DejaVu Sans", "Segoe UI", "Roboto", "Helvetica Neue", "Arial")
FONT_SIZE = 10.0
TITLE_SIZE = 11.5
WIDTH = 9.0  # inches; the SVG is 72 units an inch and the page scales it to its width
ROW_HEIGHT = 0.36
BAR_THICKNESS = 0.68  # of a row
WRAPPED_ROW = 1.3  # rows are this much taller in a chart with a two-line label
BASE_HEIGHT = 1.0
LABEL_CHARS = 48  # longer bar labels wrap onto a second line, so the bars keep their room
MIN_LABELLED_SHARE = 5.0  # narrower segments of a stacked bar carry no number
MINUS = "\u2212"

# rc_context changes matplotlib's process-wide settings until it exits: one drawing at a
# time, so that charts drawn from several threads do not see each other's settings.
_LOCK = threading.Lock()
# No Creator, Date, Format or Type: nothing that changes between runs or versions.
_NO_METADATA: dict[str, Any] = dict.fromkeys(("Creator", "Date", "Format", "Type"))


def category_label(label: str, n: int, suppressed: bool, min_n: int, lang: str = "en") -> str:
    """Return a bar's label: the group and its n, and why a bar is missing.

    >>> category_label("Lappi", 3, True, 5, "fi")
    'Lappi (n=3, liian vähän vastauksia)'
    >>> category_label("Lappi", 7, False, 5)
    'Lappi (n=7)'
    """
    if suppressed:
        return f"{label} ({text('too_few', lang, n=n)})"
    return f"{label} (n={n})"


def axis_label(label: str, n: int, suppressed: bool, min_n: int, lang: str = "en") -> str:
    """Return :func:`category_label` on at most two lines of :data:`LABEL_CHARS`.

    The n stays whole, and a name too long for two lines ends in an ellipsis (the table
    below the chart has it in full).

    >>> axis_label("Lappi", 3, True, 5)
    'Lappi (n=3, too few answers)'
    >>> print(axis_label("Asiaani koskevat päätökset tehtiin yhdessä kanssani", 93, False, 5))
    Asiaani koskevat päätökset tehtiin yhdessä
    kanssani (n=93)
    >>> print(axis_label("Pitkä " * 20, 7, False, 5))
    Pitkä Pitkä Pitkä Pitkä Pitkä Pitkä Pitkä Pitkä
    Pitkä Pitkä Pitkä Pitkä Pitkä Pitkä Pitkä… (n=7)
    """
    full = category_label(label, n, suppressed, min_n, lang)
    if len(full) <= LABEL_CHARS:
        return full
    suffix = full[len(label) :]
    lines = textwrap.wrap(label, LABEL_CHARS, max_lines=2, placeholder="…")
    if len(lines) == 2:
        first, second = lines
        if len(second) + len(suffix) > LABEL_CHARS:
            second = textwrap.shorten(second, LABEL_CHARS - len(suffix), placeholder="…")
        return f"{first}\n{second}{suffix}"
    return f"{lines[0]}\n{suffix.strip()}"


def whole(value: float) -> str:
    """Return ``value`` rounded to a whole number, with a typographic minus.

    >>> whole(33.4), whole(-12.6) == MINUS + "13", whole(-0.2)
    ('33', True, '0')
    """
    text = f"{value:.0f}"
    if text == "-0":
        return "0"
    return text.replace("-", MINUS)


def _settings(key: str) -> dict[RcKeyType, Any]:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": f"harmonizer-{key}",
        "svg.id": f"chart-{key}",
        "text.parse_math": False,  # a "$" in a provider's name is text, not mathematics
        "font.family": ["sans-serif"],
        "font.sans-serif": list(FONTS),
        "font.size": FONT_SIZE,
        "text.color": TEXT_COLOUR,
        "xtick.color": TEXT_COLOUR,
        "ytick.color": TEXT_COLOUR,
        "axes.edgecolor": "#888",
        "axes.unicode_minus": True,
    }


def _render(
    key: str, title: str, labels: Sequence[str], xticks: range, draw: Callable[[Axes, float], None]
) -> str:
    """Return one horizontal-bar chart as inline SVG.

    ``draw`` adds the bars, given the axes and the share of a row a bar is thick: rows
    are taller in a chart with a wrapped label, and bars keep their thickness.
    """
    import matplotlib as mpl
    import matplotlib.style
    from matplotlib.figure import Figure

    # The defaults first, so that a user's matplotlibrc does not change the report.
    with _LOCK, matplotlib.style.context("default"), mpl.rc_context(_settings(key)):
        # Rows move apart when a label wraps, so that its two lines do not meet the next.
        spread = WRAPPED_ROW if any("\n" in label for label in labels) else 1.0
        figure = Figure(
            figsize=(WIDTH, BASE_HEIGHT + ROW_HEIGHT * spread * max(len(labels), 1)),
            layout="constrained",
        )
        figure.suptitle(title, fontsize=TITLE_SIZE, gid="title")
        axes = figure.add_subplot()
        # The first row at the top, so that the chart reads down like its table.
        axes.set_ylim(len(labels) - 0.5, -0.5)
        axes.set_yticks(range(len(labels)), list(labels))
        axes.set_xlim(xticks.start, xticks.stop - xticks.step)
        axes.set_xticks(list(xticks))
        axes.tick_params(length=0, labelsize=FONT_SIZE)
        axes.tick_params(axis="y", pad=6)
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        draw(axes, BAR_THICKNESS / spread)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    return _inline(buffer.getvalue(), key)


def _inline(svg: str, key: str) -> str:
    """Return matplotlib's SVG ready to sit in a page beside other charts."""
    svg = svg[svg.index("<svg") :]
    # Several charts share the page: matplotlib numbers its groups (figure_1, patch_1, ...)
    # per file: every group id gets the chart's key in front (the bars' ids too).
    svg = svg.replace('<g id="', f'<g id="{key}-')
    # matplotlib's default style sheet selects every element ("*"): keep it to this chart.
    return svg.replace('<style type="text/css">*{', f'<style type="text/css">#chart-{key} *{{', 1)


def nps_chart(
    rows: Sequence[NpsRow], title: str, min_n: int, *, key: str = "nps", lang: str = "en"
) -> str:
    """Return an SVG bar chart of NPS per group (-100..100) with its 95% interval.

    Each bar has a whisker from the interval's lower to its upper bound, and the
    group's n in its label; the NPS itself stands in a column right of the chart. ``key`` names the chart in the page: the ``<svg>`` is
    ``chart-<key>``, each bar a group ``<key>-bar-<row>``, its whisker
    ``<key>-ci-<row>`` and its number ``<key>-value-<row>``.
    """

    def draw(axes: Axes, thickness: float) -> None:
        axes.axvline(0, color="#888", linewidth=1)
        for i, row in enumerate(rows):
            if row.nps is None:
                continue
            axes.barh(i, row.nps, height=thickness, color=NPS_COLOUR, gid=f"bar-{i}")
            if row.ci_low is not None and row.ci_high is not None:
                _name(
                    axes.errorbar(
                        row.nps,
                        i,
                        xerr=[[row.nps - row.ci_low], [row.ci_high - row.nps]],
                        fmt="none",
                        ecolor=WHISKER_COLOUR,
                        elinewidth=1.2,
                        capsize=4,
                    ),
                    f"ci-{i}",
                )
            # The number stands in a column right of the chart, clear of bar and whisker.
            axes.text(
                1.02,
                i,
                whole(row.nps),
                transform=axes.get_yaxis_transform(),
                ha="left",
                va="center",
                color=TEXT_COLOUR,
                fontweight="bold",
                gid=f"value-{i}",
            )

    labels = [axis_label(r.label, r.n, r.suppressed, min_n, lang) for r in rows]
    return _render(key, title, labels, range(-100, 101, 20), draw)


def distribution_chart(
    rows: Sequence[StatementRow], title: str, min_n: int, *, key: str, lang: str = "en"
) -> str:
    """Return an SVG 100% stacked bar chart: the shares of answers 1..5 per row.

    The html legend below the chart names the answers. ``key`` names the chart in the
    page: the ``<svg>`` is ``chart-<key>``, each segment a group ``<key>-bar-<row>-<answer>``
    and its number, when the segment is wide enough for one, ``<key>-value-<row>-<answer>``.
    """

    def draw(axes: Axes, thickness: float) -> None:
        for i, row in enumerate(rows):
            if row.shares is None:
                continue
            left = 0.0
            segments = zip(row.shares, SCALE_COLOURS, SCALE_TEXT_COLOURS, strict=True)
            for answer, (share, colour, text_colour) in enumerate(segments, start=1):
                if share > 0:
                    axes.barh(
                        i, share, left=left, height=thickness, color=colour, gid=f"bar-{i}-{answer}"
                    )
                if share >= MIN_LABELLED_SHARE:
                    axes.text(
                        left + share / 2,
                        i,
                        whole(share),
                        ha="center",
                        va="center",
                        color=text_colour,
                        gid=f"value-{i}-{answer}",
                    )
                left += share

    labels = [axis_label(r.label, r.n, r.suppressed, min_n, lang) for r in rows]
    return _render(key, title, labels, range(0, 101, 10), draw)


def _name(container: Any, gid: str) -> None:
    """Give an error bar's parts ids of their own (one gid on all would repeat).

    The whisker is ``gid``, its caps ``gid-cap-k`` and its marker ``gid-point``.
    """
    point, caps, whiskers = container.lines
    if point is not None:
        point.set_gid(f"{gid}-point")
    for k, cap in enumerate(caps):
        cap.set_gid(f"{gid}-cap-{k}")
    for k, whisker in enumerate(whiskers):
        whisker.set_gid(gid if k == 0 else f"{gid}-{k}")


def _wrap(label: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def path_chart(
    steps: Sequence[PathStep], title: str, min_n: int, *, key: str = "path", lang: str = "en"
) -> str:
    """Return an SVG of the service path: each touchpoint's positive share, in path order.

    Touchpoints are nodes on a line from left to right; the segment into a touchpoint
    whose share drops by :data:`~harmonizer.publish.views.DROP_POINTS` or more is red, as
    is its node. A suppressed touchpoint keeps its place with its n and no value. Ids:
    ``<key>-node-<i>``, ``<key>-value-<i>``, ``<key>-drop-<i>``.
    """
    import matplotlib as mpl
    import matplotlib.style
    from matplotlib.figure import Figure

    with _LOCK, matplotlib.style.context("default"), mpl.rc_context(_settings(key)):
        figure = Figure(figsize=(WIDTH, 3.6), layout="constrained")
        figure.suptitle(title, fontsize=TITLE_SIZE, gid="title")
        axes = figure.add_subplot()
        positions = range(len(steps))
        axes.set_xlim(-0.5, max(len(steps) - 0.5, 0.5))
        axes.set_ylim(0, 112)
        axes.set_yticks(range(0, 101, 20))
        axes.set_xticks(list(positions), [_wrap(s.label) for s in steps])
        axes.tick_params(length=0, labelsize=FONT_SIZE)
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.8)
        axes.set_axisbelow(True)
        axes.set_ylabel(text("positive_share", lang))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        shown = [
            (i, s.positive, s.drop)
            for i, s in zip(positions, steps, strict=True)
            if s.positive is not None
        ]
        for (i, a, _), (j, b, dropped) in itertools.pairwise(shown):
            colour = DROP_COLOUR if dropped else NPS_COLOUR
            axes.plot(
                [i, j],
                [a, b],
                color=colour,
                linewidth=4 if dropped else 2.5,
                solid_capstyle="round",
                gid=f"drop-{j}" if dropped else f"line-{j}",
            )
        for i, step in zip(positions, steps, strict=True):
            if step.positive is None:
                axes.text(
                    i,
                    4,
                    text("too_few", lang, n=step.positive_n),
                    ha="center",
                    va="bottom",
                    color="#666",
                    fontsize=FONT_SIZE - 1,
                    gid=f"value-{i}",
                )
                continue
            colour = DROP_COLOUR if step.drop else NPS_COLOUR
            axes.plot(
                [i], [step.positive], marker="o", markersize=11, color=colour, gid=f"node-{i}"
            )
            axes.text(
                i,
                step.positive + 5,
                f"{whole(step.positive)} % (n={step.positive_n})",
                ha="center",
                va="bottom",
                color=colour,
                fontweight="bold" if step.drop else "normal",
                gid=f"value-{i}",
            )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    return _inline(buffer.getvalue(), key)


def means_chart(perspectives: Perspectives, title: str, *, key: str = "perspective-means") -> str:
    """Return an SVG dot plot of the statements' means (1..5) with 95% intervals.

    One dot per perspective and statement; suppressed means are left out. Ids:
    ``<key>-dot-<row>-<perspective>``.
    """
    import matplotlib as mpl
    import matplotlib.style
    from matplotlib.figure import Figure

    rows = [r for r in perspectives.rows if r.item != "nps"]
    count = len(perspectives.labels)
    with _LOCK, matplotlib.style.context("default"), mpl.rc_context(_settings(key)):
        labels = [textwrap.fill(r.label, LABEL_CHARS, max_lines=2, placeholder="…") for r in rows]
        spread = WRAPPED_ROW if any("\n" in label for label in labels) else 1.0
        figure = Figure(
            figsize=(WIDTH, BASE_HEIGHT + 0.6 + ROW_HEIGHT * 1.6 * spread * max(len(rows), 1)),
            layout="constrained",
        )
        figure.suptitle(title, fontsize=TITLE_SIZE, gid="title")
        axes = figure.add_subplot()
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.set_yticks(range(len(rows)), labels)
        axes.set_xlim(1, 5)
        axes.set_xticks(range(1, 6))
        axes.tick_params(length=0, labelsize=FONT_SIZE)
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        offsets = [(p - (count - 1) / 2) * 0.24 for p in range(count)]
        for p, label in enumerate(perspectives.labels):
            colour = PERSPECTIVE_COLOURS[p % len(PERSPECTIVE_COLOURS)]
            marker = PERSPECTIVE_MARKERS[p % len(PERSPECTIVE_MARKERS)]
            axes.plot([], [], marker=marker, color=colour, linestyle="none", label=label)
            for i, row in enumerate(rows):
                cell = row.cells[p]
                if cell.value is None:
                    continue
                low = cell.ci_low if cell.ci_low is not None else cell.value
                high = cell.ci_high if cell.ci_high is not None else cell.value
                _name(
                    axes.errorbar(
                        cell.value,
                        i + offsets[p],
                        xerr=[[cell.value - low], [high - cell.value]],
                        fmt=marker,
                        color=colour,
                        ecolor=colour,
                        elinewidth=1.2,
                        capsize=3,
                        markersize=6,
                    ),
                    f"dot-{i}-{p}",
                )
        # Below the whole figure, centred on it: long perspective names keep their room.
        figure.legend(loc="outside lower center", ncols=max(count, 1), frameon=False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    return _inline(buffer.getvalue(), key)
