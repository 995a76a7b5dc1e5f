"""The command line: a thin shell over :mod:`harmonizer.api`.

Exit codes: 0 ran (no error issues); 1 errors found (``run --strict``: rows rejected);
2 could not run (usage, unreadable export, broken mapping or schema, and any
unexpected failure, reported as an internal error); 130 interrupted (Ctrl-C).

Commands are registered in :data:`COMMANDS`; a new command adds itself there.
"""

from __future__ import annotations

import gc
import signal
import sys
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
from harmonizer.cli.draft import draft_command
from harmonizer.cli.report import report_command
from harmonizer.cli.run import run_command
from harmonizer.cli.schema import schema_group
from harmonizer.cli.validate import validate_command
from harmonizer.errors import HarmonizerError

DISTRIBUTION = "palaute-harmonizer"
EXIT_TERMINATED = 143  # 128 + SIGTERM


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
    # SIGTERM (a CI job cancelled, a container stopped) unwinds like Ctrl-C, so that
    # temporary files are removed and the previous outputs stay as they were.
    raise SystemExit(EXIT_TERMINATED)


class HarmonizerGroup(click.Group):
    """The ``harmonizer`` group: no traceback reaches the user, Ctrl-C is exit 130."""

    debug = False

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line, with SIGTERM unwinding like an exception.

        A failed write can leave a library's half-written objects (openpyxl's zip
        archive of a workbook) that complain when collected, after the user was told
        what failed: those complaints are held back and shown only with --debug, or
        when the command did not fail (exit 0 or 1).
        """
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminate)
        held: list[Any] = []
        previous_hook = sys.unraisablehook
        sys.unraisablehook = held.append
        code: object = 0
        try:
            return super().main(*args, **kwargs)
        except SystemExit as stop:
            code = stop.code
            # The error that led to the exit holds the frames of the failed write; drop
            # it, so that what they hold is collected here and not at interpreter exit.
            stop.__context__ = None
            stop.__traceback__ = None
            raise
        finally:
            gc.collect()
            sys.unraisablehook = previous_hook
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            if code in (None, 0, 1) or self.debug:
                for unraisable in held:
                    previous_hook(unraisable)

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command; report an interruption or an unexpected failure plainly."""
        self.debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except HarmonizerError as err:
            # Commands turn these into exit 2 themselves; one that slips through is no bug.
            click.echo(f"harmonizer: error: {err}", err=True)
            ctx.exit(EXIT_CANNOT_RUN)
        except KeyboardInterrupt:
            click.echo(
                "harmonizer: interrupted; nothing new was published, the previous outputs "
                "are as they were",
                err=True,
            )
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as err:
            from harmonizer.redaction import redact_text

            if self.debug:
                click.echo("".join(traceback.format_exception(err)), err=True, nl=False)
            where = "" if self.debug else " (run again with --debug for the details)"
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
    draft_command,
)
for _command in COMMANDS:
    main.add_command(_command)

__all__ = ["COMMANDS", "main"]
