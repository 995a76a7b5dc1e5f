"""Reading xlsx exports with openpyxl's streaming (read-only) mode, defused and limited."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harmonizer.errors import ReadError
from harmonizer.io.cells import Cell, normalise_cell
from harmonizer.io.safety import check_xlsx
from harmonizer.io.table import (
    ExportInfo,
    SourceOptions,
    SourceRow,
    Table,
    file_sha256,
    skip_trailing_blanks,
    split_header,
)
from harmonizer.redaction import redact_text


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
        rows = split_header(numbered, options, info)
        first = next(rows, None)
    except BaseException:
        close()
        raise

    def generate() -> Iterator[SourceRow]:
        if first is not None:
            yield first
        yield from rows

    return Table(info, skip_trailing_blanks(generate()), close)


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
