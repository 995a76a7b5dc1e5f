"""Rows of a sheet as spreadsheet programs write them, decoded at once instead of by expat.

Excel, LibreOffice and most export libraries write a sheet's rows in one plain form:
``<row r="7" spans="1:22">``, then cells holding a shared text
(``<c r="B7" s="3" t="s"><v>41</v></c>``), a number, or an inline text
(``<c r="C7" t="inlineStr"><is><t>Kyllä</t></is></c>``), nothing else. Expat costs a
few Python callbacks per cell; for a range of such rows (see
:mod:`harmonizer.io.sheet_ranges`) this module checks the bytes against that form with
one regular expression (possessive, so it runs in linear time) and then takes every
row number, column, shared text and number out with NumPy, so that a shared text costs
no Python object per cell (a number or an inline text is read once per distinct text).

The form is narrow on purpose: no comment, CDATA section, processing instruction,
character reference or whitespace between tags; in texts only the five named entities,
and no carriage return (XML would make it a line feed); every attribute of a row in
the schema's order (so none can repeat). Bytes of that form are well-formed XML (a text
that is not UTF-8 or holds a character XML forbids is left to expat, which refuses it),
and their rows read exactly as the streaming reader reads them: a differential property
test holds the two equal. The first byte outside the form ends the plain rows: the rest
of the range goes to expat, which checks and reads it as before. Anything the reader
would have something to say about (a text with control characters, a cell far right of
the header, a row or cell that does not go forward, a number that is none) also ends
the plain rows, so only rows without any reader issue are decoded here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from harmonizer.io.cells import CONTROL, Cell, normalise_text
from harmonizer.io.table import SourceRow
from harmonizer.io.xlsx_parts import unescape_xstring
from harmonizer.io.xlsx_sheet import DamagedSheet

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
MAX_CELLS = 1 << 22
"""A plain range's rows are laid out as a table of rows x columns before they become
tuples: a range whose table would hold more places than this (a sheet thousands of
columns wide) is left to expat."""

_VALUE = rb'="[ !#-%\'-;=?-~]*+"'
"""An attribute's value: printable ASCII without a quote, ``&`` or ``<``."""
_ROW_ATTRIBUTES = (
    b"spans",
    b"s",
    b"customFormat",
    b"ht",
    b"hidden",
    b"customHeight",
    b"outlineLevel",
    b"collapsed",
    b"thickTop",
    b"thickBot",
    b"ph",
    b"x14ac:dyDescent",
)
_TEXT = rb"(?:[^<&\]\x00-\x08\x0b\x0c\x0e-\x1f\r]|\](?!\]>)|&(?:amp|lt|gt|quot|apos);)*+"
"""An inline text: no markup, control character or carriage return (which XML would
turn into a line feed), no ``]]>`` (which XML forbids in text), only the five named
entities."""
_CELL = (
    rb'<c r="[A-Z]{1,3}+[0-9]{1,7}+"(?: s="[0-9]{1,9}+")?+'
    rb'(?:(?: t="[sn]")?+(?:/>|><v>[-+.0-9Ee]{1,40}+</v></c>)'
    rb'| t="inlineStr"><is><t(?: xml:space="preserve")?+>' + _TEXT + rb"</t></is></c>)"
)
_ROW = (
    rb'<row r="[0-9]{1,7}+"'
    + b"".join(rb"(?: " + name + _VALUE + rb")?+" for name in _ROW_ATTRIBUTES)
    + rb"(?:/>|>(?:"
    + _CELL
    + rb")*+</row>)"
)
_PLAIN = re.compile(rb"(?:" + _ROW + rb")*+")
_STYLE = re.compile(rb' s="([0-9]+)"')

_LT, _GT = ord("<"), ord(">")
_ROW_TAG, _CELL_TAG, _VALUE_TAG, _INLINE_TAG = ord("r"), ord("c"), ord("v"), ord("i")
_SHARED, _INLINE = ord("s"), ord("r")  # the last letter of t="s" and t="inlineStr"
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


