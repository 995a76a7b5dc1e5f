"""Profiling an export for a draft: where its header is, and what each column holds.

The profile reads the export through the project's readers, streaming, and keeps a
bounded summary per column (at most :data:`MAX_DISTINCT` distinct values with their
counts, number and date statistics), so memory stays flat however long the export is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from harmonizer.draft.vocabulary import is_code
from harmonizer.errors import ReadError
from harmonizer.io.cells import Cell, column_letter
from harmonizer.io.csv_reader import DELIMITER_CANDIDATES
from harmonizer.io.readers import SourceOptions, SourceRow, read_table, refuse_non_file
from harmonizer.values import DEFAULT_DATE_WINDOW, EXCEL_EPOCH, parse_number

MAX_DISTINCT = 200
DEFAULT_SAMPLE_ROWS = 50_000
HEADER_SCAN_ROWS = 30
TAIL_ROWS = 3
MAX_SHEETS = 20
SNIFF_CHARS = 1 << 16
# Excel serial numbers of the days a response time may plausibly have: where a bare
# number in a date column is a date.
EXCEL_SERIAL_RANGE = (
    float((DEFAULT_DATE_WINDOW.earliest - EXCEL_EPOCH.date()).days),
    float((DEFAULT_DATE_WINDOW.latest - EXCEL_EPOCH.date()).days + 1),
)

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
_FI = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}(\s+klo)?(\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$")
# d/m/yyyy or m/d/yyyy (MS Forms, tools set to English): which one only values over 12 tell.
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_CODEBOOK_LINE = re.compile(r"^\s*(\d{1,3})\s*(?:=|:|-|\u2013|\))\s*(\S.*)$")
# Several codes in one cell: "1=Kyllä; 2=Ei", "1 = Asiakas, 2 = Omainen" (a comma splits
# only before the next code, so "3=Asiakas, avustettuna" stays one label).
_CODE_ENTRY = re.compile(
    r"(?:^|[;\n]|,(?=\s*\d{1,3}\s*=))\s*(\d{1,3})\s*=\s*([^;\n]+?)\s*(?=$|[;\n]|,\s*\d{1,3}\s*=)"
)


def date_format_of(value: Cell) -> str | None:
    """Return the date format name of a cell (``iso``, ``fi_datetime``, ...) or None.

    ``native`` is a real date cell of a workbook; ``iso_utc`` an ISO time with ``Z`` or
    an offset (read as ``iso``).

    >>> date_format_of("23.11.2026 klo 14.05"), date_format_of("2026-11-23T12:05:00Z")
    ('fi_klo', 'iso_utc')
    """
    if isinstance(value, dt.datetime | dt.date):
        return "native"
    if isinstance(value, str):
        if (iso := _ISO.match(value)) is not None:
            return "iso_utc" if iso.group(1) else "iso"
        if (fi := _FI.match(value)) is not None:
            if fi.group(1):
                return "fi_klo"
            return "fi_datetime" if fi.group(2) else "fi_date"
        if _SLASH.match(value):
            return "slash"
    number = parse_number(value) if not isinstance(value, bool) else None
    if (
        number is not None
        and not float(number).is_integer()
        and EXCEL_SERIAL_RANGE[0] <= number <= EXCEL_SERIAL_RANGE[1]
    ):
        return "excel"
    return None


def slash_patterns(values: list[str]) -> tuple[list[str], str | None]:
    """Return the strptime patterns of slash dates, and why the day comes where it does.

    A first number over 12 is a day (14/03/2025), a second one over 12 makes the first
    the month (3/14/2025); with neither, the reason is None and day first is assumed.

    >>> slash_patterns(["3/14/2025 9:05", "3/2/2025 10:00"])
    (['%m/%d/%Y %H:%M'], "'3/14/2025 9:05': 14 is a day")
    """
    day_first: bool | None = None
    why = None
    patterns: list[str] = []
    for value in values:
        match = _SLASH.match(value.strip())
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if day_first is None and (first > 12 or second > 12):
            day_first = first > 12
            why = f"'{value}': {max(first, second)} is a day"
        clock = value.strip().split()[1:] if " " in value.strip() else []
        suffix = "" if not clock else (" %H:%M:%S" if clock[0].count(":") == 2 else " %H:%M")
        if suffix not in patterns:
            patterns.append(suffix)
    order = "%m/%d/%Y" if day_first is False else "%d/%m/%Y"
    return [order + suffix for suffix in patterns], why


def _shape(value: Cell) -> tuple[str, int | str | None, int, int]:
    """Return what a cell is: ("date", format), ("number", whole or None), ("text", ...)."""
    kind = date_format_of(value)
    if kind is not None:
        return "date", kind, 0, 0
    number = None if isinstance(value, bool) else parse_number(value)
    if number is not None:
        return "number", int(number) if number.is_integer() else None, 0, 0
    if isinstance(value, str):
        return "text", None, len(value), int(len(value.split()) >= 3)
    return "other", None, 0, 0


def cell_text(value: Cell) -> str:
    """Return a cell as the text a value map would name it by."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class _Totals:
    """Number, date and text totals of a set of cells."""

    wholes: int = 0
    numbers: int = 0
    low: int | None = None
    high: int | None = None
    whole_sum: int = 0
    dates: Counter[str] = field(default_factory=Counter)
    texts: int = 0
    text_chars: int = 0
    multiword: int = 0

    def count(self, shape: tuple[str, int | str | None, int, int], times: int) -> None:
        kind, whole, length, multiword = shape
        if kind == "date":
            self.dates[str(whole)] += times
        elif kind == "number":
            self.numbers += times
            if isinstance(whole, int):
                self.wholes += times
                self.whole_sum += whole * times
                self.low = whole if self.low is None else min(self.low, whole)
                self.high = whole if self.high is None else max(self.high, whole)
        elif kind == "text":
            self.texts += times
            self.text_chars += length * times
            self.multiword += multiword * times


