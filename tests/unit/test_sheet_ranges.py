"""Workers parsing an xlsx sheet by ranges of its XML write what one process writes.

The ranges are cut small here (a few rows each), so that every quirk of a sheet falls
on a cut somewhere: ``<row`` inside a comment or a CDATA section, rows without numbers,
prefixed tags, rows going backwards, a tag broken in a later range, blank rows, cells
the reader has something to say about, rows after ``</sheetData>``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harmonizer import harmonize
from harmonizer.engine import parallel
from harmonizer.errors import HarmonizerError
from harmonizer.io.readers import SourceOptions, read_table
from harmonizer.io.sheet_ranges import SheetRange, range_rows, split_sheet
from tests.helpers import write_xlsx
from tests.unit.test_readers import sheet_of, workbook_with

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
MAPPING = CORPUS / "corpus.yaml"
HEADER = ["id", "aika", "yksikkö", "suosittelu", "helppous", "palaute", "pysäköinti"]
OUTPUTS = ("records.jsonl", "rejects.jsonl", "records.csv", "rejects.csv")
CUT_BYTES = 300
"""Less than a row's XML here: nearly every row starts a range."""


def _cells(values: list[object], number: int) -> str:
    cells = []
    for index, value in enumerate(values):
        ref = f"{chr(65 + index)}{number}"
        if isinstance(value, int):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif value is not None:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return "".join(cells)


def _row(n: int) -> list[object]:
    return [
        f"R{n % 40}",
        "2026-10-04 14:05",
        "Turun terveysasema",
        n % 11,
        "Täysin samaa mieltä",
        "",
        "Kyllä",
    ]


def _rows_xml(count: int, *, numbered: bool = True, first: int = 2) -> str:
    rows = [f'<row r="1">{_cells(list(HEADER), 1)}</row>']
    for n in range(first, first + count):
        attr = f' r="{n}"' if numbered else ""
        rows.append(f"<row{attr}>{_cells(_row(n), n)}</row>")
    return "".join(rows)


def _book(tmp_path: Path, rows: str, *, name: str = "e.xlsx", after: str = "") -> Path:
    sheet = sheet_of(rows)
    if after:
        sheet = sheet.replace("</sheetData>", "</sheetData>" + after)
    export = tmp_path / name
    export.write_bytes(workbook_with(sheet))
    return export


def _run(mapping: Path, export: Path, out: Path, jobs: int) -> object:
    try:
        result = harmonize(mapping, [export], out, formats=("jsonl", "csv"), jobs=jobs)
    except HarmonizerError as err:
        return str(err)
    return [(out / name).read_bytes() for name in OUTPUTS], result.report.to_dict()


@pytest.fixture
def cut(monkeypatch: pytest.MonkeyPatch) -> list[SheetRange | None]:
    """Cut sheets into ranges of a few rows; collect the ranges the parent made."""
    made: list[SheetRange | None] = []
    monkeypatch.setattr(parallel, "SHEET_RANGE_BYTES", CUT_BYTES)
    real = parallel.split_sheet

    def split(*args: object) -> Iterator[SheetRange | None]:
        for part in real(*args):  # type: ignore[arg-type]
            made.append(part)
            yield part

    monkeypatch.setattr(parallel, "split_sheet", split)
    return made


def assert_alike(export: Path, tmp_path: Path, mapping: Path = MAPPING) -> object:
    """Run with one process and with two workers parsing ranges; compare everything."""
    one = _run(mapping, export, tmp_path / "one", 1)
    two = _run(mapping, export, tmp_path / "two", 2)
    assert one == two
    return one


