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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

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


def _codes(data: bytes) -> npt.NDArray[np.uint8]:
    import numpy as np

    return np.frombuffer(data, np.uint8)


def _break_places(codes: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    r"""Return where the lines of ``codes`` end: each "\n", and each "\r" not before one."""
    import numpy as np

    # numpy compares a megabyte in a fifth of the time bytes.count takes, and finds the
    # lone "\r" (an old Mac line break; "\r\n" is one break) without a regex.
    feeds = np.flatnonzero(codes == _LF)
    alone = lone_returns(codes)
    return np.concatenate([feeds, alone]) if len(alone) else feeds


def lone_returns(codes: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    r"""Return where ``codes`` (bytes of a range encoding) hold a "\r" not before a "\n"."""
    import numpy as np

    returns = np.flatnonzero(codes == _CR)
    after = returns + 1
    alone = np.ones(len(returns), dtype=bool)
    inside = after < len(codes)
    alone[inside] = codes[after[inside]] != _LF
    return returns[alone]


_LF, _CR, _QUOTE = 0x0A, 0x0D, 0x22


def _count(data: bytes) -> tuple[int, int]:
    """Return the lines and the csv records that end in ``data`` (lines not in quotes)."""
    import numpy as np

    codes = _codes(data)
    breaks = _break_places(codes)
    lines = records = len(breaks)
    quotes = np.flatnonzero(codes == _QUOTE)
    if len(quotes) > 1:
        # Every quoted cell starts and ends with a quote: a line break is inside one when
        # an odd number of quotes comes before it (a last quote without its pair, as in
        # a quote inside an unquoted cell, opens nothing).
        quotes = quotes[: len(quotes) // 2 * 2]
        records -= int(np.count_nonzero(np.searchsorted(quotes, breaks) % 2))
    return lines, records


def _cut(data: bytes) -> int | None:
    """Return the end of the last line of ``data`` that no quoted cell runs past."""
    import numpy as np

    quotes = int(np.count_nonzero(_codes(data) == _QUOTE))
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
