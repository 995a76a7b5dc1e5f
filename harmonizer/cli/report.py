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
    output_file_option,
    quiet_option,
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
@quiet_option
def report_command(
    dataset: Path, by: str, output: Path, lang: str, min_n: int, quiet: bool
) -> None:
    """Write the meeting report of DATASET: NPS and statements per group, with charts."""
    with cannot_run():
        written = report(dataset, by, output, lang=lang, min_n=min_n)
    if not quiet:
        click.echo(f"report -> {written}")
    sys.exit(EXIT_OK)
