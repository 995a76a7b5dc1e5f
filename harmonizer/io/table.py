"""The shape every reader produces: export facts, a header and a stream of source rows."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from harmonizer.errors import ReadError
from harmonizer.io.cells import Cell
from harmonizer.io.csv_ranges import CsvLayout
from harmonizer.io.safety import DEFAULT_LIMITS, ZipLimits
from harmonizer.issues import Issue, Severity
from harmonizer.redaction import redact_text

if TYPE_CHECKING:
    from harmonizer.io.sheet_ranges import SheetLayout

SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row of an export: its 1-based row number and normalised cells.

    ``row`` is the spreadsheet row (xlsx) or the csv record's number (the header
    record is 1). ``line`` is the physical line of the csv file where the record
    starts (they differ after a cell holding line breaks); None for xlsx. ``issues``
    are what the reader found in the row's cells (a formula without a value, control
    characters removed, a line that is not valid UTF-8): the pipeline adds them to the
    row's issues, so an error among them rejects the row.
    """

    row: int
    values: tuple[Cell, ...]
    line: int | None = None
    issues: tuple[Issue, ...] = ()

    @property
    def is_blank(self) -> bool:
        """Return True when every cell is empty and the reader found nothing to say."""
        return not self.issues and self.values.count(None) == len(self.values)


@dataclass(frozen=True)
class SourceOptions:
    """How to read an export; every field left None is detected."""

    format: str | None = None
    sheet: str | int | None = None
    header_row: int = 1
    header_rows: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    limits: ZipLimits = DEFAULT_LIMITS

    @property
    def header_end(self) -> int:
        """Return the header's last row: the rows after it are data."""
        return self.header_row + self.header_rows - 1


@dataclass
class ExportInfo:
    """What a reader found, and guessed, about one export."""

    path: Path
    format: str
    sha256: str
    size: int
    header_row: int
    header: tuple[str | None, ...] = ()
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    guessed: list[str] = field(default_factory=list)
    line_shifts: list[tuple[int, int]] = field(default_factory=list)
    """csv: (row, line - row) from each row on which a cell's line breaks shift the
    physical line; one entry per shift, so the memory is bounded by multi-line cells."""

    @cached_property
    def name(self) -> str:
        """Return the export's file name, as messages and outputs show it.

        Redacted: a file named after a respondent (``vastaus 131052-308T.xlsx``) must
        not carry the code into the records' ``source.file`` or any report.
        """
        return redact_text(self.path.name) or ""

    def note_line(self, row: int, line: int) -> None:
        """Record that csv record ``row`` starts on physical line ``line``."""
        shift = line - row
        current = self.line_shifts[-1][1] if self.line_shifts else 0
        if shift != current:
            self.line_shifts.append((row, shift))

    def line_of(self, row: int) -> int | None:
        """Return the physical line of the csv file where record ``row`` starts.

        None for xlsx, whose rows are the spreadsheet's own numbers.
        """
        if self.format != "csv":
            return None
        at = bisect.bisect_right(self.line_shifts, (row, float("inf"))) - 1
        return row + (self.line_shifts[at][1] if at >= 0 else 0)

    def to_dict(self) -> dict[str, Any]:
        """Return the facts as plain JSON values."""
        return {
            "name": self.name,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "guessed": list(self.guessed),
        }


