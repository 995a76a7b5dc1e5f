"""The submitter's report in Excel: the issues against the submitter's own file.

Two sheets. The summary says the verdict and what to do next (correct the cells and send
the file again, to the contact the mapping names), then the counts and the issues by
code. The issues sheet has one row per issue, worst first, with the columns a provider
needs first (row, column, value, what is wrong, how to fix it) and the technical ones
last (sheet, file, national field, issue code, the mapping author's fix, the English
detail). Both sheets are made to be read and printed: bold frozen header, autofilter,
wrapped text, widths that fit, severities coloured, landscape, fit to the page width,
the header repeated on every page.
"""

from __future__ import annotations

from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from harmonizer.errors import SchemaLoadError
from harmonizer.io.writers import neutralise
from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.reporters.base import ReportSet, number
from harmonizer.reporters.provider import author_fix, problem, provider_fix
from harmonizer.reporters.texts import code_title, word
from harmonizer.run_report import Report
from harmonizer.schema import load_schema

# (heading key, width in characters). The provider's columns first.
ISSUE_COLUMNS = (
    ("row", 7),
    ("column", 8),
    ("column_header", 24),
    ("value", 24),
    ("problem", 34),
    ("how_to_fix", 60),
    ("severity", 12),
    ("sheet", 14),
    ("file", 24),
    ("national_field", 28),
    ("code", 20),
    ("fix_for_mapping", 50),
    ("details", 60),
)
FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFEB9C"),
    Severity.INFO: PatternFill("solid", start_color="DDEBF7"),
}
LINE_HEIGHT = 15
# The columns printed: the provider's. The technical ones stay on screen and in filters.
PRINTED = ("row", "column", "column_header", "value", "problem", "how_to_fix", "severity")
HEADER_FILL = PatternFill("solid", start_color="D9D9D9")
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


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


def _issue_row(results: ReportSet, report: Report, issue: Issue) -> list[Any]:
    lang = results.lang
    author = author_fix(report, issue, lang)
    provider = provider_fix(report, issue, lang)
    main: str
    other: str | None
    if results.audience == "provider":
        # Without a provider's fix (a note, a mapping matter) the main column says why.
        main, other = provider or author, author
    else:
        main, other = author, provider
    # A cell reads as a sentence of its own: capitalised, unlike a line after a label.
    main = _capitalised(main)
    other = _capitalised(other) if other else other
    return [
        issue.row,
        issue.column_letter,
        issue.column,
        issue.value,
        _capitalised(problem(report, issue, lang)),
        main,
        word(str(issue.severity), lang),
        issue.sheet,
        issue.export,
        _field_label(report, issue.field, lang),
        str(issue.code),
        other,
        issue.message,
    ]


