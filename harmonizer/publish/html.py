"""The meeting report as one self-contained html file: inline CSS and SVG, no network."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from harmonizer.io.writers import AtomicFile, writing
from harmonizer.publish.charts import SCALE_COLOURS, distribution_chart, nps_chart
from harmonizer.publish.content import ReportContent, StatementRow
from harmonizer.publish.texts import Texts

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


def render_html(content: ReportContent) -> str:
    """Return the report as html text."""
    environment = Environment(
        loader=PackageLoader("harmonizer.publish", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    t = Texts(content.lang)
    min_n = content.min_n

    def hidden(row: StatementRow) -> str:
        return t("not_shown", min_n=min_n) if row.suppressed else t.no_answers

    sections = [
        (
            section,
            distribution_chart(
                section.rows,
                f"{section.label}: {t.statement_by_group}",
                min_n,
                key=f"statement-{section.item}",
            ),
        )
        for section in content.statements
    ]
    template = environment.get_template("report.html.j2")
    return template.render(
        c=content,
        t=t,
        num=lambda v, d: number(v, d, content.lang),
        hidden=hidden,
        nps_svg=nps_chart(content.nps, t.nps_heading, min_n),
        overview_svg=distribution_chart(content.overview, t.statements_all, min_n, key="overview"),
        sections=sections,
        colours=SCALE_COLOURS,
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
