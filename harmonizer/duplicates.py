"""Duplicate responses within a run: the first is kept, the others become rejects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from harmonizer.issues import Issue, IssueCode, message
from harmonizer.row import Outcome, Row


def drop_duplicates(rows: Iterable[Row], seen: dict[str, tuple[str, int]]) -> Iterator[Row]:
    """Mark a response whose record_id was already accepted in this run as a duplicate.

    ``seen`` maps record_id to (export name, row) and is shared by every export of a run,
    so a response repeated across files is caught too. It is the one structure that
    grows with the run: about 150 bytes a record.
    """
    for row in rows:
        if row.outcome is Outcome.ACCEPTED:
            assert row.record is not None
            record_id = row.record["record_id"]
            first = seen.get(record_id)
            if first is None:
                seen[record_id] = (row.export.name, row.row)
            else:
                row.duplicate_of = first[1]
                code = IssueCode.DUPLICATE_RESPONSE
                row.issues.append(
                    Issue(
                        code,
                        message(
                            code,
                            f"the same response as {first[0]} row {first[1]} (record_id {record_id})",
                        ),
                        code.severity,
                        row.export.name,
                        row.export.sheet,
                        row.row,
                        None,
                        None,
                        "record_id",
                        record_id,
                    )
                )
        yield row
