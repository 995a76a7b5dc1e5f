"""The command line: a thin shell over :mod:`harmonizer.api`.

Exit codes: 0 ran (no error issues); 1 errors found (``run --strict``: rows rejected);
2 could not run (usage, unreadable export, broken mapping or schema, and any
unexpected failure, reported as an internal error); 130 interrupted (Ctrl-C).

Commands are registered in :data:`COMMANDS`; a new command adds itself there.
"""

from __future__ import annotations

import signal
import threading
import traceback
from collections.abc import Sequence
from types import FrameType
from typing import Any, NoReturn

import click

from harmonizer import __version__
from harmonizer.cli.aggregate import aggregate_command
from harmonizer.cli.check import check_command
from harmonizer.cli.combine import combine_command
from harmonizer.cli.common import EXIT_CANNOT_RUN, EXIT_INTERRUPTED
from harmonizer.cli.report import report_command
from harmonizer.cli.run import run_command
from harmonizer.cli.schema import schema_group
from harmonizer.cli.validate import validate_command

DISTRIBUTION = "palaute-harmonizer"
EXIT_TERMINATED = 143  # 128 + SIGTERM


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
    # SIGTERM (a CI job cancelled, a container stopped) unwinds like Ctrl-C, so that
    # temporary files are removed and the previous outputs stay as they were.
    raise SystemExit(EXIT_TERMINATED)


class HarmonizerGroup(click.Group):
    """The ``harmonizer`` group: no traceback reaches the user, Ctrl-C is exit 130."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line, with SIGTERM unwinding like an exception."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().main(*args, **kwargs)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command; report an interruption or an unexpected failure plainly."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(
                "harmonizer: interrupted; nothing new was published, the previous outputs "
                "are as they were",
                err=True,
            )
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as err:
            from harmonizer.redaction import redact_text

            if ctx.params.get("debug"):
                click.echo("".join(traceback.format_exception(err)), err=True, nl=False)
            where = "" if ctx.params.get("debug") else " (run again with --debug for the details)"
            click.echo(
                f"harmonizer: internal error: {type(err).__name__}: {redact_text(str(err))}, "
                f"please report this{where}",
                err=True,
            )
            ctx.exit(EXIT_CANNOT_RUN)


@click.group(cls=HarmonizerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    "-V",
    "--version",
    prog_name="harmonizer",
    message="%(prog)s %(version)s",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar="HARMONIZER_DEBUG",
    help="Show the Python traceback of an internal error (for a bug report).",
)
def main(debug: bool) -> None:
    """Harmonise social and health care customer feedback onto the national record.

    Data goes to stdout or -o; progress, summaries and errors to stderr. Shell
    completion: see README.md ("Shell completion").
    """


COMMANDS: Sequence[click.Command] = (
    run_command,
    combine_command,
    aggregate_command,
    report_command,
    schema_group,
    check_command,
    validate_command,
)
for _command in COMMANDS:
    main.add_command(_command)

__all__ = ["COMMANDS", "main"]
