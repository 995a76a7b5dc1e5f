"""A response travelling through the pipeline: its record, its issues, its outcome."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harmonizer.engine.responses import Response
from harmonizer.io.cells import Cell
from harmonizer.io.table import ExportInfo
from harmonizer.issues import Issue, Severity

if TYPE_CHECKING:
    from harmonizer.engine.exact import RecordBuilder


class Outcome(enum.StrEnum):
    """Where a source row ends up: exactly one of these."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXCLUDED = "excluded"
    DUPLICATE = "duplicate"


@dataclass(slots=True)
class Row:
    """A response travelling through the pipeline, with its record and its issues."""

    export: ExportInfo
    response: Response
    record: dict[str, Any] | None = None
    issues: list[Issue] = field(default_factory=list)
    excluded: str | None = None
    duplicate_of: int | None = None
    # What the redactor replaced, by kind; None until something was (most rows).
    redactions: Counter[str] | None = None
    builder: RecordBuilder | None = None
    # True when the record was already found valid (by a worker process of the fast path).
    validated: bool = False
    # A worker's accepted record as its jsonl line, with its id: the parent writes the
    # line as it came, without rebuilding the record (``record`` stays None).
    encoded: bytes | None = None
    encoded_id: str | None = None
    # A worker's accepted row comes without its source cells (``response.values`` is
    # empty) until a reject needs them: this fetches them.
    source_cells: Callable[[], tuple[Cell, ...]] | None = None
    # The outcome, fixed once nothing more can change it (after duplicates are marked):
    # the report and the writers then read it without looking through the issues again.
    settled: Outcome | None = None

    def count_redactions(self, counts: Mapping[str, int]) -> None:
        """Add what the redactor replaced in one cell to the row's counts."""
        if self.redactions is None:
            self.redactions = Counter()
        self.redactions.update(counts)

    @property
    def record_id(self) -> str | None:
        """Return the record's id, from the record or from its encoded line."""
        if self.record is not None:
            return str(self.record["record_id"])
        return self.encoded_id

    @property
    def row(self) -> int:
        """Return the first source row of the response."""
        return self.response.row

    @property
    def rows(self) -> tuple[int, ...]:
        """Return every source row of the response."""
        return self.response.rows

    @property
    def outcome(self) -> Outcome:
        """Return where the row ends up."""
        if self.settled is not None:
            return self.settled
        if self.excluded is not None:
            return Outcome.EXCLUDED
        if self.duplicate_of is not None:
            return Outcome.DUPLICATE
        if (self.record is None and self.encoded is None) or self.has_errors:
            return Outcome.REJECTED
        return Outcome.ACCEPTED

    @property
    def has_errors(self) -> bool:
        """Return True when any issue of the row is an error."""
        return bool(self.issues) and any(i.severity is Severity.ERROR for i in self.issues)

    def raw(self) -> dict[str, Cell]:
        """Return the mapped source cells, open text redacted, for a reject."""
        if self.source_cells is not None:
            self.response.values = self.source_cells()
            self.source_cells = None
        return self.builder.raw_of(self.response) if self.builder else {}


Extra = tuple[list[Issue], dict[str, int]]
"""What an accepted row's record came with: its issues and what the redactor replaced."""


@dataclass(slots=True)
class RowBatch:
    """Accepted rows of one export that travel the pipeline as one: a clean batch.

    Every row is accepted and its record validated and encoded: ``lines`` holds the
    jsonl lines in order, ``ids`` their record ids and ``numbers`` their source rows. ``extras`` holds, by place in the batch, the issues
    (notices only) and redactions of the rows that have any. Stages count, check and
    write such a batch at once; one that needs its rows one by one (a duplicate among
    them) takes :meth:`rows`, the rows the batch stands for.
    """

    export: ExportInfo
    numbers: list[int]
    ids: list[str]
    lines: bytes
    extras: dict[int, Extra]
    expand: Callable[[], Iterator[Row]]

    def __len__(self) -> int:
        return len(self.numbers)

    def rows(self) -> Iterator[Row]:
        """Return the rows one by one, as the row path would have built them."""
        return self.expand()
