"""Readers: an export (csv or xlsx) becomes a header and a stream of source rows.

Every reader streams: it holds one row at a time, never the whole export. Readers
report what they guessed (encoding, delimiter, sheet) in :class:`ExportInfo`, so a
run's manifest can say why a file parsed the way it did.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from harmonizer.errors import ReadError
from harmonizer.io.cells import Cell, normalise_cell, normalise_text
from harmonizer.io.safety import DEFAULT_LIMITS, ZipLimits, check_csv, check_xlsx
from harmonizer.redaction import redact_text

SAMPLE_BYTES = 1 << 20
DELIMITER_CANDIDATES = (";", ",", "\t", "|")
# csv's default limit (128 KiB) is lower than a long free-text answer can be; the
# engine reports cells over converters.MAX_CELL_CHARS itself, with their location. A
# cell over this limit (or a line over it) is almost always a quote that is never
# closed, which would swallow the rows after it: the reader refuses the file.
CSV_FIELD_LIMIT = 1 << 24


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row of an export: its 1-based physical row number and normalised cells."""

    row: int
    values: tuple[Cell, ...]

    @property
    def is_blank(self) -> bool:
        """Return True when every cell is empty."""
        return all(v is None for v in self.values)


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

    @property
    def name(self) -> str:
        """Return the export's file name, as messages show it."""
        return self.path.name

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
    ) -> None:
        self.info = info
        self._rows = rows
        self._close = close

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


def _skip_trailing_blanks(rows: Iterator[SourceRow]) -> Iterator[SourceRow]:
    """Hold back blank rows until a non-blank row follows.

    Spreadsheets often report formatted but empty rows after the data; they are not
    rows anybody entered, so they are neither records nor excluded rows.
    """
    pending: list[SourceRow] = []
    for row in rows:
        if row.is_blank:
            pending.append(row)
            continue
        yield from pending
        pending.clear()
        yield row


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


def _split_header(
    numbered: Iterator[tuple[int, tuple[Cell, ...]]],
    options: SourceOptions,
    info: ExportInfo,
) -> Iterator[SourceRow]:
    """Consume rows up to and including the header; fill ``info.header``; yield the rest."""
    first = options.header_row
    last = first + options.header_rows - 1
    header_cells: list[tuple[Cell, ...]] = []
    for number, cells in numbered:
        if number < first:
            continue
        if number <= last:
            header_cells.append(cells)
            if number == last:
                info.header = _combine_header(header_cells)
                break
    else:
        raise ReadError(
            f"{info.name}: the header is expected on row {first}, but the export has "
            f"{'no rows' if not header_cells else 'too few rows'}; check header_row in "
            "the mapping's source section, or whether the file is empty"
        )
    for number, cells in numbered:
        yield SourceRow(number, cells)


# --- csv -------------------------------------------------------------------------


