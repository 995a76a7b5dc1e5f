"""The rows of one worksheet, streamed from its XML by expat, a few callbacks a cell.

A general XML tree costs an object per element; a sheet has three elements a cell.
This reader lets expat (C) do the parsing and keeps only what a cell needs: its
reference, type, style, value text and whether it holds a formula. It needs no end
tags: a cell ends where the next one starts, a row where the next row (or anything
that is not part of a row) starts. DTDs and entities are refused in expat's own
callbacks, before anything could be expanded.

Every ``<row>`` element becomes exactly one row, numbered as the sheet numbers it; a
row number that repeats or goes backwards, or a cell that repeats or goes backwards
within its row, raises :class:`DamagedSheet`: reading on would lose or misplace rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from harmonizer.io.cells import Cell, column_index, column_letter
from harmonizer.io.safety import check_xml_prolog
from harmonizer.io.xlsx_parts import expat_parser

CHUNK = 1 << 16
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384

# What each element means to the reader; names with a namespace prefix ("x:c") are
# looked up by their local name and cached.
_ROW, _CELL, _VALUE, _FORMULA, _INLINE, _TEXT, _PHONETIC, _INSIDE, _SHEET_DATA, _OTHER = range(10)
_KINDS = {
    "row": _ROW,
    "c": _CELL,
    "v": _VALUE,
    "f": _FORMULA,
    "is": _INLINE,
    "t": _TEXT,
    "rPh": _PHONETIC,
    "extLst": _INSIDE,
    "ext": _INSIDE,
    "sheetData": _SHEET_DATA,
}


class DamagedSheet(Exception):
    """The sheet's XML is well-formed but not a sheet that can be read without loss."""


RawCell = list[Any]
"""One cell as the sheet stores it: [column index, type, style, value text or None
(no <v>), has a formula]."""
RawRow = tuple[int, list[RawCell]]
"""One ``<row>``: its number and its cells, in column order."""


