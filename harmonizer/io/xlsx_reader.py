"""Reading xlsx exports: a streaming reader of the sheet's XML, defused and limited.

The sheet is parsed by expat, one row at a time (:mod:`harmonizer.io.xlsx_sheet`),
after the zip directory passed :func:`harmonizer.io.safety.check_xlsx` and each XML part's
prolog passed :func:`harmonizer.io.safety.check_xml_prolog` (no DTD, so no entities).
A date-formatted number becomes a ``datetime.date`` when its format has no time
(``d.m.yyyy``) and its serial no time of day, else a ``datetime`` (or ``time``).
Every ``<row>`` element of the sheet becomes exactly one source row, with the row
number the sheet gives it; a row number repeated or going backwards means a damaged
sheet, which is refused rather than read with rows lost. Rows are as wide as their
cells (never padded to the sheet's declared dimension), so memory follows the cells
present, not the sheet's claimed size.
"""

from __future__ import annotations

import datetime as dt
import pyexpat
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from harmonizer.errors import ReadError
from harmonizer.io.cells import (
    CONTROL,
    Cell,
    column_letter,
    normalise_text,
    strip_controls,
)
from harmonizer.io.safety import UnsafeXml, check_xlsx
from harmonizer.io.sheet_plain import PlainRows, SharedTexts, plain_rows
from harmonizer.io.sheet_ranges import SheetLayout
from harmonizer.io.table import (
    ExportInfo,
    SourceOptions,
    SourceRow,
    Table,
    file_sha256,
    skip_trailing_blanks,
    split_header,
)
from harmonizer.io.xlsx_parts import Workbook, load_workbook, unescape_xstring
from harmonizer.io.xlsx_sheet import DamagedSheet, RawRow, excel_date, sheet_rows
from harmonizer.issues import Issue, IssueCode, preview
from harmonizer.redaction import REDACTOR, redact_text

FAR_SLACK = 256
"""Cells more than this many columns right of the header are not kept in the row (a
sparse sheet could otherwise make every row 16,384 cells wide); they are reported as a
ragged row instead."""
DAMAGED = "open it in Excel or LibreOffice and save it again as .xlsx"


def read_xlsx(path: Path, options: SourceOptions) -> Table:
    """Open an xlsx export as a :class:`Table`, streaming the chosen sheet's rows.

    Raises:
        ReadError: the file is not an xlsx workbook, is encrypted, corrupt or damaged,
            declares a DTD, or lacks the sheet the mapping names.
    """
    check_xlsx(path, options.limits)
    digest, size = file_sha256(path)
    info = ExportInfo(
        path=path, format="xlsx", sha256=digest, size=size, header_row=options.header_row
    )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ReadError(
            f"{path.name}: not a readable xlsx workbook ({redact_text(str(err))}); save it "
            "again from Excel as .xlsx, without a password"
        ) from err
    try:
        try:
            book = load_workbook(archive)
        except KeyError as err:
            raise ReadError(
                f"{path.name}: not a readable xlsx workbook (a part is missing: "
                f"{redact_text(str(err))}); save it again from Excel as .xlsx"
            ) from err
        title, part = _choose_sheet(book, options, info)
        info.sheet = redact_text(title)
        if part not in archive.NameToInfo:
            raise ReadError(
                f"{path.name}: sheet '{title}' has no data part ({part}); the workbook is "
                f"corrupt: {DAMAGED}"
            )
        cells = SheetCells(book, info, options.header_end)
        numbered = _sheet_rows(archive, part, cells, info)
        rows = split_header(numbered, options, info)
        first = next(rows, None)
    except ReadError:
        archive.close()
        raise
    # Whatever a parser or the zip layer raises (a ParseError, zlib.error, a CRC
    # mismatch, a refused DTD) means a broken or hostile file.
    except Exception as err:
        archive.close()
        raise ReadError(f"{path.name}: {xlsx_problem(err)}") from err

    def generate() -> Iterator[SourceRow]:
        last = options.header_end
        if first is not None:
            last = first.row
            yield first
        try:
            for source in rows:
                last = source.row
                yield source
        except ReadError:
            raise
        except Exception as err:
            raise ReadError(
                f"{path.name}: sheet '{title}', after row {last}: {xlsx_problem(err)}"
            ) from err

    entry = archive.getinfo(part)
    sheet = SheetLayout(path, part, entry.CRC, cells, entry.file_size)
    return Table(info, skip_trailing_blanks(generate()), archive.close, sheet=sheet)


