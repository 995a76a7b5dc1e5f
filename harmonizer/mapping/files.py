"""Reading the files a mapping names: the mapping itself and its lookup files.

Only regular files are read, and only up to a size limit: a device (``/dev/zero``)
or a FIFO would read forever or block, and a huge file would exhaust memory. A lookup
file named in a mapping must lie inside the mapping's folder (after resolving ``..``
and symlinks): a mapping someone submits must not make ``harmonizer check`` read
``/etc/passwd``. A file from elsewhere is given on the command line
(``--lookup NAME=PATH``), where the person running the tool chose it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from harmonizer.errors import HarmonizerError

MAX_LOOKUP_BYTES = 32 * 1024 * 1024
"""A lookup file is a unit list; tens of thousands of rows stay far below this."""

LookupFiles = Mapping[str, Path]
"""Lookup name -> file given on the command line (``--lookup NAME=PATH``)."""


class UnreadableFile(HarmonizerError):
    """A file is not a regular file, is too large, or cannot be opened."""


def read_limited(
    path: Path, limit: int, what: str, error: type[HarmonizerError] = UnreadableFile
) -> bytes:
    """Return the bytes of a regular file of at most ``limit`` bytes.

    Raises:
        error: the file is missing, unreadable, not a regular file (a folder, a device,
            a FIFO, a socket) or larger than ``limit``; the message names the file.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise error(f"{path}: cannot read {what}: {err.strerror}") from err
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
            raise error(f"{path}: {what} is {kind}, not a file; give a regular file")
        if info.st_size > limit:
            raise error(
                f"{path}: {what} is {info.st_size:,} bytes, more than the {limit:,} bytes "
                "harmonizer reads; check that it is the right file"
            )
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError as err:
        raise error(f"{path}: cannot read {what}: {err.strerror}") from err
    finally:
        os.close(handle)
    if len(data) > limit:
        raise error(f"{path}: {what} grew past {limit:,} bytes while it was read")
    return data


def inside(folder: Path, name: str) -> Path | None:
    """Return ``folder / name`` resolved, or None when it lies outside ``folder``.

    >>> inside(Path("/srv/mappings"), "../../etc/passwd") is None
    True
    """
    if Path(name).is_absolute():
        return None
    base = folder.resolve()
    target = (base / name).resolve()
    return target if target.is_relative_to(base) else None


def parse_lookup_option(values: tuple[str, ...] | list[str]) -> dict[str, Path]:
    """Parse ``--lookup NAME=PATH`` options into a lookup name -> path table.

    Raises:
        ValueError: an option is not NAME=PATH or names a lookup twice.

    >>> parse_lookup_option(["units=/data/units.csv"])
    {'units': PosixPath('/data/units.csv')}
    """
    files: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        name = name.strip()
        if not sep or not name or not path:
            raise ValueError(f"--lookup {value}: write NAME=PATH, for example units=units.csv")
        if name in files:
            raise ValueError(f"--lookup gives lookup {name!r} twice; give each lookup once")
        files[name] = Path(path)
    return files
