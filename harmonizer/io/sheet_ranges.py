"""An xlsx sheet's XML cut into ranges of whole rows, for worker processes to parse.

Reading a sheet (expat, then each cell's shared text, date or issue) is most of an xlsx
run's work. With two or more workers the parent only inflates the sheet's XML and cuts
it before a ``<row`` start tag every :data:`SHEET_RANGE_BYTES` or so; each worker parses
its range as a document of its own: the sheet's head (from the prolog to the
``<sheetData>`` start tag), the range, and the end tags the head left open.

A cut is only a guess: ``<row`` could stand inside a comment or a CDATA section, or a
row could lack its number. Nothing is trusted. A range whose cut was wrong is not
well-formed with the head and end tags around it (an unclosed comment, a mismatched
end tag), a range that starts on another row than its cut said reports it, and the
parent checks that each range's rows follow the previous range's. Where anything
disagrees, the parent reads the rest of the sheet with the ordinary streaming reader
(:func:`harmonizer.io.xlsx_reader.read_xlsx`), which reports what is wrong exactly as
it would in one process. The last range runs to the end of the XML with the sheet's own
end tags, so whatever follows ``</sheetData>`` is parsed as one process parses it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from harmonizer.io.safety import check_xml_prolog
from harmonizer.io.table import SourceRow
from harmonizer.io.xlsx_parts import expat_parser
from harmonizer.io.xlsx_sheet import DamagedSheet, RawRow, sheet_rows

if TYPE_CHECKING:
    from harmonizer.io.sheet_plain import PlainRows
    from harmonizer.io.xlsx_reader import SheetCells

SHEET_RANGE_BYTES = 2 << 20
"""Bytes of a sheet's XML a range holds (up to the next row): about 2,800 rows of a
22-column web survey written by Excel."""
MAX_SHEET_RANGE_BYTES = 16 << 20
"""A range that finds no row to cut before within this many bytes (rows without a
number, one huge row) is left, with the rest of the sheet, to the parent's reader."""

_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?)sheetData(?:\s[^>]*)?>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d{1,7})["']""")
_TAG_END = frozenset(b" \t\r\n>/")


@dataclass(frozen=True)
class SheetLayout:
    """What a worker needs to parse ranges of a sheet: where it is, how cells are read."""

    path: Path
    part: str
    crc: int
    """The sheet part's CRC when the parent opened the workbook: a workbook saved
    again since is left to the parent's reader, which still reads the one it opened."""
    cells: SheetCells
    size: int = 0
    """The sheet's XML in bytes, as the zip directory declares it."""


@dataclass(frozen=True)
class SheetRange:
    """A range of a sheet's rows as a worker parses it: ``head + data + tail``.

    ``first`` is the number the cut said its first row has (None for the first range,
    which starts at ``<sheetData>``); ``tail`` is empty for the last range, whose data
    runs to the end of the XML.
    """

    head: bytes
    data: bytes
    tail: bytes
    first: int | None

    @property
    def last(self) -> bool:
        """Tell whether the range runs to the end of the sheet."""
        return not self.tail


def split_sheet(
    layout: SheetLayout, size: int = SHEET_RANGE_BYTES
) -> Generator[SheetRange | None, None, None]:
    """Yield a sheet's ranges in order; None where no cut is in reach (the rest is the parent's).

    Nothing is yielded when the sheet's head is not as expected (no ``<sheetData>``, a
    head that is not well-formed): the parent then reads the whole sheet.
    """
    try:
        archive = zipfile.ZipFile(layout.path)
    except (OSError, zipfile.BadZipFile):
        return
    with archive:
        try:
            if layout.crc != archive.getinfo(layout.part).CRC:
                yield None
                return
            stream = archive.open(layout.part)
        except (KeyError, OSError, zipfile.BadZipFile):
            return
        with stream:
            yield from _ranges(stream, layout.part, size)


def _ranges(stream: IO[bytes], part: str, size: int) -> Iterator[SheetRange | None]:
    # A damaged deflate stream or CRC is reported by the parent's own reader.
    try:
        data = stream.read(size)
        found = _SHEET_DATA.search(data)
        while found is None:
            more = stream.read(size)
            if not more or len(data) > MAX_SHEET_RANGE_BYTES:
                return
            data += more
            found = _SHEET_DATA.search(data)
        head = data[: found.end()]
        tail = _end_tags(head, part, found.start())
        if tail is None:
            return
        row_tag = b"<" + found.group(1) + b"row"
        data, first = data[found.end() :], None
        while True:
            more = stream.read(size)
            if not more:
                yield SheetRange(head, data, b"", first)
                return
            data += more
            cut = _last_row(data, row_tag)
            if cut is None:
                if len(data) > MAX_SHEET_RANGE_BYTES:
                    yield None
                    return
                continue
            at, number = cut
            yield SheetRange(head, data[:at], tail, first)
            data, first = data[at:], number
    except Exception:  # zlib.error, BadZipFile (a CRC), EOFError: see above
        yield None


