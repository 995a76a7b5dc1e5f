"""The own-item table of ``aggregate --items``: one row per group and own item.

Columns: the grouping fields and their labels, the item, its scale and touchpoint, n,
suppression, the positive share and the mean (where the scale has them), and one
``answer:<value>`` column per answer (the scale's points in order, or every answer
seen). Suppressed figures are left empty and the row's ``suppressed`` column says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from harmonizer.io.writers import write_json
from harmonizer.item_figures import ITEM_PREFIX, ItemFigures, ItemGroup
from harmonizer.publish.table import group_head, table_suffix, write_rows
from harmonizer.schema import RecordSchema

ITEM_COLUMNS = (
    "responses",
    "item",
    "item_label",
    "scale",
    "touchpoint",
    "n",
    "suppressed",
    "positive",
    "positive_pct",
    "mean",
    "mean_ci_low",
    "mean_ci_high",
    "off_scale",
)


def own_item_label(catalogue: Mapping[str, Mapping[str, Any]], item: str, lang: str) -> str:
    """Return an own item's wording in ``lang`` from the catalogue, or its name.

    >>> own_item_label({"face": {"labels": {"fi": "Hymiö"}}}, "face", "fi")
    'Hymiö'
    >>> own_item_label({}, "face", "sv")
    'face'
    """
    labels = (catalogue.get(item) or {}).get("labels") or {}
    return str(labels.get(lang) or labels.get("en") or item)


def _answers(figures: ItemFigures) -> list[str]:
    seen: dict[str, None] = {}
    for group in (figures.total, *figures.groups):
        for figure in group.items:
            for answer, _ in figure.counts or ():
                seen.setdefault(answer, None)
    return list(seen)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def item_rows(
    schema: RecordSchema, figures: ItemFigures, group: ItemGroup, lang: str
) -> Iterator[dict[str, Any]]:
    """Yield the table rows of one group, one per own item."""
    head = group_head(schema, figures.by, group.key, group.names, lang)
    for figure in group.items:
        described = figures.catalogue.get(figure.item) or {}
        yield {
            **head,
            "responses": group.responses,
            "item": ITEM_PREFIX + figure.item,
            "item_label": own_item_label(figures.catalogue, figure.item, lang),
            "scale": figure.scale,
            "touchpoint": described.get("touchpoint"),
            "n": figure.n,
            "suppressed": figure.suppressed,
            "positive": figure.positive,
            "positive_pct": None
            if figure.positive_share is None
            else round(figure.positive_share * 100, 1),
            "mean": _round(figure.mean, 2),
            "mean_ci_low": _round(figure.ci_low, 2),
            "mean_ci_high": _round(figure.ci_high, 2),
            "off_scale": figure.off_scale,
            **{f"answer:{a}": c for a, c in figure.counts or ()},
        }


def write_item_table(
    path: Path, schema: RecordSchema, figures: ItemFigures, lang: str = "en"
) -> Path:
    """Write the own-item table to ``path``; the suffix picks csv, xlsx or json.

    Raises:
        DatasetError: the suffix is not .csv, .xlsx or .json.
        OutputError: the file cannot be written.
    """
    if table_suffix(path) == ".json":
        document = figures.to_dict()
        document["lang"] = lang
        for name, entry in document["items"].items():
            entry["label"] = own_item_label(figures.catalogue, name[len(ITEM_PREFIX) :], lang)
        write_json(path, document)
        return path
    columns: list[str] = []
    for name in figures.by:
        columns += [name, f"{name}_label"]
    columns += [*ITEM_COLUMNS, *(f"answer:{a}" for a in _answers(figures))]
    rows = (
        row
        for group in (figures.total, *figures.groups)
        for row in item_rows(schema, figures, group, lang)
    )
    write_rows(path, columns, rows, lang)
    return path
