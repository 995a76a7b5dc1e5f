"""Writers: records and rejects to JSON Lines, csv and xlsx, streaming and atomic.

Every output is written to a temporary file beside its target
(``.<name>.<pid>.<random>.part``) and renamed into place only when the whole run
succeeded, so a run stopped at any moment leaves the previous outputs intact and no
partial file under an output's name. Publishing has two steps, :meth:`finish` (write
and fsync) and :meth:`publish` (rename), so that a caller can finish every file before
renaming any. A run killed outright (SIGKILL, power loss) cannot delete its temporary
files; the next :class:`AtomicFile` for the same target deletes those whose process is
gone. Text that a spreadsheet would run as a formula is neutralised in csv and xlsx.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import hashlib
import io
import os
import re
import signal
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from harmonizer.errors import OutputError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
XLSX_MAX_ROWS = 1_048_576


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet: formula-like text gets a leading quote.

    Numbers, and text that is a plain number such as '-1', are left as they are.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-1"), neutralise(-1)
    ("'=HYPERLINK(1)", '-1', -1)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_parts(target: Path) -> list[Path]:
    """Delete temporary files of ``target`` left by runs that were killed; return them.

    A temporary file names the process that writes it; one whose process still runs
    (another run writing the same folder) is left alone.
    """
    removed: list[Path] = []
    prefix = f".{target.name}."
    for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid_text = part.name[len(prefix) :].split(".", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
            removed.append(part)
    return removed


def write_failure(target: Path, err: OSError) -> OutputError:
    """Return the :class:`OutputError` that tells the user why ``target`` was not written."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full; free some space, or write to another folder with -o"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"{err.strerror or err}; write to a folder you may write to, with -o"
    else:
        reason = f"{err.strerror or err}"
    return OutputError(f"{target}: cannot write: {reason}")


