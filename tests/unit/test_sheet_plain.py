"""Plain sheet rows decoded at once read exactly as expat reads them.

The decoder (harmonizer.io.sheet_plain) takes the rows that Excel and LibreOffice write
(shared texts and numbers, nothing else) out of a range's XML with a regular
expression and NumPy. Each test here reads the same range twice, with the decoder and
with expat alone, and wants the same rows, or a refusal from both. Sheets are
generated with every part of the plain form (gaps between rows and columns, styled
cells without a value, date styles, blank and controlled shared texts, row
attributes) and then spoiled in one place with something outside it, or with
something the reader must report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harmonizer import harmonize
from harmonizer.engine import parallel
from harmonizer.errors import HarmonizerError
from harmonizer.io.cells import column_letter
from harmonizer.io.readers import SourceOptions, read_table
from harmonizer.io.sheet_plain import PlainRows
from harmonizer.io.sheet_ranges import (
    SheetLayout,
    SheetRange,
    SheetRows,
    range_rows,
    split_sheet,
)
from harmonizer.io.xlsx_reader import SheetCells
from tests.unit.test_readers import SHEET_NS, STYLES, sheet_of, workbook_with

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "tests" / "corpus" / "corpus.yaml"
HEADER = ["id", "aika", "yksikkö", "suosittelu", "helppous", "palaute", "pysäköinti"]
TEXTS = [
    *HEADER,
    "Täysin samaa mieltä",
    "Jokseenkin eri mieltä",
    "   ",  # reads as a blank cell
    "Åbo & Turku <hälsocentral>",
    "rivi_x000D_\nvaihto",
    "ohjaus_x0001_merkki",  # a control character: the reader reports the cell
    "2026-10-04 14:05",
    "Kyllä",
]
CONTROLLED = TEXTS.index("ohjaus_x0001_merkki")


def _strings() -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in TEXTS)
    return f'<sst xmlns="{SHEET_NS}" count="{len(TEXTS)}">{items}</sst>'


def _header_row() -> str:
    cells = "".join(f'<c r="{column_letter(i)}1" t="s"><v>{i}</v></c>' for i in range(7))
    return f'<row r="1" spans="1:7">{cells}</row>'


_cell = st.one_of(
    st.tuples(st.just("s"), st.sampled_from(range(len(TEXTS))).filter(lambda i: i != CONTROLLED)),
    # The same texts as numbers and in a date style: read apart.
    st.tuples(st.just("n"), st.sampled_from(["0", "7", "10", "4.5", "-3", "1E3", "46349.5"])),
    st.tuples(st.just("d"), st.sampled_from(["46349", "46349.5", "0.5", "7", "1e300"])),
    st.tuples(st.just("bare"), st.none()),
    st.tuples(
        st.just("i"),
        st.sampled_from(
            [
                "Täysin samaa mieltä",
                "  ",
                "",
                "Åbo &amp; Turku &lt;hälsocentral&gt; &quot;ok&quot; &apos;x&apos; &amp;lt;",
                "rivi\nvaihto\tsarkain",
                "rivi_x000D_\nvaihto _x005F_x000D_",
                "] ] > >]",
                "\u00a0no-break\u00a0",
                "2026-10-04 14:05",
            ]
        ),
    ),
)
_row = st.tuples(
    st.integers(1, 3),  # the gap to the previous row's number
    st.sampled_from(["", ' spans="1:7"', ' spans="1:7" x14ac:dyDescent="0.25"', ' ht="15"']),
    st.lists(st.tuples(st.integers(1, 2), _cell), max_size=9),  # column gaps and cells
)


def _render(rows: list[tuple[int, str, list[tuple[int, tuple[str, object]]]]]) -> list[str]:
    out, number = [], 1
    for gap, attributes, cells in rows:
        number += gap
        xml, column = [], -1
        for step, (kind, value) in cells:
            column += step
            ref = f"{column_letter(column)}{number}"
            if kind == "s":
                xml.append(f'<c r="{ref}" s="0" t="s"><v>{value}</v></c>')
            elif kind == "n":
                xml.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
            elif kind == "d":
                xml.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
            elif kind == "i":
                space = ' xml:space="preserve"' if column % 2 else ""
                xml.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{value}</t></is></c>')
            else:
                xml.append(f'<c r="{ref}" s="2"/>')
        body = "".join(xml)
        out.append(
            f'<row r="{number}"{attributes}>{body}</row>'
            if body
            else f'<row r="{number}"{attributes}/>'
        )
    return out


def _inline(content: str) -> str:
    """A row of one inline-text cell holding ``content`` inside ``<is>``."""
    return '<row r="{n}"><c r="A{n}" t="inlineStr"><is>' + content + "</is></c></row>"


def _one(cell: str) -> str:
    """A row of one cell, written from ``<c`` after its reference."""
    return '<row r="{n}"><c r="A{n}"' + cell + "</row>"


SPOILERS = {
    # Outside the plain form: expat reads these rows.
    "rich text": _inline("<r><t>x</t></r><r><t>y</t></r>"),
    "phonetic guide": _inline('<t>x</t><rPh sb="0" eb="1"><t>y</t></rPh>'),
    "empty inline tag": _inline("<t/>"),
    "character reference": _inline("<t>a&#10;b</t>"),
    "carriage return": _inline("<t>a\r\nb</t>"),
    "end of a CDATA section": _inline("<t>a]]>b</t>"),
    "a character XML forbids": _inline("<t>a\ufffeb</t>"),
    "inline control character": _inline("<t>a_x0001_b</t>"),
    "unknown entity": _inline("<t>a&nbsp;b</t>"),
    "formula": _one("><f>1+1</f><v>2</v></c>"),
    "formula without value": _one("><f>1+1</f></c>"),
    "comment": '<!-- <row r="{n}"/> --><row r="{n}"/>',
    "whitespace": '<row r="{n}">\n  <c r="A{n}" t="s"><v>7</v></c>\n</row>',
    "entity in an attribute": '<row r="{n}" spans="1&amp;7"/>',
    "attributes in another order": '<row spans="1:7" r="{n}"/>',
    "a boolean": _one(' t="b"><v>1</v></c>'),
    "an error": _one(' t="e"><v>#N/A</v></c>'),
    "no row number": '<row><c r="A{n}" t="s"><v>7</v></c></row>',
    # Plain in form, but the reader has something to say or refuses the sheet.
    "controlled text": '<row r="{n}"><c r="B{n}" t="s"><v>{controlled}</v></c></row>',
    "no such shared text": _one(' t="s"><v>99</v></c>'),
    "shared text as a number": _one(' t="s"><v>1.5</v></c>'),
    "a number that is none": _one("><v>1-2</v></c>"),
    "cells backwards": '<row r="{n}"><c r="C{n}" s="2"/><c r="B{n}" t="s"><v>7</v></c></row>',
    "cell repeated": '<row r="{n}"><c r="B{n}" t="s"><v>7</v></c><c r="B{n}" s="2"/></row>',
    "row repeated": '<row r="{previous}"/>',
    "row zero": '<row r="0"/>',
    "far right": '<row r="{n}"><c r="ZZ{n}" t="s"><v>7</v></c></row>',
    "beyond the last column": '<row r="{n}"><c r="XFE{n}" t="s"><v>7</v></c></row>',
    "bare beyond the last column": '<row r="{n}"><c r="A{n}" s="2"/><c r="XFE{n}" s="2"/></row>',
    "beyond the last row": '<row r="1048577"/>',
    "number in a date style": _one(' s="1"><v>-1</v></c>'),
}


def _spoiler(kind: str, n: int) -> str:
    """The spoiler's row, numbered ``n`` (after row ``n - 1``)."""
    return SPOILERS[kind].format(n=n, previous=n - 1, controlled=CONTROLLED)


