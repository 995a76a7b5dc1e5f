"""Reading csv exports: encodings, delimiters and broken quoting, streaming."""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from harmonizer.errors import ReadError
from harmonizer.io.arrow import memory_pool
from harmonizer.io.cells import CONTROL, Cell, column_letter, normalise_row, normalise_text
from harmonizer.io.csv_ranges import CsvLayout, Range, lone_returns, rangeable
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
from harmonizer.issues import Issue, IssueCode, preview
from harmonizer.redaction import redact_text

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

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


SURROGATES = re.compile("[\udc80-\udcff]+")
"""Bytes that are not UTF-8, as the 'surrogateescape' error handler decodes them."""
CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
"""Control characters other than tab and line breaks."""


def _has_surrogates(text: str) -> bool:
    """Return True when ``text`` holds bytes that were not UTF-8 (see SURROGATES)."""
    # A strict encode stops at the first escaped byte and is an order of magnitude
    # faster than SURROGATES.search on text that has none, the usual case.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass
class Probe:
    """What one pass over the whole file found: its hash, size and how UTF-8 it is."""

    sha256: str
    size: int
    bad_offset: int | None = None
    """The offset of the first byte that is not UTF-8, or None."""
    bad_line: int | None = None
    bad_runs: int = 0
    """How many runs of non-UTF-8 bytes the file has."""
    utf8_line: int | None = None
    """The first line with a valid multi-byte UTF-8 character, or None."""
    utf8_chars: int = 0
    """How many valid non-ASCII UTF-8 characters the file has."""
    control_bytes: bool = False
    """Whether any byte is a control character other than tab and line breaks."""

    @property
    def mixed(self) -> bool:
        """Return True when the file is UTF-8 in places and not UTF-8 in others."""
        return self.bad_offset is not None and self.utf8_chars > 0


def _probe(path: Path) -> Probe:
    """Hash the file and judge its UTF-8 in one pass over the whole file.

    One pass serves both: the export is hashed anyway, and checking the whole file
    (not a sample) keeps a late 'ä' in Windows-1252 from being read as UTF-8, and
    tells a UTF-8 file with a few Windows-1252 lines from a Windows-1252 file.

    A thread hashes the chunks while this one judges them (hashlib lets go of the
    interpreter while it hashes, so the two share the machine's cores). While the file
    is valid UTF-8 (the usual case) a chunk costs one validation and two byte counts
    (lead bytes, which count its characters, and control bytes); lines are counted only
    until the first non-ASCII character is placed. At the first byte that is not UTF-8
    the pass goes on as :func:`_probe_escaped`, which judges every character.
    """
    import numpy as np

    found = Probe("", 0)
    size = 0
    lines: int | None = 1  # the line a chunk starts on, while still needed
    pending = b""  # a character cut at the end of the last chunk
    with path.open("rb") as handle, _Digest() as digest:
        while chunk := handle.read(SAMPLE_BYTES):
            digest.update(chunk)
            data = pending + chunk if pending else chunk
            codes = np.frombuffer(data, np.uint8)
            if not found.control_bytes and _controls(codes):
                found.control_bytes = True
            if not data.isascii():
                used = _whole_characters(data)
                if not _valid_utf8(data, used):
                    line = _lines_before(path, size) if lines is None else lines
                    return _probe_escaped(handle, digest, pending, found, size, line, chunk)
                pending = data[used:]
                leads = int(np.count_nonzero(codes[:used] >= 0xC0))
                if leads and found.utf8_line is None and lines is not None:
                    first = _NON_ASCII.search(data)
                    assert first is not None
                    found.utf8_line = lines + data.count(b"\n", 0, first.start())
                found.utf8_chars += leads
            else:
                pending = b""
            size += len(chunk)
            if lines is not None:
                lines = None if found.utf8_line is not None else lines + chunk.count(b"\n")
        if pending:
            # A character cut off by the end of the file: not UTF-8.
            line = _lines_before(path, size) if lines is None else lines
            return _probe_escaped(handle, digest, pending, found, size, line)
    found.sha256, found.size = digest.hexdigest(), size
    return found


