"""Readers on real files: encodings, limits, defused XML, and located issues for quirks."""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from harmonizer import ReadError, harmonize, validate
from harmonizer.converters import MAX_CELL_CHARS
from harmonizer.io import csv_reader
from harmonizer.io.cells import normalise_row, normalise_text
from harmonizer.io.readers import SourceOptions, read_table
from harmonizer.io.safety import FileKind, UnsafeXml, ZipLimits, check_xml_prolog, sniff
from harmonizer.io.table import SAMPLE_BYTES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
MAPPING = CORPUS / "corpus.yaml"


def cells(path: Path, options: SourceOptions | None = None) -> list[tuple[object, ...]]:
    with read_table(path, options) as table:
        return [table.info.header, *(row.values for row in table)]


# --- encodings ----------------------------------------------------------------------


def test_every_encoding_reads_the_same_cells() -> None:
    utf8 = cells(CORPUS / "utf8-bom.csv")
    assert utf8[0][2] == "yksikkö"
    assert cells(CORPUS / "utf16-bom.csv") == utf8
    assert cells(CORPUS / "utf16le-no-bom.csv") == utf8
    assert cells(CORPUS / "cp1252.csv") == utf8[:2]  # the emoji row cannot be cp1252


@pytest.mark.parametrize(
    ("name", "guess"),
    [
        ("utf8-bom.csv", "encoding utf-8-sig (UTF-8 byte order mark)"),
        ("utf16-bom.csv", "encoding utf-16 (UTF-16 byte order mark)"),
        ("utf16le-no-bom.csv", "encoding utf-16-le (UTF-16 without a byte order mark"),
        ("cp1252.csv", "encoding cp1252 (not valid UTF-8 at byte "),
    ],
)
def test_the_guess_is_reported(name: str, guess: str) -> None:
    with read_table(CORPUS / name) as table:
        assert any(g.startswith(guess) for g in table.info.guessed), table.info.guessed


def test_the_mapping_encoding_overrides_the_guess() -> None:
    with read_table(CORPUS / "cp1252.csv", SourceOptions(encoding="cp1252")) as table:
        assert table.info.encoding == "cp1252"
        assert not any(g.startswith("encoding") for g in table.info.guessed)
    with pytest.raises(ReadError, match=r"cp1252\.csv: the text is not valid utf-8"):
        cells(CORPUS / "cp1252.csv", SourceOptions(encoding="utf-8"))
    assert cells(CORPUS / "undefined-cp1252.csv", SourceOptions(encoding="latin-1"))[2][5] == "\x81"


def test_a_late_windows_1252_byte_is_found_by_the_whole_file_check(tmp_path: Path) -> None:
    export = tmp_path / "late.csv"
    ascii_rows = "".join(f"K-{n};2026-10-04T12:00:00;Turku;9;5;ok;Ei\r\n" for n in range(40_000))
    assert len(ascii_rows) > SAMPLE_BYTES  # the first megabyte is plain ASCII
    export.write_bytes(
        ("id;aika;yksikko;suosittelu;helppous;palaute;p\r\n" + ascii_rows).encode()
        + "K-x;2026-10-04T12:00:00;Hämeenlinna;9;5;ok;Ei\r\n".encode("cp1252")
    )
    with read_table(export) as table:
        assert table.info.encoding == "cp1252"
        *_, last = table
    assert last.values[2] == "Hämeenlinna"


# Pieces of exports: ASCII, UTF-8 letters (two to four bytes), Windows-1252 letters,
# stray continuation bytes, what strict UTF-8 refuses (overlong forms, surrogates,
# code points beyond U+10FFFF), control bytes and line breaks, so that chunks of a few
# bytes cut characters and files mix UTF-8 with other bytes.
PIECES = st.sampled_from(
    [
        b"a;b",
        b"\r\n",
        b"\n",
        "ä".encode(),
        "€".encode(),
        "𝄞".encode(),
        b"\xe4",
        b"\x80",
        b"\xc3",
        b"\xf0\x9f",
        b"\xe2\x82",  # the start of a character, cut
        b"\xe0\x80",  # not the start of any character (overlong)
        b"\xed\xa0\x80",  # a surrogate, which UTF-8 does not encode
        b"\xc0\xaf",  # overlong
        b"\xf4\x90\x80\x80",  # beyond U+10FFFF
        b"\xf5",
        b"\x01",
        b"\x0c",
        b" ",
        b'"',
    ]
)


