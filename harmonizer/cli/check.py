"""`harmonizer check`: check mapping files, optionally against a sample export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import check_mapping
from harmonizer.cli.common import cannot_run, lookup_option
from harmonizer.cli.reporting import check_output, emit, report_options, report_set
from harmonizer.io.output_folder import refuse_overwriting


@click.command("check")
@click.argument("mappings", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--sample",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also read this export: every mapped column must be in its header, and every "
    "value in a mapped column must have a rule.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=1),
    help="With --sample: read only the first N data rows.",
)
@lookup_option
@report_options
def check_command(
    mappings: tuple[Path, ...],
    sample: Path | None,
    rows: int | None,
    lookup_files: dict[str, Path],
    fmt: str,
    output: Path | None,
    max_issues: int,
    fail_on: str,
    lang: str | None,
    audience: str | None,
    show_info: bool,
    quiet: bool,
) -> None:
    """Check MAPPING files without harmonising anything.

    Checks each mapping against the mapping schema and the national schema version it
    names: targets are national fields, value maps reach every scale point, no field has
    two sources, lookups and their files exist, constants are valid codes. With --sample,
    also lists the export's unmapped labels with their counts.

    Every problem of a mapping is reported in one pass.

    Exit codes: 0 no errors; 1 errors found in a mapping or the sample (warnings too
    with --fail-on warning); 2 could not run (a file that cannot be read, bad options,
    a report that would overwrite an input); 130 interrupted.
    """
    check_output(fmt, output)
    if rows is not None and sample is None:
        raise click.UsageError("--rows limits the --sample export; give --sample too")
    if sample is not None and len(mappings) != 1:
        raise click.UsageError("--sample checks one mapping; give exactly one MAPPING")
    with cannot_run():
        if output is not None:
            inputs = [*mappings, *([sample] if sample is not None else []), *lookup_files.values()]
            refuse_overwriting([output], inputs, what="-o")
        reports = [
            check_mapping(
                path, sample=sample, rows=rows, max_issues=max_issues, lookups=lookup_files
            )
            for path in mappings
        ]
        if sample is not None and reports[0].rows_checked is None and not quiet:
            click.echo(f"harmonizer check: {sample} was not read: fix the mapping first", err=True)
        results = report_set(
            "check",
            reports,
            fail_on=fail_on,
            lang=lang,
            fmt=fmt,
            audience=audience,
            show_info=show_info,
        )
        code = emit("check", results, fmt=fmt, output=output, quiet=quiet)
    sys.exit(code)
