"""The meeting report as an xlsx workbook: figure tables with native Excel charts beside them.

Sheets: notes; NPS per group (bar chart, each category labelled with its n); the
statements' distributions over the whole dataset (100% stacked bars); one block per
statement comparing the groups (table and stacked bars); adapted items, apart.
Charts refer to the cells of their tables, so a reader who edits a figure sees it move.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from harmonizer.io.writers import AtomicFile, neutralise, writing
from harmonizer.publish.charts import NPS_COLOUR, SCALE_COLOURS, category_label
from harmonizer.publish.content import ReportContent, StatementRow
from harmonizer.publish.texts import Texts

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F5F9")
NOTE_FONT = Font(italic=True, color="666666")
CHART_ROWS = 18
SHEET_NAME_MAX = 31


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _header(sheet: Worksheet, row: int, names: Sequence[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font = BOLD
        cell.fill = HEADER_FILL


def _put(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    for column, value in enumerate(values, start=1):
        sheet.cell(row=row, column=column, value=neutralise(value))


def _notes_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    sheet = book.active
    sheet.title = t.about_sheet[:SHEET_NAME_MAX]
    sheet["A1"] = content.title
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A2"] = content.subtitle
    row = 4
    for name, value in content.facts:
        _put(sheet, row, [name, value])
        sheet.cell(row=row, column=1).font = BOLD
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=t.notes_heading).font = BOLD
    for note in content.notes:
        row += 1
        sheet.cell(row=row, column=1, value=note)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 40


def _nps_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    sheet = book.create_sheet(t.nps[:SHEET_NAME_MAX])
    min_n = content.min_n
    _header(
        sheet,
        1,
        [
            t.group,
            t.responses,
            t.n,
            f"{t.promoters} %",
            f"{t.passives} %",
            f"{t.detractors} %",
            t.nps,
            t.ci_low,
            t.ci_high,
            f"{t.coverage} %",
            t.suppressed,
        ],
    )
    for row, r in enumerate(content.nps, start=2):
        _put(
            sheet,
            row,
            [
                category_label(r.label, r.n, r.suppressed, min_n),
                r.responses,
                r.n,
                _round(r.promoters, 1),
                _round(r.passives, 1),
                _round(r.detractors, 1),
                _round(r.nps, 1),
                _round(r.ci_low, 1),
                _round(r.ci_high, 1),
                _round(r.coverage, 1),
                t.not_shown.format(min_n=min_n) if r.suppressed else None,
            ],
        )
    last = len(content.nps) + 1
    sheet.cell(row=last + 2, column=1, value=content.notes[0]).font = NOTE_FONT
    sheet.column_dimensions["A"].width = 42
    chart = BarChart()
    chart.type = "bar"
    chart.title = t.nps_heading
    chart.y_axis.title = t.nps
    chart.y_axis.scaling.min = -100
    chart.y_axis.scaling.max = 100
    chart.x_axis.scaling.orientation = "maxMin"  # first group on top, as in the table
    # NPS runs below zero: group names sit at the chart's edge, not across the bars.
    chart.x_axis.tickLblPos = "low"
    chart.add_data(Reference(sheet, min_col=7, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.legend = None
    chart.series[0].graphicalProperties.solidFill = NPS_COLOUR[1:]
    # Every flag is set: a reader that finds one unset (LibreOffice) shows series and
    # category names beside each value, and the labels pile up.
    chart.dataLabels = DataLabelList(
        showVal=True,
        showSerName=False,
        showCatName=False,
        showLegendKey=False,
        showPercent=False,
        showBubbleSize=False,
    )
    chart.height = max(7.5, 1 + 0.8 * len(content.nps))
    chart.width = 18
    sheet.add_chart(chart, "M2")


def _distribution_block(
    sheet: Worksheet,
    top: int,
    rows: Sequence[StatementRow],
    content: ReportContent,
    t: Texts,
    title: str,
    first: str,
) -> int:
    """Write a table of shares 1..5 with its stacked bar chart at ``top``; return the next free row."""
    min_n = content.min_n
    sheet.cell(row=top, column=1, value=title).font = Font(bold=True, size=13)
    head = top + 1
    _header(
        sheet,
        head,
        [
            first,
            *(f"{p} {s}" for p, s in enumerate(content.scale, start=1)),
            t.n,
            t.mean,
            t.ci_low,
            t.ci_high,
            f"{t.top_two_box} %",
            f"{t.coverage} %",
            t.suppressed,
        ],
    )
    for offset, r in enumerate(rows, start=1):
        shares = r.shares or (None,) * 5
        _put(
            sheet,
            head + offset,
            [
                category_label(r.label, r.n, r.suppressed, min_n),
                *(_round(s, 1) for s in shares),
                r.n,
                _round(r.mean, 2),
                _round(r.ci_low, 2),
                _round(r.ci_high, 2),
                _round(r.top_two_box, 1),
                _round(r.coverage, 1),
                t.not_shown.format(min_n=min_n) if r.suppressed else None,
            ],
        )
    last = head + len(rows)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.title = title
    chart.x_axis.scaling.orientation = "maxMin"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=6, min_row=head, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=head + 1, max_row=last))
    for series, colour in zip(chart.series, SCALE_COLOURS, strict=True):
        series.graphicalProperties.solidFill = colour[1:]
    chart.legend.position = "b"
    chart.height = max(7.5, 2.5 + 0.8 * len(rows))
    chart.width = 20
    sheet.add_chart(chart, f"O{top}")
    chart_rows = int(chart.height * 2) + 2
    return top + max(len(rows) + 4, chart_rows)


def _statements_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    sheet = book.create_sheet(t.statements_heading[:SHEET_NAME_MAX])
    sheet.column_dimensions["A"].width = 48
    top = _distribution_block(sheet, 1, content.overview, content, t, t.statements_all, t.item)
    for section in content.statements:
        top = _distribution_block(
            sheet,
            top,
            section.rows,
            content,
            t,
            f"{section.label}: {t.statement_by_group}",
            t.group,
        )


def _adapted_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    if not content.adapted:
        return
    sheet = book.create_sheet(t.adapted[:SHEET_NAME_MAX])
    sheet["A1"] = t.adapted_heading
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = content.notes[1]
    sheet["A2"].font = NOTE_FONT
    _header(
        sheet,
        4,
        [
            t.group,
            t.item,
            t.n,
            t.mean,
            t.ci_low,
            t.ci_high,
            f"{t.top_two_box} %",
            f"{t.coverage} %",
            t.suppressed,
        ],
    )
    for row, r in enumerate(content.adapted, start=5):
        _put(
            sheet,
            row,
            [
                r.label,
                r.item_label,
                r.n,
                _round(r.mean, 2),
                _round(r.ci_low, 2),
                _round(r.ci_high, 2),
                _round(r.top_two_box, 1),
                _round(r.coverage, 1),
                t.not_shown.format(min_n=content.min_n) if r.suppressed else None,
            ],
        )
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 48


def write_xlsx(path: Path, content: ReportContent) -> Path:
    """Write the xlsx report atomically."""
    t = Texts(content.lang)
    book = Workbook()
    _notes_sheet(book, content, t)
    _nps_sheet(book, content, t)
    _statements_sheet(book, content, t)
    _adapted_sheet(book, content, t)
    target = AtomicFile(path, binary=True)
    try:
        with writing(path):
            book.save(target.handle)
    except BaseException:
        target.abort()
        raise
    target.commit()
    return path