class Table(AbstractContextManager["Table"]):
    """An opened export: ``info`` (with the header) and an iterator of data rows.

    Use it as a context manager, or call :meth:`close`; closing releases the file even
    when the consumer stops early.
    """

    def __init__(
        self,
        info: ExportInfo,
        rows: Iterator[SourceRow],
        close: Callable[[], None],
        text_read: Callable[[], int] | None = None,
        layout: CsvLayout | None = None,
        sheet: SheetLayout | None = None,
    ) -> None:
        self.info = info
        self._rows = rows
        self._close = close
        self.text_read = text_read
        """The characters of the export read so far, when the reader counts them (csv):
        what the engine's batches are measured by without measuring every row."""
        self.layout = layout
        """How worker processes read the data rows by byte ranges (a csv export in an
        encoding that allows it, see :mod:`harmonizer.io.csv_ranges`); else None."""
        self.sheet = sheet
        """How worker processes parse the data rows by ranges of the sheet's XML (an
        xlsx export, see :mod:`harmonizer.io.sheet_ranges`); else None."""

    def __iter__(self) -> Iterator[SourceRow]:
        return self._rows

    def close(self) -> None:
        """Release the underlying file."""
        self._close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def file_sha256(path: Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file, reading it in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


BlankRun = tuple[int, int | None, int, int]
"""Blank rows that follow each other: the first's row and line, how many, their width."""


def skip_trailing_blanks(
    rows: Iterator[SourceRow], held: list[BlankRun] | None = None
) -> Iterator[SourceRow]:
    """Hold back blank rows until a non-blank row follows.

    Spreadsheets often report formatted but empty rows after the data; they are not
    rows anybody entered, so they are neither records nor excluded rows. Blank rows
    held back are kept as runs (first row, line, count, width), not one by one: a sheet
    whose dimension says A1:Z1048576, or a csv ending in millions of empty lines, takes
    the same memory as one blank row. With ``held``, the runs left at the end are put
    there instead of dropped: a range of a file does not end where the file does.
    """
    runs: list[BlankRun] = []
    for row in rows:
        if row.is_blank:
            width = len(row.values)
            if runs:
                first, line, count, last_width = runs[-1]
                follows = row.row == first + count and (
                    (line is None and row.line is None)
                    or (line is not None and row.line == line + count)
                )
                if follows and last_width == width:
                    runs[-1] = (first, line, count + 1, width)
                    continue
            runs.append((row.row, row.line, 1, width))
            continue
        if runs:
            yield from blank_rows(runs)
            runs.clear()
        yield row
    if held is not None:
        held.extend(runs)


def blank_rows(runs: Iterable[BlankRun]) -> Iterator[SourceRow]:
    """Yield the blank rows of runs that :func:`skip_trailing_blanks` held back."""
    for first, line, count, width in runs:
        blank = (None,) * width
        for offset in range(count):
            yield SourceRow(first + offset, blank, None if line is None else line + offset)


def _combine_header(rows: list[tuple[Cell, ...]]) -> tuple[str | None, ...]:
    """Join a multi-row header into one name per column.

    A merged cell in an upper header row has its value only in its first column, so
    upper rows are filled forward across the blanks to their right.
    """
    width = max((len(r) for r in rows), default=0)
    combined: list[list[str]] = [[] for _ in range(width)]
    last = len(rows) - 1
    for level, cells in enumerate(rows):
        carried: str | None = None
        for index in range(width):
            cell = cells[index] if index < len(cells) else None
            text = None if cell is None else str(cell)
            if text is None and level < last:
                text = carried
            else:
                carried = text
            if text is not None and (not combined[index] or combined[index][-1] != text):
                combined[index].append(text)
    return tuple(" / ".join(parts) if parts else None for parts in combined)


def split_header(
    numbered: Iterator[SourceRow],
    options: SourceOptions,
    info: ExportInfo,
) -> Iterator[SourceRow]:
    """Consume rows up to and including the header; fill ``info.header``; yield the rest.

    A header row missing from the export (an xlsx sheet stores no empty rows) counts
    as blank. A reader's error in a header cell (a formula without a value) stops the
    read: without the header no column can be found.
    """
    first = options.header_row
    last = options.header_end
    header_cells: list[tuple[Cell, ...]] = []
    following: SourceRow | None = None
    seen = False
    for source in numbered:
        if source.row < first:
            continue
        if source.row > last:
            following = source
            break
        seen = True
        for issue in source.issues:
            if issue.severity is Severity.ERROR:
                raise ReadError(f"{info.name}: header: {issue.location()}: {issue.message}")
        header_cells.append(source.values)
        if source.row == last:
            break
    if not seen and following is not None:
        raise ReadError(
            f"{info.name}: row {first}, where the header is expected, is empty; check "
            "header_row in the mapping's source section"
        )
    if not seen:
        raise ReadError(
            f"{info.name}: the header is expected on row {first}, but the export has "
            "too few rows; check header_row in the mapping's source section, or whether "
            "the file is empty"
        )
    header = _combine_header(header_cells)
    # An empty (or blank) header cell at the end of the header is no column: data under
    # it is data right of the header, warned of row by row (ragged-row), not dropped
    # without a word.
    end = len(header)
    while end and header[end - 1] is None:
        end -= 1
    info.header = header[:end]
    if following is not None:
        yield following
    yield from numbered
