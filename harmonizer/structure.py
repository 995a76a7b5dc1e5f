"""Structural problems of an export as located issues: a missing column, a moved header.

``run`` stops on these (exit 2: nothing can be harmonised from that export). ``validate``
reports them like any other problem, inside the chosen report format, and goes on with
the other exports: the person who must act sees "the header seems to be on row 2" or
"restore the column 'Hyöty'" in their workbook, not a lone line on stderr.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

from harmonizer.engine.responses import HeaderIndex
from harmonizer.errors import ReadError
from harmonizer.io.csv_reader import delimiter_hint
from harmonizer.io.readers import ExportInfo, SourceOptions, read_table
from harmonizer.issues import Issue, IssueCode, header_listing
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.model import ColumnRef, FieldRule, Mapping
from harmonizer.redaction import redact_text
from harmonizer.values import label_key

# How far below the mapping's header row a moved header is looked for.
HEADER_SEARCH_ROWS = 6

KeyPath = tuple[str | int, ...]


class HeaderMismatchError(ReadError):
    """Columns the mapping names are not in the export's header (``info`` says where)."""

    def __init__(self, message: str, info: ExportInfo) -> None:
        super().__init__(message)
        self.info = info


def column_refs(model: Mapping) -> Iterator[tuple[KeyPath, ColumnRef]]:
    """Yield every column reference of a mapping with its key path."""
    if model.long is not None:
        yield ("long", "response_id"), model.long.response_id
        yield ("long", "question"), model.long.question
        yield ("long", "answer"), model.long.answer
    if model.response_id is not None:
        yield ("response_id",), model.response_id
    for name, entry in model.fields.items():
        if isinstance(entry, FieldRule):
            yield ("fields", name), entry
    for name, item in model.own_items.items():
        yield ("own_items", name), item
    for index, rule in enumerate(model.filters):
        yield ("filters", index), rule


def _named(model: Mapping) -> list[tuple[KeyPath, ColumnRef]]:
    return [
        (at, ref)
        for at, ref in column_refs(model)
        if ref.has_source and ref.question is None and ref.letter is None
    ]


def _field_of(at: KeyPath) -> str:
    if at[0] == "fields":
        return str(at[1])
    if at[0] == "own_items":
        return f"own_items.{at[1]}"
    return ".".join(map(str, at))


def missing_columns(loaded: LoadedMapping, info: ExportInfo) -> list[tuple[KeyPath, ColumnRef]]:
    """Return the mapped columns (by header text) that the export's header lacks."""
    header = HeaderIndex(info.header)
    return [(at, ref) for at, ref in _named(loaded.model) if header.find(ref) is None]


def header_found_at(path: Path, options: SourceOptions, loaded: LoadedMapping) -> int | None:
    """Return the row where the mapping's header seems to be, when not where it says.

    Tries the rows from 1 to a few below the mapping's header row; the first whose
    cells carry every column the mapping names by header text is the header.
    """
    refs = [ref for _, ref in _named(loaded.model)]
    if not refs:
        return None
    for row in range(1, options.header_row + HEADER_SEARCH_ROWS):
        if row == options.header_row:
            continue
        try:
            with read_table(path, dataclasses.replace(options, header_row=row)) as table:
                header = HeaderIndex(table.info.header)
        except ReadError:
            continue
        if all(header.find(ref) is not None for ref in refs):
            return row
    return None


def garbled_header(info: ExportInfo, missing: list[tuple[KeyPath, ColumnRef]]) -> str | None:
    """Return a header cell whose letters were garbled by a wrong encoding, or None.

    A file that is UTF-8 but for a few bytes is read as Windows-1252, and 'Yksikkö'
    arrives as 'YksikkÃ¶': the column is there, the file's encoding is broken.
    """
    wanted = {label_key(ref.column) for _, ref in missing if ref.column}
    for cell in info.header:
        if not cell:
            continue
        try:
            repaired = cell.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != cell and label_key(repaired) in wanted:
            return cell
    return None


def _shown(info: ExportInfo) -> str:
    return header_listing(info.header)


def header_issues(loaded: LoadedMapping, info: ExportInfo, found: int | None) -> list[Issue]:
    """Return the issues of an export whose header lacks mapped columns.

    One issue when the header seems to be on another row (``found``), else one per
    missing column, located at the export's header row and naming the column.
    """
    code = IssueCode.COLUMN_NOT_FOUND
    sheet = f", sheet '{info.sheet}'" if info.sheet else ""
    missing = missing_columns(loaded, info)
    garbled = garbled_header(info, missing)
    if garbled is not None:
        code = IssueCode.UNREADABLE_EXPORT
        return [
            Issue(
                code,
                f"the letters of {info.name} are garbled: the header reads '{garbled}', so the "
                f"file was read as {info.encoding} because some of its bytes are not UTF-8; "
                "save the export as UTF-8 throughout",
                code.severity,
                info.name,
                info.sheet,
                info.header_row,
                garbled,
            )
        ]
    hint = delimiter_hint(info)
    if hint is not None:
        return [
            Issue(
                code,
                f"{info.name}: {hint}; the header has: {_shown(info)}",
                code.severity,
                info.name,
                info.sheet,
                info.header_row,
            )
        ]
    if found is not None:
        return [
            Issue(
                code,
                f"the header seems to be on row {found} of {info.name}{sheet}, not on row "
                f"{info.header_row} where the mapping reads it (source.header_row); row "
                f"{info.header_row} has: {_shown(info)}",
                code.severity,
                info.name,
                info.sheet,
                found,
            )
        ]
    return [
        Issue(
            code,
            f"{ref.describe()} ({redact_text(loaded.path.name)}: {'.'.join(map(str, at))}) is not in the "
            f"header of {info.name}{sheet} (row {info.header_row}); the header has: "
            f"{_shown(info)}",
            code.severity,
            info.name,
            info.sheet,
            info.header_row,
            ref.column,
            None,
            _field_of(at),
        )
        for at, ref in missing
    ]


_ROW = re.compile(r"\brow (\d+)\b")


def unreadable_issue(path: Path, err: ReadError) -> Issue:
    """Return the issue of an export that cannot be read: the reader's message, located.

    Readers name the row where reading broke ("row 1: a quoted cell is never closed");
    the issue carries it, so annotations land on that line.
    """
    code = IssueCode.UNREADABLE_EXPORT
    found = _ROW.search(str(err))
    return Issue(
        code, str(err), code.severity, path.name, row=int(found.group(1)) if found else None
    )
