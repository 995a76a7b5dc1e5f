"""Readers: an export (csv or xlsx) becomes a header and a stream of source rows.

Every reader streams: it holds one row at a time, never the whole export. Readers
report what they guessed (encoding, delimiter, sheet) in :class:`ExportInfo`, so a
run's manifest can say why a file parsed the way it did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from harmonizer.errors import ReadError
from harmonizer.io.csv_reader import read_csv
from harmonizer.io.output_folder import FileKey, file_keys
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
    "refuse_non_file",
    "refuse_repeated",
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
    refuse_non_file(path)
    fmt = options.format or FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        hint = " (save .xls files as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise ReadError(
            f"{path.name}: unsupported file type {path.suffix!r}{hint}; harmonizer "
            "reads .csv and .xlsx"
        )
    return READERS_BY_FORMAT[fmt](path, options)


def refuse_non_file(path: Path) -> None:
    """Refuse, before anything opens it, a path that is not a regular file.

    Raises:
        ReadError: ``path`` is missing, a folder, or a named pipe or device (reading
            one could wait for a writer or never end: /dev/zero).
    """
    if path.is_file():
        return
    if path.is_dir():
        raise ReadError(f"{path}: is a folder, not an export; name the .csv or .xlsx file in it")
    if path.exists():
        raise ReadError(
            f"{path}: is not a regular file (a pipe or a device); save the export as a "
            ".csv or .xlsx file and name that file"
        )
    raise ReadError(f"{path}: no such file")


def refuse_repeated(paths: Sequence[Path]) -> None:
    """Refuse an export named twice (through links or ``..`` too): its rows would count twice.

    Raises:
        ReadError: two of ``paths`` are the same file.
    """
    seen: dict[FileKey, Path] = {}
    for path in paths:
        keys = file_keys(path)
        for key in keys:
            if key in seen:
                raise ReadError(
                    f"{path}: the same export is given twice (also as {seen[key]}); name "
                    "each export once, or its rows would be read twice"
                )
        seen.update(dict.fromkeys(keys, path))
