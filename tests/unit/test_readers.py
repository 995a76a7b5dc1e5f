"""Readers on real files: encodings, limits, defused XML, and located issues for quirks."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from harmonizer import ReadError, harmonize, validate
from harmonizer.converters import MAX_CELL_CHARS
from harmonizer.io import csv_reader
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
