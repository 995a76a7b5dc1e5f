"""`harmonizer validate`: the full pipeline of `run`, reporting issues, writing no dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import mapping_files, validate
from harmonizer.cli.common import (
    cannot_run,
    export_rows,
    lookup_option,
    mapping_option,
    progress_bar,
    progress_option,
)
from harmonizer.cli.reporting import check_output, emit, report_options, report_set
from harmonizer.io.output_folder import refuse_overwriting
from harmonizer.mapping.load import load_mapping


@click.command("validate")
@mapping_option
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@report_options
@lookup_option
@progress_option
def validate_command(
    mapping_path: Path,
    exports: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    max_issues: int,
    fail_on: str,
    lang: str | None,
    audience: str | None,
    show_info: bool,
    quiet: bool,
    lookup_files: dict[str, Path],
    progress: bool | None,
) -> None:
    """Validate EXPORTS (csv, xlsx) with a mapping; write no dataset.

    Runs exactly what `harmonizer run` runs and reports every issue with its export,
    sheet, source row, source column, raw value, national field, issue code, severity
    and two fixes: the provider's (the cells to change) and the mapping author's.
    Errors are listed first. A column missing from an export, a header on another row
    and an export that cannot be read are issues too; the other exports are validated.

    Exit codes: 0 no errors; 1 errors found (warnings too with --fail-on warning);
    2 could not run (bad options, broken mapping or schema, a report that would
    overwrite an input); 130 interrupted.
    """
    check_output(fmt, output)
    show = (sys.stderr.isatty() if progress is None else progress) and not quiet
    with cannot_run():
        if output is not None:
            inputs = [mapping_path, *exports, *lookup_files.values()]
            refuse_overwriting([output], inputs, what="-o")
        loaded = load_mapping(mapping_path, lookup_files=lookup_files)
        if output is not None:
            refuse_overwriting([output], mapping_files(loaded), what="-o")
        total = export_rows(loaded, exports) if show else None
        with progress_bar(show, loaded.id, total) as advance:
            report = validate(loaded, exports, max_issues=max_issues, progress=advance)
        results = report_set(
            "validate",
            [report],
            fail_on=fail_on,
            lang=lang,
            fmt=fmt,
            audience=audience,
            show_info=show_info,
        )
        code = emit("validate", results, fmt=fmt, output=output, quiet=quiet)
    sys.exit(code)
