"""The meeting report as one self-contained html file: inline CSS and SVG, no network."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from harmonizer.io.writers import AtomicFile, writing
from harmonizer.publish.charts import (
    SCALE_COLOURS,
    distribution_chart,
    means_chart,
    nps_chart,
    path_chart,
)
from harmonizer.publish.content import (
    NpsRow,
    ReportContent,
    StatementRow,
    answered,
    unanswered,
)
from harmonizer.publish.texts import Texts
from harmonizer.publish.views import DROP_POINTS, Estimate

_DECIMAL_COMMA = {"fi", "sv"}
MINUS = "\u2212"  # typographic minus: a hyphen reads as a dash next to numbers
DASH = "\u2013"  # en dash: no figure


def number(value: float | None, digits: int, lang: str) -> str:
    """Return ``value`` rounded for reading: a decimal comma in fi and sv, a dash for None.

    >>> number(4.256, 2, "fi"), number(-3.0, 0, "en") == MINUS + "3", number(None, 1, "sv") == DASH
    ('4,26', True, True)
    >>> number(-0.3, 0, "en")
    '0'

    """
    if value is None:
        return DASH
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    elif text.startswith("-"):
        text = MINUS + text[1:]
    return text.replace(".", ",") if lang in _DECIMAL_COMMA else text


def nobreak(label: str) -> str:
    """Return a table header that breaks only between words, never inside "(4-5) %".

    >>> nobreak("Samaa mieltä (4\u20135) %") == "Samaa mieltä (4\u2060\u2013\u20605)\u00a0%"
    True
    """
    return label.replace(" %", "\u00a0%").replace(DASH, f"\u2060{DASH}\u2060")


def _nps_rows(
    labels: Sequence[str], cells: Sequence[Estimate], responses: Sequence[int]
) -> list[NpsRow]:
    """Return estimates of NPS as the rows the NPS chart draws."""
    return [
        NpsRow(
            label,
            count,
            cell.n,
            cell.suppressed,
            None,
            None,
            None,
            cell.value,
            cell.ci_low,
            cell.ci_high,
            None,
        )
        for label, cell, count in zip(labels, cells, responses, strict=True)
    ]


def render_html(content: ReportContent) -> str:
    """Return the report as html text."""
    environment = Environment(
        loader=PackageLoader("harmonizer.publish", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    t = Texts(content.lang)
    lang = content.lang
    min_n = content.min_n

    def hidden(row: StatementRow | NpsRow | Estimate) -> str:
        if row.n == 0:
            return t.no_answers_cell
        return t("too_few", n=row.n) if row.suppressed else t.no_answers

    def empty_note(rows: Sequence[StatementRow | NpsRow]) -> str | None:
        names = unanswered(rows)
        return t("no_answers_note", groups=", ".join(names)) if names else None

    # A statement nobody answered gets no chart, only its table and the note.
    sections = [
        (
            section,
            distribution_chart(
                answered(section.rows),
                f"{section.label}: {t.statement_by_group}",
                min_n,
                key=f"statement-{section.item}",
                lang=lang,
            )
            if answered(section.rows)
            else None,
            empty_note(section.rows),
        )
        for section in content.statements
    ]
    path_svg = None
    if content.path is not None and content.path.steps:
        path_svg = path_chart(content.path.steps, t.path_chart_title, min_n, lang=lang)
    perspective_svgs = None
    if content.perspectives is not None and content.perspectives.labels:
        views = content.perspectives
        nps_cells = views.rows[0].cells
        nps_rows = answered(_nps_rows(views.labels, nps_cells, views.responses))
        perspective_svgs = (
            nps_chart(nps_rows, t.perspectives_nps_title, min_n, key="perspective-nps", lang=lang)
            if nps_rows
            else None,
            means_chart(views, t.perspectives_means_title),
        )
    purchaser_svg = purchaser_note = None
    if content.purchaser is not None and content.purchaser.counties:
        lines = [(c, r) for c in content.purchaser.counties for r in c.rows]
        rows = _nps_rows(
            [f"{c.label}: {r.production}, {r.provider}" for c, r in lines],
            [r.nps for _, r in lines],
            [r.responses for _, r in lines],
        )
        purchaser_svg = (
            nps_chart(answered(rows), t.purchaser_chart, min_n, key="purchaser", lang=lang)
            if answered(rows)
            else None
        )
        purchaser_note = empty_note(rows)
    template = environment.get_template("report.html.j2")
    return template.render(
        c=content,
        t=t,
        num=lambda v, d: number(v, d, lang),
        hidden=hidden,
        nobreak=nobreak,
        nps_svg=nps_chart(answered(content.nps), t.nps_heading, min_n, lang=lang)
        if answered(content.nps)
        else None,
        nps_note=empty_note(content.nps),
        overview_svg=distribution_chart(
            answered(content.overview), t.statements_all, min_n, key="overview", lang=lang
        )
        if answered(content.overview)
        else None,
        overview_note=empty_note(content.overview),
        sections=sections,
        colours=SCALE_COLOURS,
        path_svg=path_svg,
        drop_points=DROP_POINTS,
        perspective_svgs=perspective_svgs,
        purchaser_svg=purchaser_svg,
        purchaser_note=purchaser_note if purchaser_svg else None,
    )


def write_html(path: Path, content: ReportContent) -> Path:
    """Write the html report atomically."""
    target = AtomicFile(path)
    try:
        html = render_html(content)
        with writing(path):
            target.handle.write(html)
    except BaseException:
        target.abort()
        raise
    target.commit()
    return path
