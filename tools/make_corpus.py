"""Write the corpus of broken and hostile exports under tests/corpus/ (deterministic).

    python tools/make_corpus.py

Every file is small and synthetic. Two files need packages that the project itself does
not depend on, only this script: ``xlwt`` (to write a real Excel 97-2003 .xls) and
``msoffcrypto-tool`` (to write a real password-protected xlsx). Without them those two
files are kept as they are. README.md in the corpus lists each file and what harmonizer
must say about it; tests/unit/test_corpus.py reads that table.
"""

from __future__ import annotations

import codecs
import io
import random
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
HEADER = ["id", "aika", "yksikkö", "suosittelu", "helppous", "palaute", "pysäköinti"]
ROWS = [
    ["K-1", "2026-10-04T12:27:00", "Turun terveysasema", 9, 5, "Kiitos!", "Kyllä"],
    ["K-2", "2026-10-05T08:10:00", "Turun terveysasema", 10, 4, "Hyvä 😊", "Ei"],
]
SHEET = "xl/worksheets/sheet1.xml"
# A fixed timestamp for zip members, so that a re-run writes the same bytes.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def csv_text(rows: list[list[object]], delimiter: str = ";") -> str:
    return "".join(delimiter.join(str(c) for c in row) + "\r\n" for row in rows)


def workbook_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Palaute"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps, optionally replacing members."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info.filename))
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content, compresslevel=9)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in members.items():
            member = zipfile.ZipInfo(name, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content)
    return out.getvalue()