def _sheet(rows: list[str], tmp_path: Path, name: str) -> Path:
    export = tmp_path / name
    xml = sheet_of(_header_row() + "".join(rows))
    export.write_bytes(workbook_with(xml, styles=STYLES, strings=_strings()))
    return export


def _both(layout: SheetLayout, part: SheetRange) -> tuple[object, object, PlainRows | None]:
    """Read a range with the plain decoder and with expat alone."""

    def read() -> object:
        try:
            got: SheetRows = range_rows(layout, part)
        except Exception:  # any refusal: the parent's reader reports it
            return "refused"
        return got.rows, got.last

    plain = layout.cells.plain(part.data)
    with_plain = read()
    real = SheetCells.plain
    SheetCells.plain = lambda self, data: None  # type: ignore[method-assign]
    try:
        expat = read()
    finally:
        SheetCells.plain = real  # type: ignore[method-assign]
    return with_plain, expat, plain


def _ranges(
    export: Path, size: int, spoiled: Path | None = None
) -> Iterator[tuple[SheetLayout, SheetRange | None]]:
    """Yield the ranges of a sheet, or of its spoiled copy (which the reader may refuse).

    The spoiled copy is cut with the clean sheet's shared texts and header, as a
    worker would cut it had the damage been beyond the rows the parent read first.
    """
    with read_table(export, SourceOptions()) as table:
        layout = table.sheet
        assert layout is not None
        if spoiled is not None:
            crc = zipfile.ZipFile(spoiled).getinfo(layout.part).CRC
            layout = dataclasses.replace(layout, path=spoiled, crc=crc)
        for part in split_sheet(layout, size):
            yield layout, part


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(_row, min_size=1, max_size=25),
    spoil=st.none() | st.tuples(st.sampled_from(sorted(SPOILERS)), st.integers(0, 30)),
    size=st.sampled_from([120, 400, 1 << 20]),
)
@example(rows=[(1, "", [(1, ("s", 7))])], spoil=None, size=1 << 20)
def test_plain_ranges_read_as_expat_reads_them(
    tmp_path: Path,
    rows: list[tuple[int, str, list[tuple[int, tuple[str, object]]]]],
    spoil: tuple[str, int] | None,
    size: int,
) -> None:
    rendered = _render(rows)
    clean = _sheet(rendered, tmp_path, "clean.xlsx")
    if spoil is not None:
        kind, at = spoil
        at = min(at, len(rendered))
        # Numbered as the row it stands for: after the rows before it.
        before = int(rendered[at - 1].split('"')[1]) if at else 1
        rendered.insert(at, _spoiler(kind, before + 1))
        renumber = []
        for row in rendered[at + 1 :]:
            old = int(row.split('"')[1])
            new = old + 1
            renumber.append(row.replace(f'r="{old}"', f'r="{new}"').replace(f'{old}"', f'{new}"'))
        rendered[at + 1 :] = renumber
    spoiled = _sheet(rendered, tmp_path, "spoiled.xlsx")
    decoded = 0
    for layout, part in _ranges(clean, size, spoiled):
        if part is None:
            break
        with_plain, expat, plain = _both(layout, part)
        assert with_plain == expat
        if plain is not None:
            decoded += 1
            if spoil is None and not part.last:
                assert plain.end == len(part.data)
        if expat == "refused":
            break  # the parent's reader goes on from here
    if spoil is None:
        assert decoded  # an unspoiled sheet is plain


