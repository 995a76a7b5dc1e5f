"""The submitter's report in Excel: the issues against the submitter's own file.

Two sheets: a summary (verdict, counts, issues by code) and the issues, one row each,
with the export's sheet, row and column, the raw value, and how to fix it in Finnish,
Swedish or English. Written with openpyxl's write-only mode, a row at a time.
"""

from __future__ import annotations

from typing import IO, Any

from openpyxl import Workbook

from harmonizer.errors import SchemaLoadError
from harmonizer.io.writers import neutralise
from harmonizer.issues import Issue, IssueCode
from harmonizer.reporters.base import ReportSet, remedy_for
from harmonizer.reporters.texts import code_title, word
from harmonizer.run_report import Report
from harmonizer.schema import load_schema

ISSUE_COLUMNS = (
    ("severity", 12),
    ("code", 22),
    ("problem", 40),
    ("file", 28),
    ("sheet", 14),
    ("row", 8),
    ("column", 9),
    ("column_header", 36),
    ("value", 28),
    ("national_field", 30),
    ("how_to_fix", 60),
    ("details", 70),
)


def _field_label(report: Report, field: str | None, lang: str) -> str | None:
    if field is None or report.schema_version is None:
        return field
    try:
        schema = load_schema(report.schema_version)
    except SchemaLoadError:
        return field
    if field in schema.properties:
        return f"{schema.label(field, lang)} ({field})"
    return field


def _issue_row(report: Report, issue: Issue, lang: str) -> list[Any]:
    return [
        word(str(issue.severity), lang),
        str(issue.code),
        code_title(issue.code, lang),
        issue.export,
        issue.sheet,
        issue.row,
        issue.column_letter,
        issue.column,
        issue.value,
        _field_label(report, issue.field, lang),
        remedy_for(report, issue, lang),
        issue.message,
    ]


class XlsxReporter:
    """Writes the submitter's workbook; needs a binary stream (``-o report.xlsx``)."""

    name = "xlsx"
    binary = True

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the summary sheet and the issues sheet."""
        lang = results.lang
        book = Workbook(write_only=True)
        summary = book.create_sheet(word("summary_sheet", lang))
        summary.column_dimensions["A"].width = 34
        summary.column_dimensions["B"].width = 50
        summary.column_dimensions["C"].width = 10
        for row in self._summary_rows(results):
            summary.append([neutralise(v) for v in row])
        sheet = book.create_sheet(word("issues_sheet", lang))
        for index, (_, width) in enumerate(ISSUE_COLUMNS):
            sheet.column_dimensions[chr(65 + index)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{chr(64 + len(ISSUE_COLUMNS))}1"
        sheet.append([word(key, lang) for key, _ in ISSUE_COLUMNS])
        for report, issue in results.issues():
            sheet.append([neutralise(v) for v in _issue_row(report, issue, lang)])
        book.save(stream)

    def _summary_rows(self, results: ReportSet) -> list[list[Any]]:
        lang = results.lang
        severities = results.severity_counts
        rows: list[list[Any]] = [
            [word("title", lang)],
            [],
            [word("command", lang), f"harmonizer {results.command}"],
            [word("result", lang), word("failed" if results.failed else "passed", lang)],
            [word("errors", lang), severities.get("error", 0)],
            [word("warnings", lang), severities.get("warning", 0)],
            [word("notes", lang), severities.get("info", 0)],
        ]
        for report in results.reports:
            rows += [
                [],
                [word("mapping", lang), report.mapping_id],
                [word("mapping_version", lang), report.mapping_version],
                [word("schema_version", lang), report.schema_version],
            ]
            for export in report.exports:
                counts = export.counts
                rows.append([word("file", lang), export.info.name])
                if export.info.sheet:
                    rows.append([word("sheet", lang), export.info.sheet])
                if report.rows_checked is not None:
                    rows.append([word("rows_checked", lang), report.rows_checked])
                    continue
                rows += [
                    [word(key, lang), getattr(counts, "read" if key == "rows_read" else key)]
                    for key in ("rows_read", "accepted", "rejected", "excluded", "duplicates")
                ]
        rows += [[], [word("code", lang), word("problem", lang), word("count", lang)]]
        for code, count in sorted(results.issue_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append([code, code_title(IssueCode(code), lang), count])
        if results.listed < results.total:
            rows += [[], [word("listed", lang).format(listed=results.listed, total=results.total)]]
        return rows