@settings(max_examples=300)
@given(st.lists(PIECES, max_size=40), st.integers(1, 9))
def test_the_probe_judges_as_the_escaping_decoder_does(pieces: list[bytes], chunk: int) -> None:
    # The strict decode of valid chunks must give what judging every character gives.
    data = b"".join(pieces)
    with (
        pytest.MonkeyPatch.context() as patch,
        tempfile.TemporaryDirectory() as folder,
    ):
        patch.setattr(csv_reader, "SAMPLE_BYTES", chunk)
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        with path.open("rb") as handle:
            judged = csv_reader._probe_escaped(
                handle, hashlib.sha256(), b"", csv_reader.Probe("", 0), 0, 1
            )
        assert csv_reader._probe(path) == judged


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=40), st.lists(PIECES, max_size=20).map(b"".join)))
def test_the_probe_s_utf8_check_is_the_strict_decoder_s(data: bytes) -> None:
    # Arrow validates the chunks in the probe; Python's strict decoder is the reference.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        valid = False
    else:
        valid = True
    assert csv_reader._valid_utf8(data, len(data)) is valid


# --- limits ------------------------------------------------------------------------


def test_a_line_without_end_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader, "CSV_FIELD_LIMIT", 1000)
    export = tmp_path / "endless.csv"
    export.write_text("a;b\n" + "x" * 5000, encoding="utf-8")
    with pytest.raises(ReadError, match=r"endless\.csv: line 2 is longer than 1,000 characters"):
        cells(export)


def test_a_cell_over_the_csv_limit_names_an_open_quote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_reader, "CSV_FIELD_LIMIT", 1000)
    export = tmp_path / "quote.csv"
    export.write_text('a;b\n1;"' + "rivi\n" * 400 + '"\n', encoding="utf-8")
    with pytest.raises(ReadError, match=r"quote\.csv: row 2: broken csv: .*never closed"):
        cells(export)


def test_zip_limits_are_checked_before_opening(tmp_path: Path) -> None:
    export = ROOT / "examples" / "keski-paper.xlsx"
    assert cells(export)  # the defaults let a real workbook through
    with pytest.raises(ReadError, match="possible zip bomb: it unpacks to"):
        cells(export, SourceOptions(limits=ZipLimits(max_total=10_000)))
    with pytest.raises(ReadError, match=r"possible zip bomb: .* files inside"):
        cells(export, SourceOptions(limits=ZipLimits(max_members=3)))
    with pytest.raises(ReadError, match=r"possible zip bomb: xl/worksheets/sheet1\.xml unpacks"):
        cells(CORPUS / "zip-bomb.xlsx")


def test_a_sheet_damaged_midway_is_located(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Palaute"
    sheet.append(["id", "aika"])
    for n in range(2000):
        sheet.append([f"K-{n}", "2026-10-04T12:00:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content[: len(content) * 9 // 10]
            target.writestr(name, content)
    export = tmp_path / "damaged.xlsx"
    export.write_bytes(damaged.getvalue())
    with pytest.raises(
        ReadError, match=r"damaged\.xlsx: sheet 'Palaute', after row \d+: the workbook is corrupt"
    ):
        cells(export)


# --- hostile XML ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xml", "kind"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "EntitiesForbidden"),
        (b'<!-- c --><!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a/>', "DTDForbidden"),
        ('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"), "not UTF-8"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', "encoding ISO-8859-1"),
        (b"  ", "no root element in its first bytes"),
    ],
)
def test_xml_parts_with_a_dtd_or_another_encoding_are_refused(xml: bytes, kind: str) -> None:
    with pytest.raises(UnsafeXml) as caught:
        check_xml_prolog(xml, "x.xml")
    assert caught.value.kind == kind


def test_a_plain_xml_part_passes() -> None:
    xml = b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<!-- x --><a/>'
    assert xml[check_xml_prolog(xml, "x.xml") :] == b"<a/>"


@pytest.mark.parametrize("name", ["billion-laughs.xlsx", "external-entity.xlsx"])
def test_entities_are_refused(name: str) -> None:
    with pytest.raises(ReadError, match="declares entities or a DTD") as caught:
        cells(CORPUS / name)
    cause: BaseException | None = caught.value
    chain = []
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    assert any(isinstance(c, UnsafeXml) and c.kind == "EntitiesForbidden" for c in chain)
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in str(caught.value)


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("empty.csv", FileKind.EMPTY),
        ("utf8-bom.csv", FileKind.TEXT),
        ("utf16le-no-bom.csv", FileKind.TEXT),
        ("cp1252.csv", FileKind.TEXT),
        ("binary.csv", FileKind.BINARY),
        ("xlsx-renamed.csv", FileKind.ZIP),
        ("xls-renamed.xlsx", FileKind.OLE2),
        ("encrypted.xlsx", FileKind.OLE2),
        ("html-renamed.xlsx", FileKind.HTML),
    ],
)
def test_sniff(name: str, kind: FileKind) -> None:
    assert sniff(CORPUS / name) is kind


