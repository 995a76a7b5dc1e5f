"""Rejects: the rejects.jsonl entry of a row, and its flat lines for csv and xlsx."""

from __future__ import annotations

import datetime as dt
from typing import Any

from harmonizer.engine.row import Row

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
        "record_id": row.record_id,
        "issues": [i.to_dict() for i in row.issues],
        "raw": {k: _plain(v) for k, v in row.raw().items()},
    }


def _plain(value: Any) -> Any:
    """Return a cell as a JSON value (dates and times as ISO text)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value
