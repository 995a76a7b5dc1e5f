"""Options shared by `check` and `validate`, and handing their report to a reporter."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from harmonizer.cli.common import OutputPath, colour_wanted
from harmonizer.io.writers import AtomicFile, writing
from harmonizer.issues import Severity
from harmonizer.reporters import REPORTERS_BY_NAME, ReportSet
from harmonizer.reporters.base import issues_text, severity_counts_text
from harmonizer.reporters.texts import LANGUAGES, default_lang, word
from harmonizer.run_report import DEFAULT_MAX_ISSUES

F = TypeVar("F", bound=Callable[..., Any])


def report_options(command: F) -> F:
    """Add --format, --output, --max-issues, --fail-on, --lang and --quiet to a command."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(list(REPORTERS_BY_NAME)),
            default="text",
            show_default=True,
            help="Report format: text for people, json (schemas/report.schema.json), junit, "
            "github (Actions annotations), sarif (2.1.0), xlsx (the submitter's workbook, "
            "needs --output).",
        ),
        click.option(
            "-o",
            "--output",
            type=OutputPath(dir_okay=False, path_type=Path),
            help="Write the report to this file instead of stdout.",
        ),
        click.option(
            "--max-issues",
            default=DEFAULT_MAX_ISSUES,
            show_default=True,
            type=click.IntRange(min=0),
            help="Issues listed per severity (errors, warnings, info), errors first; "
            "counting never stops.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning"]),
            default="error",
            show_default=True,
            help="Exit 1 when an issue of this severity or worse was found.",
        ),
        click.option(
            "--lang",
            type=click.Choice(list(LANGUAGES)),
            help="Language of the report in every format (default: fi or sv when the "
            "locale is Finnish or Swedish, en otherwise).",
        ),
        click.option(
            "--audience",
            type=click.Choice(["provider", "author"]),
            help="Whose fix comes first: the provider's (cells to change in the export) or "
            "the mapping author's (YAML to edit). Default: provider for xlsx, author "
            "otherwise; every format shows both.",
        ),
        click.option(
            "--show-info",
            is_flag=True,
            help="List info issues (personal data replaced, and other notes that need no "
            "action) one by one; by default they are counted in the summary only.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Log nothing on stderr."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def check_output(fmt: str, output: Path | None) -> None:
    """Refuse, before any work, a binary format without --output (exit 2)."""
    if REPORTERS_BY_NAME[fmt].binary and output is None:
        raise click.UsageError(f"--format {fmt} writes a workbook: give --output report.{fmt}")


def emit(
    command: str,
    reports: ReportSet,
    *,
    fmt: str,
    output: Path | None,
    quiet: bool,
) -> int:
    """Write the report to stdout or ``output``, log a summary on stderr; return the exit code.

    A report file is written under a temporary name and renamed into place when
    complete, so a failure never leaves half a report.
    """
    reporter = REPORTERS_BY_NAME[fmt]
    if output is None and fmt == "text" and colour_wanted(sys.stdout):
        buffer = io.StringIO()
        reporter.write(reports, buffer)
        click.echo(colourise(buffer.getvalue(), reports.lang), nl=False, color=True)
    elif output is None:
        reporter.write(reports, sys.stdout)
        sys.stdout.flush()
    else:
        target = AtomicFile(output, binary=reporter.binary)
        try:
            with writing(output):
                reporter.write(reports, target.handle)
        except BaseException:
            target.abort()
            raise
        target.commit()
    if not quiet and (fmt != "text" or output is not None):
        # The log line speaks the report's language; the command and exit code stay
        # literal, for people who grep CI logs.
        lang = reports.lang
        where = f"; {word('report_in', lang).format(path=output)}" if output is not None else ""
        click.echo(
            f"harmonizer {command}: {issues_text(reports.total, lang)} "
            f"({severity_counts_text(reports.severity_counts, lang)}){where}; "
            f"exit {reports.exit_code}",
            err=True,
        )
    return reports.exit_code


def report_set(
    command: str,
    reports: list[Any],
    *,
    fail_on: str,
    lang: str | None,
    fmt: str,
    audience: str | None = None,
    show_info: bool = False,
) -> ReportSet:
    """Return the ReportSet the reporters render.

    One language default for every format: the locale's when it is Finnish or Swedish,
    English otherwise. The workbook is the provider's: their fix comes first there.
    """
    return ReportSet(
        command,
        tuple(reports),
        Severity.parse(fail_on),
        lang or default_lang(),
        show_info=show_info,
        audience=audience or ("provider" if fmt == "xlsx" else "author"),
    )

    """Return the ReportSet the reporters render, with the language defaulted per format."""
    chosen = lang or ("fi" if fmt == "xlsx" else "en")
    return ReportSet(command, tuple(reports), Severity.parse(fail_on), chosen)


SEVERITY_STYLES: dict[str, dict[str, Any]] = {
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "info": {"fg": "cyan"},
}


def colourise(text: str, lang: str) -> str:
    """Colour the severities and the verdict of a text report, for a terminal.

    >>> click.unstyle(colourise("a.csv, row 2: error out-of-range: x", "en"))
    'a.csv, row 2: error out-of-range: x'
    """
    names: dict[str, str] = {}
    for key in SEVERITY_STYLES:
        names[key] = key
        with contextlib.suppress(KeyError):
            names[word(key, lang)] = key
    choices = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<=: )({choices})(?= )")

    def styled(match: re.Match[str]) -> str:
        return click.style(match.group(1), **SEVERITY_STYLES[names[match.group(1)]])

    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("result: "):
            verdict = "failed" if "failed" in line else "passed"
            colour = "red" if verdict == "failed" else "green"
            lines.append(line.replace(verdict, click.style(verdict, fg=colour, bold=True), 1))
        elif not line.startswith(" "):
            lines.append(pattern.sub(styled, line, count=1))
        else:
            lines.append(line)
    return "".join(lines)