@dataclass(frozen=True)
class PlainRows:
    """The plain rows at the start of a range, their filled cells kept column-wise.

    ``numbers`` are the numbers of every row decoded (header rows too), ``end`` where
    the plain rows end in the range's data. The data rows (after the header) are
    ``data_numbers``; each filled cell of theirs has its row's place among them
    (``places``, ascending), its column and an id: a shared text's index, or past
    them, an index into ``extra`` (the range's distinct numbers and inline texts).
    """

    numbers: list[int]
    end: int
    data_numbers: npt.NDArray[np.int64]
    places: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    ids: npt.NDArray[np.int64]
    texts: SharedTexts
    extra: npt.NDArray[np.object_]

    def values(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
        """Return the cells of the given ids."""
        import numpy as np

        count = len(self.texts.values)
        own = ids >= count
        if not own.any():
            picked: npt.NDArray[np.object_] = self.texts.values[ids]
            return picked
        out = np.empty(len(ids), dtype=object)
        out[~own] = self.texts.values[ids[~own]]
        out[own] = self.extra[ids[own] - count]
        return out

    @cached_property
    def rows(self) -> list[SourceRow]:
        """Return the data rows, each as wide as its last filled cell."""
        import numpy as np

        count = len(self.data_numbers)
        span = int(self.columns.max()) + 1 if len(self.columns) else 0
        table = np.empty((count, span), dtype=object)
        table[self.places, self.columns] = self.values(self.ids)
        lengths = np.zeros(count, dtype=np.int64)
        np.maximum.at(lengths, self.places, self.columns + 1)
        return [
            SourceRow(number, tuple(cells[:length]))
            for number, cells, length in zip(
                self.data_numbers.tolist(), table.tolist(), lengths.tolist(), strict=True
            )
        ]

    def codable(self, width: int) -> bool:
        """Tell whether the data rows can be read as coded columns.

        They must be numbered one after another, each hold a filled cell (a blank row
        is excluded row by row) and none stand right of the header's ``width``.
        """
        import numpy as np

        count = len(self.data_numbers)
        return (
            count > 0
            and int(self.data_numbers[-1] - self.data_numbers[0]) == count - 1
            and bool(np.bincount(self.places, minlength=count).all())
            and int(self.columns.max()) < width
        )

    def coded(self, wanted: Iterable[int], start: int, stop: int) -> dict[int, DistinctColumn]:
        """Return columns of the data rows ``start:stop``: distinct cells, each row's code."""
        import numpy as np

        lo, hi = np.searchsorted(self.places, [start, stop])
        places, columns, ids = self.places[lo:hi] - start, self.columns[lo:hi], self.ids[lo:hi]
        out: dict[int, DistinctColumn] = {}
        for index in wanted:
            column = np.full(stop - start, -1, dtype=np.int64)
            here = columns == index
            column[places[here]] = ids[here]
            distinct, codes = np.unique(column, return_inverse=True)
            cells: list[Cell] = []
            if len(distinct) and distinct[0] < 0:
                cells.append(None)
                distinct = distinct[1:]
            cells.extend(self.values(distinct).tolist())
            out[index] = (cells, codes)
        return out

    def source(self, place: int) -> SourceRow:
        """Return the data row at ``place`` as the reader gives it."""
        import numpy as np

        lo, hi = np.searchsorted(self.places, [place, place + 1])
        columns = self.columns[lo:hi].tolist()
        cells: list[Cell] = [None] * (columns[-1] + 1 if columns else 0)
        for column, value in zip(columns, self.values(self.ids[lo:hi]).tolist(), strict=True):
            cells[column] = value
        return SourceRow(int(self.data_numbers[place]), tuple(cells))


DistinctColumn = tuple[list[Cell], "npt.NDArray[np.int64]"]
"""A column of a batch: its distinct cells, and each row's index into them (the shape
of :data:`harmonizer.engine.coded.Cells`' columns)."""


@dataclass(frozen=True)
class SharedTexts:
    """A workbook's shared texts as the plain decoder needs them, built once a run."""

    values: npt.NDArray[np.object_]
    """Each shared text as the reader reads it (normalised; None when blank)."""
    blank: npt.NDArray[np.bool_]
    """Where a shared text reads as None: such a cell is no cell."""
    controlled: npt.NDArray[np.bool_]
    """Where a shared text held control characters: its cells carry a reader issue."""

    @classmethod
    def of(cls, strings: list[Cell], controlled: set[int] | dict[int, int]) -> SharedTexts:
        """Return the arrays of a sheet's shared texts and those with control characters."""
        import numpy as np

        values = np.empty(len(strings), dtype=object)
        values[:] = strings
        blank = np.fromiter((value is None for value in strings), dtype=bool, count=len(strings))
        flags = np.zeros(len(strings), dtype=bool)
        flags[list(controlled)] = True
        return cls(values, blank, flags)


NumberCell = Callable[[str, int, int, str | None], Cell]
"""Reads a number cell as the streaming reader does, from its text, row, column and
style; raises DamagedSheet for a number that is none."""


def plain_extent(data: bytes) -> int:
    """Return how many bytes at the start of ``data`` are whole rows in the plain form."""
    found = _PLAIN.match(data)
    return 0 if found is None else found.end()


def plain_rows(
    data: bytes,
    texts: SharedTexts,
    number_cell: NumberCell,
    header_end: int,
    width: int,
    far: int,
) -> PlainRows | None:
    """Decode the plain rows at the start of ``data`` (whole rows of a sheet's XML).

    ``header_end`` is the last row of the header (rows up to it are counted, not
    returned), ``width`` the header's width and ``far`` how many columns right of it a
    filled cell may stand before the reader reports the row as ragged. None when no
    row at the start is plain, or when the plain rows hold anything the reader would
    report (then expat reads the whole range, and says it).
    """
    import numpy as np

    stop = plain_extent(data)
    if not stop:
        return None
    a = np.frombuffer(data, dtype=np.uint8, count=stop)
    lt = np.flatnonzero(a == _LT)
    after = a[lt + 1]
    starts = lt[after == _ROW_TAG]
    numbers = _digits(a, starts + 8, 7)
    if numbers is None or numbers[0] < 1 or numbers[-1] > MAX_ROW:
        return None
    if not (np.diff(numbers) > 0).all():
        return None
    cell_tags = np.flatnonzero(after == _CELL_TAG)
    cells = lt[cell_tags]
    row_of = np.searchsorted(starts, cells) - 1
    columns = _columns(a, cells + 6)
    # Every cell, valued or not, stands right of the one before it in its row, as
    # the streaming reader requires.
    same = row_of[1:] == row_of[:-1]
    if not (columns[1:][same] > columns[:-1][same]).all():
        return None
    if len(columns) and int(columns.max()) >= MAX_COLUMN:
        return None
    # A cell has a value when its start tag is followed by <v> or <is> (the form allows
    # nothing else there); one without is a style and nothing else, which the reader skips.
    valued = (after[cell_tags + 1] == _VALUE_TAG) | (after[cell_tags + 1] == _INLINE_TAG)
    cells, cell_tags, row_of, columns = (
        cells[valued],
        cell_tags[valued],
        row_of[valued],
        columns[valued],
    )
    closes = np.flatnonzero(a == _GT)
    tag_ends = closes[np.searchsorted(closes, cells)]
    found_values = _cell_values(
        data,
        a,
        lt,
        closes,
        cells,
        cell_tags,
        tag_ends,
        texts,
        number_cell,
        numbers[row_of],
        columns,
    )
    if found_values is None:
        return None
    ids, own = found_values
    # A cell whose value reads as None (a blank text) is no cell.
    filled = _filled(ids, texts, own)
    data_rows = numbers > header_end
    keep = filled & data_rows[row_of]
    row_of, columns, ids = row_of[keep], columns[keep], ids[keep]
    if width and len(columns) and int(columns.max()) >= width + far:
        return None  # a ragged row: the reader reports it
    first = int(np.argmax(data_rows)) if data_rows.any() else len(numbers)
    span = int(columns.max()) + 1 if len(columns) else 0
    if (len(numbers) - first) * span > MAX_CELLS:
        return None
    return PlainRows(
        numbers.tolist(), stop, numbers[first:], row_of - first, columns, ids, texts, own
    )


def _cell_values(
    data: bytes,
    a: npt.NDArray[np.uint8],
    lt: npt.NDArray[np.int64],
    closes: npt.NDArray[np.int64],
    cells: npt.NDArray[np.int64],
    cell_tags: npt.NDArray[np.int64],
    tag_ends: npt.NDArray[np.int64],
    texts: SharedTexts,
    number_cell: NumberCell,
    rows: npt.NDArray[np.int64],
    columns: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]] | None:
    """Return each valued cell's id (see PlainRows) and the range's own distinct values.

    None when a cell holds what the reader reports: a shared text it lacks or one with
    control characters, an inline text expat refuses, a number that is none.
    """
    import numpy as np

    # The byte before the tag's last quote: "s" of t="s", "r" of t="inlineStr"; "n" of
    # t="n" or a digit of another attribute for a number.
    kinds = a[tag_ends - 2]
    shared, inline = kinds == _SHARED, kinds == _INLINE
    # A value's text follows <v>; an inline text follows <is><t ...>, whose end is found.
    texts_at = np.where(
        inline,
        closes[np.searchsorted(closes, lt[np.minimum(cell_tags + 2, len(lt) - 1)])] + 1,
        lt[cell_tags + 1] + 3,
    )
    ends = lt[np.where(inline, cell_tags + 3, cell_tags + 2)]
    count = len(texts.values)
    ids = np.zeros(len(cells), dtype=np.int64)
    extra: list[Cell] = []
    if shared.any():
        indices = _digits(a, texts_at[shared], 9, ends[shared])
        if indices is None or int(indices.max()) >= count:
            return None
        if texts.controlled[indices].any():
            return None
        ids[shared] = indices
    if inline.any():
        read = _inline_texts(data, texts_at[inline].tolist(), ends[inline].tolist())
        if read is None:
            return None
        ids[inline] = np.asarray(read[0], dtype=np.int64) + count
        extra.extend(read[1])
    numeric = np.flatnonzero(~(shared | inline))
    if len(numeric):
        read = _numbers(
            data,
            number_cell,
            cells[numeric].tolist(),
            tag_ends[numeric].tolist(),
            texts_at[numeric].tolist(),
            ends[numeric].tolist(),
            rows[numeric].tolist(),
            columns[numeric].tolist(),
        )
        if read is None:
            return None
        ids[numeric] = np.asarray(read[0], dtype=np.int64) + count + len(extra)
        extra.extend(read[1])
    own = np.empty(len(extra), dtype=object)
    own[:] = extra
    own = np.empty(len(extra), dtype=object)
    own[:] = extra
    return ids, own


