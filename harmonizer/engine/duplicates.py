"""Duplicate responses within a run: the first is kept, the others become rejects.

The index of accepted records is the one structure that grows with a run, so it is
compact: a record is its 16-byte ``record_id`` (a UUID), where it was first seen and
the owner of a redacted response id (below), 26 bytes in sorted numpy runs. New records
wait in a small dictionary; when it fills, it becomes a sorted run, and runs of similar
size are merged in one pass (as in a log-structured merge tree) up to two million
records, so there are a handful of runs. Rows are checked a batch at a time: a bit per
value of a digest's upper 26 bits tells most new digests from those in the runs, and
the rest take one vectorised search per run. Memory: 26 bytes a record (26 MB a
million) and the 8 MiB of bits, plus at most about 60 MB while two runs merge.

A response id that holds personal data (a phone number as an SMS id) is redacted and
gives no ``record_id``: the national values do, so two respondents with the same
answers in the same minute get the same one. The index keeps a 32-bit digest of such a
response's raw id (its owner; in memory only): a record whose owner differs from the
first's is another respondent and gets the next record_id of its values (``record_id``
hashed with 2, 3, ...), while the same owner again is a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from harmonizer.engine.batches import batches, cell_chars
from harmonizer.engine.exact import record_uuid
from harmonizer.engine.row import Outcome, Row, RowBatch
from harmonizer.issues import PERSONAL_ID_FIELD, Issue, IssueCode, message

RECENT_LIMIT = 65_536
"""Records held in the dictionary before they are sorted into a run."""
BATCH_ROWS = 4096
"""Rows checked at a time (fewer when their text is long: see engine.batches)."""
MAX_MERGED = 1 << 21
"""Runs are not merged beyond this many records, which bounds a merge's passing memory
(about 30 bytes a record more while it runs); a run of 10 million records has five runs."""
Place = tuple[int, int, int]
"""Where a record was first seen: its export's index, its source row, and the owner of a
redacted response id (0 when the id was its own)."""
INDEX_BYTES_PER_RECORD = 26
"""Digest (16 bytes), source row (4), export (2) and owner (4) of each accepted record."""


def _digest(record_id: str) -> bytes:
    try:
        digest = bytes.fromhex(record_id.replace("-", ""))
    except ValueError:
        digest = b""
    if len(digest) != 16:
        # Not a UUID (a hand-made record): fall back to a hash of its text.
        digest = hashlib.blake2b(record_id.encode(), digest_size=16).digest()
    return digest


_DASHES = (8, 13, 18, 23)


def _digests(ids: list[str]) -> list[bytes]:
    """Return the digest of every id, as :func:`_digest` gives it."""
    raw = _uuid_bytes(ids)
    if raw is not None:
        return [raw[i : i + 16] for i in range(0, len(raw), 16)]
    return [_digest(i) for i in ids]


def _uuid_bytes(ids: list[str]) -> bytes | None:
    """Return the digests of ids that are all UUIDs, joined; None when one is not."""
    count = len(ids)
    joined = "".join(ids)
    # The common case, every id a UUID in its 36-character form, is read as one hex
    # string: dashes in place in every id and nothing but hex digits around them.
    if len(joined) == 36 * count and all(joined[d::36] == "-" * count for d in _DASHES):
        try:
            raw = bytes.fromhex(joined.replace("-", ""))
        except ValueError:
            return None
        if len(raw) == 16 * count:
            return raw
    return None


@dataclass(frozen=True, slots=True)
class _Run:
    """Digests sorted by their upper halves, with where each was first seen.

    Equal upper halves (one in four billion) may stand in any order: :meth:`find`
    compares the lower halves of all of them.
    """

    hi: npt.NDArray[np.uint64]
    lo: npt.NDArray[np.uint64]
    row: npt.NDArray[np.uint32]
    export: npt.NDArray[np.uint16]
    owner: npt.NDArray[np.uint32]

    @property
    def columns(self) -> tuple[npt.NDArray[Any], ...]:
        """Return the run's arrays, in the order of its fields."""
        return self.hi, self.lo, self.row, self.export, self.owner

    def ordered(self) -> _Run:
        """Return the run of these entries sorted (they may come in any order)."""
        order = np.argsort(self.hi)
        return _Run(*(column[order] for column in self.columns))

    def __len__(self) -> int:
        return len(self.hi)

    def find(self, hi: npt.NDArray[np.uint64], lo: npt.NDArray[np.uint64]) -> dict[int, int]:
        """Return {query position: run position} for the queries found in this run."""
        if not len(self):
            return {}
        at = np.searchsorted(self.hi, hi)
        clipped = np.minimum(at, len(self) - 1)
        candidates = np.nonzero(self.hi[clipped] == hi)[0]
        found: dict[int, int] = {}
        for q in candidates.tolist():
            position = int(at[q])
            # Equal upper halves are (almost) always the same digest; check the lower.
            while position < len(self) and self.hi[position] == hi[q]:
                if self.lo[position] == lo[q]:
                    found[q] = position
                    break
                position += 1
        return found


