"""Shared pieces of the commands: error handling and progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from harmonizer.errors import HarmonizerError

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_CANNOT_RUN = 2


@contextmanager
def cannot_run() -> Iterator[None]:
    """Turn a :class:`HarmonizerError` into its message on stderr and exit code 2.

    Anything else is a bug and keeps its traceback.
    """
    try:
        yield
    except HarmonizerError as err:
        click.echo(f"harmonizer: error: {err}", err=True)
        sys.exit(EXIT_CANNOT_RUN)


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """Yield a progress callback drawing on stderr, or None when progress is off."""
    if not enabled:
        yield None
        return
    with click.progressbar(
        length=0, label=label, file=sys.stderr, show_pos=True, show_eta=False
    ) as bar:
        # Without a known total the bar counts rows; the length is raised as rows come.
        def advance(rows: int) -> None:
            bar.length = (bar.length or 0) + rows
            bar.update(rows)

        yield advance
