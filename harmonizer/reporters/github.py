"""GitHub Actions workflow commands: one annotation per issue on the file and line."""

from __future__ import annotations

from typing import IO, Any

from harmonizer.issues import Issue, Severity
from harmonizer.reporters.base import (
    ReportSet,
    describe_value,
    details_of,
    file_of,
    fix_lines,
    location,
    message_of,
    relative,
)
from harmonizer.reporters.texts import word
from harmonizer.run_report import Report

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


def annotation(results: ReportSet, report: Report, issue: Issue) -> str:
    """Return the workflow command that annotates one issue, with both of its fixes.

    A csv row's ``line=`` is the physical line where the record starts (a cell with line
    breaks earlier in the file shifts it), and an xlsx issue's title names the sheet and
    cell, since GitHub cannot show a workbook.
    """
    lang = results.lang
    path = file_of(report, issue)
    info = next((e.info for e in report.exports if e.info.name == issue.export), None)
    properties = []
    title = f"harmonizer {issue.code}"
    if path is not None:
        properties.append(f"file={escape_property(relative(path))}")
        if issue.row is not None:
            line = info.line_of(issue.row) if info is not None else None
            properties.append(f"line={issue.row if line is None else line}")
    if info is not None and info.format == "xlsx" and issue.row is not None:
        where = (
            f"cell {issue.column_letter}{issue.row}" if issue.column_letter else f"row {issue.row}"
        )
        title += f" (sheet '{issue.sheet or info.sheet}', {where})"
    properties.append(f"title={escape_property(title)}")
    lines = [f"{location(issue, lang)}: {message_of(report, issue, lang)}"]
    detail = describe_value(issue, lang, report)
    if detail:
        lines.append(detail)
    extra = details_of(issue, lang)
    if extra:
        lines.append(f"{word('details_en', lang)}: {extra}")
    lines += [f"{label}: {text}" for label, text in fix_lines(results, report, issue)]
    return f"::{LEVELS[issue.severity]} {','.join(properties)}::{escape_data(chr(10).join(lines))}"


class GithubReporter:
    """Writes GitHub Actions annotations, errors first; the summary goes to the log."""

    name = "github"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write one ``::error``/``::warning``/``::notice`` line per listed issue."""
        for report, issue in results.issues():
            stream.write(annotation(results, report, issue) + "\n")
