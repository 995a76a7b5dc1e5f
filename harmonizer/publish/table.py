"""The aggregate table: one row per group and item, written as csv, xlsx or json.

Rows are long ("tidy"): each group has a row for NPS, one per national statement and
one per adapted statement, so a new statement in the schema adds rows, not columns.
Suppressed figures are left empty and the row's ``suppressed`` column says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from harmonizer.errors import DatasetError
from harmonizer.figures import Figures, GroupFigures, NpsFigure, StatementFigure
from harmonizer.io.writers import CsvWriter, Writer, XlsxWriter, write_json
from harmonizer.publish.labels import group_label, item_label, value_label
from harmonizer.publish.texts import text
from harmonizer.schema import RecordSchema

TABLE_SUFFIXES = (".csv", ".xlsx", ".json")
FIGURE_COLUMNS = (
    "responses",
    "item",
    "item_label",
    "comparability",
    "n",
    "asked",
    "coverage_pct",
    "dont_know",
    "not_applicable",
    "no_answer",
    "not_asked",
    "suppressed",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "nps_ci_low",
    "nps_ci_high",
    "mean",
    "mean_ci_low",
    "mean_ci_high",
    "top_two_box_pct",
    "n_1",
    "n_2",
    "n_3",
    "n_4",
    "n_5",
)


def table_columns(by: Sequence[str]) -> list[str]:
    """Return the header of the aggregate table for grouping fields ``by``."""
    columns: list[str] = []
    for name in by:
        columns += [name, f"{name}_label"]
    return [*columns, *FIGURE_COLUMNS]


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _common(figure: NpsFigure | StatementFigure, responses: int) -> dict[str, Any]:
    return {
        "responses": responses,
        "n": figure.n,
        "asked": figure.asked,
        "coverage_pct": _pct(figure.coverage),
        **{reason: figure.missing.get(reason, 0) for reason in figure.missing},
        "suppressed": figure.suppressed,
    }


def group_head(
    schema: RecordSchema,
    by: Sequence[str],
    key: tuple[Any, ...] | None,
    names: Any,
    lang: str,
) -> dict[str, Any]:
    """Return the grouping columns of a group's rows: each value and its label."""
    head: dict[str, Any] = {}
    for position, name in enumerate(by):
        value = None if key is None else key[position]
        head[name] = value
        head[f"{name}_label"] = (
            text("all", lang) if key is None else value_label(schema, name, value, lang, names)
        )
    return head


def group_rows(
    schema: RecordSchema, figures: Figures, group: GroupFigures, lang: str
) -> Iterator[dict[str, Any]]:
    """Yield the table rows of one group (NPS, statements, adapted statements)."""
    head = group_head(schema, figures.by, group.key, group.names, lang)
    nps = group.nps
    yield {
        **head,
        **_common(nps, group.responses),
        "item": "nps",
        "item_label": item_label(schema, "nps", lang),
        "comparability": "national",
        "promoters": nps.promoters,
        "passives": nps.passives,
        "detractors": nps.detractors,
        "nps": _round(nps.nps, 1),
        "nps_ci_low": _round(nps.ci_low, 1),
        "nps_ci_high": _round(nps.ci_high, 1),
    }
    for statement in (*group.statements, *group.adapted):
        distribution = statement.distribution or (None,) * 5
        yield {
            **head,
            **_common(statement, group.responses),
            "item": statement.item,
            "item_label": item_label(schema, statement.item, lang),
            "comparability": "national" if statement.comparable else "adapted",
            "mean": _round(statement.mean, 2),
            "mean_ci_low": _round(statement.ci_low, 2),
            "mean_ci_high": _round(statement.ci_high, 2),
            "top_two_box_pct": _pct(statement.top_two_box),
            **{f"n_{p}": c for p, c in enumerate(distribution, start=1)},
        }


def table_rows(schema: RecordSchema, figures: Figures, lang: str) -> Iterator[dict[str, Any]]:
    """Yield every row of the table: the whole dataset first, then each group."""
    for group in (figures.total, *figures.groups):
        yield from group_rows(schema, figures, group, lang)


def figures_document(schema: RecordSchema, figures: Figures, lang: str) -> dict[str, Any]:
    """Return the json form of the figures, with each group's label in ``lang``."""
    document = figures.to_dict()
    document["lang"] = lang
    for entry, group in zip(
        (document["total"], *document["groups"]), (figures.total, *figures.groups), strict=True
    ):
        entry["label"] = group_label(schema, figures, group, lang)
    return document


def table_suffix(path: Path) -> str:
    """Return the table format of ``path`` by its suffix (.csv, .xlsx or .json).

    Raises:
        DatasetError: the suffix is none of them.
    """
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DatasetError(
            f"{path}: cannot tell the table format from the suffix; use {', '.join(TABLE_SUFFIXES)}"
        )
    return suffix


def write_rows(
    path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]], lang: str
) -> None:
    """Write ``rows`` as a csv or xlsx table (by the suffix), whole or not at all.

    Raises:
        OutputError: the file cannot be written.
    """

    def flatten(row: dict[str, Any]) -> list[Any]:
        return [row.get(c) for c in columns]

    writer: Writer = (
        CsvWriter(path, columns, flatten)
        if path.suffix.lower() == ".csv"
        else XlsxWriter(path, columns, flatten, sheet=text("figures_sheet", lang))
    )
    try:
        for row in rows:
            writer.write(row)
    except BaseException:
        writer.abort()
        raise
    writer.commit()


def write_table(path: Path, schema: RecordSchema, figures: Figures, lang: str = "en") -> Path:
    """Write the aggregate table to ``path``; the suffix picks csv, xlsx or json.

    Raises:
        DatasetError: the suffix is not .csv, .xlsx or .json.
        OutputError: the file cannot be written.
    """
    if table_suffix(path) == ".json":
        write_json(path, figures_document(schema, figures, lang))
        return path
    write_rows(path, table_columns(figures.by), table_rows(schema, figures, lang), lang)
    return path
