"""GitHub Actions workflow commands: one annotation per issue on the file and line."""

from __future__ import annotations

from typing import IO, Any

from harmonizer.issues import Issue, Severity
from harmonizer.reporters.base import (
    ReportSet,
    describe_value,
    file_of,
    fix_line,
    location,
    relative,
)
from harmonizer.reporters.texts import word

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    r"""Escape the message of a workflow command ('%', CR and LF).

    >>> escape_data("50% done\nnext")
    '50%25 done%0Anext'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value of a workflow command (also ':' and ',').

    >>> escape_property("a:b,c")
    'a%3Ab%2Cc'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(issue: Issue, path: str | None, fix: str | None, lang: str) -> str:
    """Return the workflow command that annotates one issue."""
    properties = []
    if path is not None:
        properties.append(f"file={escape_property(relative(path))}")
        if issue.row is not None:
            properties.append(f"line={issue.row}")
    properties.append(f"title={escape_property(f'harmonizer {issue.code}')}")
    lines = [f"{location(issue)}: {issue.message}"]
    detail = describe_value(issue)
    if detail:
        lines.append(detail)
    if fix:
        lines.append(f"{word('fix', lang)}: {fix}")
    return f"::{LEVELS[issue.severity]} {','.join(properties)}::{escape_data(chr(10).join(lines))}"


class GithubReporter:
    """Writes GitHub Actions annotations; the summary goes to the log (stderr)."""

    name = "github"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write one ``::error``/``::warning``/``::notice`` line per listed issue."""
        for report, issue in results.issues():
            fix = fix_line(report, issue, results.lang)
            stream.write(annotation(issue, file_of(report, issue), fix, results.lang) + "\n")
