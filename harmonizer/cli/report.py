"""`harmonizer report`: the meeting report of a dataset, as html or xlsx with charts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import report
from harmonizer.cli.aggregate import by_option, min_n_option
from harmonizer.cli.common import (
    EXIT_OK,
    cannot_run,
    dataset_argument,
    dataset_records,
    output_file_option,
    progress_bar,
    progress_option,
    quiet_option,
    say,
)
from harmonizer.schema import LANGUAGES


@click.command("report")
@dataset_argument
@by_option
@output_file_option("The report to write: .html (self-contained) or .xlsx (native charts).")
@click.option(
    "--lang", default="en", show_default=True, type=click.Choice(LANGUAGES), help="Report language."
)
@min_n_option
@progress_option
@quiet_option
def report_command(
    dataset: Path,
    by: str,
    output: Path,
    lang: str,
    min_n: int,
    progress: bool | None,
    quiet: bool,
) -> None:
    """Write the meeting report of DATASET: NPS and statements per group, with charts."""
    show = (sys.stderr.isatty() if progress is None else progress) and not quiet
    total = dataset_records([dataset]) if show else None
    with (
        cannot_run(),
        progress_bar(show, "report", total, unit="records") as advance,
    ):
        written = report(dataset, by, output, lang=lang, min_n=min_n, progress=advance)
    if not quiet:
        say(f"report -> {written}")
    sys.exit(EXIT_OK)
