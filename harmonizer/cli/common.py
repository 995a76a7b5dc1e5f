"""Shared pieces of the commands: error handling and progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

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


Command = TypeVar("Command", bound=Callable[..., Any])

# Options that several commands share, so that their names and help cannot drift apart.
mapping_option = click.option(
    "-m",
    "--mapping",
    "mapping_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The provider's mapping file (YAML).",
)
progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
dataset_argument = click.argument("dataset", type=click.Path(path_type=Path))


def _parse_lookups(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    from harmonizer.mapping.files import parse_lookup_option

    try:
        return parse_lookup_option(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from err


lookup_option = click.option(
    "--lookup",
    "lookup_files",
    multiple=True,
    metavar="NAME=PATH",
    callback=_parse_lookups,
    help="The file of lookup NAME, for a lookup file that comes with each export "
    "(lookup files named in the mapping must lie in the mapping's folder). Repeatable.",
)


def output_dir_option(help_text: str) -> Callable[[Command], Command]:
    """Return the required ``-o/--output`` option naming the folder to write into."""
    return click.option(
        "-o",
        "--output",
        "outdir",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


def output_file_option(help_text: str) -> Callable[[Command], Command]:
    """Return the required ``-o/--output`` option naming the file to write."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def formats_option(choices: Sequence[str], help_text: str) -> Callable[[Command], Command]:
    """Return a ``--format`` option taking comma-separated dataset formats from ``choices``."""

    def parse(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
        formats = tuple(f.strip() for f in value.split(",") if f.strip())
        unknown = [f for f in formats if f not in choices]
        if unknown:
            raise click.BadParameter(
                f"unknown format {', '.join(unknown)}; choose from {', '.join(choices)}"
            )
        return formats

    return click.option(
        "--format",
        "formats",
        default="jsonl",
        show_default=True,
        callback=parse,
        help=help_text,
    )