def detect_encoding(sample: bytes, *, utf8_error: int | None = None) -> tuple[str, str]:
    """Guess the encoding of a csv sample; return ``(encoding, reason)``.

    Providers' tools write UTF-8 (often with a BOM), UTF-16 (Excel's "Unicode text")
    or Windows-1252 (older Finnish Windows). Bytes that decode as UTF-8 are UTF-8.
    ``utf8_error`` is the offset of the first byte of the whole file that is not UTF-8,
    when a pass over the whole file found one; without it the sample is judged.

    >>> detect_encoding("ä;ö".encode("utf-16-le"))
    ('utf-16-le', 'UTF-16 without a byte order mark (every other byte is NUL)')
    >>> detect_encoding("äiti;öljy".encode("cp1252"))
    ('cp1252', 'not valid UTF-8 at byte 0; read as Windows-1252')
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 byte order mark"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16 byte order mark"
    if len(sample) >= 2 and b"\x00" in sample:
        half = len(sample) // 4
        if sample[1::2].count(0) > half:
            return "utf-16-le", "UTF-16 without a byte order mark (every other byte is NUL)"
        if sample[0::2].count(0) > half:
            return "utf-16-be", "UTF-16 without a byte order mark (every other byte is NUL)"
    if utf8_error is None:
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as err:
            # A multi-byte character cut at the end of the sample is still UTF-8.
            if err.start < len(sample) - 3:
                utf8_error = err.start
    if utf8_error is not None:
        return "cp1252", f"not valid UTF-8 at byte {utf8_error}; read as Windows-1252"
    return "utf-8", "valid UTF-8"


CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _cp1252_gap(path: Path) -> tuple[int, int] | None:
    """Return the line and value of the first byte that Windows-1252 leaves undefined."""
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            found = CP1252_UNDEFINED.search(chunk)
            if found is not None:
                return line + chunk.count(b"\n", 0, found.start()), chunk[found.start()]
            line += chunk.count(b"\n")
    return None


def _probe(path: Path) -> tuple[str, int, int | None]:
    """Return the sha256, the size and the offset of the first non-UTF-8 byte (or None).

    One pass serves both: the export is hashed anyway, and checking the whole file
    (not a sample) keeps a late 'ä' in Windows-1252 from being read as UTF-8.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    bad: int | None = None
    with path.open("rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            digest.update(chunk)
            if bad is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as err:
                    bad = size + max(err.start, 0)
            size += len(chunk)
    if bad is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = size
    return digest.hexdigest(), size, bad


def detect_delimiter(first_line: str) -> str:
    """Return the candidate delimiter that occurs most often in the header line."""
    counts = {d: first_line.count(d) for d in DELIMITER_CANDIDATES}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Lines:
    """The lines of a text file, each at most ``limit`` characters, for csv.reader.

    A file without line breaks (a binary file, or a hostile one) would otherwise be
    read into memory whole. ``last`` is the latest line, for spotting an open quote.
    """

    def __init__(self, handle: IO[str], path: Path, limit: int) -> None:
        self._handle = handle
        self._path = path
        self._limit = limit
        self.last = ""
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._handle.readline(self._limit + 1)
        if not line:
            raise StopIteration
        if len(line) > self._limit:
            raise ReadError(
                f"{self._path.name}: line {self.count + 1} is longer than {self._limit:,} "
                "characters; this is not a csv export (or a quote is never closed)"
            )
        self.count += 1
        self.last = line
        return line


def _csv_cells(
    reader: Iterator[list[str]], lines: _Lines, path: Path, encoding: str
) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    number = 0
    ended = 0  # the last line of the previous record
    started = 1
    try:
        for number, record in enumerate(reader, start=1):
            started, ended = ended + 1, lines.count
            yield number, tuple(normalise_text(v) for v in record)
    except UnicodeDecodeError as err:
        raise ReadError(
            f"{path.name}: the text is not valid {encoding} ({err.reason}), at or after "
            f"row {number + 1}; set source.encoding in the mapping (for example cp1252, "
            "utf-8 or utf-16)"
        ) from err
    except csv.Error as err:
        hint = (
            '; a cell that long is almost always a quote (") that is never closed'
            if "field larger" in str(err)
            else ""
        )
        raise ReadError(
            f"{path.name}: row {number + 1}: broken csv: {redact_text(str(err))}{hint}; "
            "correct the export"
        ) from err
    _check_closed_quotes(lines, number, started, path)


def _check_closed_quotes(lines: _Lines, number: int, started: int, path: Path) -> None:
    """Refuse an export whose last row ends inside quotes: the rows after it are lost.

    A record that spans lines ends on a line with a closing quote; when the file ends
    on a line of the record without any quote, the quote was never closed.
    """
    if number and lines.count > started and '"' not in lines.last:
        raise ReadError(
            f"{path.name}: row {number}: a quoted cell is never closed: the file ends inside "
            f"quotes, and lines {started}-{lines.count} were read as one cell; add the "
            'closing quote (") in the export'
        )


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def read_csv(path: Path, options: SourceOptions) -> Table:
    """Open a csv export as a :class:`Table`.

    Raises:
        ReadError: the file cannot be opened or decoded.
    """
    check_csv(path)
    digest, size, utf8_error = _probe(path)
    info = ExportInfo(
        path=path, format="csv", sha256=digest, size=size, header_row=options.header_row
    )
    with path.open("rb") as probe:
        sample = probe.read(SAMPLE_BYTES)
    if options.encoding:
        encoding = options.encoding
    else:
        encoding, reason = detect_encoding(sample, utf8_error=utf8_error)
        info.guessed.append(f"encoding {encoding} ({reason})")
    info.encoding = encoding
    if _known(encoding) and codecs.lookup(encoding).name == "cp1252":
        gap = _cp1252_gap(path)
        if gap is not None:
            raise ReadError(
                f"{path.name}: line {gap[0]} has the byte 0x{gap[1]:02X}, which is not a "
                "character in Windows-1252 (and the file is not UTF-8 either); the file is "
                "damaged or in another encoding: set source.encoding in the mapping "
                "(for example latin-1)"
            )
    try:
        handle: IO[str] = path.open(encoding=encoding, newline="")
    except LookupError as err:
        raise ReadError(f"{path.name}: unknown encoding {encoding!r}") from err
    try:
        if options.delimiter:
            delimiter = options.delimiter
        else:
            first_line = handle.readline(SAMPLE_BYTES)
            handle.seek(0)
            delimiter = detect_delimiter(first_line)
            info.guessed.append(f"delimiter {delimiter!r}")
    except UnicodeDecodeError as err:
        handle.close()
        raise ReadError(
            f"{path.name}: the text is not valid {encoding} ({err.reason}), at or after row 1; "
            "set source.encoding in the mapping (for example cp1252, utf-8 or utf-16)"
        ) from err
    info.delimiter = delimiter
    csv.field_size_limit(CSV_FIELD_LIMIT)
    lines = _Lines(handle, path, CSV_FIELD_LIMIT)
    reader = csv.reader(lines, delimiter=delimiter)
    numbered = _csv_cells(reader, lines, path, encoding)
    try:
        rows = _split_header(numbered, options, info)
        first = next(rows, None)
    except BaseException:
        handle.close()
        raise

    def generate() -> Iterator[SourceRow]:
        if first is not None:
            yield first
        yield from rows

    return Table(info, _skip_trailing_blanks(generate()), handle.close)


# --- xlsx ------------------------------------------------------------------------


def read_xlsx(path: Path, options: SourceOptions) -> Table:
    """Open an xlsx export as a :class:`Table`, streaming with openpyxl's read-only mode.

    Raises:
        ReadError: the file is not an xlsx workbook, is encrypted or corrupt, or lacks
            the sheet the mapping names.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx(path, options.limits)
    digest, size = file_sha256(path)
    info = ExportInfo(
        path=path, format="xlsx", sha256=digest, size=size, header_row=options.header_row
    )
    # openpyxl leaves its file open when a workbook fails to load; holding the handle
    # here lets every path close it.
    source = path.open("rb")
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
        source.close()
        raise ReadError(
            f"{path.name}: not a readable xlsx workbook ({redact_text(str(err))}); save it again from "
            "Excel as .xlsx, without a password"
        ) from err
    # openpyxl raises what its parsers raise (defusedxml's refusals are ValueErrors,
    # a damaged part gives a ParseError or zlib.error): every one means a broken file.
    except Exception as err:
        source.close()
        raise ReadError(f"{path.name}: {_xlsx_problem(err)}") from err

    def close() -> None:
        workbook.close()
        source.close()

    try:
        names = workbook.sheetnames
        sheet = options.sheet
        if not names:
            raise ReadError(
                f"{path.name}: the workbook has no worksheets; open it in Excel or "
                "LibreOffice and save it again as .xlsx"
            )
        if sheet is None:
            title = names[0]
            if len(names) > 1:
                info.guessed.append(f"sheet '{title}' (the first of {len(names)})")
        elif isinstance(sheet, int):
            if not 1 <= sheet <= len(names):
                raise ReadError(
                    f"{path.name}: the mapping asks for sheet number {sheet}, but the "
                    f"workbook has {len(names)} sheet(s): {', '.join(names)}"
                )
            title = names[sheet - 1]
        elif sheet in names:
            title = sheet
        else:
            raise ReadError(
                f"{path.name}: no sheet '{sheet}'; the workbook has: {', '.join(names)}; "
                "set source.sheet in the mapping to one of them"
            )
        worksheet = workbook[title]
        info.sheet = title
        numbered = _xlsx_cells(worksheet, path, title)
        rows = _split_header(numbered, options, info)
        first = next(rows, None)
    except BaseException:
        close()
        raise

    def generate() -> Iterator[SourceRow]:
        if first is not None:
            yield first
        yield from rows

    return Table(info, _skip_trailing_blanks(generate()), close)


def _xlsx_problem(err: BaseException) -> str:
    from defusedxml import DefusedXmlException

    cause: BaseException | None = err
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        err = cause
        return (
            f"the workbook's XML declares entities or a DTD ({type(err).__name__}), which "
            "harmonizer refuses (they are used to expand data or read other files); "
            "save the workbook again from Excel as .xlsx"
        )
    # openpyxl's own messages run over several lines; the first one says it.
    detail = redact_text(str(err).strip().splitlines()[0]) if str(err).strip() else ""
    return (
        f"the workbook is corrupt ({type(err).__name__}: {detail}); open it in Excel or "
        "LibreOffice and save it again as .xlsx"
    )


def _xlsx_cells(worksheet: Any, path: Path, title: str) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    number = 0
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, tuple(normalise_cell(v) for v in values)
    except ReadError:
        raise
    # As at opening: whatever the parser raises mid-sheet means the sheet is damaged.
    except Exception as err:
        raise ReadError(
            f"{path.name}: sheet '{title}', after row {number}: {_xlsx_problem(err)}"
        ) from err


Reader = Callable[[Path, SourceOptions], Table]

READERS_BY_FORMAT: dict[str, Reader] = {"csv": read_csv, "xlsx": read_xlsx}
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


def read_table(path: Path, options: SourceOptions | None = None) -> Table:
    """Open an export by its format (from the options, else from its suffix).

    Raises:
        ReadError: the file is missing, of an unsupported format, or unreadable.

    >>> with read_table(Path("examples/kanta-kiosk.csv")) as table:
    ...     table.info.header
    ('timestamp', 'device', 'question', 'button')
    """
    options = options or SourceOptions()
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    fmt = options.format or FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        hint = " (save .xls files as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise ReadError(
            f"{path.name}: unsupported file type {path.suffix!r}{hint}; harmonizer "
            "reads .csv and .xlsx"
        )
    return READERS_BY_FORMAT[fmt](path, options)
