"""Flat table layouts of records and rejects, for csv and xlsx outputs.

Columns come from the national schema (nested objects become dotted columns), so a new
schema version changes the tables without a code change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import orjson

from harmonizer.row import Row
from harmonizer.schema import RecordSchema

REJECT_COLUMNS = (
    "outcome",
    "export",
    "sheet",
    "row",
    "column_letter",
    "column",
    "value",
    "field",
    "code",
    "severity",
    "message",
)


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


def reject_lines(reject: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one flat line per issue of a reject (the submitter's view)."""
    return [
        {
            "outcome": reject["outcome"],
            "export": issue.get("export") or reject["export"],
            "sheet": issue.get("sheet") or reject.get("sheet"),
            "row": issue.get("row") or reject["row"],
            "column_letter": issue.get("column_letter"),
            "column": issue.get("column"),
            "value": issue.get("value"),
            "field": issue.get("field"),
            "code": issue["code"],
            "severity": issue["severity"],
            "message": issue["message"],
        }
        for issue in reject["issues"]
    ]


def flatten_reject_line(line: dict[str, Any]) -> list[Any]:
    """Return a reject line's values in the order of :data:`REJECT_COLUMNS`."""
    return [line.get(c) for c in REJECT_COLUMNS]


def reject_item(row: Row) -> dict[str, Any]:
    """Return the rejects.jsonl entry of a rejected or duplicate row."""
    return {
        "outcome": str(row.outcome),
        "export": row.export.name,
        "sheet": row.export.sheet,
        "row": row.row,
        "rows": list(row.rows),
        "record_id": row.record["record_id"] if row.record else None,
        "issues": [i.to_dict() for i in row.issues],
        "raw": {k: _plain(v) for k, v in row.raw().items()},
    }


def _plain(value: Any) -> Any:
    """Return a cell as a JSON value (dates and times as ISO text)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value