def _filled(
    ids: npt.NDArray[np.int64], texts: SharedTexts, extra: npt.NDArray[np.object_]
) -> npt.NDArray[np.bool_]:
    """Tell which cells hold a value that does not read as None."""
    import numpy as np

    count = len(texts.values)
    blank = np.zeros(len(ids), dtype=bool)
    shared = ids < count
    blank[shared] = texts.blank[ids[shared]]
    if len(extra):
        none = np.fromiter((value is None for value in extra.tolist()), dtype=bool)
        blank[~shared] = none[ids[~shared] - count]
    filled: npt.NDArray[np.bool_] = ~blank
    return filled


def _digits(
    a: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    most: int,
    ends: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int64] | None:
    """Read the decimal numbers at ``starts`` (up to ``ends``, or to the first non-digit).

    None when one has no digit, more than ``most`` digits, or (with ``ends``) anything
    else before its end.
    """
    import numpy as np

    value = np.zeros(len(starts), dtype=np.int64)
    count = np.zeros(len(starts), dtype=np.int64)
    going = np.ones(len(starts), dtype=bool)
    last = len(a) - 1
    for offset in range(most + 1):
        digit = a[np.minimum(starts + offset, last)].astype(np.int64) - ord("0")
        going &= (digit >= 0) & (digit <= 9)
        if ends is not None:
            going &= starts + offset < ends
        value = np.where(going, value * 10 + digit, value)
        count += going
    if not count.all() or (count > most).any():
        return None
    if ends is not None and (count != ends - starts).any():
        return None
    return value


