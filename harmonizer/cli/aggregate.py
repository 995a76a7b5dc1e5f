"""`harmonizer aggregate`: comparable figures of a dataset per group, to csv, xlsx or json."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harmonizer.api import aggregate, aggregate_items
from harmonizer.cli.common import (
    EXIT_OK,
    cannot_run,
    dataset_argument,
    dataset_records,
    output_file_option,
    plural,
    progress_bar,
    progress_option,
    quiet_option,
    say,
)
from harmonizer.figures import DEFAULT_MIN_N, GROUP_FIELDS
from harmonizer.schema import LANGUAGES

BY_HELP = f"Grouping fields, comma-separated: {', '.join(GROUP_FIELDS)}."

# The options aggregate and report share, so their names and help cannot drift apart.
by_option = click.option("--by", "by", required=True, help=BY_HELP)
min_n_option = click.option(
    "--min-n",
    default=DEFAULT_MIN_N,
    show_default=True,
    type=click.IntRange(min=1),
    help="Suppress figures based on fewer valid answers.",
)


@click.command("aggregate")
@dataset_argument
@by_option
@output_file_option("The table to write: .csv, .xlsx or .json.")
@min_n_option
@click.option(
    "--items",
    help="Own items to count instead of the national figures, comma-separated: "
    "own_items.<name>. Per group: each answer's count and, for a declared scale, the "
    "positive share and the mean.",
)
@click.option(
    "--lang", default="en", show_default=True, type=click.Choice(LANGUAGES), help="Label language."
)
@progress_option
@quiet_option
def aggregate_command(
    dataset: Path,
    by: str,
    output: Path,
    min_n: int,
    items: str | None,
    lang: str,
    progress: bool | None,
    quiet: bool,
) -> None:
    """Compute comparable figures of DATASET (a combined dataset or a run folder) per group.

    Per group: responses; NPS with its 95% interval; for each statement n, mean with its
    95% interval, top-two-box share and the 1-5 distribution; coverage. Figures under
    --min-n answers are suppressed; adapted items are reported apart. With --items, the
    figures of the providers' own items instead (they never enter national figures). The
    table goes to -o; the summary to stderr.
    """
    show = (sys.stderr.isatty() if progress is None else progress) and not quiet
    total = dataset_records([dataset]) if show else None
    with (
        cannot_run(),
        progress_bar(show, "aggregate", total, unit="records") as advance,
    ):
        if items is not None:
            own = aggregate_items(
                dataset, items, by, output=output, min_n=min_n, lang=lang, progress=advance
            )
            responses, groups, grouped = own.total.responses, len(own.groups), own.by
        else:
            figures = aggregate(
                dataset, by, output=output, min_n=min_n, lang=lang, progress=advance
            )
            responses, groups, grouped = figures.total.responses, len(figures.groups), figures.by
    if not quiet:
        say(
            f"{plural(responses, 'record')} in "
            f"{plural(groups, 'group')} by {', '.join(grouped)} -> {output}"
        )
    sys.exit(EXIT_OK)