@contextlib.contextmanager
def writing(target: Path) -> Iterator[None]:
    """Turn an ``OSError`` raised while writing ``target`` into an :class:`OutputError`."""
    try:
        yield
    except OSError as err:
        # Drop the frames of the failed write now: a library's half-written objects
        # (openpyxl's zip archive) are then collected here, not at interpreter exit
        # with a complaint on stderr.
        err.__traceback__ = None
        err.__context__ = None
        raise write_failure(target, err) from err


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while a set of files is renamed into place.

    A Ctrl-C between two renames would leave new records beside an old manifest; held
    back, it arrives a few microseconds later, when the set is complete.
    """
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # not POSIX
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _fsync_directory(directory: Path) -> None:
    # A rename is durable only once the directory itself is on disk (POSIX).
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _HashingFile(io.RawIOBase):
    """A file descriptor opened for writing that hashes exactly the bytes written.

    The manifest's sha256 of an output is taken as it is written, not by reading the
    file back afterwards.
    """

    def __init__(self, fd: int) -> None:
        self._file = io.FileIO(fd, "wb")
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        written = self._file.write(data)
        if written:
            self.digest.update(memoryview(data)[:written])
        return written or 0

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


class AtomicFile:
    """A file written under a temporary name and renamed into place on :meth:`commit`.

    ``sha256`` holds the digest of the content once :meth:`finish` has run.
    """

    def __init__(self, target: Path, *, binary: bool = False, encoding: str = "utf-8") -> None:
        self.target = target
        self.sha256: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_parts(target)
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent
            )
        except OSError as err:
            raise write_failure(target, err) from err
        self.temp = Path(name)
        # mkstemp creates 0600 files; outputs are shared datasets, so honour the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temp, 0o666 & ~umask)
        self._hashing = _HashingFile(fd)
        buffered = io.BufferedWriter(self._hashing, buffer_size=1 << 16)
        self.handle: IO[Any] = (
            buffered if binary else io.TextIOWrapper(buffered, encoding=encoding, newline="")
        )

    def finish(self) -> None:
        """Flush the temporary file to disk, close it and take its digest."""
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.sha256 = self._hashing.digest.hexdigest()
        except OSError as err:
            self.abort()
            raise write_failure(self.target, err) from err

    def publish(self, *, sync: bool = True) -> None:
        """Rename the finished temporary file over the target.

        ``sync=False`` leaves the directory's fsync to a later publish in the same
        folder, so that a set of files is renamed within microseconds.
        """
        try:
            os.replace(self.temp, self.target)
        except OSError as err:
            self.abort()
            raise write_failure(self.target, err) from err
        if sync:
            _fsync_directory(self.target.parent)

    def commit(self) -> None:
        """Flush to disk and rename over the target (:meth:`finish` + :meth:`publish`)."""
        self.finish()
        self.publish()

    def abort(self) -> None:
        """Close and delete the temporary file; the target is untouched. Never raises.

        Closing flushes what is buffered, which fails on a full disk; the file goes
        all the same.
        """
        with contextlib.suppress(OSError, ValueError):
            self.handle.close()
        with contextlib.suppress(OSError):
            self.temp.unlink(missing_ok=True)


class Writer(Protocol):
    """Consumes dicts one at a time; ``commit`` publishes the file, ``abort`` drops it."""

    path: Path

    def write(self, item: dict[str, Any]) -> None:
        """Write one item."""

    def commit(self) -> None:
        """Finish and publish the file."""

    def abort(self) -> None:
        """Drop the file; the previous one stays."""


class StagedWriter(Writer, Protocol):
    """A :class:`Writer` whose ``commit`` comes in two steps, for publishing a set of files.

    ``finish`` puts everything on disk under the temporary name; ``publish`` renames.
    A caller finishes every file of a set before it publishes any.
    """

    def finish(self) -> AtomicFile:
        """Write everything to the temporary file; return it, ready to publish."""

    def publish(self, *, sync: bool = True) -> None:
        """Rename the finished file into place (``sync``: fsync the folder too)."""


class StagedFile:
    """The staging shared by writers of one :class:`AtomicFile`.

    Subclasses set ``path`` and ``_file`` and write their content; ``finish`` puts it on
    disk (a subclass extends it to flush its own buffers first), ``publish`` renames,
    ``commit`` does both, ``abort`` drops the file.
    """

    path: Path
    _file: AtomicFile

    def finish(self) -> AtomicFile:
        """Write everything to the temporary file; return it, ready to publish."""
        self._file.finish()
        return self._file

    def publish(self, *, sync: bool = True) -> None:
        """Rename the finished file into place."""
        self._file.publish(sync=sync)

    def commit(self) -> None:
        """Finish and publish the file."""
        self.finish()
        self.publish()

    def abort(self) -> None:
        """Drop the file; the previous one stays."""
        self._file.abort()


class JsonlWriter(StagedFile):
    """One JSON object per line, UTF-8, keys in the given order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = AtomicFile(path, binary=True)
        self._write = self._file.handle.write

    def write(self, item: dict[str, Any]) -> None:
        """Write one item as a line."""
        self.write_line(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE))

    def write_line(self, line: bytes) -> None:
        """Write one item already encoded as a JSON line (ending in a newline)."""
        try:
            self._write(line)
        except OSError as err:
            raise write_failure(self.path, err) from err


Flatten = Callable[[dict[str, Any]], Sequence[Any]]


class CsvWriter(StagedFile):
    """A csv file (UTF-8 with BOM, so Excel shows ä and ö) with a fixed header."""

    def __init__(self, path: Path, header: Sequence[str], flatten: Flatten) -> None:
        self.path = path
        self._file = AtomicFile(path, encoding="utf-8-sig")
        self._csv = csv.writer(self._file.handle)
        self._flatten = flatten
        with writing(path):
            self._csv.writerow(header)

    def write(self, item: dict[str, Any]) -> None:
        """Write one item as a row."""
        try:
            self._csv.writerow([neutralise(v) for v in self._flatten(item)])
        except OSError as err:
            raise write_failure(self.path, err) from err


