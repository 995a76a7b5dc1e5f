"""The meeting report as an xlsx workbook: figure tables with native Excel charts below them.

Sheets: about (facts and notes); NPS per group (bars with interval whiskers); the
statements' distributions over the whole dataset and per group (100% stacked bars);
from schema 1.1 the service path, the three perspectives and the purchaser's view; adapted
items, apart. Charts refer to the cells of their tables, so a reader who edits a figure
sees it move; groups without answers are listed last, outside the chart's range.

Every sheet prints as a reader expects: landscape, fit to the page's width, the table's
header repeated on every page, and columns wide enough for their contents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint, Marker
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from harmonizer.io.writers import AtomicFile, neutralise, writing
from harmonizer.publish.charts import DROP_COLOUR, NPS_COLOUR, SCALE_COLOURS, category_label
from harmonizer.publish.content import NpsRow, ReportContent, StatementRow
from harmonizer.publish.texts import Texts
from harmonizer.publish.views import Estimate

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F5F9")
NOTE_FONT = Font(italic=True, color="666666")
TITLE_FONT = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")
SHEET_NAME_MAX = 31
MIN_WIDTH = 7.0
MAX_WIDTH = 48.0
NOTE_CHARS = 110  # characters a merged note line holds, for its row height
CM_PER_CHAR = 0.2  # a column of width 1 is about this wide in centimetres
DASH = "\u2013"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _header(sheet: Worksheet, row: int, names: Sequence[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def _put(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=neutralise(value))
        if value == DASH:
            cell.alignment = RIGHT  # in a column of numbers, under them


def _note(sheet: Worksheet, row: int, note: str, columns: int, font: Font = NOTE_FONT) -> int:
    """Write a note across ``columns`` columns, wrapped; return the next free row."""
    cell = sheet.cell(row=row, column=1, value=note)
    cell.font = font
    cell.alignment = WRAP
    if columns > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    lines = max(1, -(-len(note) // NOTE_CHARS))
    sheet.row_dimensions[row].height = 15 * lines
    return row + 1


def _fit(sheet: Worksheet, rows: Sequence[int], columns: int) -> float:
    """Set each column as wide as its longest value in ``rows``; return the total width.

    Headers wrap, so a long header takes two lines rather than a wide column.
    """
    total = 0.0
    widths: dict[int, float] = {}
    for column in range(1, columns + 1):
        widest = MIN_WIDTH
        for row in rows:
            value = sheet.cell(row=row, column=column).value
            if value is None:
                continue
            text = str(value)
            header = sheet.cell(row=row, column=column).font == BOLD
            # A header wraps at its spaces: its longest word counts, plus a little.
            length = max(map(len, text.split())) + 2 if header else len(text) + 2
            widest = max(widest, min(MAX_WIDTH, float(length)))
        sheet.column_dimensions[get_column_letter(column)].width = widest
        widths[column] = widest
        total += widest
    # A wrapped header needs a taller row: as many lines as its longest cell takes.
    for row in rows:
        lines = 1
        for column, width in widths.items():
            cell = sheet.cell(row=row, column=column)
            if cell.font == BOLD and cell.fill == HEADER_FILL and cell.value is not None:
                lines = max(lines, _lines(str(cell.value), width - 1))
        if lines > 1:
            sheet.row_dimensions[row].height = 15 * lines
    return total


def _lines(text: str, width: float) -> int:
    """Return how many lines ``text`` takes when wrapped at spaces into ``width`` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def _print(sheet: Worksheet, header_rows: str | None) -> None:
    """Landscape, fit to the page's width, header rows repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    if header_rows is not None:
        sheet.print_title_rows = header_rows


def _not_shown(t: Texts, n: int, suppressed: bool) -> str | None:
    if n == 0:
        return t.no_answers_cell
    return t("too_few", n=n) if suppressed else None


def _answered_first(rows: Sequence[Any]) -> list[Any]:
    """Return rows with answers first (the chart's range), then those without."""
    return [r for r in rows if r.n > 0] + [r for r in rows if r.n == 0]


def _whiskers(series: Any, sheet: Worksheet, minus: int, plus: int, first: int, last: int) -> None:
    """Give a bar series custom error bars from two columns of distances."""

    def ref(column: int) -> NumDataSource:
        letter = get_column_letter(column)
        return NumDataSource(
            numRef=NumRef(f=f"{quote_sheetname(sheet.title)}!${letter}${first}:${letter}${last}")
        )

    series.errBars = ErrorBars(
        errBarType="both", errValType="cust", noEndCap=False, minus=ref(minus), plus=ref(plus)
    )


def _nps_bars(
    sheet: Worksheet, title: str, t: Texts, head: int, count: int, value: int, low_high: int
) -> BarChart:
    """Return the NPS bar chart of ``count`` rows under ``head``, with whiskers."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = t.nps
    chart.y_axis.scaling.min = -100
    chart.y_axis.scaling.max = 100
    chart.x_axis.scaling.orientation = "maxMin"  # first group on top, as in the table
    # NPS runs below zero: group names sit at the chart's edge, not across the bars.
    chart.x_axis.tickLblPos = "low"
    last = head + count
    chart.add_data(
        Reference(sheet, min_col=value, min_row=head, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=head + 1, max_row=last))
    chart.legend = None
    series = chart.series[0]
    series.graphicalProperties.solidFill = NPS_COLOUR[1:]
    _whiskers(series, sheet, low_high, low_high + 1, head + 1, last)
    # Every flag is set: a reader that finds one unset (LibreOffice) shows series and
    # category names beside each value, and the labels pile up.
    chart.dataLabels = DataLabelList(
        showVal=True,
        showSerName=False,
        showCatName=False,
        showLegendKey=False,
        showPercent=False,
        showBubbleSize=False,
        dLblPos="inBase",
    )
    chart.height = max(7.5, 2 + 0.9 * count)
    chart.width = 24
    return chart


def _nps_table(
    sheet: Worksheet, top: int, rows: Sequence[NpsRow], content: ReportContent, t: Texts
) -> tuple[int, int]:
    """Write the NPS table at ``top``; return (header row, rows with answers)."""
    min_n, lang = content.min_n, content.lang
    _header(
        sheet,
        top,
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
            t.ci_minus,
            t.ci_plus,
        ],
    )
    ordered = _answered_first(rows)
    for row, r in enumerate(ordered, start=top + 1):
        _put(
            sheet,
            row,
            [
                category_label(r.label, r.n, r.suppressed, min_n, lang),
                r.responses,
                r.n,
                _round(r.promoters, 1),
                _round(r.passives, 1),
                _round(r.detractors, 1),
                _round(r.nps, 1),
                _round(r.ci_low, 1),
                _round(r.ci_high, 1),
                _round(r.coverage, 1),
                _not_shown(t, r.n, r.suppressed),
                None if r.nps is None or r.ci_low is None else round(r.nps - r.ci_low, 1),
                None if r.nps is None or r.ci_high is None else round(r.ci_high - r.nps, 1),
            ],
        )
    return top, sum(1 for r in rows if r.n > 0)


def _about_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
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
    row += 1
    for note in content.notes:
        row = _note(sheet, row, note, 4, Font())
    sheet.column_dimensions["A"].width = 30
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 30
    _print(sheet, None)


def _nps_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    sheet = book.create_sheet(t.nps_sheet[:SHEET_NAME_MAX])
    head, shown = _nps_table(sheet, 1, content.nps, content, t)
    last = head + len(content.nps)
    width = _fit(sheet, range(head, last + 1), 13)
    row = _note(sheet, last + 2, content.notes[0], 13)
    missing = [r.label for r in content.nps if r.n == 0]
    if missing:
        row = _note(sheet, row, t("no_answers_note", groups=", ".join(missing)), 13)
    if shown:
        chart = _nps_bars(sheet, t.nps_heading, t, head, shown, 7, 12)
        chart.width = min(26, max(18, width * CM_PER_CHAR))
        sheet.add_chart(chart, f"A{row + 1}")
    _print(sheet, f"{head}:{head}")


def _distribution_block(
    sheet: Worksheet,
    top: int,
    rows: Sequence[StatementRow],
    content: ReportContent,
    t: Texts,
    title: str,
    first: str,
) -> int:
    """Write a table of shares 1..5 at ``top`` and its stacked bars below; return the next row."""
    min_n, lang = content.min_n, content.lang
    sheet.cell(row=top, column=1, value=title).font = TITLE_FONT
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
    ordered = _answered_first(rows)
    for offset, r in enumerate(ordered, start=1):
        shares = r.shares or (None,) * 5
        _put(
            sheet,
            head + offset,
            [
                category_label(r.label, r.n, r.suppressed, min_n, lang),
                *(_round(s, 1) for s in shares),
                r.n,
                _round(r.mean, 2),
                _round(r.ci_low, 2),
                _round(r.ci_high, 2),
                _round(r.top_two_box, 1),
                _round(r.coverage, 1),
                _not_shown(t, r.n, r.suppressed),
            ],
        )
    last = head + len(rows)
    shown = sum(1 for r in rows if r.n > 0)
    row = last + 1
    missing = [r.label for r in rows if r.n == 0]
    if missing:
        row = _note(sheet, row, t("no_answers_note", groups=", ".join(missing)), 13)
    if not shown:
        return row + 1
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.title = title
    chart.x_axis.scaling.orientation = "maxMin"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=6, min_row=head, max_row=head + shown),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=head + 1, max_row=head + shown))
    for series, colour in zip(chart.series, SCALE_COLOURS, strict=True):
        series.graphicalProperties.solidFill = colour[1:]
    chart.legend.position = "b"
    chart.height = max(7.5, 3 + 0.8 * shown)
    chart.width = 26
    sheet.add_chart(chart, f"A{row + 1}")
    # A chart row is about half a centimetre: leave room for the chart, then a gap.
    return row + int(chart.height * 2) + 3


def _statements_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    sheet = book.create_sheet(t.statements_sheet[:SHEET_NAME_MAX])
    heads = [2]
    top = _distribution_block(sheet, 1, content.overview, content, t, t.statements_all, t.item)
    for section in content.statements:
        heads.append(top + 1)
        top = _distribution_block(
            sheet,
            top,
            section.rows,
            content,
            t,
            f"{section.label}: {t.statement_by_group}",
            t.group,
        )
    rows = [
        r
        for head in heads
        for r in range(head, head + 1 + max(len(content.overview), len(content.nps)))
    ]
    _fit(sheet, rows, 13)
    _print(sheet, None)


def _path_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    path = content.path
    if path is None:
        return
    sheet = book.create_sheet(t.path_sheet[:SHEET_NAME_MAX])
    sheet.cell(row=1, column=1, value=t.path_heading).font = TITLE_FONT
    row = _note(sheet, 2, t("path_intro", drop=10), 9)
    head = row + 1
    _header(
        sheet,
        head,
        [
            t.touchpoint,
            t.description,
            t.responses,
            t.n,
            t.positive_share,
            t.drop,
            f"{t.nps} n",
            t.nps,
            t.ci_low,
            t.ci_high,
        ],
    )
    for offset, s in enumerate(path.steps, start=1):
        _put(
            sheet,
            head + offset,
            [
                s.label,
                s.hint,
                s.responses,
                s.positive_n,
                _round(s.positive, 1) if s.positive is not None else t("too_few", n=s.positive_n),
                "▼" if s.drop else None,
                s.nps.n,
                _round(s.nps.value, 1),
                _round(s.nps.ci_low, 1),
                _round(s.nps.ci_high, 1),
            ],
        )
    last = head + len(path.steps)
    table_rows = list(range(head, last + 1))
    row = last + 1
    for note in (
        t("no_answers_note", groups=", ".join(path.empty)) if path.empty else None,
        t("unplaced_note", n=path.unplaced) if path.unplaced else None,
    ):
        if note:
            row = _note(sheet, row, note, 10)
    own = [(s, o) for s in path.steps for o in s.own_items]
    if own:
        row += 1
        sheet.cell(row=row, column=1, value=t.own_items_heading).font = TITLE_FONT
        row += 1
        _header(sheet, row, [t.touchpoint, t.item, t.scale_name, t.n, t.positive_share, t.mean])
        table_rows.append(row)
        for s, o in own:
            row += 1
            _put(
                sheet,
                row,
                [
                    s.label,
                    o.label,
                    o.scale,
                    o.n,
                    _round(o.positive, 1),
                    _round(o.mean, 2) if not o.suppressed else t("too_few", n=o.n),
                ],
            )
            table_rows.append(row)
    _fit(sheet, table_rows, 10)
    if any(s.positive is not None for s in path.steps):
        chart = LineChart()
        chart.title = t.path_chart_title
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.y_axis.title = t.positive_share
        chart.add_data(
            Reference(sheet, min_col=5, min_row=head, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=head + 1, max_row=last))
        chart.legend = None
        series = chart.series[0]
        series.graphicalProperties.line.solidFill = NPS_COLOUR[1:]
        series.graphicalProperties.line.width = 38100
        series.smooth = False  # a path of separate steps, not a curve
        series.marker = Marker(symbol="circle", size=10)
        series.marker.graphicalProperties = _fill(NPS_COLOUR)
        for index, step in enumerate(path.steps):
            if step.drop:
                point = DataPoint(idx=index, marker=Marker(symbol="circle", size=13))
                point.marker.graphicalProperties = _fill(DROP_COLOUR)
                point.graphicalProperties = _fill(DROP_COLOUR)
                series.dPt.append(point)
        chart.dataLabels = DataLabelList(
            showVal=True,
            showSerName=False,
            showCatName=False,
            showLegendKey=False,
            showPercent=False,
            showBubbleSize=False,
            dLblPos="t",
        )
        chart.height = 8
        chart.width = 24
        sheet.add_chart(chart, f"A{row + 2}")
    _print(sheet, f"{head}:{head}")


def _fill(colour: str) -> Any:
    from openpyxl.chart.shapes import GraphicalProperties

    properties = GraphicalProperties(solidFill=colour[1:])
    properties.line.solidFill = colour[1:]
    return properties


def _estimate_cells(e: Estimate, digits: int, t: Texts) -> list[Any]:
    if e.value is None:
        return [_not_shown(t, e.n, e.suppressed) or t.no_answers, None, None, e.n]
    return [round(e.value, digits), _round(e.ci_low, digits), _round(e.ci_high, digits), e.n]


def _perspectives_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    views = content.perspectives
    if views is None or not views.labels:
        return
    sheet = book.create_sheet(t.perspectives_sheet[:SHEET_NAME_MAX])
    sheet.cell(row=1, column=1, value=t.perspectives_heading).font = TITLE_FONT
    row = _note(sheet, 2, t.perspectives_intro, 1 + 4 * len(views.labels))
    groups = row + 1
    for p, label in enumerate(views.labels):
        cell = sheet.cell(row=groups, column=2 + 4 * p, value=f"{label} ({views.responses[p]})")
        cell.font = TITLE_FONT
    head = groups + 1
    names = [t.item]
    for _ in views.labels:
        names += [t.mean + " / " + t.nps, t.ci_low, t.ci_high, t.n]
    _header(sheet, head, names)
    for offset, r in enumerate(views.rows, start=1):
        values: list[Any] = [r.label]
        for cell in r.cells:
            values += _estimate_cells(cell, 0 if r.item == "nps" else 2, t)
        _put(sheet, head + offset, values)
    last = head + len(views.rows)
    nps = [
        NpsRow(
            label, count, e.n, e.suppressed, None, None, None, e.value, e.ci_low, e.ci_high, None
        )
        for label, e, count in zip(views.labels, views.rows[0].cells, views.responses, strict=True)
    ]
    top, shown = _nps_table(sheet, last + 3, nps, content, t)
    _fit(sheet, [*range(head, last + 1), *range(top, top + len(nps) + 1)], max(13, len(names)))
    if shown:
        chart = _nps_bars(sheet, t.perspectives_nps_title, t, top, shown, 7, 12)
        sheet.add_chart(chart, f"A{top + len(nps) + 3}")
    _print(sheet, f"{head}:{head}")


def _purchaser_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    view = content.purchaser
    if view is None or not view.counties:
        return
    sheet = book.create_sheet(t.purchaser_sheet[:SHEET_NAME_MAX])
    sheet.cell(row=1, column=1, value=t.purchaser_heading).font = TITLE_FONT
    columns = 7 + len(view.columns)
    row = _note(sheet, 2, t.purchaser_intro, columns)
    head = row + 1
    _header(
        sheet,
        head,
        [
            t.group,
            t.production,
            t.provider,
            t.responses,
            f"{t.nps} n",
            t.nps,
            t.ci_low,
            t.ci_high,
            *view.columns,
        ],
    )
    row = head
    for county in view.counties:
        for r in county.rows:
            row += 1
            nps = r.nps
            _put(
                sheet,
                row,
                [
                    county.label,
                    r.production,
                    r.provider,
                    r.responses,
                    nps.n,
                    # A dash where nothing is shown: the note below the table says why.
                    _round(nps.value, 1) if nps.value is not None else DASH,
                    _round(nps.ci_low, 1),
                    _round(nps.ci_high, 1),
                    *(_round(e.value, 2) if e.value is not None else DASH for e in r.statements),
                ],
            )
    last = row
    row = _note(sheet, last + 2, t("compact_note", min_n=content.min_n), columns)
    # The chart's own table: the lines with answers, named with their county.
    lines = [
        NpsRow(
            f"{c.label}: {r.production}, {r.provider}",
            r.responses,
            r.nps.n,
            r.nps.suppressed,
            None,
            None,
            None,
            r.nps.value,
            r.nps.ci_low,
            r.nps.ci_high,
            None,
        )
        for c in view.counties
        for r in c.rows
    ]
    top, shown = _nps_table(sheet, row + 1, lines, content, t)
    _fit(sheet, [*range(head, last + 1), *range(top, top + len(lines) + 1)], max(13, columns))
    if shown:
        chart = _nps_bars(sheet, t.purchaser_chart, t, top, shown, 7, 12)
        chart.width = 32  # room for the long "county: production, provider" labels
        sheet.add_chart(chart, f"A{top + len(lines) + 2}")
    _print(sheet, f"{head}:{head}")


def _adapted_sheet(book: Workbook, content: ReportContent, t: Texts) -> None:
    if not content.adapted:
        return
    sheet = book.create_sheet(t.adapted_sheet[:SHEET_NAME_MAX])
    sheet["A1"] = t.adapted_heading
    sheet["A1"].font = TITLE_FONT
    _note(sheet, 2, content.notes[1], 9)
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
                _not_shown(t, r.n, r.suppressed),
            ],
        )
    _fit(sheet, range(4, 5 + len(content.adapted)), 9)
    _print(sheet, "4:4")


SHEETS: tuple[Callable[[Workbook, ReportContent, Texts], None], ...] = (
    _about_sheet,
    _nps_sheet,
    _statements_sheet,
    _path_sheet,
    _perspectives_sheet,
    _purchaser_sheet,
    _adapted_sheet,
)


def write_xlsx(path: Path, content: ReportContent) -> Path:
    """Write the xlsx report atomically."""
    t = Texts(content.lang)
    book = Workbook()
    for sheet in SHEETS:
        sheet(book, content, t)
    target = AtomicFile(path, binary=True)
    try:
        with writing(path):
            book.save(target.handle)
    except BaseException:
        target.abort()
        raise
    target.commit()
    return path
