"""`harmonizer combine`: merge the outputs of many runs into one dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import combine
from harmonizer.cli.common import (
    EXIT_OK,
    cannot_run,
    dataset_records,
    formats_option,
    output_dir_option,
    plural,
    progress_bar,
    progress_option,
    quiet_option,
    refuse_format_words,
    say,
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
    Outputs of other formats left in OUTDIR by an earlier combine are removed. The
    summary goes to stderr.

    Exit codes: 0 combined; 2 could not run (an input that is not a run folder,
    incompatible schema versions, another run writing to OUTDIR); 130 interrupted.
    """
    refuse_format_words(runs, DATASET_FORMATS)
    show = (sys.stderr.isatty() if progress is None else progress) and not quiet
    # Each record is read twice: once to index the newest copies, once to copy them.
    total = dataset_records(runs) if show else None
    with (
        cannot_run(),
        progress_bar(
            show, "combine", None if total is None else 2 * total, unit="records"
        ) as advance,
    ):
        result = combine(runs, outdir, formats=formats, progress=advance)
    if not quiet:
        for item in result.inputs:
            say(
                f"{item.path}: {plural(item.records, 'record')}, {item.kept:,} kept, "
                f"{item.superseded:,} superseded by a newer run"
            )
        say(
            f"dataset: {plural(result.records, 'record')} from "
            f"{plural(len(result.inputs), 'run')} "
            f"({plural(result.superseded, 're-submitted copy', 're-submitted copies')} "
            f"removed) -> {outdir}"
        )
    sys.exit(EXIT_OK)