@pytest.mark.parametrize("kind", sorted(SPOILERS))
@pytest.mark.parametrize("size", [150, 1 << 20])
def test_each_spoiler_among_plain_rows_reads_as_expat_reads_it(
    tmp_path: Path, kind: str, size: int
) -> None:
    rows = [(1, ' spans="1:7"', [(1, ("s", 7)), (1, ("n", "7")), (2, ("d", "7"))])] * 6
    rendered = _render(rows)
    clean = _sheet(rendered, tmp_path, "clean.xlsx")
    rendered.insert(3, _spoiler(kind, 5))
    spoiled = _sheet(
        rendered[:4]
        + [
            row.replace(f'{n}"', f'{n + 1}"')
            for n, row in zip((5, 6, 7), rendered[4:], strict=True)
        ],
        tmp_path,
        "spoiled.xlsx",
    )
    read = []
    for layout, part in _ranges(clean, size, spoiled):
        if part is None:
            break
        with_plain, expat, _ = _both(layout, part)
        assert with_plain == expat
        read.append(expat)
        if expat == "refused":
            break
    assert read


def test_a_plain_sheet_is_decoded_whole(tmp_path: Path) -> None:
    rows = [(1, ' spans="1:7"', [(1, ("s", 7)), (1, ("n", "4.5")), (2, ("d", "46349.25"))])] * 40
    export = _sheet(_render(rows), tmp_path, "whole.xlsx")
    ((layout, part),) = list(_ranges(export, 1 << 20))
    assert part is not None
    with_plain, expat, plain = _both(layout, part)
    assert plain is not None
    assert with_plain == expat
    assert isinstance(with_plain, tuple)
    rows_read, last = with_plain
    assert last == 41
    assert [source.row for source in rows_read] == list(range(2, 42))
    assert rows_read[0].values == ("Täysin samaa mieltä", 4.5, None, dt.datetime(2026, 11, 23, 6))
    # The rest after the rows (</sheetData></worksheet>) is expat's: it is all that is left.
    assert part.data[plain.end :] == b"</sheetData></worksheet>"