def test_ranges_cover_the_sheet_row_by_row(tmp_path: Path) -> None:
    export = _book(tmp_path, _rows_xml(60))
    with read_table(export, SourceOptions()) as table:
        assert table.sheet is not None
        parts = list(split_sheet(table.sheet, 200))
        assert all(part is not None for part in parts)
        ranges = [part for part in parts if part is not None]
        assert len(ranges) > 10
        xml = zipfile.ZipFile(export).read("xl/worksheets/sheet1.xml")
        body = xml[xml.index(b"<sheetData>") + len(b"<sheetData>") :]
        assert b"".join(part.data for part in ranges) == body
        assert [part.last for part in ranges] == [False] * (len(ranges) - 1) + [True]
        numbers = []
        for part in ranges:
            assert part.first is None or part.data.startswith(f'<row r="{part.first}"'.encode())
            numbers += [source.row for source in range_rows(table.sheet, part).rows]
        assert numbers == list(range(2, 62))  # the header row is the parent's


def test_two_workers_by_ranges_write_what_one_process_writes(
    tmp_path: Path, cut: list[SheetRange | None]
) -> None:
    rows = _rows_xml(80)  # R0..R39 twice: duplicates across ranges
    rows = rows.replace('<c r="F30" t="inlineStr"><is><t></t></is></c>', "")
    rows = rows.replace(
        '<c r="D31"><v>9</v></c>', '<c r="D31"><f>1+1</f></c>'
    )  # a formula never computed
    rows += '<row r="95"/><row r="96"><c r="A96" s="0"/></row>'  # blank rows at the end
    rows = re.sub(r'<row r="50">.*?</row>', '<row r="50"/>', rows)  # a blank row between
    export = _book(tmp_path, rows)
    one = assert_alike(export, tmp_path)
    assert isinstance(one, tuple)
    assert sum(part is not None for part in cut) > 10


PAD = " " * 400
"""Longer than a read of the cut test (300 bytes): a cut falls inside whatever holds it."""


@pytest.mark.parametrize(
    ("name", "change"),
    [
        # <row inside a comment or a CDATA section: the range before it is not well-formed.
        ("comment", lambda x: x.replace('<row r="230">', f'<!-- <row r="7">{PAD}--><row r="230">')),
        (
            "cdata",
            lambda x: x.replace(
                '<c r="C231" t="inlineStr"><is><t>Turun terveysasema',
                f'<c r="C231" t="inlineStr"><is><t><![CDATA[<row r="7">{PAD}]]>',
            ),
        ),
        ("unnumbered", lambda x: re.sub(r'<row r="24\d">', "<row>", x)),
        ("backwards", lambda x: x.replace('<row r="261">', '<row r="220">')),
        ("repeated", lambda x: x.replace('<row r="245">', '<row r="244">')),
        ("broken-tag", lambda x: x.replace('<row r="250">', '<row r="250"><c r="A250" t="s>')),
        ("unclosed", lambda x: x.replace('<row r="270">', '<row r="270"><is>')),
        ("bad-shared-text", lambda x: x.replace('<c r="D240"><v>', '<c r="D240" t="s"><v>9')),
        ("number-text", lambda x: x.replace('<c r="D241"><v>', '<c r="D241"><v>x')),
        (
            "misleading-attribute",
            lambda x: x.replace('<row r="230">', '<row x=\' r="99"\' r="230">'),
        ),
    ],
)
def test_a_sheet_cut_in_the_wrong_place_reads_alike(
    tmp_path: Path, cut: list[SheetRange | None], name: str, change: object
) -> None:
    """Wrong cuts and damaged rows past the reader's first read (64 KiB): the same
    records, or the same message, as one process."""
    assert callable(change)
    rows = _rows_xml(300)
    changed = change(rows)
    assert changed != rows
    export = _book(tmp_path, changed, name=f"{name}.xlsx")
    assert_alike(export, tmp_path)
    assert cut  # the parent did cut the sheet
    assert cut[-1] is not None  # and every cut was made: the workers found the wrong ones


