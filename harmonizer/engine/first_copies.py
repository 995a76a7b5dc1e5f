"""The first copies of a run's long responses, kept to recognise repeats, in flat memory.

A long export (one row per answer) may repeat a response that was completed long
before, or in an earlier export of the run: the repeat is then a duplicate of its first
copy or, answering differently, a located conflict. So every completed response's first
copy is kept until the run ends. Held as read, that cost about 1.4 KB a response.
:class:`FirstCopies` holds the newest ``held`` copies as read and moves older ones to
an SQLite file in a private temporary folder, which is deleted when the run ends. On
disk a copy holds no personal data: its response id is a digest, and each answer is the
digest that :func:`same_answer` compares, its text as messages quote it (redacted) and
its row. An SMS export of 200,000 responses (1.2 million rows) peaked at 392 MiB before
and 187 MiB with this, in the same time.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import tempfile
from pathlib import Path
from types import TracebackType

from harmonizer.engine.responses import FirstCopy, Kept, answer_digest
from harmonizer.errors import OutputError
from harmonizer.io.readers import ExportInfo
from harmonizer.issues import quote

HELD = 20_000
"""First copies held in memory as read (about 30 MB); older ones are kept on disk."""
CACHE_KIB = 16_384
"""SQLite's page cache for the copies on disk."""
FILTER_BYTES = 1 << 24
"""The Bloom filter of the copies on disk: 16 MiB (a power of two)."""


class FirstCopies:
    """Response id -> its first copy, for a whole run; see the module's docstring.

    Use it as a context manager, so that the temporary folder is deleted.
    """

    def __init__(self, held: int | None = None) -> None:
        self._held = max(1, HELD if held is None else held)
        self._recent: dict[str, FirstCopy] = {}
        self._exports: list[ExportInfo] = []
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._db: sqlite3.Connection | None = None
        self._filter = _Filter()
        self.on_disk = 0
        """How many first copies were moved to disk."""

    def __enter__(self) -> FirstCopies:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Delete the copies kept on disk; the object is empty afterwards."""
        self._recent.clear()
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def get(self, response_id: str) -> FirstCopy | None:
        """Return the first copy of a response, or None when none was completed."""
        copy = self._recent.get(response_id)
        if copy is not None or self._db is None:
            return copy
        digest = _digest(response_id)
        if not self._filter.may_hold(digest):
            return None
        try:
            found = self._db.execute("SELECT copy FROM copies WHERE id = ?", (digest,)).fetchone()
        except sqlite3.Error as err:
            raise self._error(err) from None
        if found is None:
            return None
        # Written by this run into its own private folder, just before.
        export, rows, kept = pickle.loads(found[0])
        return FirstCopy(self._exports[export], rows, kept=kept)

    def __setitem__(self, response_id: str, copy: FirstCopy) -> None:
        if len(self._recent) >= self._held:
            self._move_to_disk()
        self._recent[response_id] = copy

    def __len__(self) -> int:
        return len(self._recent) + self.on_disk

    def _move_to_disk(self) -> None:
        try:
            db = self._db or self._open()
            digests = [_digest(response_id) for response_id in self._recent]
            db.executemany(
                "INSERT OR REPLACE INTO copies VALUES (?, ?)",
                (
                    (digest, pickle.dumps(self._compact(copy)))
                    for digest, copy in zip(digests, self._recent.values(), strict=True)
                ),
            )
            db.commit()
            for digest in digests:
                self._filter.add(digest)
        except (sqlite3.Error, OSError) as err:
            raise self._error(err) from None
        self.on_disk += len(self._recent)
        self._recent.clear()

    def _open(self) -> sqlite3.Connection:
        self._folder = tempfile.TemporaryDirectory(prefix="harmonizer-")
        db = sqlite3.connect(Path(self._folder.name) / "first-copies.sqlite")
        # A scratch file for this run only: nothing to recover after a crash.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        # Lookups of new responses mostly miss: a page cache of CACHE_KIB keeps the
        # index's upper pages in memory, so a miss reads no file.
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("CREATE TABLE copies (id BLOB PRIMARY KEY, copy BLOB) WITHOUT ROWID")
        self._db = db
        return db

    def _compact(self, copy: FirstCopy) -> tuple[int, object, dict[str, Kept]]:
        export = next((i for i, e in enumerate(self._exports) if e is copy.export), None)
        if export is None:
            export = len(self._exports)
            self._exports.append(copy.export)
        rows = copy.rows
        if len(rows) > 1 and list(rows) == list(range(rows[0], rows[-1] + 1)):
            rows = range(rows[0], rows[-1] + 1)
        kept = copy.kept
        if kept is None:
            kept = {
                question: (answer_digest(cell), quote(cell), row)
                for question, (cell, row) in (copy.answers or {}).items()
            }
        return export, rows, kept

    def _error(self, err: sqlite3.Error | OSError) -> OutputError:
        folder = self._folder.name if self._folder else tempfile.gettempdir()
        return OutputError(
            f"cannot keep the first copies of long responses in the temporary folder "
            f"{folder} ({err}); free space there or point TMPDIR to a folder with room, "
            "and run again"
        )


class _Filter:
    """A Bloom filter of the digests on disk, so that a new response skips the file.

    Most responses were never seen before, and a miss in the file cost about 30 us.
    Fixed size (:data:`FILTER_BYTES`, taken at the first copy moved to disk): with
    three bits a response, one lookup in 125 goes to the file needlessly at ten million
    responses on disk, one in 90,000 at a million.
    """

    def __init__(self) -> None:
        self._bits: bytearray | None = None

    def add(self, digest: bytes) -> None:
        if self._bits is None:
            self._bits = bytearray(FILTER_BYTES)
        bits = self._bits
        for place in _places(digest):
            bits[place >> 3] |= 1 << (place & 7)

    def may_hold(self, digest: bytes) -> bool:
        bits = self._bits
        if bits is None:
            return False
        return all(bits[place >> 3] & (1 << (place & 7)) for place in _places(digest))


def _places(digest: bytes) -> tuple[int, int, int]:
    # Three bit places from three 4-byte parts of the (uniform) digest.
    mask = FILTER_BYTES * 8 - 1
    return (
        int.from_bytes(digest[0:4]) & mask,
        int.from_bytes(digest[4:8]) & mask,
        int.from_bytes(digest[8:12]) & mask,
    )


def _digest(response_id: str) -> bytes:
    return hashlib.blake2b(response_id.encode(), digest_size=16).digest()
