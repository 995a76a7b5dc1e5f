"""The text report: one block per issue, worst first, then the counts and the verdict."""

from __future__ import annotations

from typing import IO, Any

from harmonizer.reporters.base import (
    ReportSet,
    code_counts_text,
    describe_value,
    details_of,
    fix_lines,
    issues_text,
    location,
    message_of,
    number,
    severity_counts_text,
)
from harmonizer.reporters.texts import word
from harmonizer.run_report import Report


class TextReporter:
    """Writes a report for people reading a terminal or a CI log, in fi, sv or en.

    Each issue gives its place (file, sheet, row, column), severity, code and what is
    wrong, the national field and raw value, and both fixes: the provider's (the cells
    to change) and the mapping author's (the YAML to edit), the audience's first.
    """

    name = "text"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write every listed issue, a summary of each report, and the verdict."""
        lang = results.lang
        for report, issue in results.issues():
            severity = word(str(issue.severity), lang)
            stream.write(
                f"{location(issue, lang)}: {severity} {issue.code}: {message_of(report, issue, lang)}\n"
            )
            detail = describe_value(issue, lang, report)
            if detail:
                stream.write(f"    {detail}\n")
            extra = details_of(issue, lang)
            if extra:
                stream.write(f"    {word('details_en', lang)}: {extra}\n")
            for label, text in fix_lines(results, report, issue):
                stream.write(f"    {label}: {text}\n")
        for report in results.reports:
            for line in _summary(results.command, report, lang):
                stream.write(line + "\n")
        total = results.total
        line = (
            f"{results.command}: {issues_text(total, lang)} "
            f"({severity_counts_text(results.severity_counts, lang)})"
        )
        if total:
            line += f": {code_counts_text(results.issue_counts)}"
        stream.write(line + "\n")
        if results.redacted_cells:
            n = results.redacted_cells
            key = "redacted_summary_one" if n == 1 else "redacted_summary"
            stream.write(word(key, lang).format(n=number(n, lang)) + "\n")
        if results.hidden_info:
            n = results.hidden_info
            key = "info_hidden_one" if n == 1 else "info_hidden"
            stream.write(word(key, lang).format(n=number(n, lang)) + "\n")
        if results.capped:
            stream.write(
                word("listed_text", lang).format(listed=results.listed, total=total) + "\n"
            )
        verdict = word("verdict_failed" if results.failed else "verdict_passed", lang)
        stream.write(f"{word('verdict', lang)}: {verdict} (exit {results.exit_code})\n")


def _summary(command: str, report: Report, lang: str) -> list[str]:
    mapping = f"{word('mapping', lang).lower()} {report.mapping_id}"
    if report.mapping_version is not None:
        mapping += f" {word('version', lang)} {report.mapping_version}"
    if report.schema_version is not None:
        mapping += f" (schema {report.schema_version})"
    if command == "check":
        line = f"{report.mapping_file}: {mapping}"
        if report.rows_checked is not None:
            names = ", ".join(e.info.name for e in report.exports)
            line += f"; {names}: {word('rows_checked', lang).lower()} {report.rows_checked}"
        return [line]
    lines = []
    for export in report.exports:
        c = export.counts
        counts = word("export_counts", lang).format(
            read=c.read,
            accepted=c.accepted,
            rejected=c.rejected,
            excluded=c.excluded,
            duplicates=c.duplicates,
        )
        lines.append(f"{mapping}: {export.info.name}: {counts}")
    return lines