class XlsxWriter(StagedFile):
    """An xlsx workbook written in openpyxl's streaming (write-only) mode."""

    def __init__(self, path: Path, header: Sequence[str], flatten: Flatten, *, sheet: str) -> None:
        from openpyxl import Workbook

        self.path = path
        self._header = list(header)
        self._flatten = flatten
        self._sheet_name = sheet
        self._book = Workbook(write_only=True)
        self._sheets = 0
        self._new_sheet()
        self._file = AtomicFile(path, binary=True)

    def _new_sheet(self) -> None:
        self._sheets += 1
        title = self._sheet_name if self._sheets == 1 else f"{self._sheet_name} ({self._sheets})"
        self._sheet = self._book.create_sheet(title)
        self._sheet.append(self._header)
        self._rows = 1

    def write(self, item: dict[str, Any]) -> None:
        """Write one item as a row; a full sheet continues on a new one."""
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        with writing(self.path):
            if self._rows >= XLSX_MAX_ROWS:
                self._new_sheet()
            # openpyxl streams each sheet to a temporary file of its own, so a full disk
            # can surface here as well as when the workbook is saved.
            self._sheet.append(
                [
                    neutralise(ILLEGAL_CHARACTERS_RE.sub("", v)) if isinstance(v, str) else v
                    for v in self._flatten(item)
                ]
            )
        self._rows += 1

    def finish(self) -> AtomicFile:
        """Save the workbook to the temporary file."""
        with writing(self.path):
            self._book.save(self._file.handle)
        return super().finish()

    def abort(self) -> None:
        """Drop the file, and the sheets openpyxl was streaming to temporary files."""
        for sheet in self._book.worksheets:
            # An unclosed streaming sheet would write to a closed file when collected.
            with contextlib.suppress(Exception):
                if not sheet.closed:
                    sheet.close()
            out = getattr(getattr(sheet, "_writer", None), "out", None)
            if isinstance(out, str):
                with contextlib.suppress(OSError):
                    os.remove(out)
        self._file.abort()


def prepare_json(path: Path, document: Any) -> AtomicFile:
    """Write a JSON document (pretty, UTF-8) to a finished temporary file, to publish."""
    target = AtomicFile(path, binary=True)
    try:
        with writing(path):
            target.handle.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    except BaseException:
        target.abort()
        raise
    target.finish()
    return target


def write_json(path: Path, document: Any) -> None:
    """Write a JSON document atomically (pretty, UTF-8)."""
    prepare_json(path, document).publish()


def publish_with_manifest(
    writers: Sequence[StagedWriter],
    manifest_path: Path,
    manifest: Callable[[dict[str, str]], dict[str, Any]],
    *,
    stale: Sequence[Path] = (),
) -> dict[str, Any]:
    """Publish a set of outputs and their manifest together; return the manifest.

    Every output is finished (on disk under its temporary name, with its digest) before
    anything is renamed; ``manifest`` receives ``{file name: sha256}`` and returns the
    document; the outputs are then renamed within microseconds, the ``stale`` files
    (outputs of an earlier run in formats not written this time) are removed, and the
    manifest comes last, so a manifest always describes exactly the outputs beside it.
    Ctrl-C is held back during the renames. On failure the caller's ``abort`` of each
    writer drops what is left.
    """
    finished = [writer.finish() for writer in writers]
    document = manifest({f.target.name: f.sha256 or "" for f in finished})
    manifest_file = prepare_json(manifest_path, document)
    with signals_deferred():
        try:
            for writer in writers:
                writer.publish(sync=False)
            for path in stale:
                with writing(path):
                    path.unlink(missing_ok=True)
        except BaseException:
            manifest_file.abort()
            raise
        manifest_file.publish()
    return document


WriterFactory = Callable[[Path], StagedWriter]


def build_writers(
    outdir: Path,
    name: str,
    formats: Sequence[str],
    header: Sequence[str],
    flatten: Flatten,
    *,
    more: Mapping[str, WriterFactory] | None = None,
) -> list[StagedWriter]:
    """Return one writer of ``outdir/<name>.<format>`` per format.

    jsonl, csv and xlsx are built here; ``more`` adds formats that need more than a flat
    header (Parquet's typed schema). An unknown format raises ``ValueError``.
    """
    factories: dict[str, WriterFactory] = {
        "jsonl": JsonlWriter,
        "csv": lambda path: CsvWriter(path, header, flatten),
        "xlsx": lambda path: XlsxWriter(path, header, flatten, sheet=name),
        **(more or {}),
    }
    writers = []
    for fmt in formats:
        factory = factories.get(fmt)
        if factory is None:
            raise ValueError(f"unknown output format {fmt!r}; use {', '.join(factories)}")
        writers.append(factory(outdir / f"{name}.{fmt}"))
    return writers