@dataclass
class ValueStats:
    """A bounded summary of the values of one column (or one question of a long export).

    The hot path only counts distinct values (at most :data:`MAX_DISTINCT`); values past
    the cap are classified at once. The totals (numbers, dates, texts) are computed from
    both when first asked for, and again after :meth:`refresh`.
    """

    counts: Counter[str] = field(default_factory=Counter)
    overflow: int = 0
    filled: int = 0
    _cells: dict[str, Cell] = field(default_factory=dict, repr=False)
    _overflow: _Totals = field(default_factory=_Totals, repr=False)
    _totals: _Totals | None = field(default=None, repr=False)
    # The answers as the column's codebook spells them ("1" -> "Omainen"), which tell what
    # the column holds where bare codes cannot.
    decoded: ValueStats | None = field(default=None, repr=False)

    def decode(self, codes: Mapping[str, str]) -> None:
        """Keep the answers spelt out by ``codes``, when the codes explain every answer."""
        if not self.counts or not all(value in codes for value in self.counts):
            return
        decoded = ValueStats()
        for value, count in self.counts.items():
            decoded.counts[codes[value]] += count
            decoded.filled += count
        self.decoded = decoded

    def add(self, value: Cell) -> None:
        """Count one cell."""
        if value is None:
            return
        self.filled += 1
        text = value if type(value) is str else cell_text(value)
        counts = self.counts
        if text in counts:
            counts[text] += 1
        elif len(counts) < MAX_DISTINCT:
            counts[text] = 1
            self._cells[text] = value
        else:
            self.overflow += 1
            self._overflow.count(_shape(value), 1)
        self._totals = None

    def refresh(self) -> None:
        """Recompute the totals (after counts were changed from outside)."""
        self._totals = None

    def _sums(self) -> _Totals:
        if self._totals is None:
            totals = _Totals(
                wholes=self._overflow.wholes,
                numbers=self._overflow.numbers,
                low=self._overflow.low,
                high=self._overflow.high,
                whole_sum=self._overflow.whole_sum,
                dates=Counter(self._overflow.dates),
                texts=self._overflow.texts,
                text_chars=self._overflow.text_chars,
                multiword=self._overflow.multiword,
            )
            for text, times in self.counts.items():
                totals.count(_shape(self._cells.get(text, text)), times)
            self._totals = totals
        return self._totals

    @property
    def wholes(self) -> int:
        """Return how many cells hold a whole number."""
        return self._sums().wholes

    @property
    def numbers(self) -> int:
        """Return how many cells hold a number."""
        return self._sums().numbers

    @property
    def low(self) -> int | None:
        """Return the smallest whole number seen."""
        return self._sums().low

    @property
    def high(self) -> int | None:
        """Return the largest whole number seen."""
        return self._sums().high

    @property
    def dates(self) -> Counter[str]:
        """Return how many cells hold a date, by format."""
        return self._sums().dates

    @property
    def texts(self) -> int:
        """Return how many cells hold text (not a number or a date)."""
        return self._sums().texts

    @property
    def text_chars(self) -> int:
        """Return the characters of the text cells."""
        return self._sums().text_chars

    @property
    def multiword(self) -> int:
        """Return how many text cells have three words or more."""
        return self._sums().multiword

    @property
    def distinct(self) -> int:
        """Return how many distinct values were seen (a lower bound on overflow)."""
        return len(self.counts) + (1 if self.overflow else 0)

    @property
    def distinct_share(self) -> float:
        """Return the share of distinct values among the filled cells (estimated).

        Beyond :data:`MAX_DISTINCT` values the rest are not remembered, so the share is
        the counted values' own: an id column of 10,000 rows, whose first 200 values
        never repeat, is as distinct as one of 50.
        """
        counted = sum(self.counts.values())
        if not self.overflow:
            return len(self.counts) / self.filled if self.filled else 0.0
        return len(self.counts) / counted if counted else 0.0

    def share(self, part: int) -> float:
        """Return ``part`` as a share of the filled cells."""
        return part / self.filled if self.filled else 0.0