def sheet_rows(stream: IO[bytes], part: str, after: int = 0) -> Iterator[RawRow]:
    """Yield every row of a worksheet's XML, streaming ``CHUNK`` bytes at a time.

    ``after`` is the number of the row before the XML's first (0: none), when the
    XML is the rest of a sheet whose first rows were read otherwise: a row without a
    number follows it, and a row numbered at or before it is damage.

    Raises:
        UnsafeXml: the XML declares a DTD or entities.
        DamagedSheet: row numbers or cell references repeat or go backwards, or are
            beyond what a sheet can hold.
        pyexpat.ExpatError: the XML is not well-formed.
    """
    parser = expat_parser(part)

    kinds = dict(_KINDS)
    done: list[RawRow] = []
    letters: dict[str, int] = {}
    number = after
    cells: list[RawCell] | None = None  # the open row's cells
    pending: RawCell | None = None  # the open cell
    capture = False
    inline = False
    phonetic = False
    last_column = -1
    rows_started = 0

    def kind_of(name: str) -> int:
        local = name.rpartition(":")[2]
        kind = _KINDS.get(local, _OTHER)
        kinds[name] = kind
        return kind

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal cells, pending, capture, inline, phonetic, number, last_column, rows_started
        # <v> is every other element of a sheet: the shortest path first.
        if name == "v" and not inline:
            if pending is not None:
                pending[3] = ""  # a <v> is there, even if empty (a formula giving "")
                capture = True
            return
        kind = kinds.get(name)
        if kind is None:
            kind = kind_of(name)
        if inline:
            # Inside <is>: rich-text runs; their <t> texts are the value, phonetic
            # guides (<rPh>) are not.
            if kind == _TEXT and not phonetic:
                capture = True
            elif kind == _PHONETIC:
                phonetic = True
                capture = False
            return
        if kind == _VALUE:
            if pending is not None:
                pending[3] = ""  # a <v> is there, even if empty (a formula giving "")
                capture = True
            return
        if kind == _CELL:
            if cells is None:
                raise DamagedSheet("a cell outside any row")
            ref = attrs.get("r")
            if ref is None:
                index = last_column + 1
                if index >= MAX_COLUMN:
                    raise DamagedSheet(f"row {number} has a cell beyond the last column (XFD)")
            else:
                key = ref.rstrip("0123456789")
                found = letters.get(key)
                if found is None:
                    try:
                        found = column_index(key) if key else -1
                        if found < 0:
                            raise ValueError(ref)
                    except ValueError:
                        raise DamagedSheet(f"row {number} has a cell named '{ref[:20]}'") from None
                    if found >= MAX_COLUMN:
                        raise DamagedSheet(f"row {number} has a cell beyond the last column (XFD)")
                    letters[key] = found
                index = found
                if index <= last_column:
                    raise DamagedSheet(
                        f"row {number}: cell {ref[:20]} comes after column "
                        f"{column_letter(last_column)} (a cell repeats or goes backwards)"
                    )
            last_column = index
            pending = [index, attrs.get("t"), attrs.get("s"), None, False]
            cells.append(pending)
            capture = False
            return
        capture = False
        if kind == _ROW:
            if cells is not None:
                done.append((number, cells))
            rows_started += 1
            ref = attrs.get("r")
            if ref is None:
                following = number + 1
            else:
                try:
                    following = int(ref)
                except ValueError:
                    raise DamagedSheet(f"a row is numbered '{ref[:20]}'") from None
                if following <= number:
                    raise DamagedSheet(
                        f"row {following} comes after row {number} (the sheet's row numbers "
                        "repeat or go backwards)"
                    )
            if following > MAX_ROW:
                raise DamagedSheet(f"row {following} is beyond the last row a sheet can have")
            number = following
            last_column = -1
            cells = []
            pending = None
        elif kind == _FORMULA:
            if pending is not None:
                pending[4] = True
        elif kind == _INLINE:
            if pending is not None:
                pending[3] = ""
            inline = True
            phonetic = False
            parser.EndElementHandler = end_inline
        elif kind == _OTHER:
            # Anything that is not part of a row ends the open one.
            if cells is not None:
                done.append((number, cells))
            cells = pending = None

    def end_inline(name: str) -> None:
        nonlocal capture, inline
        kind = kinds.get(name)
        if kind is None:
            kind = kind_of(name)
        if kind == _TEXT:
            capture = False
        elif kind == _INLINE:
            inline = capture = False
            parser.EndElementHandler = None

    def text(data: str) -> None:
        if capture:
            assert pending is not None
            pending[3] += data

    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    yielded = 0
    data = stream.read(CHUNK)
    check_xml_prolog(data, part)
    while True:
        parser.Parse(data, not data)
        if not data and cells is not None:
            done.append((number, cells))
            cells = None
        if done:
            yielded += len(done)
            yield from done
            done.clear()
        if not data:
            break
        data = stream.read(CHUNK)
    # Every <row> element of the XML is one row read: the count is the check.
    if yielded != rows_started:  # pragma: no cover - an invariant of the parser above
        raise DamagedSheet(f"the sheet has {rows_started} rows, {yielded} were read")


def excel_date(number: float, epoch: dt.datetime, kind: str) -> Cell:
    """Turn a serial of a date-formatted cell into a date, datetime or time, as Excel shows it.

    A date-only format (``d.m.yyyy``) gives a ``datetime.date`` when the serial has no
    time of day, so later stages can tell a date from a midnight; a serial outside
    Python's dates stays a number (the date converter reports it).

    >>> excel_date(46349, dt.datetime(1899, 12, 30), "date")
    datetime.date(2026, 11, 23)
    >>> excel_date(46349.5, dt.datetime(1899, 12, 30), "datetime")
    datetime.datetime(2026, 11, 23, 12, 0)
    """
    from openpyxl.utils.datetime import from_excel

    try:
        value = from_excel(number, epoch, timedelta=kind == "timedelta")
    except (OverflowError, ValueError):
        return number
    if isinstance(value, dt.timedelta):
        return str(value)
    if kind == "date" and isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value
    return number
