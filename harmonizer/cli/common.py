"""Shared pieces of the commands: error handling, messages and progress on stderr.

Every command writes data to stdout or ``-o`` and everything else (progress bars,
summaries, errors) to stderr, so that a pipe carries only data.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from harmonizer.errors import HarmonizerError
from harmonizer.mapping.load import LoadedMapping

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_CANNOT_RUN = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


@contextmanager
def cannot_run() -> Iterator[None]:
    """Turn a :class:`HarmonizerError` into its message on stderr and exit code 2.

    Anything else is a bug: the command group reports it as an internal error.
    """
    try:
        yield
    except HarmonizerError as err:
        click.echo(f"harmonizer: error: {err}", err=True)
        sys.exit(EXIT_CANNOT_RUN)


def plural(count: int, word: str, many: str | None = None) -> str:
    """Return '1 run', '2 runs', '1,234 records': a count with its noun in agreement.

    >>> plural(1, "duplicate"), plural(2, "run"), plural(0, "copy", "copies")
    ('1 duplicate', '2 runs', '0 copies')
    """
    noun = word if count == 1 else (many or word + "s")
    return f"{count:,} {noun}"


def say(message: str) -> None:
    """Write a summary or a notice for the person at the terminal: stderr, not stdout."""
    click.echo(message, err=True)


def colour_wanted(stream: IO[Any]) -> bool:
    """Return True when ``stream`` is a terminal and NO_COLOR is not set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress_bar(
    enabled: bool, label: str, total: int | None = None, unit: str = "rows"
) -> Iterator[Callable[[int], None] | None]:
    """Yield a progress callback drawing on stderr, or None when progress is off.

    With ``total`` (an estimate: the export's lines, the sheet's dimension, the
    manifests' counts) the bar shows percent, rate and time left; a total that proves
    too small grows with the rows.
    """
    if not enabled:
        yield None
        return
    started = time.monotonic()

    def rate(text: str | None) -> str | None:
        return text

    # Time left is computed here rather than by click's show_eta: click waits a full
    # second before its first estimate, so a short run never showed one.
    with click.progressbar(
        length=total or 0,
        label=label,
        file=sys.stderr,
        show_pos=True,
        show_percent=total is not None,
        show_eta=False,
        item_show_func=rate,
    ) as bar:

        def status(done: int) -> str:
            """Return the rate so far and, while rows remain, the time left."""
            speed = done / max(time.monotonic() - started, 1e-6)
            text = f"{speed:,.0f} {unit}/s"
            remaining = (bar.length or done) - done
            if total is not None and remaining > 0:
                text += f"  {time_left(remaining, speed)} left"
            return text

        def advance(rows: int) -> None:
            done = bar.pos + rows
            if done > (bar.length or 0):
                bar.length = done
            bar.update(rows, status(done))

        yield advance
        if bar.pos < (bar.length or 0):
            # The estimate was high (cells spanning lines, a generous dimension): end
            # the bar at what was actually read, as 100%.
            bar.length = bar.pos
            bar.current_item = status(bar.pos)
            bar.render_progress()


def time_left(remaining: int, speed: float) -> str:
    """Return ``remaining`` rows at ``speed`` rows per second as HH:MM:SS."""
    seconds = int(remaining / speed) if speed > 0 else 0
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def refuse_format_words(words: Sequence[Path], choices: Sequence[str]) -> None:
    """Refuse a format name given where a file belongs: ``--format csv xlsx``.

    Click takes the word after the space as one more EXPORT (or RUN); say how to
    write the list instead of failing on a missing file.
    """
    for word in words:
        text = str(word).strip().strip(",")
        if text.lower() in choices and not Path(word).exists():
            raise click.UsageError(
                f"'{text}' is a format, not a file: separate formats with commas and no "
                f"space, for example --format csv,{text}"
            )


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


class _OutputPath(click.Path):
    """A ``click.Path`` that refuses an empty value (``-o ''``).

    click reads an empty path as the current folder, and would write the outputs
    wherever the command happens to run.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path names nothing to write; give a path, for example -o out")
        return super().convert(value, param, ctx)


def output_dir_option(help_text: str) -> Callable[[Command], Command]:
    """Return the required ``-o/--output`` option naming the folder to write into."""
    return click.option(
        "-o",
        "--output",
        "outdir",
        required=True,
        type=_OutputPath(file_okay=False, path_type=Path),
        help=help_text,
    )


def output_file_option(help_text: str) -> Callable[[Command], Command]:
    """Return the required ``-o/--output`` option naming the file to write."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=_OutputPath(dir_okay=False, path_type=Path),
        help=help_text,
    )


def formats_option(choices: Sequence[str], help_text: str) -> Callable[[Command], Command]:
    """Return a ``--format`` option taking comma-separated dataset formats from ``choices``."""

    def parse(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
        # 'csv, xlsx' quoted as one word means the same as 'csv,xlsx'.
        formats = tuple(f for f in value.replace(" ", ",").split(",") if f)
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


def export_rows(loaded: LoadedMapping, exports: Sequence[Path]) -> int | None:
    """Return about how many data rows the exports hold (a progress bar's total), or None."""
    from harmonizer.io.extent import estimate_rows

    source = loaded.model.source
    total = 0
    for path in exports:
        xlsx = (source.format or "").lower() == "xlsx" or path.suffix.lower() in (".xlsx", ".xlsm")
        rows = estimate_rows(path, xlsx=xlsx, sheet=source.sheet, header_row=source.header_row)
        if rows is None:
            return None
        total += rows
    return total


def dataset_records(folders: Sequence[Path]) -> int | None:
    """Return how many records the folders' manifests count (a progress bar's total)."""
    from harmonizer.dataset import open_dataset

    total = 0
    for folder in folders:
        try:
            counts = open_dataset(folder).manifest["counts"]
            total += int(counts["records"])
        except (HarmonizerError, KeyError, TypeError, ValueError):
            return None
    return total
