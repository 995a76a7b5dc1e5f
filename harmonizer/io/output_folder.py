"""Output folders and files: never written over an input, never by two runs at once.

:func:`refuse_overwriting` compares what a command would write with what it reads,
after resolving symbolic links and ``..`` (and, for files that exist, by identity, so a
hard link counts too), before anything is written. :func:`folder_lock` takes an
exclusive lock on an output folder for a whole run (a shared one on a folder being
read): a second run into the same folder refuses at once instead of publishing a
manifest that describes the other run's records.

The lock is ``flock(2)`` on the folder itself rather than a lock file (the filelock
library locks files): no file is left in the output folder, which holds exactly what
its manifest lists, and the kernel releases the lock however the process ends, even on
SIGKILL, so there is never a stale lock to clear by hand.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from harmonizer.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; runs are not locked there
    fcntl = None  # type: ignore[assignment]


FileKey = tuple[int, int] | str


def file_keys(path: Path) -> set[FileKey]:
    """Return what identifies a file: its resolved path and, when it exists, its inode.

    Two paths name the same file when their keys meet: through links, ``..`` or a hard
    link, and also when neither exists yet.
    """
    keys: set[FileKey] = {os.path.realpath(path)}
    try:
        stat = path.stat()
    except OSError:
        return keys
    keys.add((stat.st_dev, stat.st_ino))
    return keys


def refuse_overwriting(outputs: Iterable[Path], inputs: Iterable[Path], *, what: str) -> None:
    """Refuse (before anything is written) an output that is one of the inputs.

    ``what`` says which option names the output (``-o``), for the message.

    Raises:
        OutputError: an output path is an input file, through links or ``..`` included.
    """
    sources: dict[FileKey, Path] = {}
    for source in inputs:
        sources.update(dict.fromkeys(file_keys(Path(source)), Path(source)))
    for output in outputs:
        for key in file_keys(Path(output)):
            if key in sources:
                raise OutputError(
                    f"{output}: writing it would overwrite the input {sources[key]}; "
                    f"choose another {what}"
                )


@contextlib.contextmanager
def folder_lock(folder: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold a lock on ``folder`` (created when missing) while the block runs.

    Exclusive by default (a run writing the folder, created when missing and removed
    again when the run fails before writing anything); ``shared=True`` for a folder that
    is read, so that reading waits for no one but refuses a folder being written; a
    missing folder is not locked (the reader then says what is wrong with it).

    Raises:
        OutputError: another harmonizer process holds a conflicting lock on the folder.
    """
    folder = Path(folder)
    if fcntl is None or (shared and not folder.is_dir()):
        # Nothing to lock (the reader says what is wrong with a missing folder).
        yield
        return
    created = not shared and not folder.exists()
    try:
        if not shared:
            folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        reason = err.strerror or str(err)
        raise OutputError(f"{folder}: cannot use the folder: {reason}") from err
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError as err:
            if shared:
                raise OutputError(
                    f"another run is writing to {folder}; wait for it to finish, then try again"
                ) from err
            raise OutputError(
                f"another run is writing to {folder} (or reading it); wait for it to finish, "
                "or write to another folder with -o"
            ) from err
        except OSError:
            # A file system without flock (some network mounts): run unlocked rather
            # than not at all, as before locking existed.
            pass
        yield
    except BaseException:
        if created:
            # A run that failed leaves no empty folder behind it (a full one stays).
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        os.close(fd)


def stale_outputs(folder: Path, names: Iterable[str], keep: Iterable[str]) -> list[Path]:
    """Return the files of ``names`` in ``folder`` that this run does not write again.

    They are the outputs of an earlier run in formats not asked for this time; left in
    place they would sit beside a manifest that does not list them.
    """
    kept = set(keep)
    return [folder / n for n in sorted(set(names) - kept) if (folder / n).is_file()]