def test_a_stray_control_byte_keeps_a_csv_text(tmp_path: Path) -> None:
    export = tmp_path / "control.csv"
    export.write_bytes("id;palaute\r\nK-1;ä\x1a\x0b\r\n".encode("cp1252"))
    assert sniff(export) is FileKind.TEXT


# --- located issues --------------------------------------------------------------------


def test_a_ragged_row_is_a_located_warning() -> None:
    report = validate(MAPPING, [CORPUS / "ragged.csv"])
    (issue,) = [i for i in report.issues if i.code == "ragged-row"]
    assert (issue.export, issue.row, issue.column_letter, issue.value) == (
        "ragged.csv",
        4,
        "H",
        "ylimääräinen",
    )
    assert "2 filled cell(s) right of the header's last column (G)" in issue.message
    assert report.counts.accepted == 3  # a warning: the row is still a record


def test_a_duplicate_header_names_both_columns(tmp_path: Path) -> None:
    report = validate(MAPPING, [CORPUS / "duplicate-header.csv"])
    (issue,) = [i for i in report.issues if i.code == "duplicate-header"]
    assert issue.row == 1
    assert issue.column == "helppous"
    assert issue.column_letter == "E, H"
    assert "(E 'helppous' and H 'helppous')" in issue.message
    assert "corpus.yaml:" in issue.message  # the line of the rule in the mapping
    # Naming the occurrence answers the question: no warning, and the second is used.
    second = tmp_path / "second.yaml"
    second.write_text(
        MAPPING.read_text(encoding="utf-8").replace(
            "  ease: helppous", "  ease: {column: helppous, occurrence: 2}"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = harmonize(second, [CORPUS / "duplicate-header.csv"], out)
    assert "duplicate-header" not in result.report.issue_counts
    ease = [
        line.split(b'"ease":')[1][:1] for line in (out / "records.jsonl").read_bytes().splitlines()
    ]
    assert ease == [b"1", b"2"]


def test_an_over_long_cell_is_located_and_cut_in_the_reject(tmp_path: Path) -> None:
    import orjson

    result = harmonize(MAPPING, [CORPUS / "long-cell.csv"], tmp_path)
    (issue,) = [i for i in result.report.issues if i.code == "value-too-long"]
    assert (issue.row, issue.column, issue.column_letter, issue.field) == (
        4,
        "palaute",
        "F",
        "open_feedback",
    )
    (reject,) = [
        orjson.loads(line) for line in (tmp_path / "rejects.jsonl").read_bytes().splitlines()
    ]
    assert len(reject["raw"]["palaute"]) == MAX_CELL_CHARS
    assert reject["raw"]["palaute"].endswith("…")


def test_utf16_bom_is_not_taken_for_binary() -> None:
    assert (CORPUS / "utf16-bom.csv").read_bytes().startswith(codecs.BOM_UTF16_LE)
    assert sniff(CORPUS / "utf16-bom.csv") is FileKind.TEXT


def test_a_ragged_answer_row_of_a_long_export_is_located(tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "lappi-sms.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[5] += ";040 765 4321"  # a sixth answer row with a cell beyond the header
    export = tmp_path / "lappi-sms.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(ROOT / "mappings" / "lappi-sms.yaml", [export])
    (issue,) = [i for i in report.issues if i.code == "ragged-row"]
    assert (issue.row, issue.column_letter, issue.value) == (6, "G", "[PUHELIN]")
    assert report.counts.reconciles


# --- xlsx: the streaming sheet reader ----------------------------------------------------

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_with(
    sheet: str, *, styles: str = "", strings: str = "", date1904: bool = False
) -> bytes:
    """A minimal real xlsx package around hand-written sheet XML (and parts beside it)."""
    rels = [
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    ]
    parts = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{SHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships">'
            + ('<workbookPr date1904="1"/>' if date1904 else "")
            + '<sheets><sheet name="Vastaukset" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if styles:
        parts["xl/styles.xml"] = styles
        rels.append(
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/styles" Target="styles.xml"/>'
        )
    if strings:
        parts["xl/sharedStrings.xml"] = strings
        rels.append(
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels)
        + "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def sheet_of(rows: str, prefix: str = "") -> str:
    ns = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {ns}="{SHEET_NS}">'
        f"<{prefix}sheetData>{rows}</{prefix}sheetData></{prefix}worksheet>"
    )


def xlsx_rows(tmp_path: Path, content: bytes) -> list[tuple[object, ...]]:
    export = tmp_path / "export.xlsx"
    export.write_bytes(content)
    return cells(export)


STYLES = (
    f'<styleSheet xmlns="{SHEET_NS}"><numFmts count="1">'
    '<numFmt numFmtId="164" formatCode="d\\.m\\.yyyy"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="22"/>'
    '<xf numFmtId="20"/></cellXfs></styleSheet>'
)


def test_date_only_cells_are_dates_and_datetimes_stay_datetimes(tmp_path: Path) -> None:
    import datetime as dt

    sheet = sheet_of(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="2"><c r="A2" s="1"><v>46349</v></c><c r="B2" s="2"><v>46349.5</v></c>'
        '<c r="C2" s="3"><v>0.25</v></c><c r="D2" s="1"><v>46349.75</v></c>'
        '<c r="E2"><v>46349</v></c><c r="F2" s="1"><v>1e300</v></c></row>'
    )
    _, row = xlsx_rows(tmp_path, workbook_with(sheet, styles=STYLES))
    assert row == (
        dt.date(2026, 11, 23),  # d.m.yyyy: a date, not a midnight
        dt.datetime(2026, 11, 23, 12, 0),
        dt.time(6, 0),
        dt.datetime(2026, 11, 23, 18, 0),  # a date format hiding a time keeps the time
        46349,  # no date style: a number
        1e300,  # beyond any date: left as the number for the date converter to report
    )
    _, row1904 = xlsx_rows(tmp_path, workbook_with(sheet, styles=STYLES, date1904=True))
    assert row1904[0] == dt.date(2030, 11, 24)


def test_every_cell_type_is_read(tmp_path: Path) -> None:
    strings = (
        f'<sst xmlns="{SHEET_NS}"><si><t>yksi</t></si>'
        '<si><r><t>kak</t></r><r><rPr><b/></rPr><t xml:space="preserve">si </t></r>'
        "<rPh><t>x</t></rPh></si><si><t>\u00a0</t></si></sst>"
    )
    sheet = sheet_of(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="b"><v>1</v></c>'
        '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>A2&amp;""</f><v>kaksi</v></c>'
        '<c r="E2" t="inlineStr"><is><r><t>in</t></r><r><t>line &amp; &lt;</t></r>'
        "<rPh><t>y</t></rPh></is></c>"
        '<c r="F2" t="str"><f>""</f><v></v></c><c r="G2"><f>1+1</f><v>2</v></c>'
        '<c r="H2" t="s"><v>2</v></c><c r="I2" s="0"/><c r="J2" t="d"><v>2026-11-23T14:05:00</v></c>'
        "</row>"
    )
    import datetime as dt

    header, row = xlsx_rows(tmp_path, workbook_with(sheet, strings=strings))
    assert header == ("yksi",)
    assert row == (
        "kaksi",
        True,
        None,  # an error value is no value: the row carries a formula-error issue
        "kaksi",
        "inline & <",
        None,
        2,
        None,
        None,
        dt.datetime(2026, 11, 23, 14, 5),
    )


def test_rows_and_cells_without_numbers_and_prefixed_tags_are_read(tmp_path: Path) -> None:
    rows = (
        '<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row>'
        "<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2.5</x:v></x:c></x:row>"
        '<x:row r="5"><x:c r="B5"><x:v>3</x:v></x:c></x:row>'
    )
    export = tmp_path / "export.xlsx"
    export.write_bytes(workbook_with(sheet_of(rows, "x:")))
    with read_table(export) as table:
        assert table.info.header == ("a", "b")
        got = [(r.row, r.values) for r in table]
    # Row 5 keeps its number; rows 3 and 4 are not in the sheet, so not read or counted.
    assert got == [(2, (1, 2.5)), (5, (None, 3))]


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ('<row r="2"/><row r="2"/>', "row 2 comes after row 2"),
        ('<row r="3"/><row r="2"/>', "row 2 comes after row 3"),
        (
            '<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>',
            "cell A2 comes after column B",
        ),
        (
            '<row r="2"><c r="B2"><v>1</v></c><c r="B2"><v>1</v></c></row>',
            "cell B2 comes after column B",
        ),
        ('<row r="2"><c r="2"><v>1</v></c></row>', "has a cell named '2'"),
        ('<row r="x"/>', "a row is numbered 'x'"),
        ('<row r="1048577"/>', "beyond the last row"),
        ('<row r="2"><c r="A2"><v>yksi</v></c></row>', "holds 'yksi' as a number"),
        ('<row r="2"><c r="A2" t="s"><v>7</v></c></row>', "refers to a shared text"),
        ('<row r="2"><c r="A2" t="q"><v>7</v></c></row>', "has the unknown type 'q'"),
    ],
)
def test_a_damaged_sheet_is_refused_not_read_with_rows_lost(
    tmp_path: Path, rows: str, says: str
) -> None:
    sheet = sheet_of('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>' + rows)
    with pytest.raises(ReadError, match=r"export\.xlsx: sheet 'Vastaukset'") as caught:
        xlsx_rows(tmp_path, workbook_with(sheet))
    assert says in str(caught.value)
    assert "save it again" in str(caught.value)


def test_a_sheet_with_a_dtd_is_refused_by_the_row_reader(tmp_path: Path) -> None:
    sheet = sheet_of('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        "<worksheet", '<!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet'
    )
    with pytest.raises(ReadError, match=r"declares entities or a DTD \(EntitiesForbidden\)"):
        xlsx_rows(tmp_path, workbook_with(sheet))


def test_a_sparse_wide_sheet_reads_in_memory_of_its_cells() -> None:
    import time
    import tracemalloc

    tracemalloc.start()
    started = time.perf_counter()
    rows = cells(CORPUS / "sparse-wide.xlsx")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(rows) == 3  # header, row 2 and the far row: no padding rows, no padding cells
    assert all(len(r) <= 7 for r in rows)
    assert peak < 8 << 20, peak  # the grid it claims would be 17 billion cells
    assert elapsed < 5


def test_a_far_cell_in_a_data_row_is_a_located_warning() -> None:
    with read_table(CORPUS / "sparse-wide.xlsx") as table:
        *_, far = table
    (issue,) = far.issues
    assert (issue.code, issue.row, issue.column_letter, issue.value) == (
        "ragged-row",
        1_048_576,
        "XFD",
        "x",
    )


def test_a_formula_without_a_value_rejects_its_row_with_the_cell_named() -> None:
    report = validate(MAPPING, [CORPUS / "formula-without-value.xlsx"])
    (issue,) = [i for i in report.issues if i.code == "formula-without-value"]
    assert (issue.sheet, issue.row, issue.column_letter, issue.column) == (
        "Palaute",
        2,
        "D",
        "suosittelu",
    )
    assert "open and save the workbook in Excel" in issue.message
    assert (report.counts.accepted, report.counts.rejected) == (1, 1)


def test_a_formula_without_a_value_in_the_header_stops_the_read(tmp_path: Path) -> None:
    sheet = sheet_of('<row r="1"><c r="A1" t="str"><f>"id"</f></c></row>')
    with pytest.raises(ReadError, match=r"header: .*row 1, column A: the cell holds a formula"):
        xlsx_rows(tmp_path, workbook_with(sheet))


def test_a_header_row_missing_from_the_sheet_is_named(tmp_path: Path) -> None:
    sheet = sheet_of('<row r="2"><c r="A2"><v>1</v></c></row>')
    with pytest.raises(ReadError, match="row 1, where the header is expected, is empty"):
        xlsx_rows(tmp_path, workbook_with(sheet))


# --- csv: quotes, lines, encodings, control characters ---------------------------------


def test_a_record_carries_the_physical_line_where_it_starts(tmp_path: Path) -> None:
    export = tmp_path / "lines.csv"
    export.write_text(
        'id;palaute\r\nK-1;"kaksi\r\nriviä"\r\nK-2;ok\r\nK-3;"a\nb\nc"\r\nK-4;ok\r\n',
        encoding="utf-8",
    )
    with read_table(export) as table:
        got = [(r.row, r.line) for r in table]
        info = table.info
    assert got == [(2, 2), (3, 4), (4, 5), (5, 8)]
    assert [info.line_of(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 8]


def test_github_annotations_point_at_the_physical_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from harmonizer.cli import main

    export = tmp_path / "lines.csv"
    rows = [
        "id;aika;yksikkö;suosittelu;helppous;palaute;pysäköinti",
        'K-1;2026-10-04T12:27:00;Turku;9;5;"Kiitos,\nhyvä\npalvelu";Ei',
        "K-2;2026-10-04T12:27:00;Turku;12;5;;Ei",
    ]
    export.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["validate", "-m", str(MAPPING), str(export), "--format", "github"]
    )
    (line,) = [x for x in result.stdout.splitlines() if "out-of-range" in x]
    assert ",line=5," in line  # the record is row 3, but it starts on line 5 of the file

    sheet = tmp_path / "lines.xlsx"
    sheet.write_bytes((CORPUS / "formula-without-value.xlsx").read_bytes())
    result = CliRunner().invoke(
        main, ["validate", "-m", str(MAPPING), str(sheet), "--format", "github"]
    )
    (line,) = [x for x in result.stdout.splitlines() if "formula-without-value" in x]
    assert "title=harmonizer formula-without-value (sheet 'Palaute'%2C cell D2)" in line


def test_a_quote_never_closed_is_refused_whatever_the_last_line_holds(tmp_path: Path) -> None:
    export = tmp_path / "open.csv"
    for last in ('K-3;""', 'K-3;"" x ""', "K-3;a", 'K-3;""""'):
        export.write_text(f'id;palaute\r\nK-1;ok\r\nK-2;"auki\r\n{last}\r\n', encoding="utf-8")
        with pytest.raises(ReadError, match=r"row 3: a quoted cell is never closed.*lines 3-4"):
            cells(export)
    export.write_text('id;palaute\r\nK-1;ok\r\nK-2;"kiinni ""x""\r\nrivi"\r\n', encoding="utf-8")
    assert cells(export)[2] == ("K-2", 'kiinni "x"\r\nrivi')


@pytest.mark.parametrize(
    "text",
    ['a;"b\nc;d\n', 'a;"b""\n', '"', 'a;"""\n', 'x;"a"b;"c\n'],
)
def test_open_quote_agrees_with_python_csv_on_open_files(text: str) -> None:
    assert csv_reader.open_quote(text, ";")


@pytest.mark.parametrize("text", ['a;"b"\n', 'a;b"c\n', 'a;"b""c"\n', 'a;"b\nc"\n', 'a"b;c\n'])
def test_open_quote_agrees_with_python_csv_on_closed_files(text: str) -> None:
    assert not csv_reader.open_quote(text, ";")


def test_a_utf8_file_with_one_windows_1252_line_is_read_as_utf8(tmp_path: Path) -> None:
    report = validate(MAPPING, [CORPUS / "mixed-encoding.csv"])
    (issue,) = [i for i in report.issues if i.code == "undecodable-line"]
    assert (issue.row, str(issue.severity)) == (3, "error")
    assert "line 3 of the file is not in UTF-8, as the rest of the file is" in issue.message
    with read_table(CORPUS / "mixed-encoding.csv") as table:
        rows = list(table)
    assert table.info.encoding == "utf-8"
    assert rows[0].values[2] == "Turun terveysasema"
    assert rows[1].values[2] == "Hämeenlinna"  # its own encoding: never 'HÃ¤meenlinna'
    assert rows[2].values[5] == "Hyvä 😊"


def test_a_mixed_file_whose_header_is_not_utf8_is_refused_naming_line_1(
    tmp_path: Path,
) -> None:
    export = tmp_path / "header.csv"
    export.write_bytes(
        "id;yksikkö\r\n".encode("cp1252") + "K-1;Hämeenlinna\r\nK-2;Äänekoski\r\n".encode()
    )
    with pytest.raises(
        ReadError, match=r"header: header\.csv, row 1: line 1 of the file is not in UTF-8"
    ):
        cells(export)


def test_control_characters_are_removed_with_a_located_warning_in_every_encoding(
    tmp_path: Path,
) -> None:
    export = tmp_path / "control.csv"
    for encoding in ("utf-8", "utf-16", "cp1252"):
        export.write_text("id;palaute\r\nK-1;a\x00b\x1fc\tä\r\n", encoding=encoding)
        with read_table(export) as table:
            (row,) = list(table)
        assert row.values == ("K-1", "abc\tä")
        (issue,) = row.issues
        assert (issue.code, issue.row, issue.column_letter, issue.column) == (
            "control-character",
            2,
            "B",
            "palaute",
        )


def test_control_characters_in_an_xlsx_cell_are_removed_the_same_way(tmp_path: Path) -> None:
    strings = f'<sst xmlns="{SHEET_NS}"><si><t>id</t></si><si><t>a\u0001b</t></si></sst>'
    sheet = sheet_of(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    )
    export = tmp_path / "control.xlsx"
    # XML 1.0 cannot carry U+0001 at all: written raw, the part is not well-formed.
    export.write_bytes(workbook_with(sheet, strings=strings))
    with pytest.raises(ReadError, match="the workbook is corrupt"):
        cells(export)


def test_a_windows_1252_file_with_one_utf8_line_reads_each_line_right() -> None:
    report = validate(MAPPING, [CORPUS / "mostly-cp1252.csv"])
    (issue,) = [i for i in report.issues if i.code == "undecodable-line"]
    assert issue.row == 4
    assert "line 4 of the file is not in Windows-1252" in issue.message
    with read_table(CORPUS / "mostly-cp1252.csv") as table:
        rows = [row.values for row in table]
    assert [r[2] for r in rows] == ["Turun terveysasema", "Hämeenlinna", "Turku", "Hämeenlinna"]
    assert rows[2][5] == "Hyvä"  # the UTF-8 line, read as UTF-8
    assert table.info.guessed[0].startswith("encoding Windows-1252 (mostly Windows-1252")


# --- properties ----------------------------------------------------------------------------


_cell_text = st.text(st.sampled_from('ab;"\n\r ä'), max_size=8)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_cell_text, min_size=1, max_size=4), min_size=1, max_size=6))
def test_csv_written_by_a_csv_writer_reads_back_whole(rows: list[list[str]]) -> None:
    import csv
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "p.csv"
        with export.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=";").writerows([["h1", "h2"], *rows])
        with read_table(export, SourceOptions(delimiter=";", encoding="utf-8")) as table:
            got = [r.values for r in table]
    # Every record written comes back: none swallowed into another, none refused.
    expected = [tuple(normalise_text(c) for c in r) for r in rows]
    assert [g for g in got if any(v is not None for v in g)] == [
        e for e in expected if any(v is not None for v in e)
    ]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(_cell_text, min_size=1, max_size=4), min_size=1, max_size=6),
    where=st.integers(0, 5),
)
def test_a_quote_opened_and_never_closed_is_always_refused(
    rows: list[list[str]], where: int
) -> None:
    import csv
    import io as stdio
    import tempfile

    buffer = stdio.StringIO()
    csv.writer(buffer, delimiter=";").writerows([["h1", "h2"], *rows])
    lines = buffer.getvalue().split("\r\n")
    # Open a quote at the start of a cell of one record, as a hand edit would.
    at = 1 + where % len(rows)
    text = "\r\n".join(lines[:at]) + '\r\nx;"' + "\r\n".join(lines[at:])
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "p.csv"
        export.write_text(text, encoding="utf-8")
        if csv_reader.open_quote(text, ";"):
            with pytest.raises(ReadError, match="a quoted cell is never closed"):
                cells(export, SourceOptions(delimiter=";", encoding="utf-8"))
        else:  # a quote of the data closed it: read, nothing refused
            cells(export, SourceOptions(delimiter=";", encoding="utf-8"))


