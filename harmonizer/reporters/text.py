"""The text report: one block per issue, then the counts and the verdict."""

from __future__ import annotations

from typing import IO, Any

from harmonizer.reporters.base import (
    ReportSet,
    code_counts_text,
    describe_value,
    fix_line,
    location,
    severity_counts_text,
)
from harmonizer.reporters.texts import word
from harmonizer.run_report import Report


class TextReporter:
    """Writes a report for people reading a terminal or a CI log.

    Each issue gives its place (file, sheet, row, column), severity, code and message,
    the national field and raw value, and how to fix it in the chosen language.
    """

    name = "text"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write every listed issue, a summary of each report, and the verdict."""
        lang = results.lang
        for report, issue in results.issues():
            stream.write(f"{location(issue)}: {issue.severity} {issue.code}: {issue.message}\n")
            detail = describe_value(issue)
            if detail:
                stream.write(f"    {detail}\n")
            fix = fix_line(report, issue, lang)
            if fix:
                stream.write(f"    {word('fix', lang)}: {fix}\n")
        for report in results.reports:
            for line in _summary(results.command, report):
                stream.write(line + "\n")
        counts = results.issue_counts
        total = results.total
        line = f"{results.command}: {total} issue{'s' if total != 1 else ''} ({severity_counts_text(results.severity_counts)})"
        if total:
            line += f": {code_counts_text(counts)}"
        stream.write(line + "\n")
        if results.listed < total:
            stream.write(
                f"listed {results.listed} of {total} issues; raise --max-issues to list more\n"
            )
        verdict = "failed" if results.failed else "passed"
        stream.write(f"result: {verdict} (exit {results.exit_code})\n")


def _summary(command: str, report: Report) -> list[str]:
    mapping = f"mapping {report.mapping_id}"
    if report.mapping_version is not None:
        mapping += f" version {report.mapping_version}"
    if report.schema_version is not None:
        mapping += f" (schema {report.schema_version})"
    if command == "check":
        line = f"{report.mapping_file}: {mapping}"
        if report.rows_checked is not None:
            names = ", ".join(e.info.name for e in report.exports)
            line += f"; sample {names}: {report.rows_checked} rows checked"
        return [line]
    lines = []
    for export in report.exports:
        c = export.counts
        lines.append(
            f"{mapping}: {export.info.name}: {c.read} rows read: {c.accepted} accepted, "
            f"{c.rejected} rejected, {c.excluded} excluded, {c.duplicates} duplicates"
        )
    return lines
