"""`harmonizer draft`: draft a mapping from a provider's export."""

from __future__ import annotations

from pathlib import Path

import click

from harmonizer.cli.common import OutputPath, cannot_run, plural
from harmonizer.draft import draft_mapping
from harmonizer.schema import DEFAULT_SCHEMA_VERSION, LANGUAGES


@click.command("draft")
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path),
    help="The mapping file to write (YAML); a unit list <mapping>-units.csv is written beside it.",
)
@click.option("--provider-id", help="The provider's business ID (Y-tunnus), e.g. 2345671-3.")
@click.option("--county", help="The wellbeing services county code, e.g. 19.")
@click.option("--sheet", help="xlsx: the sheet with the responses (default: the largest).")
@click.option(
    "--codebook",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A csv or xlsx that explains codes: questions (k2 beside its wording) and "
    "answers (9 = EOS).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="The language the respondents answered in (default: detected).",
)
@click.option(
    "--schema-version",
    default=DEFAULT_SCHEMA_VERSION,
    show_default=True,
    help="The national schema version the mapping targets.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Read at most this many rows of each export.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing mapping file.")
def draft_command(
    exports: tuple[Path, ...],
    output: Path,
    provider_id: str | None,
    county: str | None,
    sheet: str | None,
    codebook: Path | None,
    lang: str | None,
    schema_version: str,
    rows: int,
    force: bool,
) -> None:
    """Draft a mapping for EXPORT (one provider's exports of one layout).

    Reads the header and a bounded sample of each column, guesses how every column
    maps onto the national record and writes a commented mapping that passes
    `harmonizer check`. Every guess says how sure it is; what a person must review is
    marked `# CHECK:` in the file and listed on stderr. Then:
    `harmonizer check MAPPING --sample EXPORT` and `harmonizer run`.

    Exit codes: 0 the draft was written; 2 it could not be (unreadable export, a
    missing business ID or county, an existing file without --force).
    """
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; choose another -o or add --force")
    with cannot_run():
        result = draft_mapping(
            list(exports),
            output,
            provider_id=provider_id,
            county=county,
            sheet=sheet,
            lang=lang,
            schema_version=schema_version,
            max_rows=rows,
            codebook=codebook,
        )
    written = ", ".join(str(p) for p in result.written)
    click.echo(f"harmonizer draft: wrote {written}", err=True)
    for note in result.notes:
        click.echo(f"  {note}", err=True)
    if result.checks:
        click.echo(
            f"{plural(len(result.checks), 'thing')} to check (marked # CHECK: in {output}):",
            err=True,
        )
        for number, check in enumerate(result.checks, 1):
            click.echo(f"  {number}. {check}", err=True)
    else:
        click.echo("nothing marked to check", err=True)
    click.echo(f"next: harmonizer check {output} --sample {exports[0]}", err=True)