MAX_HEADER_CHARS = 1_000
"""A header text longer than this is no header (the longest survey question fits)."""


@dataclass
class ColumnProfile:
    """One source column: its position, header and the summary of its values."""

    index: int
    header: str | None
    occurrence: int = 1
    stats: ValueStats = field(default_factory=ValueStats)

    @property
    def letter(self) -> str:
        """Return the spreadsheet letter of the column."""
        return column_letter(self.index)

    @property
    def name(self) -> str:
        """Return how messages show the column: its letter and header."""
        return f"{self.letter} '{self.header}'" if self.header else f"column {self.letter}"


@dataclass
class ExportProfile:
    """What the draft learnt about an export."""

    path: Path
    format: str
    sheet: str | None
    sheets: list[str]
    encoding: str | None
    delimiter: str | None
    header_row: int
    header_rows: int
    columns: list[ColumnProfile]
    rows_read: int
    complete: bool
    tail: list[SourceRow]
    codebook: dict[str, str]
    questions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    title: str | None = None
    column_codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def column(self, index: int) -> ColumnProfile | None:
        """Return the profile of a column by index."""
        return next((c for c in self.columns if c.index == index), None)


def _is_text(value: Cell) -> bool:
    return (
        isinstance(value, str)
        and parse_number(value) is None
        and date_format_of(value) is None
        and not value.isdigit()
    )


def _scan(
    path: Path, options: SourceOptions
) -> tuple[list[tuple[int, tuple[Cell, ...]]], dict[str, str | None]]:
    """Return the first physical rows (row 1 as the reader gives its header) and facts."""
    with read_table(path, options) as table:
        info = table.info
        first: list[tuple[int, tuple[Cell, ...]]] = [(1, tuple(info.header))]
        first += [(r.row, r.values) for r in islice(table, HEADER_SCAN_ROWS)]
        facts = {
            "format": info.format,
            "sheet": info.sheet,
            "encoding": info.encoding,
            "delimiter": info.delimiter,
        }
    return first, facts