def sheet_xml(body: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def hostile_sheet(doctype: str, entity: str) -> bytes:
    header = inline_row(1, HEADER)
    row = inline_row(2, ["K-1", "2026-10-04T12:27:00", "Turku", "9", "5", entity, "Ei"])
    return sheet_xml(header + row, doctype)


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return hostile_sheet(f"<!DOCTYPE worksheet [{''.join(entities)}]>", "&lol9;")


def external_entity() -> bytes:
    return hostile_sheet(
        '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/hostname">]>', "&secret;"
    )


def zip_bomb(valid: bytes) -> bytes:
    """A workbook whose sheet is padded with 64 MiB of spaces: about 1000:1 packed."""
    with zipfile.ZipFile(io.BytesIO(valid)) as source:
        sheet = source.read(SHEET)
    head, _, tail = sheet.partition(b"<sheetData>")
    padded = head + b" " * (64 << 20) + b"<sheetData>" + tail
    return normalise_zip(valid, {SHEET: padded})


def corrupt_sheet(valid: bytes) -> bytes:
    rows = "".join(inline_row(n, [f"K-{n}", "2026-10-04T12:27:00"]) for n in range(2, 40))
    xml = sheet_xml(inline_row(1, HEADER) + rows)
    return normalise_zip(valid, {SHEET: xml[: len(xml) * 2 // 3]})


def formula_cell(number: int, letter: str, formula: str) -> str:
    """A cell with a formula and no computed value, as programs write it."""
    return f'<c r="{letter}{number}"><f>{formula}</f></c>'


def rows_xml(numbers: list[int]) -> bytes:
    """A sheet whose data rows carry the given row numbers (repeated, backwards, ...)."""
    rows = [
        inline_row(n, [f"K-{i}", "2026-10-04T12:27:00", "Turku", "9", "5", "", "Ei"])
        for i, n in enumerate(numbers, start=1)
    ]
    return sheet_xml(inline_row(1, HEADER) + "".join(rows))


def formula_sheet() -> bytes:
    row2 = inline_row(2, ["K-1", "2026-10-04T12:27:00", "Turku"]).replace(
        "</row>", formula_cell(2, "D", "4+5") + "</row>"
    )
    row3 = inline_row(3, ["K-2", "2026-10-05T08:10:00", "Turku", "10", "4", "", "Ei"])
    return sheet_xml(inline_row(1, HEADER) + row2 + row3)


def sparse_wide_sheet() -> bytes:
    """The sheet claims every cell of the grid and holds one far corner: 2 KB packed."""
    row2 = inline_row(2, ["K-1", "2026-10-04T12:27:00", "Turku", "9", "5", "", "Ei"])
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = sheet_xml(inline_row(1, HEADER) + row2 + far)
    return xml.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')


def legacy_xls() -> bytes | None:
    try:
        import xlwt  # type: ignore[import-not-found]
    except ImportError:
        return None
    book = xlwt.Workbook()
    sheet = book.add_sheet("Palaute")
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypted(valid: bytes) -> bytes | None:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-not-found]
    except ImportError:
        return None
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(valid)).encrypt("salasana", out)
    return out.getvalue()


def date_cells(serials: list[float]) -> bytes:
    """Return a workbook whose aika cells hold these numbers formatted as dates."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Palaute"
    sheet.append(HEADER)
    for number, serial in enumerate(serials, start=1):
        sheet.append([f"D-{number}", serial, "Turku", 9, 5, None, "Ei"])
        sheet.cell(sheet.max_row, 2).number_format = "d.m.yyyy"
    buffer = io.BytesIO()
    book.save(buffer)
    return normalise_zip(buffer.getvalue())


def main() -> int:
    rng = random.Random(5)
    valid = workbook_bytes([HEADER, *ROWS])
    text = csv_text([HEADER, *ROWS])
    files: dict[str, bytes | None] = {
        "empty.csv": b"",
        "empty.xlsx": b"",
        "truncated.xlsx": valid[: len(valid) // 2],
        "csv-renamed.xlsx": text.encode("utf-8"),
        "html-renamed.xlsx": b"<html><body><table><tr><td>id</td></tr></table></body></html>",
        "xlsx-renamed.csv": valid,
        "not-a-workbook.xlsx": zip_of({"readme.txt": b"not a workbook"}),
        "ods-renamed.xlsx": zip_of(
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""}
        ),
        "zip-bomb.xlsx": zip_bomb(valid),
        "billion-laughs.xlsx": normalise_zip(valid, {SHEET: billion_laughs()}),
        "external-entity.xlsx": normalise_zip(valid, {SHEET: external_entity()}),
        "corrupt-sheet.xlsx": corrupt_sheet(valid),
        "binary.csv": bytes(rng.randrange(256) for _ in range(2048)),
        "unclosed-quote.csv": (
            csv_text([HEADER, ROWS[0]])
            + 'K-2;2026-10-05T08:10:00;Turku;10;4;"Hyvä palvelu;Ei\r\n'
            + csv_text([["K-3", "2026-10-06T09:00:00", "Turku", 8, 4, "", "Ei"]])
        ).encode("utf-8"),
        "undefined-cp1252.csv": csv_text([HEADER, ROWS[0]]).encode("cp1252")
        + b"K-3;2026-10-06T09:00:00;Turku;8;4;\x81;Ei\r\n",
        "truncated-utf16.csv": codecs.BOM_UTF16_LE + text.encode("utf-16-le")[:-1],
        "unclosed-quote-escaped.csv": (
            csv_text([HEADER, ROWS[0]])
            + 'K-2;2026-10-05T08:10:00;Turku;10;4;"Hyvä palvelu;Ei\r\n'
            + 'K-3;2026-10-06T09:00:00;Turku;8;4;Hän sanoi ""kiitos"";Ei\r\n'
        ).encode("utf-8"),
        "mostly-cp1252.csv": csv_text(
            [HEADER, ROWS[0], ["K-2", "2026-10-05T08:10:00", "Hämeenlinna", 9, 5, "Hyvä", "Ei"]]
        ).encode("cp1252")
        + csv_text([["K-3", "2026-10-06T09:00:00", "Turku", 8, 4, "Hyvä", "Ei"]]).encode()
        + csv_text([["K-4", "2026-10-07T09:00:00", "Hämeenlinna", 7, 3, "Kiitos", "Ei"]]).encode(
            "cp1252"
        ),
        "repeated-rows.xlsx": normalise_zip(valid, {SHEET: rows_xml([2, 2, 2, 2, 2])}),
        "backwards-rows.xlsx": normalise_zip(valid, {SHEET: rows_xml([2, 4, 3])}),
        "legacy.xls": legacy_xls(),
        "xls-renamed.xlsx": legacy_xls(),
        "encrypted.xlsx": encrypted(valid),
        # Readable files with quirks: located issues, never a crash
        "utf8-bom.csv": codecs.BOM_UTF8 + text.encode("utf-8"),
        "cp1252.csv": csv_text([HEADER, *ROWS[:1]], ",").encode("cp1252"),
        "utf16-bom.csv": csv_text([HEADER, *ROWS], "\t").encode("utf-16"),
        "utf16le-no-bom.csv": csv_text([HEADER, *ROWS], "\t").encode("utf-16-le"),
        "ragged.csv": (text + "K-3;2026-10-06T09:00:00;Turku;8;4;;Ei;ylimääräinen;x\r\n").encode(),
        "duplicate-header.csv": csv_text(
            [[*HEADER, "helppous"], [*ROWS[0], 1], [*ROWS[1], 2]]
        ).encode(),
        "stray-quote.csv": (
            csv_text([HEADER, ROWS[0]])
            + 'K-2;2026-10-05T08:10:00;Turku;10;4;"Hyvä palvelu;Ei\r\n'
            + "K-3;2026-10-06T09:00:00;Turku;8;4;Ok;Ei\r\n"
            + 'K-4;2026-10-07T09:00:00;Turku;8;4;kiitos";Ei\r\n'
        ).encode("utf-8"),
        "mixed-encoding.csv": csv_text([HEADER, ROWS[0]]).encode("utf-8")
        + "K-3;2026-10-06T09:00:00;Hämeenlinna;8;4;Hyvä;Ei\r\n".encode("cp1252")
        + csv_text([ROWS[1]]).encode("utf-8"),
        "control-characters.csv": (
            text + "K-3;2026-10-06T09:00:00;Turku;8;4;Kiitos\x00 paljon\x07;Ei\r\n"
        ).encode("utf-8"),
        "formula-without-value.xlsx": normalise_zip(valid, {SHEET: formula_sheet()}),
        "sparse-wide.xlsx": normalise_zip(valid, {SHEET: sparse_wide_sheet()}),
        "long-cell.csv": (
            text + f"K-3;2026-10-06T09:00:00;Turku;8;4;{'pitkä ' * 6000};Ei\r\n"
        ).encode(),
        # Dates: one plausible window for every form, impossible days named, Excel cells
        # that hold no date said plainly (issue 8, items 9 and 12; issue 9, item 13).
        "implausible-dates.csv": csv_text(
            [
                HEADER,
                ["D-1", "9999-12-31T23:59", "Turku", 9, 5, "", "Ei"],
                ["D-2", "1800-01-01", "Turku", 9, 5, "", "Ei"],
                ["D-3", "0001-01-01T00:00:00+05:00", "Turku", 9, 5, "", "Ei"],
            ]
        ).encode(),
        "impossible-dates.csv": csv_text(
            [
                HEADER,
                ["D-1", "29.02.2025 10:00", "Turku", 9, 5, "", "Ei"],
                ["D-2", "31.06.2025 10:00", "Turku", 9, 5, "", "Ei"],
                ["D-3", "2025-04-31T12:03:44", "Turku", 9, 5, "", "Ei"],
            ]
        ).encode(),
        "excel-not-dates.xlsx": date_cells([0, 1, 60, 61, -1, 0.5, 2958465]),
    }
    for name, content in files.items():
        path = CORPUS / name
        if content is None:
            print(f"kept {name} (install xlwt and msoffcrypto-tool to regenerate it)")
            continue
        path.write_bytes(content)
        print(f"wrote {name} ({len(content)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