def _columns(a: npt.NDArray[np.uint8], at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return the 0-based column of each cell reference at ``at`` (1 to 3 letters)."""
    import numpy as np

    index = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    for offset in range(3):
        byte = a[at + offset].astype(np.int64)
        going &= (byte >= ord("A")) & (byte <= ord("Z"))
        index = np.where(going, index * 26 + byte - ord("A") + 1, index)
    result: npt.NDArray[np.int64] = index - 1
    return result


def _numbers(
    data: bytes,
    number_cell: NumberCell,
    cells: list[int],
    tag_ends: list[int],
    texts_at: list[int],
    ends: list[int],
    rows: list[int],
    columns: list[int],
) -> tuple[list[int], list[Cell]] | None:
    """Read number cells as the reader reads them, once per text and style; None if one is none.

    Returns each cell's index into the distinct values read.
    """
    ids: list[int] = []
    seen: dict[tuple[bytes | None, bytes], int] = {}
    distinct: list[Cell] = []
    for cell, tag_end, text_at, end, row, column in zip(
        cells, tag_ends, texts_at, ends, rows, columns, strict=True
    ):
        style_match = _STYLE.search(data, cell, tag_end)
        style = style_match.group(1) if style_match is not None else None
        key = (style, data[text_at:end])
        found = seen.get(key)
        if found is None:
            try:
                value = number_cell(
                    key[1].decode("ascii"), row, column, None if style is None else style.decode()
                )
            except DamagedSheet:
                return None
            found = seen[key] = len(distinct)
            distinct.append(value)
        ids.append(found)
    return ids, distinct


def _inline_texts(
    data: bytes, starts: list[int], ends: list[int]
) -> tuple[list[int], list[Cell]] | None:
    """Read inline texts as the reader reads them, once per text; None if one has a reader issue.

    Returns each cell's index into the distinct texts read. A text with a control
    character (written ``_x0001_``) carries a warning, and one that is not UTF-8 or
    holds a character XML forbids is refused by expat: such a range is left to expat.
    """
    ids: list[int] = []
    seen: dict[bytes, int] = {}
    distinct: list[Cell] = []
    for start, end in zip(starts, ends, strict=True):
        raw = data[start:end]
        found = seen.get(raw)
        if found is None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
            if "\ufffe" in text or "\uffff" in text:
                return None
            if "&" in text:
                for entity, character in _ENTITIES.items():
                    text = text.replace(entity, character)
                text = text.replace("&amp;", "&")
            text = unescape_xstring(text)
            if CONTROL.search(text) is not None:
                return None
            found = seen[raw] = len(distinct)
            distinct.append(normalise_text(text))
        ids.append(found)
    return ids, distinct