def _fit_rows(sheet: Worksheet, widths: list[float], first: int = 1) -> None:
    """Give each row the height its wrapped text needs.

    Excel grows wrapped rows on opening, LibreOffice and print previews do not: without
    a height, a long fix prints over the next row.
    """
    for row in sheet.iter_rows(min_row=first):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if cell.value is None or not width:
                continue
            for part in str(cell.value).split("\n"):
                lines = max(lines, -(-len(part) // max(int(width * 1.1) - 1, 1)))
            lines = max(lines, str(cell.value).count("\n") + 1)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = LINE_HEIGHT * lines + 2


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _page_setup(sheet: Worksheet, title_rows: str | None) -> None:
    """Landscape A4, fit to the page width, the header repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if title_rows:
        sheet.print_title_rows = title_rows


class XlsxReporter:
    """Writes the submitter's workbook; needs a binary stream (``-o report.xlsx``)."""

    name = "xlsx"
    binary = True

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the summary sheet and the issues sheet."""
        lang = results.lang
        book = Workbook()
        summary = book.active
        assert summary is not None
        summary.title = word("summary_sheet", lang)
        self._summary(results, summary)
        sheet = book.create_sheet(word("issues_sheet", lang))
        self._issues(results, sheet)
        book.save(stream)

    def _issues(self, results: ReportSet, sheet: Worksheet) -> None:
        lang = results.lang
        headings = [word(key, lang) for key, _ in ISSUE_COLUMNS]
        if results.audience != "provider":
            at = [key for key, _ in ISSUE_COLUMNS]
            headings[at.index("how_to_fix")] = word("fix_for_mapping", lang)
            headings[at.index("fix_for_mapping")] = word("fix_export_heading", lang)
        sheet.append(headings)
        for index, (_, width) in enumerate(ISSUE_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for cell in sheet[1]:
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.alignment = WRAP
            cell.border = GRID
        severity_at = [key for key, _ in ISSUE_COLUMNS].index("severity") + 1
        for report, issue in results.issues():
            sheet.append([neutralise(v) for v in _issue_row(results, report, issue)])
            row = sheet.max_row
            for cell in sheet[row]:
                cell.alignment = WRAP
                cell.border = GRID
            sheet.cell(row, severity_at).fill = FILLS[issue.severity]
            sheet.cell(row, 1).fill = FILLS[issue.severity]
        last = get_column_letter(len(ISSUE_COLUMNS))
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
        widths = [float(width) for _, width in ISSUE_COLUMNS]
        printed = len(PRINTED)
        _fit_rows(sheet, widths[:printed])
        _page_setup(sheet, "1:1")
        sheet.print_area = f"A1:{get_column_letter(printed)}{max(sheet.max_row, 1)}"

    def _summary(self, results: ReportSet, sheet: Worksheet) -> None:
        lang = results.lang
        failed = results.failed
        contact = next((r.hints.contact for r in results.reports if r.hints.contact), None) or word(
            "the_recipient", lang
        )
        sheet.column_dimensions["A"].width = 30
        sheet.column_dimensions["B"].width = 62
        sheet.column_dimensions["C"].width = 10
        sheet.append([word("title", lang)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([])
        verdict = word("failed" if failed else "passed", lang)
        sheet.append([word("result", lang), verdict])
        sheet.cell(3, 2).font = Font(bold=True, size=12)
        sheet.cell(3, 2).fill = (
            FILLS[Severity.ERROR] if failed else PatternFill("solid", start_color="C6EFCE")
        )
        step = "next_passed"
        if failed:
            step = "next_recipient" if results.recipient_fixes else "next_failed"
        next_text = word(step, lang).format(contact=contact)
        sheet.append([word("next_step", lang), neutralise(next_text)])
        rows: list[list[Any]] = [
            [],
            [word("errors", lang), results.severity_counts.get("error", 0)],
            [word("warnings", lang), results.severity_counts.get("warning", 0)],
            [word("notes", lang), results.severity_counts.get("info", 0)],
        ]
        if results.redacted_cells:
            n = results.redacted_cells
            key = "redacted_summary_one" if n == 1 else "redacted_summary"
            rows.append([word("personal_data", lang), word(key, lang).format(n=number(n, lang))])
        rows.append([word("command", lang), f"harmonizer {results.command}"])
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
        heading_at = None
        if results.issue_counts:
            rows.append([])
            heading_at = len(rows)
            rows.append([word("problem", lang), word("code", lang), word("count", lang)])
            for code, count in sorted(
                results.issue_counts.items(),
                key=lambda kv: (-IssueCode(kv[0]).severity, -kv[1], kv[0]),
            ):
                rows.append([code_title(IssueCode(code), lang), code, count])
        if results.capped:
            rows += [[], [word("listed", lang).format(listed=results.listed, total=results.total)]]
        start = sheet.max_row + 1
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        for row_cells in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
            row_cells[0].font = BOLD
            for cell in row_cells:
                cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if heading_at is not None:
            for cell in sheet[start + heading_at]:
                cell.font = BOLD
                cell.fill = HEADER_FILL
        _fit_rows(sheet, [30.0, 62.0, 10.0], first=3)
        _page_setup(sheet, None)
        # Labels and values on one page: the summary fits one page wide.
        sheet.page_setup.orientation = "portrait"
