"""How many rows an export holds, roughly, before it is read: the total of a progress bar.

A csv file's lines are counted in one fast pass over its bytes (a cell spanning lines
makes the count a little high); an xlsx sheet declares its extent in its
``<dimension>`` element, read from the first bytes of the sheet's XML. Both are
estimates for people watching a progress bar, never counts that reconcile anything:
the run counts the rows it reads.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree

CHUNK = 1 << 20
XLSX_MAX_ROWS = 1_048_576
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def estimate_rows(
    path: Path, *, xlsx: bool, sheet: str | int | None, header_row: int
) -> int | None:
    """Return about how many data rows ``path`` holds below its header, or None.

    None means the size cannot be told cheaply (a damaged file, a sheet without a
    dimension); the reader will say what is wrong with a damaged one. A pipe or a device
    is not read at all (it could block or never end); the reader refuses it.
    """
    if not path.is_file():
        return None
    try:
        total = _sheet_rows(path, sheet) if xlsx else _lines(path)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        return None
    if total is None:
        return None
    return max(total - header_row, 0)


def _lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _sheet_rows(path: Path, sheet: str | int | None) -> int | None:
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return None
        with archive.open(part) as handle:
            head = handle.read(64 * 1024)
    found = _DIMENSION.search(head)
    if found is None:
        return None
    return min(int(found.group(1) or 1), XLSX_MAX_ROWS)


def _sheet_part(archive: zipfile.ZipFile, sheet: str | int | None) -> str | None:
    """Return the zip member of the sheet a mapping reads (by title, number or first)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    if not sheets:
        return None
    if isinstance(sheet, int):
        chosen = sheets[sheet - 1] if 1 <= sheet <= len(sheets) else None
    elif isinstance(sheet, str):
        chosen = next((s for s in sheets if s.get("name") == sheet), None)
    else:
        chosen = sheets[0]
    if chosen is None:
        return None
    rel_id = chosen.get(f"{_REL}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.findall(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    return None
