"""`harmonizer combine`: merge the outputs of many runs into one dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import combine
from harmonizer.cli.common import (
    EXIT_OK,
    cannot_run,
    formats_option,
    output_dir_option,
    progress_bar,
    progress_option,
    quiet_option,
)
from harmonizer.dataset import DATASET_FORMATS


@click.command("combine")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_dir_option("Folder for the combined records and manifest.json.")
@formats_option(
    DATASET_FORMATS,
    "Extra dataset formats, comma-separated: csv, xlsx, parquet (jsonl is always written).",
)
@progress_option
@quiet_option
def combine_command(
    runs: tuple[Path, ...],
    outdir: Path,
    formats: tuple[str, ...],
    progress: bool | None,
    quiet: bool,
) -> None:
    """Combine RUNS (folders written by `harmonizer run` or `combine`) into one dataset.

    A response re-submitted in several runs is kept once, from the newest run; the
    manifest lists every input run with its records, kept and superseded counts.
    """
    show = sys.stderr.isatty() if progress is None else progress
    with cannot_run(), progress_bar(show and not quiet, "combine") as advance:
        result = combine(runs, outdir, formats=formats, progress=advance)
    if not quiet:
        for item in result.inputs:
            click.echo(
                f"{item.path}: {item.records} records, {item.kept} kept, "
                f"{item.superseded} superseded by a newer run"
            )
        click.echo(
            f"dataset: {result.records} records from {len(result.inputs)} runs "
            f"({result.superseded} re-submitted copies removed) -> {outdir}"
        )
    sys.exit(EXIT_OK)
