"""Flat table layout of national records, shared by the run's writers and datasets.

Columns come from the national schema (nested objects become dotted columns), so a new
schema version changes the tables without a code change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from harmonizer.schema import RecordSchema


def record_columns(schema: RecordSchema, own_items: Sequence[str]) -> list[str]:
    """Return the flat header of the records table."""
    columns: list[str] = []
    for name, node in schema.properties.items():
        if name == "missing":
            columns.extend(f"missing.{m}" for m in schema.measures)
        elif name == "own_items":
            columns.extend(f"own.{item}" for item in own_items)
        elif name == "source":
            columns.extend(f"source.{key}" for key in node["properties"])
        else:
            columns.append(name)
    return columns


def flatten_record(record: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """Return a record's values in the order of ``columns``."""
    out: list[Any] = []
    for column in columns:
        head, _, tail = column.partition(".")
        if tail:
            group = "own_items" if head == "own" else head
            out.append(record.get(group, {}).get(tail))
            continue
        value = record.get(column)
        if isinstance(value, list):
            value = ",".join(map(str, value))
        elif isinstance(value, dict):
            value = orjson.dumps(value).decode()
        out.append(value)
    return out