def _run(export: Path, out: Path, jobs: int) -> object:
    try:
        result = harmonize(MAPPING, [export], out, formats=("jsonl",), jobs=jobs)
    except HarmonizerError as err:
        return str(err)
    names = ("records.jsonl", "rejects.jsonl")
    return [(out / name).read_bytes() for name in names], result.report.to_dict()


def _answer(n: int) -> str:
    """A data row as Excel writes it: shared texts and numbers."""
    return (
        f'<row r="{n}" spans="1:7"><c r="A{n}" t="n"><v>{1000 + n}</v></c>'
        f'<c r="B{n}" t="s"><v>{TEXTS.index("2026-10-04 14:05")}</v></c><c r="C{n}" t="s"><v>{7 + n % 2}</v></c>'
        f'<c r="D{n}" t="n"><v>{n % 11}</v></c><c r="E{n}" t="s"><v>7</v></c>'
        f'<c r="G{n}" t="s"><v>{TEXTS.index("Kyllä")}</v></c></row>'
    )


@pytest.mark.parametrize(
    "odd",
    [
        "",
        '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x1</t></is></c></row>',
        '<row r="{n}"><c r="A{n}" t="n"><v>1002</v></c><c r="F{n}" t="s"><v>{controlled}</v></c></row>',
        '<row r="{n}"><c r="A{n}" t="n"><v>1003</v></c><c r="D{n}" t="s"><v>8</v></c></row>',
        '<row r="{n}"><c r="A{n}"><f>1+1</f></c></row>',
        '<row r="{n}"/>',
    ],
)
def test_one_process_reading_plain_ranges_writes_what_the_streaming_reader_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    rows = [_answer(n) for n in range(2, 400)]
    # The odd row, among plain ones, and a repeat of an earlier answer (a duplicate).
    rows[150:151] = [odd.format(n=152, controlled=CONTROLLED)] if odd else [rows[150]]
    rows[300] = _answer(5).replace('r="5"', 'r="302"').replace('5"', '302"')
    export = _sheet(rows, tmp_path, "answers.xlsx")
    monkeypatch.setattr(parallel, "LOCAL_SHEET_BYTES", 1 << 40)
    streaming = _run(export, tmp_path / "streaming", 1)
    monkeypatch.setattr(parallel, "LOCAL_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel, "SHEET_RANGE_BYTES", 2000)
    decoded: list[PlainRows | None] = []
    real = SheetCells.plain

    def plain(self: SheetCells, data: bytes) -> PlainRows | None:
        decoded.append(real(self, data))
        return decoded[-1]

    monkeypatch.setattr(SheetCells, "plain", plain)
    ranged = _run(export, tmp_path / "ranged", 1)
    two = _run(export, tmp_path / "two", 2)
    assert sum(found is not None for found in decoded) > 10
    assert ranged == streaming
    assert two == streaming
    assert isinstance(streaming, tuple)
    counts = streaming[1]["counts"]
    assert counts["read"] == 398
    assert counts["duplicates"] == 1


def _plain_sheet(export: Path) -> bool:
    with read_table(export, SourceOptions()) as table:
        assert table.sheet is not None
        return parallel._plain_sheet(table.sheet) is not None


def test_one_process_reads_by_ranges_only_a_large_sheet_of_plain_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _sheet([_answer(n) for n in range(2, 60)], tmp_path, "plain.xlsx")
    rich = tmp_path / "rich.xlsx"
    xml = zipfile.ZipFile(plain).read("xl/worksheets/sheet1.xml").decode()
    rich.write_bytes(
        workbook_with(
            xml.replace(
                f't="s"><v>{TEXTS.index("2026-10-04 14:05")}</v>',
                't="inlineStr"><is><r><t>2026-10-04</t></r><r><t> 14:05</t></r></is>',
            ),
            styles=STYLES,
            strings=_strings(),
        )
    )
    assert not _plain_sheet(plain)  # small: the streaming reader is quicker
    monkeypatch.setattr(parallel, "SHEET_RANGE_BYTES", 1000)
    monkeypatch.setattr(parallel, "LOCAL_SHEET_BYTES", 2000)
    assert _plain_sheet(plain)
    assert not _plain_sheet(rich)  # rich text runs: expat's work either way, streamed