class _Digest:
    """The sha256 of the chunks given, computed by a thread of its own.

    hashlib lets go of the interpreter while it hashes a chunk, so the hash of an export
    is made on one core while the probe judges its bytes on the other. At most
    :data:`_CHUNKS_AHEAD` chunks wait for the thread (bounded memory).
    """

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=_CHUNKS_AHEAD)
        self._thread = threading.Thread(target=self._hash, name="harmonizer-hash", daemon=True)
        self._thread.start()

    def _hash(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            self._sha256.update(chunk)

    def update(self, chunk: bytes) -> None:
        """Hash ``chunk`` after the chunks given before it."""
        self._chunks.put(chunk)

    def hexdigest(self) -> str:
        """Return the digest of every chunk given, once the thread has hashed them."""
        self.close()
        return self._sha256.hexdigest()

    def close(self) -> None:
        """Let the thread hash what it holds, and end it."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()

    def __enter__(self) -> _Digest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_CHUNKS_AHEAD = 4


def _controls(codes: npt.NDArray[np.uint8]) -> bool:
    """Return True when the bytes ``codes`` hold one of :data:`CONTROL_BYTES`."""
    # Comparisons over the whole chunk run at memory speed (a lookup table would
    # gather byte by byte): below a space, all but the line breaks and the tab.
    low = codes < 0x20
    for allowed in _ALLOWED_LOW:
        low &= codes != allowed
    return bool(low.any())


_ALLOWED_LOW = sorted(set(range(0x20)) - set(CONTROL_BYTES))


def _whole_characters(data: bytes) -> int:
    """Return where a UTF-8 character cut off by the end of ``data`` starts, else its length.

    As the incremental decoder does, only the start of a character (a lead byte and
    the continuation bytes it calls for, all valid so far) is kept for the next chunk;
    bytes that cannot start one are left for the validation to refuse.
    """
    for start in range(len(data) - 1, max(len(data) - 4, -1), -1):
        if data[start] >= 0xC0:
            try:
                _, used = codecs.utf_8_decode(data[start:], "strict", False)
            except UnicodeDecodeError:
                return len(data)
            return start if used == 0 else len(data)
        if data[start] < 0x80:
            break
    return len(data)


def _valid_utf8(data: bytes, end: int) -> bool:
    """Return True when the first ``end`` bytes of ``data`` are valid UTF-8."""
    import numpy as np
    import pyarrow as pa

    # Arrow validates without making the text, about twice as fast as a strict decode.
    offsets = pa.py_buffer(np.array([0, end], dtype=np.int32))
    text = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _probe_escaped(
    handle: BinaryIO,
    digest: Any,
    pending: bytes,
    found: Probe,
    size: int,
    lines: int,
    chunk: bytes = b"",
) -> Probe:
    """Go on with :func:`_probe`'s pass, judging every character of the decoded text.

    ``pending`` holds the bytes of a character the chunks before cut off; ``chunk`` the
    chunk already read and hashed, at byte ``size`` and line ``lines``.
    """
    import numpy as np

    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    decoder.decode(pending)  # as if it had read every chunk before
    while True:
        if not chunk:
            chunk = handle.read(SAMPLE_BYTES)
            if not chunk:
                break
            digest.update(chunk)
        if not found.control_bytes and _controls(np.frombuffer(chunk, np.uint8)):
            found.control_bytes = True
        if not chunk.isascii() or decoder.getstate()[0]:
            _judge(decoder.decode(chunk), size, lines, found)
        size += len(chunk)
        lines += chunk.count(b"\n")
        chunk = b""
    _judge(decoder.decode(b"", final=True), size, lines, found)
    found.sha256, found.size = digest.hexdigest(), size
    return found


def _lines_before(path: Path, offset: int) -> int:
    """Return the line that byte ``offset`` of the file is on (counted when first needed)."""
    lines = 1
    with path.open("rb") as handle:
        while offset > 0 and (chunk := handle.read(min(SAMPLE_BYTES, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _judge(text: str, offset: int, lines: int, found: Probe) -> None:
    """Count the UTF-8 and non-UTF-8 characters of one decoded chunk."""
    if text.isascii():
        return
    bad = SURROGATES.search(text) if _has_surrogates(text) else None
    runs = 0
    bad_chars = 0
    if bad is not None:
        runs_found = SURROGATES.findall(text)
        runs = len(runs_found)
        bad_chars = sum(len(r) for r in runs_found)
        if found.bad_offset is None:
            found.bad_offset = offset + len(text[: bad.start()].encode("utf-8", "surrogateescape"))
            found.bad_line = lines + text.count("\n", 0, bad.start())
    found.bad_runs += runs
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    good = non_ascii - bad_chars
    if good and found.utf8_line is None:
        first = _UTF8_CHAR.search(text)
        if first is not None:
            found.utf8_line = lines + text.count("\n", 0, first.start())
    found.utf8_chars += good


_UTF8_CHAR = re.compile("[^\x00-\x7f\udc80-\udcff]")


_SEP_LINE = re.compile(r"\ufeff?sep=(.)\r?\n?")
"""Excel's first line ``sep=;`` that says which character separates the cells."""


def delimiter_hint(info: ExportInfo) -> str | None:
    """Say which delimiter to set when a csv header read as one cell holds another one.

    >>> info = ExportInfo(Path("a.csv"), "csv", "", 0, 1, ("Aika,NPS,Palaute",), delimiter=";")
    >>> delimiter_hint(info)
    "the header reads as one cell, which ',' separates into 3: set source.delimiter: ',' in the mapping (it says ';')"
    """
    cells = [h for h in info.header if h]
    if info.format != "csv" or len(cells) != 1:
        return None
    counts = {d: cells[0].count(d) for d in DELIMITER_CANDIDATES if d != info.delimiter}
    best = max(counts, key=lambda d: counts[d])
    if not counts[best]:
        return None
    return (
        f"the header reads as one cell, which {best!r} separates into {counts[best] + 1}: "
        f"set source.delimiter: {best!r} in the mapping (it says {info.delimiter!r})"
    )


def detect_delimiter(first_line: str) -> str:
    """Return the candidate delimiter that occurs most often in the header line."""
    counts = {d: first_line.count(d) for d in DELIMITER_CANDIDATES}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


MARK = "\uffff"
"""Stands in for a removed control character until the csv parser has split the cells
(U+FFFF is a noncharacter: no text holds it), so the warning can name the cell."""


class _Lines:
    """The lines of a text file, each at most ``limit`` characters, for csv.reader.

    A file without line breaks (a binary file, or a hostile one) would otherwise be
    read into memory whole. ``record`` holds the lines of the record being read (for
    telling an unclosed quote at the end of the file); ``bad`` the lines of that record
    that were not valid UTF-8, and ``controls`` whether it held control characters.
    """

    def __init__(
        self,
        handle: IO[str],
        path: Path,
        limit: int,
        *,
        mixed: str | None,
        controls: bool,
        count: int = 0,
    ) -> None:
        self._handle = handle
        self._path = path
        self._limit = limit
        self._mixed = mixed
        self._check_controls = controls
        self.count = count
        """The lines read, and those before the first (a range starts further on)."""
        self.chars = 0
        self.record: list[str] = []
        self.bad: list[int] = []
        self.controls = False

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
        self.chars += len(line)
        if self._mixed and not line.isascii():
            line = self._one_encoding(line)
        if self._check_controls and CONTROL.search(line) is not None:
            self.controls = True
            line = CONTROL.sub(MARK, line)
        self.record.append(line)
        return line

    def _one_encoding(self, line: str) -> str:
        """Decode a line of a mixed file by itself; note it when it is not in ``mixed``.

        The handle decodes as UTF-8 with 'surrogateescape', so the line's bytes are
        recoverable. A line that is not valid UTF-8 is read as Windows-1252 (when no
        UTF-8 character is in it), and a UTF-8 line of a Windows-1252 file as UTF-8:
        each line shows its own text, and the row is reported, never garbled silently.
        """
        bad = SURROGATES.search(line) is not None
        if not bad:
            if self._mixed == "utf-8":
                return line
            self.bad.append(self.count)  # a UTF-8 line in a Windows-1252 file
            return line
        raw = line.encode("utf-8", "surrogateescape")
        if self._mixed == "cp1252" and _UTF8_CHAR.search(line) is None:
            return raw.decode("cp1252", "replace")  # the file's own encoding
        self.bad.append(self.count)
        if _UTF8_CHAR.search(line) is None:
            return raw.decode("cp1252", "replace")
        return SURROGATES.sub("\ufffd", line)


def open_quote(text: str, delimiter: str) -> bool:
    r"""Return True when csv text ends inside a quoted cell (as Python's csv reads it).

    >>> open_quote('a;"b\nc;d\n', ";"), open_quote('a;"b ""x""\nc";d\n', ";")
    (True, False)
    """
    if '"' not in text:
        return False
    quoted = False
    at_start = True
    previous_quote = False
    for char in text:
        if quoted:
            if char == '"':
                previous_quote = not previous_quote  # a second one: an escaped ""
                continue
            if previous_quote:  # the quote before closed the cell
                quoted = previous_quote = False
                at_start = char in (delimiter, "\n", "\r")
            continue
        if char == '"' and at_start:
            quoted = True
            previous_quote = False
            continue
        at_start = char in (delimiter, "\n", "\r")
    return quoted and not previous_quote


class _CsvRows:
    """Turns csv records into source rows with their physical line and reader issues."""

    def __init__(
        self,
        lines: _Lines,
        info: ExportInfo,
        header_end: int,
        delimiter: str,
        mixed: str | None = None,
    ) -> None:
        self.mixed = mixed
        self.lines = lines
        self.info = info
        self.delimiter = delimiter
        self.header_end = header_end
        """The header's last row: a row after it has its cells under the header's names."""
        self.open_end = False
        """A range's last record ran into a quoted cell that its range does not close."""
        self.records = 0

    def rows(
        self,
        reader: Iterator[list[str]],
        encoding: str,
        *,
        first: int = 1,
        last: bool = True,
    ) -> Iterator[SourceRow]:
        """Yield the records as source rows, the first numbered ``first``.

        A range of the file (``first`` > 1) notes the line shifts after the last one
        ``info`` holds: the parent process merges them into the export's. A range that
        is not ``last`` and ends inside a quoted cell sets :attr:`open_end` instead of
        raising: its end was no record boundary.
        """
        lines, info, path = self.lines, self.info, self.info.path
        number = first - 1
        started = lines.count + 1  # 2 after a skipped "sep=;" line
        # A range read by a worker starts from no shift, and the parent keeps only the
        # changes; the parent's own reader of the rest of a file goes on from its last.
        shift = info.line_shifts[-1][1] if info.line_shifts else 0
        previous: list[str] = []  # the lines of the last record read
        try:
            for number, parsed in enumerate(reader, start=first):
                ended = lines.count
                record = parsed
                issues: tuple[Issue, ...] = ()
                if lines.bad or lines.controls:
                    record, issues = self._cleaned(number, record)
                if ended > started and number > self.header_end:
                    issues += self._multiline(number, started, record)
                if started - number != shift:
                    shift = started - number
                    info.line_shifts.append((number, shift))
                self.records += 1
                yield SourceRow(number, normalise_row(record), started, issues)
                started = ended + 1
                previous, lines.record = lines.record, []
        except UnicodeDecodeError as err:
            raise ReadError(
                f"{path.name}: the text is not valid {encoding} ({err.reason}), at or after "
                f"row {number + 1} (line {lines.count}); set source.encoding in the mapping "
                "(for example cp1252, utf-8 or utf-16)"
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
        if previous and open_quote("".join(previous), self.delimiter):
            if not last:
                self.open_end = True
                return
            opened = lines.count - len(previous) + 1
            raise ReadError(
                f"{path.name}: row {number}: a quoted cell is never closed: the quote opened "
                f"on line {opened} runs to the end of the file, and lines {opened}-"
                f'{lines.count} were read as one row; add the closing quote (") in the export'
            )

    def _issue(
        self, code: IssueCode, number: int, index: int | None, detail: str, value: Cell
    ) -> Issue:
        header = self.info.header
        column = (
            header[index]
            if index is not None and number > self.header_end and index < len(header)
            else None
        )
        return Issue(
            code,
            f"{detail}; {code.info.remedy}",
            code.severity,
            self.info.name,
            None,
            number,
            column,
            None if index is None else column_letter(index),
            None,
            preview(value),
        )

    def _cleaned(self, number: int, record: list[str]) -> tuple[list[str], tuple[Issue, ...]]:
        issues: list[Issue] = []
        lines = self.lines
        if lines.bad:
            shown = ", ".join(str(n) for n in lines.bad)
            most = "UTF-8" if self.mixed == "utf-8" else "Windows-1252"
            other = "Windows-1252" if self.mixed == "utf-8" else "UTF-8"
            issues.append(
                self._issue(
                    IssueCode.UNDECODABLE_LINE,
                    number,
                    None,
                    f"line {shown} of the file is not in {most}, as the rest of the file "
                    f"is, but (probably) in {other}; it is read as such and the row is not "
                    "used",
                    None,
                )
            )
            lines.bad.clear()
        if lines.controls:
            cleaned = []
            for index, raw in enumerate(record):
                value = raw
                if MARK in raw:
                    count = raw.count(MARK)
                    value = raw.replace(MARK, "")
                    issues.append(
                        self._issue(
                            IssueCode.CONTROL_CHARACTER,
                            number,
                            index,
                            f"the cell held {count} control character(s)",
                            normalise_text(value),
                        )
                    )
                cleaned.append(value)
            record = cleaned
            lines.controls = False
        return record, tuple(issues)

    def _multiline(self, number: int, started: int, record: list[str]) -> tuple[Issue, ...]:
        """Warn when a cell's lines each look like a whole row: a stray quote joined them."""
        width = len(self.info.header)
        if width < 3:
            return ()
        for index, value in enumerate(record):
            if "\n" not in value and "\r" not in value:
                continue
            parts = value.splitlines()[1:]
            rowlike = sum(
                1
                for part in parts
                if len(next(csv.reader([part], delimiter=self.delimiter), [])) == width
            )
            if rowlike:
                return (
                    self._issue(
                        IssueCode.SUSPICIOUS_MULTILINE,
                        number,
                        index,
                        f"the quoted cell runs over lines {started}-{self.lines.count} of the "
                        f"file, and {rowlike} of its lines look like whole rows of "
                        f"{width} cells; if a quote is stray or missing there, rows were "
                        "joined into this cell",
                        value.splitlines()[0] if value.splitlines() else value,
                    ),
                )
        return ()


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _choose_encoding(sample: bytes, probe: Probe, info: ExportInfo) -> tuple[str, str | None]:
    """Return the encoding to read with, and for a mixed file the encoding of most of it.

    A file that is UTF-8 in places and not in others is read line by line: each line
    in its own encoding, the lines not in the encoding of most of the file reported.
    """
    encoding, reason = detect_encoding(sample, utf8_error=probe.bad_offset)
    if encoding in {"utf-8", "utf-8-sig", "cp1252"} and probe.mixed:
        most = "utf-8" if probe.utf8_chars >= probe.bad_runs else "cp1252"
        encoding = "utf-8-sig" if sample.startswith(codecs.BOM_UTF8) else "utf-8"
        first = probe.bad_line if most == "utf-8" else probe.utf8_line
        named = "UTF-8" if most == "utf-8" else "Windows-1252"
        reason = (
            f"mostly {named}, with lines in another encoding from line {first} on; "
            "each line is read in its own encoding and reported"
        )
        info.guessed.append(f"encoding {named} ({reason})")
        return encoding, most
    info.guessed.append(f"encoding {encoding} ({reason})")
    return encoding, None


def read_csv(path: Path, options: SourceOptions) -> Table:
    """Open a csv export as a :class:`Table`.

    Raises:
        ReadError: the file cannot be opened or decoded.
    """
    check_csv(path)
    probe = _probe(path)
    info = ExportInfo(
        path=path,
        format="csv",
        sha256=probe.sha256,
        size=probe.size,
        header_row=options.header_row,
    )
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    mixed: str | None = None
    if options.encoding:
        encoding = options.encoding
    else:
        encoding, mixed = _choose_encoding(sample, probe, info)
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
        handle_text: IO[str] = path.open(
            encoding=encoding, newline="", errors="surrogateescape" if mixed else "strict"
        )
    except LookupError as err:
        raise ReadError(f"{path.name}: unknown encoding {encoding!r}") from err
    try:
        first_line = handle_text.readline(SAMPLE_BYTES)
        handle_text.seek(0)
        sep = _SEP_LINE.fullmatch(first_line)
        if sep is not None:
            # Excel's "sep=;" line: it names the delimiter and is skipped, not a row.
            delimiter = sep[1]
            if options.delimiter and options.delimiter != delimiter:
                handle_text.close()
                raise ReadError(
                    f"{path.name}: the first line '{first_line.strip()}' says the cells are "
                    f"separated by {delimiter!r}, but the mapping says source.delimiter: "
                    f"{options.delimiter!r}; set source.delimiter: {delimiter!r} in the mapping"
                )
            info.guessed.append(f"delimiter {delimiter!r} from the first line (skipped)")
        elif options.delimiter:
            delimiter = options.delimiter
        else:
            delimiter = detect_delimiter(first_line)
            info.guessed.append(f"delimiter {delimiter!r}")
    except UnicodeDecodeError as err:
        handle_text.close()
        raise ReadError(
            f"{path.name}: the text is not valid {encoding} ({err.reason}), at or after row 1; "
            "set source.encoding in the mapping (for example cp1252, utf-8 or utf-16)"
        ) from err
    except BaseException:
        handle_text.close()
        raise
    info.delimiter = delimiter
    csv.field_size_limit(CSV_FIELD_LIMIT)
    # UTF-16 hides its control bytes among NULs: its lines are checked as text.
    controls = probe.control_bytes or codecs.lookup(encoding).name.startswith("utf-16")
    lines = _Lines(handle_text, path, CSV_FIELD_LIMIT, mixed=mixed, controls=controls)
    if sep is not None:
        next(lines)
        lines.record = []
    reader = csv.reader(lines, delimiter=delimiter)
    numbered = _CsvRows(lines, info, options.header_end, delimiter, mixed).rows(reader, encoding)
    try:
        rows = split_header(numbered, options, info)
        first = next(rows, None)
    except BaseException:
        handle_text.close()
        raise

    def generate() -> Iterator[SourceRow]:
        if first is not None:
            yield first
        yield from rows

    layout = None
    # A file that is not valid UTF-8 read as UTF-8 (its mapping says so) fails where
    # the reader meets the first bad byte, with that row's number: not in a range.
    decodes = probe.bad_offset is None or not codecs.lookup(encoding).name.startswith("utf-8")
    if not mixed and first is not None and first.line is not None and rangeable(encoding):
        start = _line_start(path, first.line) if decodes else None
        if start is not None:
            layout = CsvLayout(
                path,
                encoding,
                delimiter,
                controls,
                options.header_end,
                start,
                first.line,
                first.row,
            )
    return Table(
        info,
        skip_trailing_blanks(generate()),
        handle_text.close,
        text_read=lambda: lines.chars,
        layout=layout,
    )


def _line_start(path: Path, line: int) -> int | None:
    """Return the byte offset of physical ``line`` (1-based), as ``newline=""`` counts."""
    with path.open("rb") as handle:
        data = handle.read(SAMPLE_BYTES)
        seen, offset = 1, 0
        while seen < line:
            found = _BREAK.search(data, offset)
            # A "\r" at the end of what was read may be the first half of "\r\n".
            if found is None or (found[0] == b"\r" and found.end() == len(data)):
                more = handle.read(SAMPLE_BYTES)
                if more:
                    data += more
                    continue
                if found is None:
                    return None
            seen += 1
            offset = found.end()
    return offset


_BREAK = re.compile(rb"\r\n|\r|\n")


class _DecodedText(io.StringIO):
    """A range's text as a file for the csv module, decoded and filled when first read.

    A plain range is parsed by Arrow and never read line by line: it spares the copy
    into the file's buffer (1.4 ms a MiB), and in UTF-8 the decoding too (0.9 ms). It
    holds the bytes, not the :class:`RangeRows` reading them: a reference back would
    make a cycle, which kept each range's megabytes until the garbage collector ran.
    """

    def __init__(self, data: bytes, layout: CsvLayout, name: str, start: int) -> None:
        super().__init__(newline="")
        self._data, self._layout, self._name, self._start = data, layout, name, start
        self._text: str | None = None
        self._filled = False

    def text(self) -> str:
        """Return the range's text, decoded when first asked for.

        Raises:
            ReadError: the bytes are no longer in the export's encoding.
        """
        if self._text is None:
            try:
                self._text = self._data.decode(_range_codec(self._layout))
            except UnicodeDecodeError as err:
                # The whole file decoded when the run began (that is when ranges are used).
                raise ReadError(
                    f"{self._name}: the file changed while it was read (byte "
                    f"{self._start + err.start} is no longer {self._layout.encoding}); "
                    "run again once it is complete"
                ) from err
        return self._text

    # typeshed gives StringIO the readline of IOBase (bytes); StringIO's returns text.
    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        if not self._filled:
            self.write(self.text())
            self.seek(0)
            self._filled = True
        return super().readline(size)


class RangeRows:
    """The source rows of one range of a csv export, read as :func:`read_csv` reads.

    After the rows: ``records`` read, ``open_end`` (see :class:`_CsvRows`), the line
    shifts noted, and the characters read (:meth:`chars`).
    """

    def __init__(
        self, layout: CsvLayout, info: ExportInfo, part: Range, *, own_info: bool = True
    ) -> None:
        # A worker notes line shifts in a copy of its own, which the parent merges; the
        # parent reading the rest of a file itself notes them in the export's.
        self.info = replace(info, line_shifts=[], guessed=[]) if own_info else info
        if part.end is None:
            handle = layout.path.open("rb")
            handle.seek(part.start)
            text: IO[str] = io.TextIOWrapper(handle, encoding=_range_codec(layout), newline="")
        else:
            with layout.path.open("rb") as raw:
                raw.seek(part.start)
                self._raw = raw.read(part.end - part.start)
            text = self._decoding = _DecodedText(self._raw, layout, info.name, part.start)
        self._text = text
        self._layout, self._part = layout, part
        self._own = part.end is not None and own_info
        # The bytes as read, when they are the text's UTF-8 (what Arrow parses).
        utf8 = self._own and _range_codec(layout) == "utf-8"
        self._data = self._raw if utf8 else None
        self._lines = _Lines(
            text,
            layout.path,
            CSV_FIELD_LIMIT,
            mixed=None,
            controls=layout.controls,
            count=part.line - 1,
        )
        csv.field_size_limit(CSV_FIELD_LIMIT)
        reader = csv.reader(self._lines, delimiter=layout.delimiter)
        self._rows = _CsvRows(self._lines, self.info, layout.header_end, layout.delimiter)
        self.rows = self._rows.rows(reader, layout.encoding, first=part.row, last=part.last)

    def plain(self) -> list[list[str]] | None:
        """Return the range's records as lists of cells as written, when they are plain.

        Plain: every record is one line, closes its quotes, and is no candidate for a
        blank row, and the range holds no control character and no line break but LF
        and CR LF. Such a range is parsed in one call of the csv module, and its source
        rows are numbered on from the range's first (its rows are :meth:`plain`'s, not
        :attr:`rows`'). Anything else returns None, and :attr:`rows` reads the range
        line by line with every check of the reader.
        """
        body = self._plain_body()
        if body is None:
            return None
        try:
            # Lines split by LF (a CR before it ends its line as well): twice as fast as
            # iterating a StringIO.
            rows = list(csv.reader(body.split("\n"), delimiter=self._layout.delimiter))
        except csv.Error:
            return None
        if not self._plain_records(_PlainBody.of(body), len(rows)):
            return None
        return rows

    def plain_table(self, width: int) -> pa.Table | None:
        """Return :meth:`plain`'s cells as a table of ``width`` text columns, parsed by Arrow.

        The same range is plain or not as for :meth:`plain`, and on a plain range Arrow's
        parser gives the csv module's cells (a property test holds them equal on
        generated lines, quotes, doubled quotes and text after a closing quote
        included): with every record one line that closes its quotes, the two read a
        line alike. A record of another width, a cell longer than the csv module reads,
        a record longer than Arrow's block, or a byte order mark first (which Arrow would
        drop) returns None: the range is then read by :meth:`plain` or line by line.
        """
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        plain = self._plain_data()
        # Arrow drops a byte order mark at the start of its input; the csv module keeps it.
        if (
            plain is None
            or plain.chars >= CSV_FIELD_LIMIT
            or bytes(plain.data[:3]) == codecs.BOM_UTF8
        ):
            return None
        names = [f"c{index}" for index in range(width)]
        try:
            table = pa_csv.read_csv(
                pa.py_buffer(plain.data),
                read_options=pa_csv.ReadOptions(use_threads=False, column_names=names),
                parse_options=pa_csv.ParseOptions(
                    delimiter=self._layout.delimiter, newlines_in_values=False
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
                memory_pool=memory_pool(),
            )
        except pa.ArrowException:
            # A ragged record, a record longer than Arrow's block, bytes that are not
            # UTF-8 (the file changed): the csv module reads the range, and says so.
            return None
        if not self._plain_records(plain, table.num_rows):
            return None
        return table

    def _plain_data(self) -> _PlainBody | None:
        """Return the body as UTF-8, when it may be plain (see :attr:`_plain_text`).

        In UTF-8 the checks are made on the range's bytes, which need no decoding: the
        search for lines that may be blank looks for a superset of them (any byte of a
        non-ASCII character counts as blank), and the text decides where it finds one.
        Other encodings, or a file with control bytes, take the text's checks.
        """
        data = self._data
        if data is None or self._layout.controls:
            text = self._plain_body()
            if text is None:
                return None
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate the decoder let through
                return None
            return _PlainBody.of(text, encoded)
        import numpy as np

        if self._rows.records or not data:
            return None
        codes = np.frombuffer(data, np.uint8)
        if len(lone_returns(codes)):
            return None
        end = len(data) - data.endswith(b"\n")
        if _blank_candidates(self._layout.delimiter, data, end) and self._plain_text is None:
            return None
        body = codes[:end]
        last = data.rfind(b"\n", 0, end) + 1
        return _PlainBody(
            memoryview(data)[:end],
            # UTF-8 has one lead byte per character; the others are continuation bytes.
            chars=end - int(np.count_nonzero((body & 0xC0) == 0x80)),
            lines=int(np.count_nonzero(body == 0x0A)),
            last=data[last:end].decode("utf-8", "replace"),
        )

    def _plain_body(self) -> str | None:
        """Return the range's text without its last line break, when it may be plain."""
        return None if self._rows.records else self._plain_text

    @property
    def _decoded(self) -> str | None:
        return self._decoding.text() if self._own else None

    @functools.cached_property
    def _plain_text(self) -> str | None:
        # Cached: when Arrow leaves a range, the csv module tries it after the same checks.
        text, layout = self._decoded, self._layout
        if text is None or not text:
            return None
        import numpy as np

        # A lone CR, found in the range's bytes: a CR and an LF are one byte each in every
        # range encoding, inside no other character.
        lone_cr = len(lone_returns(np.frombuffer(self._raw, np.uint8))) > 0
        if (layout.controls and CONTROL.search(text)) or lone_cr:
            return None
        body = text[:-1] if text.endswith("\n") else text
        if _maybe_blank(layout.delimiter).search(f"\n{body.removesuffix(chr(13))}\n"):
            return None
        return body

    def _plain_records(self, body: _PlainBody, records: int) -> bool:
        """Tell whether a plain parse of ``records`` records holds; if so, note them read."""
        if records != body.lines + 1:
            return False  # a quoted cell spans lines: the reader notes each such record
        if open_quote(body.last, self._layout.delimiter):
            return False
        part = self._part
        self._rows.records = records
        # The range's text held its body and, where it ended with one, a line break.
        self._lines.chars = body.chars + self._raw.endswith(b"\n")
        self._lines.count = part.line - 1 + records
        if part.line != part.row:
            self.info.line_shifts.append((part.row, part.line - part.row))
        return True

    @property
    def records(self) -> int:
        """Return the records read so far."""
        return self._rows.records

    @property
    def open_end(self) -> bool:
        """Return True when the range ended inside a quoted cell it does not close."""
        return self._rows.open_end

    @property
    def line_shifts(self) -> list[tuple[int, int]]:
        """Return the (row, line - row) shifts noted in the range."""
        return self.info.line_shifts

    def chars(self) -> int:
        """Return the characters read so far."""
        return self._lines.chars

    def close(self) -> None:
        """Release the file."""
        self._text.close()


@dataclass(frozen=True)
class _PlainBody:
    """A plain range's text without its last line break: as parsed, and what it holds."""

    data: bytes | memoryview
    chars: int
    lines: int
    """Its line feeds (a record per line: one fewer than its records)."""
    last: str
    """Its last line."""

    @classmethod
    def of(cls, text: str, data: bytes = b"") -> _PlainBody:
        return cls(data, len(text), text.count("\n"), text[text.rfind("\n") + 1 :])


@functools.cache
def _blank_bytes(delimiter: str) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Return patterns of the UTF-8 of lines that may hold only blank cells.

    The first finds such a line between line feeds, the second is a whole line: a
    superset of what :func:`_maybe_blank` matches in the text.
    """
    blank = b'[\\s\\x1c-\\x1f\\x80-\\xff"' + re.escape(delimiter.encode("utf-8")) + b"]*"
    return re.compile(b"\n" + blank + b"\n"), re.compile(blank)


def _blank_candidates(delimiter: str, data: bytes, end: int) -> bool:
    """Return True when a line of ``data[:end]`` (read as between line feeds) may be blank."""
    between, whole = _blank_bytes(delimiter)
    first = data.find(b"\n", 0, end)
    if first < 0:
        return whole.fullmatch(data, 0, end) is not None
    last = data.rfind(b"\n", 0, end)
    return (
        whole.fullmatch(data, 0, first) is not None
        or between.search(data, 0, end) is not None
        or whole.fullmatch(data, last + 1, end) is not None
    )


@functools.cache
def _maybe_blank(delimiter: str) -> re.Pattern[str]:
    """Return the pattern of a line that may hold only blank cells (spaces, quotes, delimiters).

    Searched in the text with a line break added at each end. Each match starts with a
    line break: the search skips from one to the next, where ``^`` in MULTILINE mode
    tried every character (ten times slower).
    """
    return re.compile(f'\n[\\s\ufeff"{re.escape(delimiter)}]*\n')


def _range_codec(layout: CsvLayout) -> str:
    # A range starts after the header, past any byte order mark.
    name = codecs.lookup(layout.encoding).name
    return "utf-8" if name == "utf-8-sig" else name
