"""A response travelling through the pipeline: its record, its issues, its outcome."""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
class Notices:
    """The notices and redactions of a batch's accepted rows, by place, in few objects.

    Most notices of a batch are one issue at many rows (the `redacted` notice of a value
    that repeats is built once per distinct value): a row with notices keeps the indexes
    of its issues among ``templates`` and of its redactions among ``kinds`` (-1: none),
    and an issue is moved to its row (:meth:`Issue.at_row`) only when it is looked at.
    The report lists the first ones and counts the rest without moving them. Build one
    with :func:`notices_of`.
    """

    templates: list[Issue] = field(default_factory=list)
    kinds: list[dict[str, int]] = field(default_factory=list)
    places: list[int] = field(default_factory=list)
    """The places in the batch of the rows with notices, ascending."""
    issues: list[tuple[int, ...]] = field(default_factory=list)
    redactions: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.places)

    def extra(self, place: int, number: int) -> Extra | None:
        """Return the issues (at source row ``number``) and redactions of a place, if any."""
        k = bisect_left(self.places, place)
        if k == len(self.places) or self.places[k] != place:
            return None
        kind = self.redactions[k]
        return (
            [self.templates[t].at_row(number) for t in self.issues[k]],
            dict(self.kinds[kind]) if kind >= 0 else {},
        )

    def any_error(self) -> bool:
        """Return True when a row's issue is an error (the batch is then not clean)."""
        return any(issue.severity is Severity.ERROR for issue in self.templates)


def notices_of(
    rows: Iterable[tuple[int, Sequence[Issue], Iterable[tuple[str, int]] | None]],
) -> Notices:
    """Return the notices of rows given in order as (place, issues, redactions).

    The redactions are (kind, count) pairs, summed when a kind repeats. An issue object
    given for several rows is kept once.
    """
    notices = Notices()
    templates: dict[int, int] = {}
    kinds: dict[tuple[tuple[str, int], ...], int] = {}
    for place, issues, redactions in rows:
        if not issues and not redactions:
            continue
        refs: list[int] = []
        for issue in issues:
            t = templates.get(id(issue))
            if t is None:
                t = templates[id(issue)] = len(notices.templates)
                notices.templates.append(issue)
            refs.append(t)
        kind = -1
        if redactions:
            summed: dict[str, int] = {}
            for name, count in redactions:
                summed[name] = summed.get(name, 0) + count
            key = tuple(summed.items())
            found = kinds.get(key)
            if found is None:
                found = kinds[key] = len(notices.kinds)
                notices.kinds.append(summed)
            kind = found
        notices.places.append(place)
        notices.issues.append(tuple(refs))
        notices.redactions.append(kind)
    return notices


@dataclass(slots=True)
class RowBatch:
    """Accepted rows of one export that travel the pipeline as one: a clean batch.

    Every row is accepted and its record validated and encoded: ``lines`` holds the
    jsonl lines in order, ``ids`` their record ids and ``numbers`` their source rows.
    ``extras`` holds, by place in the batch, the issues (notices only) and redactions of
    the rows that have any. Stages count, check and
    write such a batch at once; one that needs its rows one by one (a duplicate among
    them) takes :meth:`rows`, the rows the batch stands for.
    """

    export: ExportInfo
    numbers: list[int]
    ids: list[str]
    lines: bytes
    extras: Notices
    expand: Callable[[], Iterator[Row]]

    def __len__(self) -> int:
        return len(self.numbers)

    def rows(self) -> Iterator[Row]:
        """Return the rows one by one, as the row path would have built them."""
        return self.expand()