def _end_tags(head: bytes, part: str, sheet_data: int) -> bytes | None:
    """Return the end tags of the elements open at the end of ``head``; None if it is odd.

    The head is parsed with the reader's guards (no DTD, no entities); its last start
    tag must be the ``<sheetData>`` found at ``sheet_data``, not text in a comment.
    """
    parser = expat_parser(part)
    parser.buffer_text = False
    open_tags: list[str] = []
    last_start = [-1]

    def start(name: str, _attrs: dict[str, str]) -> None:
        open_tags.append(name)
        last_start[0] = parser.CurrentByteIndex

    def end(_name: str) -> None:
        open_tags.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        check_xml_prolog(head, part)
        parser.Parse(head, False)
    except Exception:  # the parent's reader reports what is wrong
        return None
    if (
        last_start[0] != sheet_data
        or not open_tags
        or open_tags[-1].rpartition(":")[2] != "sheetData"  # not <sheetData/>
    ):
        return None
    return "".join(f"</{name}>" for name in reversed(open_tags)).encode()


def _last_row(data: bytes, row_tag: bytes) -> tuple[int, int] | None:
    """Return where the last numbered ``<row`` start tag of ``data`` begins, and its number.

    The first byte never counts: a range holds at least one row.
    """
    end = len(data)
    for _ in range(8):
        at = data.rfind(row_tag, 1, end)
        if at < 0:
            return None
        after = at + len(row_tag)
        if after < len(data) and data[after] in _TAG_END:
            close = data.find(b">", after)
            if close < 0:
                end = at
                continue
            number = _ROW_NUMBER.search(data, after, close)
            if number is not None:
                return at, int(number.group(1))
        end = at
    return None


@dataclass
class SheetRows:
    """The data rows of a range, parsed as a document of its own.

    ``plain`` holds the rows at the range's start that were decoded plain (see
    :mod:`harmonizer.io.sheet_plain`), ``parsed`` the rows expat read after them;
    ``last`` is the number of the last row read (header rows and blank rows too), 0
    when the range holds none.
    """

    parsed: list[SourceRow]
    last: int
    plain: PlainRows | None = None

    @property
    def rows(self) -> list[SourceRow]:
        """Return every data row of the range, in order."""
        return self.parsed if self.plain is None else self.plain.rows + self.parsed


def range_rows(layout: SheetLayout, part: SheetRange) -> SheetRows:
    """Parse a range's rows; rows of the header (read by the parent) are left out.

    The plain rows at the range's start are decoded at once (see
    :mod:`harmonizer.io.sheet_plain`); expat parses whatever follows them, as a
    document of its own with the head and end tags around it. When the whole range is
    plain and not the last, expat has nothing left to parse: plain rows are
    well-formed by their form.

    Raises:
        DamagedSheet: the range does not start on the row its cut said, or its rows are
            damaged; pyexpat.ExpatError, UnsafeXml: it is not well-formed as cut.
    """
    plain = layout.cells.plain(part.data)
    if plain is None:
        return _parsed(layout, part.head + part.data + part.tail, part.first, 0)
    if part.first is not None and plain.numbers[0] != part.first:
        raise DamagedSheet(f"the range starts on row {plain.numbers[0]}, not {part.first}")
    rest = part.data[plain.end :]
    if not rest and not part.last:
        return SheetRows([], plain.numbers[-1], plain)
    after = _parsed(layout, part.head + rest + part.tail, None, plain.numbers[-1])
    return SheetRows(after.parsed, after.last or plain.numbers[-1], plain)


def _parsed(layout: SheetLayout, document: bytes, first: int | None, after: int) -> SheetRows:
    """Parse a range's rows with expat, after row ``after``; the first must be ``first`` if given."""
    stream = io.BytesIO(document)
    numbers: list[int] = []

    def numbered() -> Iterator[RawRow]:
        for number, cells in sheet_rows(stream, layout.part, after):
            if not numbers and first is not None and number != first:
                raise DamagedSheet(f"the range starts on row {number}, not {first}")
            numbers.append(number)
            if number > layout.cells.header_end:
                yield number, cells

    rows = list(layout.cells.rows(numbered()))
    return SheetRows(rows, numbers[-1] if numbers else 0)
