"""What the meeting report says, in one language: the tables behind its charts.

Both the html and the xlsx report are drawn from one :class:`ReportContent`, so the two
cannot disagree. Percentages are 0-100; suppressed and unanswered figures are None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from harmonizer.figures import Figures, GroupFigures, StatementFigure
from harmonizer.publish.labels import field_label, group_label, item_label, scale_labels
from harmonizer.publish.texts import Texts
from harmonizer.publish.views import Perspectives, PurchaserView, ServicePath
from harmonizer.schema import RecordSchema, load_schema
from harmonizer.values import MONTHS_EN

REPORT_ZONE = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class NpsRow:
    """NPS of one group, as a line of the report's table and a bar of its chart."""

    label: str
    responses: int
    n: int
    suppressed: bool
    promoters: float | None
    passives: float | None
    detractors: float | None
    nps: float | None
    ci_low: float | None
    ci_high: float | None
    coverage: float | None


@dataclass(frozen=True)
class StatementRow:
    """One statement in one group: a table line and a stacked bar (shares of 1..5)."""

    label: str
    item: str
    item_label: str
    comparable: bool
    n: int
    suppressed: bool
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    top_two_box: float | None
    shares: tuple[float, ...] | None
    coverage: float | None


@dataclass(frozen=True)
class StatementSection:
    """A statement compared across groups."""

    item: str
    label: str
    rows: tuple[StatementRow, ...]


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, labelled in ``lang``."""

    lang: str
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    scale: tuple[str, ...]
    nps: tuple[NpsRow, ...]
    overview: tuple[StatementRow, ...]
    statements: tuple[StatementSection, ...]
    adapted: tuple[StatementRow, ...]
    min_n: int
    path: ServicePath | None = None
    perspectives: Perspectives | None = None
    purchaser: PurchaserView | None = None


class _Counted(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def n(self) -> int: ...


def answered(rows: Sequence[Any]) -> list[Any]:
    """Return the rows a chart draws: those with at least one answer."""
    return [r for r in rows if r.n > 0]


def unanswered(rows: Sequence[_Counted]) -> list[str]:
    """Return the labels of rows without answers, which a chart leaves out and names."""
    return [r.label for r in rows if r.n == 0]


def generated_text(when: dt.datetime, lang: str) -> str:
    """Return a moment as the report states it: Finnish time, written for ``lang``.

    >>> moment = dt.datetime(2026, 12, 2, 10, 42, tzinfo=dt.UTC)
    >>> generated_text(moment, "fi"), generated_text(moment, "en")
    ('2.12.2026 klo 12.42', '2 December 2026, 12:42 (Finnish time)')
    """
    local = when.astimezone(REPORT_ZONE)
    return Texts(lang)(
        "generated_at",
        d=local.day,
        m=local.month,
        y=local.year,
        H=f"{local.hour:02d}",
        M=f"{local.minute:02d}",
        month=MONTHS_EN[local.month - 1],
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _nps_row(label: str, group: GroupFigures) -> NpsRow:
    f = group.nps
    n = f.n

    def share(count: int | None) -> float | None:
        return None if count is None else count / n * 100

    return NpsRow(
        label,
        group.responses,
        n,
        f.suppressed,
        share(f.promoters),
        share(f.passives),
        share(f.detractors),
        f.nps,
        f.ci_low,
        f.ci_high,
        _pct(f.coverage),
    )


def _statement_row(
    schema: RecordSchema, lang: str, label: str, figure: StatementFigure
) -> StatementRow:
    shares = (
        tuple(c / figure.n * 100 for c in figure.distribution)
        if figure.distribution is not None
        else None
    )
    return StatementRow(
        label,
        figure.item,
        item_label(schema, figure.item, lang),
        figure.comparable,
        figure.n,
        figure.suppressed,
        figure.mean,
        figure.ci_low,
        figure.ci_high,
        _pct(figure.top_two_box),
        shares,
        _pct(figure.coverage),
    )


def build_content(
    schema: RecordSchema,
    figures: Figures,
    lang: str,
    *,
    facts: Sequence[tuple[str, str]] = (),
    generated: dt.datetime | None = None,
    path: ServicePath | None = None,
    perspectives: Perspectives | None = None,
    purchaser: PurchaserView | None = None,
) -> ReportContent:
    """Return the report's content for ``figures`` in ``lang`` (fi, sv or en).

    ``path``, ``perspectives`` and ``purchaser`` are the views of schema 1.1 (see
    :mod:`harmonizer.publish.views`); a report without them has their sections left out.
    """
    t = Texts(lang)
    by = ", ".join(field_label(schema, name, lang) for name in figures.by) or t.all
    groups = [(group_label(schema, figures, g, lang), g) for g in figures.groups]
    total_label = t.all
    when = generated_text(generated or dt.datetime.now(dt.UTC), lang)
    if figures.periods is not None:
        first, last = figures.periods
        facts = (*facts, (t.periods, first if first == last else f"{first} \u2013 {last}"))
    sections = []
    for position, item in enumerate(figures.statements):
        rows = [_statement_row(schema, lang, label, g.statements[position]) for label, g in groups]
        sections.append(
            StatementSection(
                item,
                item_label(schema, item, lang),
                (
                    _statement_row(schema, lang, total_label, figures.total.statements[position]),
                    *rows,
                ),
            )
        )
    adapted = [
        _statement_row(schema, lang, label, figure)
        for label, group in [(total_label, figures.total), *groups]
        for figure in group.adapted
    ]
    return ReportContent(
        lang=lang,
        title=t.title,
        subtitle=t("subtitle", by=by),
        facts=(*facts, (t.generated, when)),
        notes=(
            t("suppression_words", min_n=figures.min_n),
            t.comparability_note,
            t.method_note,
            t.clip_note,
        ),
        scale=tuple(scale_labels(schema, lang)),
        nps=(
            _nps_row(total_label, figures.total),
            *(_nps_row(label, g) for label, g in groups),
        ),
        overview=tuple(
            _statement_row(schema, lang, item_label(schema, s.item, lang), s)
            for s in figures.total.statements
        ),
        statements=tuple(sections),
        adapted=tuple(adapted),
        min_n=figures.min_n,
        path=path,
        perspectives=perspectives,
        purchaser=purchaser,
    )


def dataset_facts(manifest: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """Return the report's facts about the dataset: records, inputs, schema version."""
    t = Texts(lang)
    counts = manifest.get("counts", {})
    facts = [(t.records, str(counts.get("records", "")))]
    if manifest.get("kind") == "dataset":
        facts.append((t.report_inputs, str(len(manifest.get("inputs", [])))))
    version = str(manifest.get("schema_version", ""))
    facts.append((load_schema(version).label("schema_version", lang), version))
    return facts
