"""Readers: an export (csv or xlsx) becomes a header and a stream of source rows.

Every reader streams: it holds one row at a time, never the whole export. Readers
report what they guessed (encoding, delimiter, sheet) in :class:`ExportInfo`, so a
run's manifest can say why a file parsed the way it did.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harmonizer.errors import ReadError
from harmonizer.io.csv_reader import read_csv
from harmonizer.io.table import ExportInfo, SourceOptions, SourceRow, Table
from harmonizer.io.xlsx_reader import read_xlsx

__all__ = [
    "FORMAT_BY_SUFFIX",
    "READERS_BY_FORMAT",
    "ExportInfo",
    "SourceOptions",
    "SourceRow",
    "Table",
    "read_csv",
    "read_table",
    "read_xlsx",
]

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
        if path.is_dir():
            raise ReadError(f"{path}: a folder, not an export; give the export file itself")
        if path.exists():
            # A pipe or a device would be read without end, or block: never opened.
            raise ReadError(
                f"{path}: not a regular file (a pipe or a device); save the export as a "
                "file and give that"
            )
        raise ReadError(f"{path}: no such file")
    fmt = options.format or FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        hint = " (save .xls files as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise ReadError(
            f"{path.name}: unsupported file type {path.suffix!r}{hint}; harmonizer "
            "reads .csv and .xlsx"
        )
    return READERS_BY_FORMAT[fmt](path, options)
