"""`harmonizer schema`: documents of the national record (the codebook)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import codebook
from harmonizer.cli.common import EXIT_OK, OutputPath, cannot_run, quiet_option, say
from harmonizer.schema import DEFAULT_SCHEMA_VERSION, LANGUAGES


@click.group("schema")
def schema_group() -> None:
    """Documents of the national record schema."""


@schema_group.command("codebook")
@click.option(
    "-o",
    "--output",
    required=True,
    type=OutputPath(dir_okay=False, path_type=Path),
    help="The codebook to write: .xlsx or .md.",
)
@click.option(
    "--lang",
    default="en",
    show_default=True,
    type=click.Choice(LANGUAGES),
    help="Heading language.",
)
@click.option(
    "--schema-version",
    default=DEFAULT_SCHEMA_VERSION,
    show_default=True,
    help="National schema version to document.",
)
@quiet_option
def codebook_command(output: Path, lang: str, schema_version: str, quiet: bool) -> None:
    """Write the data dictionary: fields, types, codes and labels in fi, sv and en."""
    with cannot_run():
        written = codebook(output, lang=lang, schema_version=schema_version)
    if not quiet:
        say(f"codebook -> {written}")
    sys.exit(EXIT_OK)