@settings(max_examples=60, deadline=None)
@given(numbers=st.lists(st.integers(1, 12), min_size=1, max_size=8))
def test_an_xlsx_is_read_whole_or_refused_by_its_row_numbers(numbers: list[int]) -> None:
    import tempfile

    body = "".join(f'<row r="{n + 1}"><c r="A{n + 1}"><v>{n}</v></c></row>' for n in numbers)
    sheet = sheet_of('<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>' + body)
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xlsx"
        export.write_bytes(workbook_with(sheet))
        if all(a < b for a, b in itertools.pairwise(numbers)):
            assert [r[0] for r in cells(export)[1:]] == numbers
        else:
            with pytest.raises(ReadError, match="is damaged"):
                cells(export)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                ["a", "ä", " ", "\t", "\u00a0", "\u2007", "\u202f", "\ufeff", "\n", "1"]
            )
        ),
        max_size=8,
    )
)
def test_a_record_is_normalised_as_its_cells_are(values: list[str]) -> None:
    assert normalise_row(values) == tuple(normalise_text(v) for v in values)


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_excels_sep_line_names_the_delimiter_and_is_no_row(tmp_path: Path, bom: str) -> None:
    """Excel writes 'sep=;' first and hides it: the header is row 1, on line 2."""
    export = tmp_path / "sep.csv"
    export.write_text(f'{bom}sep=;\r\nid;teksti\r\n1;"a,b"\r\n2;"c\r\nd"\r\n3;e\r\n', "utf-8")
    with read_table(export) as table:
        assert table.info.header == ("id", "teksti")
        assert table.info.delimiter == ";"
        assert any("from the first line (skipped)" in g for g in table.info.guessed)
        rows = list(table)
    assert [(r.row, r.line, r.values) for r in rows] == [
        (2, 3, ("1", "a,b")),
        (3, 4, ("2", "c\r\nd")),
        (4, 6, ("3", "e")),
    ]


