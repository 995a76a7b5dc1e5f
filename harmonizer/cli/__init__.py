"""The command line: a thin shell over :mod:`harmonizer.api`.

Exit codes: 0 ran (no error issues); 1 errors found (``run --strict``: rows rejected);
2 could not run (usage, unreadable export, broken mapping or schema).
"""

from __future__ import annotations

import click

from harmonizer import __version__
from harmonizer.cli.aggregate import aggregate_command
from harmonizer.cli.check import check_command
from harmonizer.cli.combine import combine_command
from harmonizer.cli.draft import draft_command
from harmonizer.cli.report import report_command
from harmonizer.cli.run import run_command
from harmonizer.cli.schema import schema_group
from harmonizer.cli.validate import validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="harmonizer")
def main() -> None:
    """Harmonise social and health care customer feedback onto the national record."""


main.add_command(run_command)
main.add_command(combine_command)
main.add_command(aggregate_command)
main.add_command(report_command)
main.add_command(schema_group)
main.add_command(check_command)
main.add_command(validate_command)
main.add_command(draft_command)

__all__ = ["main"]