def _choose_sheet(book: Workbook, options: SourceOptions, info: ExportInfo) -> tuple[str, str]:
    names = book.names
    sheet = options.sheet
    if not names:
        raise ReadError(
            f"{info.name}: the workbook has no worksheets; open it in Excel or "
            "LibreOffice and save it again as .xlsx"
        )
    if sheet is None:
        index = 0
        if len(names) > 1:
            info.guessed.append(REDACTOR.clean(f"sheet '{names[0]}' (the first of {len(names)})"))
    elif isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise ReadError(
                f"{info.name}: the mapping asks for sheet number {sheet}, but the "
                f"workbook has {len(names)} sheet(s): {', '.join(names)}"
            )
        index = sheet - 1
    elif sheet in names:
        index = names.index(sheet)
    elif len(near := [i for i, n in enumerate(names) if _sheet_key(n) == _sheet_key(sheet)]) == 1:
        index = near[0]
        info.guessed.append(REDACTOR.clean(f"sheet '{names[index]}' for source.sheet '{sheet}'"))
    else:
        raise ReadError(
            f"{info.name}: no sheet '{sheet}'; the workbook has: "
            f"{', '.join(f'{n!r}' for n in names)}; set source.sheet in the mapping to "
            "one of them, written as it is quoted here"
        )
    title, kind, part = book.sheets[index]
    if kind != "worksheet":
        raise ReadError(
            f"{info.name}: sheet '{title}' is a {kind or 'part'} without cells, not a table; "
            "set source.sheet in the mapping to the sheet that holds the data"
        )
    return title, part


def _sheet_key(name: str) -> str:
    """Return a sheet name as a person reads it: case, spacing and no-break spaces aside.

    >>> _sheet_key(" Vastaukset\u00a0 2026 ") == _sheet_key("vastaukset 2026")
    True
    """
    return " ".join(name.split()).casefold()


def xlsx_problem(err: BaseException) -> str:
    """Say what an exception raised while parsing a workbook means for the user."""
    cause: BaseException | None = err
    while cause is not None and not isinstance(cause, UnsafeXml):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, UnsafeXml):
        if cause.kind in {"EntitiesForbidden", "DTDForbidden"}:
            return (
                f"the workbook's XML declares entities or a DTD ({cause.kind}) in "
                f"{cause.part}, which harmonizer refuses (they are used to expand data or "
                "read other files); save the workbook again from Excel as .xlsx"
            )
        return f"the workbook's XML part {cause.part} is {cause.kind}, which no spreadsheet writes; {DAMAGED}"
        # ET.ParseError, pyexpat.ExpatError, zlib.error, zipfile.BadZipFile (a CRC), EOFError
    kind = (
        "ParseError" if isinstance(err, ET.ParseError | pyexpat.ExpatError) else type(err).__name__
    )
    detail = redact_text(str(err).strip().splitlines()[0]) if str(err).strip() else ""
    return f"the workbook is corrupt ({kind}: {detail}); {DAMAGED}"


def _sheet_rows(
    archive: zipfile.ZipFile, part: str, cells: SheetCells, info: ExportInfo
) -> Iterator[SourceRow]:
    """Yield every ``<row>`` of the sheet as a source row, in order, or refuse the sheet."""
    with archive.open(part) as stream:
        try:
            yield from cells.rows(sheet_rows(stream, part))
        except DamagedSheet as err:
            raise ReadError(
                f"{info.name}: sheet '{info.sheet}' is damaged: {err}; rows could be lost, so "
                f"the sheet is not read: {DAMAGED}"
            ) from err