def test_prefixed_tags_by_ranges(tmp_path: Path, cut: list[SheetRange | None]) -> None:
    rows = _rows_xml(50).replace("<", "<x:").replace("<x:/", "</x:")
    sheet = sheet_of(rows, prefix="x:")
    export = tmp_path / "x.xlsx"
    export.write_bytes(workbook_with(sheet))
    assert isinstance(assert_alike(export, tmp_path), tuple)
    assert sum(part is not None for part in cut) > 5


def test_rows_after_the_sheet_data_are_read_as_one_process_reads_them(
    tmp_path: Path, cut: list[SheetRange | None]
) -> None:
    after = f'<row r="200">{_cells(_row(200), 200)}</row><mergeCells count="0"/>'
    export = _book(tmp_path, _rows_xml(40), after=after)
    assert isinstance(assert_alike(export, tmp_path), tuple)


def test_rows_without_numbers_are_left_to_the_parent(
    tmp_path: Path, cut: list[SheetRange | None]
) -> None:
    export = _book(tmp_path, _rows_xml(40, numbered=False))
    assert isinstance(assert_alike(export, tmp_path), tuple)
    # No cut before a row without a number: one range from <sheetData> on, read whole.
    assert [(part.first, part.last) for part in cut if part is not None] == [(None, True)]


def test_header_on_a_later_row_by_ranges(tmp_path: Path, cut: list[SheetRange | None]) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        MAPPING.read_text(encoding="utf-8").replace(
            "response_id:", "source:\n  header_row: 3\nresponse_id:", 1
        ),
        encoding="utf-8",
    )
    rows = [["Asiakaspalaute 2026"], [], HEADER, *[_row(n) for n in range(60)]]
    export = write_xlsx(tmp_path / "h.xlsx", rows)
    one = assert_alike(export, tmp_path, mapping)
    assert isinstance(one, tuple)
    assert sum(part is not None for part in cut) > 5


@pytest.mark.parametrize(
    "export",
    [*sorted(CORPUS.glob("*.xlsx")), *sorted((ROOT / "examples").glob("*.xlsx"))],
    ids=lambda p: p.name,
)
def test_every_bundled_xlsx_by_ranges_as_in_one_process(
    export: Path, tmp_path: Path, cut: list[SheetRange | None]
) -> None:
    """The corpus's quirks and the examples, cut into ranges of a few rows each."""
    example = ROOT / "mappings" / f"{export.stem}.yaml"
    assert_alike(export, tmp_path, example if example.exists() else MAPPING)


def test_a_sheet_changed_after_it_was_opened_is_left_to_the_parent(tmp_path: Path) -> None:
    export = _book(tmp_path, _rows_xml(30))
    with read_table(export, SourceOptions()) as table:
        assert table.sheet is not None
        _book(tmp_path, _rows_xml(31))
        assert list(split_sheet(table.sheet, 200)) == [None]


def test_an_odd_head_is_left_to_the_parent(tmp_path: Path) -> None:
    """A <sheetData> inside a comment is no head to cut after."""
    sheet = sheet_of(_rows_xml(20)).replace("<sheetData>", "<!-- <sheetData> --><sheetData>")
    export = tmp_path / "odd.xlsx"
    export.write_bytes(workbook_with(sheet))
    with read_table(export, SourceOptions()) as table:
        assert table.sheet is not None
        assert list(split_sheet(table.sheet, 200)) == []


def test_a_range_is_parsed_as_a_document_of_its_own(tmp_path: Path) -> None:
    export = _book(tmp_path, _rows_xml(30))
    with read_table(export, SourceOptions()) as table:
        assert table.sheet is not None
        parts = [part for part in split_sheet(table.sheet, 200) if part is not None]
        middle = parts[3]
        assert middle.tail == b"</sheetData></worksheet>"
        wrong = SheetRange(middle.head, middle.data, middle.tail, (middle.first or 0) + 1)
        with pytest.raises(Exception, match="starts on row"):
            range_rows(table.sheet, wrong)
        assert zipfile.is_zipfile(io.BytesIO(export.read_bytes()))
