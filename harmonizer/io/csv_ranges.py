"""A csv export cut into byte ranges at record boundaries, for worker processes to read.

With two or more workers, the parent process no longer reads every row: it cuts the
file's data rows into ranges of about :data:`RANGE_BYTES` and each worker reads its own
ranges with the same reader (:func:`harmonizer.io.csv_reader.read_range`). A cut must
fall between two records, not inside a quoted cell that holds a line break. Quotes are
counted to find such a place (an even count before a line break), and the records of a
range are counted the same way, so that each range knows the number of its first row.

Counting quotes is right for every csv that quotes as csv writers do, but a quote
inside an unquoted cell (``5" näyttö``) can mislead it. Nothing is trusted: a worker
reports whether its range ended inside a quoted cell and how many records it read, and
the parent checks both against the next range before using it; where they disagree the
parent reads the rest of the file itself, from the last verified record on. The
outputs are the same either way; tests cut files into many small ranges to show it.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RANGE_BYTES = 1 << 20
"""Bytes a range holds (it ends at the next record boundary): about 4,000 rows of a
22-column web survey, so that a few ranges in flight per worker stay small."""
MAX_RANGE_BYTES = 16 << 20
"""A range that finds no record boundary within this many bytes (a record of a huge
answer, a quoted cell that never closes, a line longer than the reader accepts) is
left, with the rest of the file, to the parent: its reader streams where a worker would
hold the whole range, and reports what is wrong as it would in one process."""
RANGE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "iso8859-15"})
"""Encodings in which a line break and a quote are one byte each that no other
character contains: a range can be cut and counted as bytes."""

_QUOTED = re.compile(rb'"[^"]*"')
_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True)
class CsvLayout:
    """What a reader of any range of a csv export needs: encoding, delimiter, start.

    ``start``, ``line`` and ``row`` locate the first data row: its byte offset, its
    physical line and its record number. ``header_end`` is the header's last row.
    """

    path: Path
    encoding: str
    delimiter: str
    controls: bool
    header_end: int
    start: int
    line: int
    row: int


@dataclass(frozen=True)
class Range:
    """Bytes ``start`` to ``end`` of an export, from a record boundary to another.

    ``line`` is the physical line of its first byte; ``row`` the record number of its
    first record as counted from the quotes (checked by the parent, see the module's
    docstring). ``end`` None: the rest of the file, read by the parent. ``last``: the
    range ends where the file ends.
    """

    start: int
    end: int | None
    line: int
    row: int
    last: bool


def rangeable(encoding: str) -> bool:
    """Return True when a file in ``encoding`` can be cut into ranges as bytes."""
    try:
        return codecs.lookup(encoding).name in RANGE_ENCODINGS
    except LookupError:
        return False


def _line_breaks(data: bytes) -> int:
    """Return the lines that end in ``data`` as a reader with ``newline=""`` splits them."""
    breaks = data.count(b"\n")
    if b"\r" in data:
        # Only a "\r" alone is a line break of its own (old Mac files): counting "\r\n"
        # as such would cost more than the search for lone ones.
        breaks += len(_LONE_CR.findall(data))
    return breaks


def _count(data: bytes) -> tuple[int, int]:
    """Return the lines and the csv records that end in ``data`` (lines not in quotes)."""
    lines = _line_breaks(data)
    records = lines
    if b'"' in data:
        # Every quoted cell starts and ends with a quote, so joined they count the line
        # breaks inside quotes as they count one by one (a "\r" ends no cell).
        quoted = b"".join(_QUOTED.findall(data))
        records -= _line_breaks(quoted)
    return lines, records


def _cut(data: bytes) -> int | None:
    """Return the end of the last line of ``data`` that no quoted cell runs past."""
    quotes = data.count(b'"')
    end = len(data)
    after = 0  # quotes after the line break being tried
    while (brk := data.rfind(b"\n", 0, end)) >= 0:
        after += data.count(b'"', brk + 1, end)
        if (quotes - after) % 2 == 0:
            return brk + 1
        end = brk
    return None


def split_ranges(layout: CsvLayout, size: int = RANGE_BYTES) -> Iterator[Range]:
    """Yield the ranges of the export's data rows, in order.

    Each range but the last ends at a line break with an even number of quotes before
    it, about ``size`` bytes on. Where none is found within :data:`MAX_RANGE_BYTES`,
    the last range is the rest of the file with ``end`` None.
    """
    start, line, row = layout.start, layout.line, layout.row
    with layout.path.open("rb") as handle:
        total = os.fstat(handle.fileno()).st_size
        handle.seek(start)
        data = b""
        while more := handle.read(size):
            data += more
            cut = _cut(data)
            if cut is None:
                if len(data) >= MAX_RANGE_BYTES:
                    yield Range(start, None, line, row, last=True)
                    return
                continue
            piece = data[:cut]
            yield Range(
                start, start + cut, line, row, last=cut == len(data) and start + cut >= total
            )
            start += cut
            lines, records = _count(piece)
            line += lines
            row += records
            data = data[cut:]
        if data:
            yield Range(start, start + len(data), line, row, last=True)