class SheetCells:
    """Turns a sheet's raw rows into source rows: shared texts, dates, issues of cells.

    Each shared text is normalised once, however many cells use it; the few that hold
    control characters are cleaned once and remembered for their warning. Worker
    processes forked while a run reads the sheet turn their own ranges of its XML into
    rows with the same object (:mod:`harmonizer.io.sheet_ranges`).
    """

    def __init__(self, book: Workbook, info: ExportInfo, header_end: int) -> None:
        strings: list[Cell] = []
        controlled: dict[int, int] = {}
        for position, shared in enumerate(book.shared_strings):
            cleaned = shared
            if CONTROL.search(shared) is not None:
                cleaned, controlled[position] = strip_controls(shared)
            strings.append(normalise_text(cleaned))
        book.shared_strings.clear()
        self._strings, self._controlled = strings, controlled
        self._styles, self._epoch = book.date_styles, book.epoch
        self._info, self.header_end = info, header_end
        self._texts: SharedTexts | None = None

    def plain(self, data: bytes) -> PlainRows | None:
        """Decode the plain rows at the start of a range's XML (see :mod:`.sheet_plain`)."""
        if self._texts is None:
            self._texts = SharedTexts.of(self._strings, self._controlled)
        return plain_rows(
            data,
            self._texts,
            self._number_cell,
            self.header_end,
            len(self._info.header),
            FAR_SLACK,
        )

    def _number_cell(self, text: str, row: int, index: int, style: str | None) -> Cell:
        return _number(text, row, index, self._styles.get(style) if style else None, self._epoch)

    def _issue(self, code: IssueCode, row: int, index: int, detail: str, value: Cell) -> Issue:
        info = self._info
        header = info.header
        text = header[index] if row > self.header_end and index < len(header) else None
        return Issue(
            code,
            f"{detail}; {code.info.remedy}",
            code.severity,
            info.name,
            info.sheet,
            row,
            text,
            column_letter(index),
            None,
            preview(value),
        )

    def rows(self, raw: Iterable[RawRow]) -> Iterator[SourceRow]:
        """Yield a source row for each raw row.

        Raises:
            DamagedSheet: a cell refers to a shared text the workbook lacks, holds a
                number that is none, or has an unknown type.
        """
        strings, controlled, styles, epoch = (
            self._strings,
            self._controlled,
            self._styles,
            self._epoch,
        )
        header_end, info, cell_issue = self.header_end, self._info, self._issue
        for number, cells in raw:
            # The header is known only once its rows were read: looked up row by row.
            width = len(info.header) if number > header_end else 0
            values: list[Cell] = []
            issues: list[Issue] = []
            far: list[tuple[int, Cell]] = []
            for index, kind, style, text, formula in cells:
                value: Cell
                # A formula's value is the <v> beside it; none, or an empty one
                # (which is how openpyxl writes a formula), means never computed.
                # Only a text formula's empty <v> is a value: the empty text.
                if text is None or (formula and not text and kind != "str"):
                    if not formula:
                        continue  # a cell with a style and nothing else
                    issues.append(
                        cell_issue(
                            IssueCode.FORMULA_WITHOUT_VALUE,
                            number,
                            index,
                            "the cell holds a formula whose value was never computed "
                            "(the workbook was written by a program and not saved in "
                            "Excel), so its value is unknown",
                            None,
                        )
                    )
                    continue
                if kind is None or kind == "n":
                    value = _number(
                        text, number, index, styles.get(style) if style else None, epoch
                    )
                elif kind == "s":
                    try:
                        value = strings[int(text)]
                    except (ValueError, IndexError):
                        raise DamagedSheet(
                            f"cell {column_letter(index)}{number} refers to a shared text "
                            "the workbook does not have"
                        ) from None
                    if controlled and int(text) in controlled:
                        issues.append(
                            _control_issue(controlled[int(text)], number, index, value, cell_issue)
                        )
                elif kind == "e":
                    # #DIV/0!, #N/A, #REF!: a failed formula, never an answer.
                    issues.append(
                        cell_issue(
                            IssueCode.FORMULA_ERROR,
                            number,
                            index,
                            f"the cell holds the spreadsheet error {text.strip()[:20]}",
                            text.strip()[:20],
                        )
                    )
                    continue
                elif kind in {"inlineStr", "str"}:
                    value = _text(text, number, index, issues, cell_issue)
                elif kind == "b":
                    value = text.strip() in {"1", "true"} if text.strip() else None
                elif kind == "d":
                    value = _iso_date(text.strip())
                else:
                    raise DamagedSheet(
                        f"cell {column_letter(index)}{number} has the unknown type '{kind[:10]}'"
                    )
                if value is None:
                    continue
                if width and index >= width + FAR_SLACK:
                    far.append((index, value))
                    continue
                if index > len(values):
                    values.extend([None] * (index - len(values)))
                values.append(value)
            if far:
                issues.append(
                    cell_issue(
                        IssueCode.RAGGED_ROW,
                        number,
                        far[0][0],
                        f"the row has {len(far)} filled cell(s) far right of the header's "
                        f"last column ({column_letter(width - 1)}), from column "
                        f"{column_letter(far[0][0])} on",
                        far[0][1],
                    )
                )
            yield SourceRow(number, tuple(values), None, tuple(issues))


def _number(text: str, row: int, index: int, date_kind: str | None, epoch: dt.datetime) -> Cell:
    """Return a number cell's value: an int when integral, a date when its style is one."""
    if not text or text.isspace():
        return None
    try:
        value: float | int = float(text) if "." in text or "E" in text or "e" in text else int(text)
    except ValueError:
        raise DamagedSheet(
            f"cell {column_letter(index)}{row} holds '{redact_text(text[:20])}' as a number"
        ) from None
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return excel_date(value, epoch, date_kind) if date_kind else value


CellIssue = Callable[[IssueCode, int, int, str, Cell], Issue]


def _text(text: str, row: int, index: int, issues: list[Issue], cell_issue: CellIssue) -> Cell:
    """Normalise a text cell, removing control characters with a warning."""
    text = unescape_xstring(text)
    if CONTROL.search(text) is None:
        return normalise_text(text)
    cleaned, count = strip_controls(text)
    value = normalise_text(cleaned)
    issues.append(_control_issue(count, row, index, value, cell_issue))
    return value


def _control_issue(count: int, row: int, index: int, value: Cell, cell_issue: CellIssue) -> Issue:
    return cell_issue(
        IssueCode.CONTROL_CHARACTER,
        row,
        index,
        f"the cell held {count} control character(s)",
        value,
    )


def _iso_date(raw: str | None) -> Cell:
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(raw.rstrip("Z"))
    except ValueError:
        return normalise_text(raw)
