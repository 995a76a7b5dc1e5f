"""Reading csv exports: encodings, delimiters and broken quoting, streaming."""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from harmonizer.errors import ReadError
from harmonizer.io.cells import Cell, normalise_text
from harmonizer.io.safety import check_csv
from harmonizer.io.table import (
    SAMPLE_BYTES,
    ExportInfo,
    SourceOptions,
    SourceRow,
    Table,
    skip_trailing_blanks,
    split_header,
)
from harmonizer.redaction import redact_text

DELIMITER_CANDIDATES = (";", ",", "\t", "|")
# csv's default limit (128 KiB) is lower than a long free-text answer can be; the
# engine reports cells over converters.MAX_CELL_CHARS itself, with their location. A
# cell over this limit (or a line over it) is almost always a quote that is never
# closed, which would swallow the rows after it: the reader refuses the file.
CSV_FIELD_LIMIT = 1 << 24


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
        rows = split_header(numbered, options, info)
        first = next(rows, None)
    except BaseException:
        handle.close()
        raise

    def generate() -> Iterator[SourceRow]:
        if first is not None:
            yield first
        yield from rows

    return Table(info, skip_trailing_blanks(generate()), handle.close)
