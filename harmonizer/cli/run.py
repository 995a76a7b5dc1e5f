"""`harmonizer run`: harmonise exports with a mapping and write the dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import OUTPUT_FORMATS, PUBLISHED_NAMES, harmonize
from harmonizer.cli.common import (
    EXIT_ERRORS,
    EXIT_OK,
    cannot_run,
    export_rows,
    formats_option,
    lookup_option,
    mapping_option,
    output_dir_option,
    plural,
    progress_bar,
    progress_option,
    quiet_option,
    refuse_format_words,
    say,
)
from harmonizer.io.output_folder import refuse_overwriting
from harmonizer.mapping.load import load_mapping


@click.command("run")
@mapping_option
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@output_dir_option("Folder for records, rejects and manifest.json.")
@formats_option(
    OUTPUT_FORMATS, "Extra dataset formats, comma-separated: csv, xlsx (jsonl is always written)."
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row was rejected.")
@click.option(
    "--max-issues",
    default=1000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Issues kept in memory for the summary; counting never stops.",
)
@click.option(
    "--drop-open-text",
    is_flag=True,
    help="Leave open text out of every output instead of redacting it.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for wide exports, at most one per core [default: the machine's "
    "cores, at most 4, for a csv of 16 MiB or an xlsx of 8 MiB and more; 1 below]. The "
    "outputs are the same for any number.",
)
@lookup_option
@progress_option
@quiet_option
def run_command(
    mapping_path: Path,
    exports: tuple[Path, ...],
    outdir: Path,
    formats: tuple[str, ...],
    strict: bool,
    max_issues: int,
    drop_open_text: bool,
    jobs: int | None,
    lookup_files: dict[str, Path],
    progress: bool | None,
    quiet: bool,
) -> None:
    """Harmonise EXPORTS (csv, xlsx) with a mapping into OUTDIR.

    Writes records.jsonl, rejects.jsonl and manifest.json (plus csv/xlsx with --format);
    outputs of other formats left in OUTDIR by an earlier run are removed. Every source
    row ends up once in the records, the rejects, or the excluded count. The summary
    goes to stderr.

    Exit codes: 0 the run completed; 1 with --strict when any row was rejected;
    2 could not run (broken mapping, unreadable export, missing column, an output
    that would overwrite an input, another run writing to OUTDIR); 130 interrupted.
    """
    refuse_format_words(exports, OUTPUT_FORMATS)
    show = (sys.stderr.isatty() if progress is None else progress) and not quiet
    with cannot_run():
        # Lookup files from the command line: harmonize() knows the mapping's own.
        refuse_overwriting(
            [outdir / name for name in PUBLISHED_NAMES],
            list(lookup_files.values()),
            what="output folder (-o)",
        )
        loaded = load_mapping(mapping_path, lookup_files=lookup_files)
        total = export_rows(loaded, exports) if show else None
        with progress_bar(show, loaded.id, total) as advance:
            result = harmonize(
                loaded,
                exports,
                outdir,
                formats=formats,
                max_issues=max_issues,
                open_text="drop" if drop_open_text else "redact",
                progress=advance,
                jobs=jobs,
            )
    counts = result.report.counts
    if not quiet:
        say(
            f"{loaded.id}: read {plural(counts.read, 'row')}: {counts.accepted:,} accepted, "
            f"{counts.rejected:,} rejected, {counts.excluded:,} excluded, "
            f"{plural(counts.duplicates, 'duplicate')} -> {plural(counts.records, 'record')} "
            f"in {outdir}"
        )
        for code, n in sorted(result.report.issue_counts.items(), key=lambda kv: -kv[1]):
            say(f"  {n:>7,}  {code}")
    rejected = counts.rejected + counts.duplicates
    sys.exit(EXIT_ERRORS if strict and rejected else EXIT_OK)