def test_a_sheet_is_found_as_excel_compares_names(tmp_path: Path) -> None:
    """Excel tells sheet names apart without case; spaces typed twice are no other name."""
    book = Workbook()
    book.active.title = "Vastaukset 2026"
    book.active.append(["id"])
    book.active.append(["1"])
    book.create_sheet("Ohjeet").append(["lue tämä"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    for written in ("vastaukset 2026", " VASTAUKSET\u00a0 2026 "):
        with read_table(path, SourceOptions(sheet=written)) as table:
            assert table.info.sheet == "Vastaukset 2026"
            assert table.info.header == ("id",)
            assert f"for source.sheet '{written}'" in " ".join(table.info.guessed)
    with pytest.raises(
        ReadError, match="no sheet 'Vastaus'; the workbook has: 'Vastaukset 2026', 'Ohjeet'"
    ):
        read_table(path, SourceOptions(sheet="Vastaus"))


SST_TEXTS = st.lists(
    st.sampled_from(
        [
            "a",
            "ä€",
            " ",
            ">",
            "&amp;",
            "&lt;&gt;",
            "&quot;&apos;",
            "&#13;",
            "&#x41;",
            "&#xD;",
            "_x000D_",
            "\r\n",
            "\n",
            "\t",
            "&bogus;",
            "&#0;",
            "]]>",
        ]
    ),
    max_size=4,
).map("".join)
SST_ITEMS = st.one_of(
    SST_TEXTS.map(lambda t: f"<si><t>{t}</t></si>"),
    SST_TEXTS.map(lambda t: f'<si><t xml:space="preserve">{t}</t></si>'),
    SST_TEXTS.map(lambda t: f"<x:si><x:t>{t}</x:t></x:si>"),
    SST_TEXTS.map(lambda t: f"<si><r><t>{t}</t></r><r><t>b</t></r></si>"),
    SST_TEXTS.map(lambda t: f"<si><t>{t}</t><rPh><t>p</t></rPh></si>"),
    SST_TEXTS.map(lambda t: f"<si><t><![CDATA[{t}]]></t></si>"),
    st.just("<si><t/></si>"),
    st.just("<si/>"),
)
SST_BETWEEN = st.sampled_from(["", "", "", "\n", "<!-- c -->", " "])


@settings(max_examples=300)
@example([("<si><t>a\r\nb\rc</t></si>", "")], True)  # expat reads line ends as LF
@example([("<si><t>&amp;&#13;&#x41;_x000D_</t></si>", ""), ("<si><t></t></si>", "")], False)
@given(st.lists(st.tuples(SST_ITEMS, SST_BETWEEN), max_size=6), st.booleans())
def test_shared_texts_read_alike_by_pattern_and_by_callbacks(
    items: list[tuple[str, str]], prolog: bool
) -> None:
    # Plain parts are taken by a pattern after expat checked them; the rest, and every
    # part expat refuses, by the callbacks: both must give the same texts or error.
    from harmonizer.io import xlsx_parts

    part = (
        ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' if prolog else "")
        + f'<sst xmlns="{SHEET_NS}" xmlns:x="{SHEET_NS}" count="{len(items)}">'
        + "".join(item + between for item, between in items)
        + "</sst>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", part.encode())

    def outcome(read: object) -> object:
        try:
            return read(archive, "xl/sharedStrings.xml")  # type: ignore[operator]
        except Exception as err:  # the same refusal both ways
            return type(err), str(err)

    with zipfile.ZipFile(buffer) as archive:
        assert outcome(xlsx_parts._shared_strings) == outcome(xlsx_parts._parsed_strings)