def _merge(a: _Run, b: _Run) -> _Run:
    """Return the run of both runs' entries, merged in one pass (no sort)."""
    # Each entry of b goes after the entries of a not greater than it, and after the
    # entries of b before it.
    at = np.searchsorted(a.hi, b.hi, side="right") + np.arange(len(b))
    keep = np.ones(len(a) + len(b), dtype=bool)
    keep[at] = False

    def merged(x: npt.NDArray[Any], y: npt.NDArray[Any]) -> npt.NDArray[Any]:
        out = np.empty(len(x) + len(y), dtype=x.dtype)
        out[at] = y
        out[keep] = x
        return out

    return _Run(*(merged(x, y) for x, y in zip(a.columns, b.columns, strict=True)))


class _Filter:
    """A bit per value of a digest's upper 26 bits: most new digests are told new here.

    Looking a batch up in every sorted run costs a binary search each; a bit clear
    says the digest is in no run. 8 MiB, allocated with the first run; about 1.5 % of
    new digests find their bit set at a million records, 14 % at ten million.
    """

    def __init__(self) -> None:
        self._bits: npt.NDArray[np.uint8] | None = None

    def add(self, hi: npt.NDArray[np.uint64]) -> None:
        """Set the bits of these upper halves."""
        if self._bits is None:
            self._bits = np.zeros(FILTER_BYTES, dtype=np.uint8)
        byte, bit = _filter_places(hi)
        np.bitwise_or.at(self._bits, byte, np.left_shift(1, bit, dtype=np.uint8))

    def holds(self, hi: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Return, per upper half, whether its bit is set (it may be in a run)."""
        if self._bits is None:
            return np.zeros(len(hi), dtype=bool)
        byte, bit = _filter_places(hi)
        held: npt.NDArray[np.bool_] = (self._bits[byte] >> bit) & 1 == 1
        return held


FILTER_BYTES = 1 << 23
"""The filter's size: 2**26 bits, one per value of a digest's upper 26 bits."""


def _filter_places(
    hi: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.uint8]]:
    top = np.right_shift(hi.astype(np.uint64, copy=False), 38)
    return (top >> 3).astype(np.intp), (top & 7).astype(np.uint8)


class DuplicateIndex:
    """The record ids accepted in a run, with the export and row that first had each.

    A place is (export, row, owner): owner 0 for a response whose id is its own.
    """

    def __init__(self) -> None:
        self._exports: list[str] = []
        self._recent: dict[bytes, Place] = {}
        # base digest -> owner -> its own record_id
        self._groups: dict[bytes, dict[int, str]] = {}
        self._runs: list[_Run] = []
        self._filter = _Filter()

    def __len__(self) -> int:
        return len(self._recent) + sum(len(r) for r in self._runs)

    def export_number(self, name: str) -> int:
        """Return the index of an export's name (added when new)."""
        if not self._exports or self._exports[-1] != name:
            self._exports.append(name)
        return len(self._exports) - 1

    def check(self, digests: list[bytes]) -> list[Place | None]:
        """Return, per digest, where it was first seen before this call (or None)."""
        out: list[Place | None] = [self._recent.get(d) for d in digests]
        if self._runs and digests:
            joined = np.frombuffer(b"".join(digests), dtype=">u8").reshape(-1, 2)
            maybe = np.flatnonzero(self._filter.holds(joined[:, 0]))
            if not len(maybe):
                return out
            hi = joined[maybe, 0].astype(np.uint64)
            lo = joined[maybe, 1].astype(np.uint64)
            at = maybe.tolist()
            for run in self._runs:
                for q, position in run.find(hi, lo).items():
                    if out[at[q]] is None:
                        out[at[q]] = (
                            int(run.export[position]),
                            int(run.row[position]),
                            int(run.owner[position]),
                        )
        return out

    def add(self, digest: bytes, export: int, row: int, owner: int = 0) -> None:
        """Remember a newly accepted record."""
        self.update({digest: (export, row, owner)})

    def update(self, places: dict[bytes, Place]) -> None:
        """Remember newly accepted records: digest -> (export, row, owner)."""
        self._recent.update(places)
        if len(self._recent) >= RECENT_LIMIT:
            self._flush()

    def _flush(self) -> None:
        recent = self._recent
        joined = np.frombuffer(b"".join(recent), dtype=">u8").reshape(-1, 2)
        places = np.fromiter(
            chain.from_iterable(recent.values()), dtype=np.int64, count=3 * len(recent)
        ).reshape(-1, 3)
        run = _Run(
            joined[:, 0].astype(np.uint64),
            joined[:, 1].astype(np.uint64),
            places[:, 1].astype(np.uint32),
            places[:, 0].astype(np.uint16),
            places[:, 2].astype(np.uint32),
        ).ordered()
        self._recent = {}
        self._keep(run)

    def add_fresh(self, raw: bytes, export: npt.NDArray[Any], row: npt.NDArray[Any]) -> bool:
        """Remember records none of which was seen, as one run; False if any was.

        ``raw`` joins the records' digests; ``export`` and ``row`` give where each is.
        Nothing is remembered when a digest was seen before or comes twice in ``raw``:
        the caller then takes the records one by one.
        """
        if self._recent and any(raw[i : i + 16] in self._recent for i in range(0, len(raw), 16)):
            return False
        joined = np.frombuffer(raw, dtype=">u8").reshape(-1, 2)
        hi, lo = joined[:, 0].astype(np.uint64), joined[:, 1].astype(np.uint64)
        order = np.lexsort((lo, hi))
        hi, lo = hi[order], lo[order]
        if np.any((hi[1:] == hi[:-1]) & (lo[1:] == lo[:-1])):
            return False
        maybe = np.flatnonzero(self._filter.holds(hi))
        if len(maybe) and any(run.find(hi[maybe], lo[maybe]) for run in self._runs):
            return False
        owner = np.zeros(len(hi), dtype=np.uint32)
        places = (row[order].astype(np.uint32), export[order].astype(np.uint16), owner)
        self._keep(_Run(hi, lo, *places))
        return True

    def _keep(self, run: _Run) -> None:
        """Add a sorted run, merging the last runs while they are of like sizes."""
        self._filter.add(run.hi)
        self._runs.append(run)
        while (
            len(self._runs) > 1
            and len(self._runs[-2]) <= 2 * len(self._runs[-1])
            and len(self._runs[-2]) + len(self._runs[-1]) <= MAX_MERGED
        ):
            last = self._runs.pop()
            self._runs[-1] = _merge(self._runs[-1], last)

    def name(self, export: int) -> str:
        """Return the name of an export by its index."""
        return self._exports[export]

    def other_owner(self, digest: bytes, record_id: str, owner: int) -> str:
        """Return the record_id of another respondent whose values share ``record_id``.

        The same one each time for the same owner: the next of those values the first
        time. Groups of respondents with equal values are rare, so they are kept in a
        dictionary (about 150 bytes a record in them).
        """
        group = self._groups.setdefault(digest, {})
        own = group.get(owner)
        if own is None:
            own = group[owner] = record_uuid(f"{record_id}\x1f{len(group) + 2}")
        return own


def _duplicate_issue(
    row: Row, export: str, first: int, record_id: str, redacted: Issue | None
) -> Issue:
    code = IssueCode.DUPLICATE_RESPONSE
    field: str = "record_id"
    value: str | None = record_id
    column: tuple[str | None, str | None] = (None, None)
    detail = f"the same response as {export} row {first} (record_id {record_id})"
    if redacted is not None:
        # The id is shown as the reports show it (redacted), in its column: the same
        # respondent's id and the same national values.
        field, value = PERSONAL_ID_FIELD, redacted.value
        column = (redacted.column, redacted.column_letter)
        detail = (
            f"the same response as {export} row {first}: the same response id (redacted "
            f"here) and the same national values (record_id {record_id})"
        )
    return Issue(
        code,
        message(code, detail, field=field),
        code.severity,
        row.export.name,
        row.export.sheet,
        row.row,
        *column,
        field,
        value,
    )


def _row_chars(row: Row | RowBatch) -> int:
    if isinstance(row, RowBatch):
        return len(row.lines)
    if row.encoded is not None:
        # A worker's jsonl line holds the row's text once more: its length (known at
        # no cost) stands for the row's.
        return len(row.encoded)
    response = row.response
    chars = cell_chars(response.values)
    if response.answers:
        chars += cell_chars([cell for cell, _ in response.answers.values()])
    return chars


def drop_duplicates(
    rows: Iterable[Row | RowBatch], seen: DuplicateIndex
) -> Iterator[Row | RowBatch]:
    """Mark a response whose record_id was already accepted in this run as a duplicate.

    ``seen`` is shared by every export of a run, so a response repeated across files is
    caught too. A response whose redacted id belongs to another respondent than the
    first record's gets a record_id of its own (see the module's docstring). A
    :class:`RowBatch` with no record seen before passes as one; one with a duplicate is
    taken row by row.
    """
    for batch in batches(rows, BATCH_ROWS, _row_chars):
        yield from _Marking(seen).mark(batch)


class _Marking:
    """Marks the duplicates of one batch of rows, in order."""

    def __init__(self, seen: DuplicateIndex) -> None:
        self.seen = seen
        # New in this batch; remembered by the index once the batch is through.
        self.batch_seen: dict[bytes, Place] = {}
        self.numbers: dict[str, int] = {}

    def mark(self, batch: list[Row | RowBatch]) -> list[Row | RowBatch]:
        """Return the batch with its duplicates marked (and RowBatches with any expanded)."""
        if self._fresh_batches(batch):
            return batch
        ids: list[str] = []
        for item in batch:
            if isinstance(item, RowBatch):
                ids += item.ids
            else:
                item.settled = outcome = item.outcome
                if outcome is Outcome.ACCEPTED:
                    ids.append(item.record_id or "")
        digests = _digests(ids)
        earlier = self.seen.check(digests)
        out: list[Row | RowBatch] = []
        at = 0
        for item in batch:
            if isinstance(item, RowBatch):
                size = len(item)
                mine, before = digests[at : at + size], earlier[at : at + size]
                at += size
                if self._fresh(mine, before):
                    number = self._export(item.export.name)
                    self.batch_seen.update(
                        zip(mine, [(number, row, 0) for row in item.numbers], strict=True)
                    )
                    out.append(item)
                    continue
                for row, digest, first in zip(item.rows(), mine, before, strict=True):
                    row.settled = Outcome.ACCEPTED
                    self._one(row, row.record_id or "", digest, first)
                    out.append(row)
                continue
            if item.settled is Outcome.ACCEPTED:
                self._one(item, ids[at], digests[at], earlier[at])
                at += 1
            out.append(item)
        self.seen.update(self.batch_seen)
        return out

    def _fresh_batches(self, batch: list[Row | RowBatch]) -> bool:
        """Remember a batch of clean batches in one go when none of its ids was seen.

        The common case on the fast path, checked with numpy rather than a digest at a
        time; any record seen before, or any row that is not in a clean batch, and the
        batch takes the general path below, which marks what it finds.
        """
        if self.batch_seen or not all(isinstance(item, RowBatch) for item in batch):
            return False
        clean = cast("list[RowBatch]", batch)
        raw = _uuid_bytes([record_id for item in clean for record_id in item.ids])
        if raw is None:
            return False
        exports = [self._export(item.export.name) for item in clean]
        sizes = [len(item) for item in clean]
        export = np.repeat(np.array(exports, dtype=np.uint16), sizes)
        row = np.fromiter(
            chain.from_iterable(item.numbers for item in clean), dtype=np.int64, count=sum(sizes)
        )
        return self.seen.add_fresh(raw, export, row)

    def _fresh(self, digests: list[bytes], earlier: list[Place | None]) -> bool:
        """Return True when no digest was seen before, in the batch or among themselves."""
        batch_seen = self.batch_seen
        return (
            not any(earlier)
            and len(set(digests)) == len(digests)
            and not any(d in batch_seen for d in digests)
        )

    def _export(self, name: str) -> int:
        number = self.numbers.get(name)
        if number is None:
            number = self.numbers[name] = self.seen.export_number(name)
        return number

    def _one(self, row: Row, base_id: str, base_digest: bytes, before: Place | None) -> None:
        seen, batch_seen = self.seen, self.batch_seen
        record_id, digest = base_id, base_digest
        first = before or batch_seen.get(digest)
        redacted = _redacted_id(row)
        owner = 0 if redacted is None else _owner(row)
        if first is not None and owner and first[2] and first[2] != owner:
            # Another respondent with the same national values: its own record_id,
            # or the duplicate of its own earlier record.
            record_id = seen.other_owner(digest, record_id, owner)
            digest = _digest(record_id)
            first = batch_seen.get(digest) or seen.check([digest])[0]
            if first is None:
                assert row.record is not None  # redacted ids take the exact path
                row.record["record_id"] = record_id
        if first is None:
            batch_seen[digest] = (self._export(row.export.name), row.row, owner)
            return
        row.duplicate_of = first[1]
        row.settled = Outcome.DUPLICATE
        row.issues.append(_duplicate_issue(row, seen.name(first[0]), first[1], record_id, redacted))


def _redacted_id(row: Row) -> Issue | None:
    """Return the row's `redacted` issue of its response id, if its id was redacted."""
    for issue in row.issues:
        if issue.code is IssueCode.REDACTED and issue.field == PERSONAL_ID_FIELD:
            return issue
    return None


def _owner(row: Row) -> int:
    """Return a 32-bit digest (never 0) of a row's raw response id; it stays in memory."""
    response = row.response
    raw = response.response_id
    if raw is None and row.builder is not None:
        raw = row.builder.cells_identity(response.values)[0]
    digest = hashlib.blake2b((raw or "").encode(), digest_size=4).digest()
    return int.from_bytes(digest) or 1