def sniff_delimiter(path: Path, encoding: str | None) -> str | None:
    """Return the delimiter most lines agree on, or None when no candidate does.

    The csv reader detects the delimiter from the first line, which is the header in
    most exports; a title line above the header ("Palaute, syksy 2026") can mislead it.
    The delimiter that splits the most lines into the same number of cells wins; of
    two that split them alike, the one that leaves fewer empty header cells, then the
    one less often followed by a space (as a comma in prose is).
    """
    with path.open("r", encoding=encoding or "utf-8", errors="replace", newline="") as handle:
        text = handle.read(SNIFF_CHARS)
    # A delimiter inside a quoted cell ("Hyvä palvelu, kiitos") splits nothing; the
    # cell stays a cell.
    lines = [
        _QUOTED.sub("q", line) for line in text.splitlines()[:HEADER_SCAN_ROWS] if line.strip()
    ]
    best: tuple[int, int, int, int, str] | None = None
    for delimiter in DELIMITER_CANDIDATES:
        counts = Counter(line.count(delimiter) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        mode, agreeing = counts.most_common(1)[0]
        # Where two delimiters split the lines alike, the one that leaves fewer empty
        # header cells is the real one (",;," is two headers ",", not three with two
        # empty); data cells are often empty, headers seldom.
        header = next((line for line in lines if line.count(delimiter) == mode), "")
        empty = sum(1 for cell in header.split(delimiter) if not cell.strip())
        # Then the one that prose does not use: ", " runs through free text, a
        # delimiter is seldom followed by a space.
        prose = sum(line.count(f"{delimiter} ") for line in lines)
        candidate = (agreeing, -empty, -prose, mode, delimiter)
        if best is None or candidate[:4] > best[:4]:
            best = candidate
    return best[4] if best is not None else None


def find_header(rows: list[tuple[int, tuple[Cell, ...]]]) -> tuple[int, int]:
    """Return ``(header_row, header_rows)``: the first row of text that spans the table.

    Title rows (one merged cell) and empty rows above the header are skipped; a second
    all-text row under the header that fills its gaps makes a two-row header.
    """
    filled = [(n, [i for i, v in enumerate(cells) if v is not None]) for n, cells in rows]
    width = max((len(f) for _, f in filled), default=0)
    header_at = 0
    for position, (_, cells) in enumerate(rows):
        texts = [v for v in cells if v is not None]
        if len(texts) >= max(2, width // 2) and all(
            _is_text(v) or isinstance(v, str) for v in texts
        ):
            header_at = position
            break
    number, cells = rows[header_at]
    if header_at >= 1:
        upper_number, upper = rows[header_at - 1]
        upper_texts = [v for v in upper if v is not None]
        lower_filled = sum(1 for v in cells if v is not None)
        # Group titles over the header ("Taustatiedot" over three columns) make it two rows.
        if (
            len(upper_texts) >= 2
            and all(_is_text(v) for v in upper_texts)
            and len(upper_texts) < lower_filled
        ):
            return upper_number, 2
    if header_at + 2 < len(rows):
        _, below = rows[header_at + 1]
        below_filled = [i for i, v in enumerate(below) if v is not None]
        gaps = [i for i in below_filled if i >= len(cells) or cells[i] is None]
        later = [r for _, r in rows[header_at + 2 : header_at + 12]]
        repeated = any(below[i] in {r[i] for r in later if i < len(r)} for i in below_filled)
        if (
            gaps
            and len(below_filled) >= max(2, width // 2)
            and all(_is_text(below[i]) for i in below_filled)
            and not repeated
        ):
            return number, 2
    return number, 1


@dataclass
class Codebook:
    """What a codebook sheet or file explains: answer codes, and question codes' wordings."""

    codes: dict[str, str] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)
    # Codes that hold for one variable only ("VASTAAJA": 1 = Asiakas, "K4": 1 = Kyllä).
    by_column: dict[str, dict[str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.codes) + len(self.questions) + len(self.by_column)

    def update(self, other: Codebook) -> None:
        """Add another codebook's entries (the first one read wins)."""
        for code, label in other.codes.items():
            self.codes.setdefault(code, label)
        for question, wording in other.questions.items():
            self.questions.setdefault(question, wording)
        for column, codes in other.by_column.items():
            self.by_column.setdefault(column, codes)


def read_codebook(path: Path, options: SourceOptions) -> Codebook:
    """Read a codebook sheet or file: answer codes and question codes' wordings.

    It may hold '9 = EOS' lines, a code and its label side by side, or a question code
    and its wording side by side ('k2' beside 'Sain apua silloin kun tarvitsin').

    Raises:
        ReadError: the file cannot be read.
    """
    found = Codebook()
    with read_table(path, options) as table:
        rows: Iterator[tuple[Cell, ...]] = (r.values for r in islice(table, 500))
        for cells in (tuple(table.info.header), *rows):
            texts = [c for c in cells if c is not None]
            if _variable_row(texts, found):
                continue
            for cell in texts:
                match = _CODEBOOK_LINE.match(str(cell))
                if match:
                    found.codes.setdefault(match.group(1), match.group(2).strip())
            if len(texts) != 2 or not isinstance(texts[1], str):
                continue
            code = parse_number(texts[0]) if not isinstance(texts[0], bool) else None
            if code is not None and code.is_integer():
                found.codes.setdefault(str(int(code)), texts[1])
            elif isinstance(texts[0], str) and is_code(texts[0]) and len(texts[1].split()) >= 2:
                found.questions.setdefault(texts[0].strip(), texts[1].strip())
    return found


def cell_codes(text: str) -> dict[str, str]:
    """Return the codes one cell explains, when it explains two or more.

    >>> cell_codes("1=Asiakas; 2=Omainen tai läheinen; 3=Asiakas, avustettuna")["3"]
    'Asiakas, avustettuna'
    >>> cell_codes("1 = Kyllä, 2 = Ei")
    {'1': 'Kyllä', '2': 'Ei'}
    """
    found = {code: label.strip() for code, label in _CODE_ENTRY.findall(text)}
    return found if len(found) >= 2 else {}


def _variable_row(texts: Sequence[Cell], book: Codebook) -> bool:
    """Read a row that names a variable, its wording and its codes in one cell.

    ``K4 | Oliko sinulla ennalta varattu aika? | 1=Kyllä; 2=Ei``: the codes hold for K4
    only. Returns False when the row is not of that shape.
    """
    if len(texts) < 2 or not isinstance(texts[0], str) or "=" in texts[0]:
        return False
    codes = next((found for cell in texts[1:] if (found := cell_codes(str(cell)))), None)
    variable = texts[0].strip()
    wording = next((str(c) for c in texts[1:] if isinstance(c, str) and "=" not in c), None)
    if codes is None:
        if len(texts) == 3 and wording is not None and is_code(variable):
            book.questions.setdefault(variable, wording.strip())
            return True
        return False
    book.by_column.setdefault(variable, codes)
    if wording is not None and is_code(variable) and len(wording.split()) >= 2:
        book.questions.setdefault(variable, wording.strip())
    return True


def told(book: Codebook) -> str:
    """Return what a codebook explains, for a note ('2 codes and 4 question wordings')."""
    parts = []
    if book.codes:
        parts.append(f"{len(book.codes)} code{'s' if len(book.codes) != 1 else ''}")
    if book.questions:
        count = len(book.questions)
        parts.append(f"{count} question wording{'s' if count != 1 else ''}")
    if book.by_column:
        count = len(book.by_column)
        parts.append(f"the codes of {count} column{'s' if count != 1 else ''}")
    return " and ".join(parts)


def _sheets(path: Path) -> list[tuple[int, str, int]]:
    """Return ``(number, name, filled cells in the first rows)`` of every sheet."""
    found: list[tuple[int, str, int]] = []
    for number in range(1, MAX_SHEETS + 1):
        try:
            rows, facts = _scan(path, SourceOptions(sheet=number))
        except ReadError:
            if number == 1:
                raise
            break
        size = sum(sum(1 for v in cells if v is not None) for _, cells in rows)
        found.append((number, str(facts["sheet"]), size))
    return found


def profile_export(
    path: Path,
    *,
    sheet: str | None = None,
    max_rows: int = DEFAULT_SAMPLE_ROWS,
) -> ExportProfile:
    """Read an export's header and a bounded sample of its rows.

    Raises:
        ReadError: the export cannot be read.
    """
    refuse_non_file(path)
    options = SourceOptions(sheet=sheet)
    names: list[str] = []
    codebook = Codebook()
    notes: list[str] = []
    if path.suffix.lower() in {".xlsx", ".xlsm"} and sheet is None:
        sheets = _sheets(path)
        names = [name for _, name, _ in sheets]
        number, chosen, _ = max(sheets, key=lambda s: s[2])
        options = SourceOptions(sheet=chosen)
        if len(sheets) > 1:
            notes.append(f"sheet '{chosen}' holds the most data of {len(sheets)} sheets")
            for other, name, _ in sheets:
                if other != number:
                    book = read_codebook(path, SourceOptions(sheet=other))
                    if book:
                        codebook.update(book)
                        notes.append(f"sheet '{name}' read as a codebook ({told(book)})")
    try:
        first, facts = _scan(path, options)
    except ReadError:
        # The reader guesses the delimiter from the first line alone; a quote in a
        # header cell can make that guess read the file as one unclosed cell.
        sniffed = None if options.sheet else sniff_delimiter(path, None)
        if sniffed is None:
            raise
        first, facts = _scan(path, SourceOptions(delimiter=sniffed))
    if facts["format"] == "csv":
        delimiter = sniff_delimiter(path, facts["encoding"])
        if delimiter is not None and delimiter != facts["delimiter"]:
            notes.append(
                f"delimiter {delimiter!r} splits the lines alike (the first line suggested {facts['delimiter']!r})"
            )
            first, facts = _scan(path, SourceOptions(delimiter=delimiter))
    header_row, header_rows = find_header(first)
    title = None
    for number, cells in first:
        if number >= header_row:
            break
        texts = [str(v) for v in cells if v is not None]
        if texts and title is None:
            title = " ".join(texts)
    read_options = SourceOptions(
        format=facts["format"],
        sheet=facts["sheet"] if facts["format"] == "xlsx" else None,
        header_row=header_row,
        header_rows=header_rows,
        encoding=facts["encoding"],
        delimiter=facts["delimiter"],
    )
    with read_table(path, read_options) as table:
        header = table.info.header
        seen: Counter[str] = Counter()
        columns: list[ColumnProfile] = []
        for index, written in enumerate(header):
            occurrence = 1
            text = written
            if text is not None and len(text) > MAX_HEADER_CHARS:
                # No label is that long: what is there is data or a broken file, and a
                # rule naming it would make the mapping file megabytes.
                notes.append(
                    f"column {column_letter(index)}: its header is {len(text):,} characters "
                    "long, read as a column without a header"
                )
                text = None
            if text is not None:
                seen[text.casefold()] += 1
                occurrence = seen[text.casefold()]
            columns.append(ColumnProfile(index, text, occurrence))
        tail: deque[SourceRow] = deque(maxlen=TAIL_ROWS)
        count = 0
        complete = True
        for row in table:
            if count >= max_rows:
                complete = False
                break
            count += 1
            if row.is_blank:
                continue
            tail.append(row)
            for index, value in enumerate(row.values):
                if index >= len(columns):
                    columns.append(ColumnProfile(index, None))
                columns[index].stats.add(value)
    kept = [c for c in columns if c.header is not None or c.stats.filled]
    return ExportProfile(
        path=path,
        format=str(facts["format"]),
        sheet=facts["sheet"] if facts["format"] == "xlsx" else None,
        sheets=names,
        encoding=facts["encoding"],
        delimiter=facts["delimiter"],
        header_row=header_row,
        header_rows=header_rows,
        columns=kept,
        rows_read=count,
        complete=complete,
        tail=list(tail),
        codebook=codebook.codes,
        questions=codebook.questions,
        notes=notes,
        title=title,
        column_codes=codebook.by_column,
    )


def question_stats(
    profile: ExportProfile, question: int, answer: int, max_rows: int = DEFAULT_SAMPLE_ROWS
) -> dict[str, ValueStats]:
    """Return the answers' summary per question id of a long export (bounded)."""
    options = SourceOptions(
        format=profile.format,
        sheet=profile.sheet,
        header_row=profile.header_row,
        header_rows=profile.header_rows,
        encoding=profile.encoding,
        delimiter=profile.delimiter,
    )
    found: dict[str, ValueStats] = {}
    with read_table(profile.path, options) as table:
        for row in islice(table, max_rows):
            values = row.values
            if question >= len(values) or values[question] is None:
                continue
            key = cell_text(values[question])
            if key not in found and len(found) >= MAX_DISTINCT:
                continue
            stats = found.setdefault(key, ValueStats())
            stats.add(values[answer] if answer < len(values) else None)
    return found


def pair_counts(
    profile: ExportProfile, first: int, second: int, max_rows: int = DEFAULT_SAMPLE_ROWS
) -> Counter[tuple[str, str]]:
    """Return how often each pair of values of two columns occurs together (bounded)."""
    options = SourceOptions(
        format=profile.format,
        sheet=profile.sheet,
        header_row=profile.header_row,
        header_rows=profile.header_rows,
        encoding=profile.encoding,
        delimiter=profile.delimiter,
    )
    pairs: Counter[tuple[str, str]] = Counter()
    with read_table(profile.path, options) as table:
        for row in islice(table, max_rows):
            values = row.values
            if max(first, second) >= len(values):
                continue
            left, right = values[first], values[second]
            if left is None or right is None:
                continue
            pair = (cell_text(left), cell_text(right))
            if pair in pairs or len(pairs) < MAX_DISTINCT * 4:
                pairs[pair] += 1
    return pairs
