"""Every export shape and quirk of provider exports, with real csv and xlsx files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from harmonizer import ReadError, harmonize
from tests.helpers import (
    FIELDS,
    HEADER,
    issue_codes,
    read_jsonl,
    run_export,
    write_csv,
    write_mapping,
    write_xlsx,
)

ROW = ["23.11.2026 14:05", "Äänekosken asema", 9, "Täysin samaa mieltä"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_encodings_and_delimiters_are_detected(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    records, rejects, report = run_export(
        tmp_path, [HEADER, ROW], FIELDS, encoding=encoding, delimiter=delimiter
    )
    assert rejects == []
    assert records[0]["unit_name"] == "Äänekosken asema"
    assert records[0]["ease"] == 5
    info = report.exports[0].info
    assert info.delimiter == delimiter
    assert info.encoding in {encoding, "utf-8" if encoding == "utf-8" else encoding}


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    fields = FIELDS + "source: {encoding: cp1252}\n"
    records, _, report = run_export(tmp_path, [HEADER, ROW], fields, encoding="cp1252")
    assert records[0]["unit_name"] == "Äänekosken asema"
    assert report.exports[0].info.guessed == ["delimiter ';'"]


def test_xlsx_with_a_title_row_real_dates_and_numbers_as_text(tmp_path: Path) -> None:
    rows = [
        ["Asiakaspalaute lokakuu 2026"],
        [],
        HEADER,
        [dt.datetime(2026, 10, 5, 9, 30), "Asema", "9", "5"],
        [46349.5, "Asema", 10.0, 4.0],
        ["5.10.2026 klo 9.31", "Asema", "8,0", "4"],
    ]
    records, rejects, report = run_export(
        tmp_path, rows, FIELDS + "source: {header_row: 3}\n", suffix=".xlsx", merge=["A1:D1"]
    )
    assert rejects == []
    assert [r["responded_at"] for r in records] == [
        "2026-10-05T09:30:00+03:00",
        "2026-11-23T12:00:00+02:00",
        "2026-10-05T09:31:00+03:00",
    ]
    assert [(r["nps"], r["ease"]) for r in records] == [(9, 5), (10, 4), (8, 4)]
    assert [r["source"]["row"] for r in records] == [4, 5, 6]
    assert report.exports[0].info.sheet == "Sheet1"


def test_merged_multi_row_header(tmp_path: Path) -> None:
    rows = [
        ["Taustatiedot", None, "Väittämät", None],
        ["Aika", "Yksikkö", "Suosittelu", "Helppous"],
        ROW,
    ]
    fields = """\
    source: {header_rows: 2}
    fields:
      responded_at: Taustatiedot / Aika
      unit_name: Taustatiedot / Yksikkö
      nps: Väittämät / Suosittelu
      ease: Väittämät / Helppous
    """
    records, rejects, _ = run_export(
        tmp_path, rows, fields, suffix=".xlsx", merge=["A1:B1", "C1:D1"]
    )
    assert rejects == []
    assert records[0]["nps"] == 9


def test_empty_first_column_blank_rows_and_trailing_formatting(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([None, *HEADER])
    sheet.append([None, *ROW])
    sheet.append([None] * 5)
    sheet.append([None, *ROW[:2], 7, "Jokseenkin samaa mieltä"])
    for row in range(5, 40):  # formatted but empty rows after the data
        sheet.cell(row=row, column=2).number_format = "0.00"
    book.save(path)
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS)
    result = harmonize(mapping, [path], tmp_path / "out")
    counts = result.report.counts
    assert (counts.read, counts.accepted, counts.excluded) == (3, 2, 1)
    assert counts.excluded_by_reason == {"blank row": 1}


def test_filters_exclude_test_responses_and_totals_rows_with_counted_reasons(
    tmp_path: Path,
) -> None:
    fields = FIELDS + (
        "filters:\n"
        "  - {column: Yksikkö, equals: [TESTI, testiyksikkö], reason: staff test response}\n"
        '  - {letter: A, matches: "^(Yhteensä|Total)", reason: totals row}\n'
    )
    rows = [
        HEADER,
        ROW,
        [ROW[0], " testi ", 1, 1],
        [ROW[0], "Testiyksikkö", 1, 1],
        ["Yhteensä", None, 100, None],
    ]
    records, rejects, report = run_export(tmp_path, rows, fields)
    assert len(records) == 1
    assert rejects == []
    assert report.counts.excluded_by_reason == {"staff test response": 2, "totals row": 1}


def test_skip_rows_are_excluded_and_counted(tmp_path: Path) -> None:
    rows = [HEADER, ["(koodit)", "", "q1", "q2"], ROW]
    records, _, report = run_export(tmp_path, rows, FIELDS + "source: {skip_rows: [2]}\n")
    assert len(records) == 1
    assert report.counts.excluded_by_reason == {"listed in source.skip_rows": 1}


def test_duplicate_rows_from_a_re_export_are_rejected_once_counted(tmp_path: Path) -> None:
    records, rejects, report = run_export(tmp_path, [HEADER, ROW, ROW, ROW], FIELDS)
    assert len(records) == 1
    assert issue_codes(rejects) == ["duplicate-response", "duplicate-response"]
    assert "the same response as export.csv row 2" in rejects[0]["issues"][0]["message"]
    assert report.counts.duplicates == 2


def test_the_same_response_in_two_exports_of_one_run_is_a_duplicate(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "october.csv", [HEADER, ROW])
    second = write_csv(tmp_path / "october-again.csv", [HEADER, ROW])
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS)
    result = harmonize(mapping, [first, second], tmp_path / "out")
    assert (result.report.counts.records, result.report.counts.duplicates) == (1, 1)
    assert [e.counts.duplicates for e in result.report.exports] == [0, 1]


def test_duplicate_column_headers_are_told_apart_by_occurrence_or_letter(tmp_path: Path) -> None:
    rows = [[*HEADER, "Helppous"], [*ROW, "Täysin eri mieltä"]]
    fields = FIELDS + "  useful: {column: Helppous, occurrence: 2}\n  safety: {letter: E}\n"
    records, _, _ = run_export(tmp_path, rows, fields)
    assert (records[0]["ease"], records[0]["useful"], records[0]["safety"]) == (5, 1, 1)


def test_free_text_with_line_breaks_quotes_semicolons_and_emoji_survives(tmp_path: Path) -> None:
    text = 'Hyvä "palvelu";\nkiitos 😊 ja = merkki'
    rows = [[*HEADER, "Palaute"], [*ROW, text], [*ROW[:2], 8, 4, '=HYPERLINK("http://x")']]
    fields = FIELDS + "  open_feedback: Palaute\n"
    export = write_csv(tmp_path / "export.csv", rows)
    mapping = write_mapping(tmp_path / "m.yaml", fields)
    harmonize(mapping, [export], tmp_path / "out", formats=["csv", "xlsx"])
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    assert records[0]["open_feedback"] == text
    assert [r["source"]["row"] for r in records] == [2, 3]
    with (tmp_path / "out" / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["open_feedback"] == text
    assert table[1]["open_feedback"] == '\'=HYPERLINK("http://x")'
    book = load_workbook(tmp_path / "out" / "records.xlsx", read_only=True)
    try:
        values = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()
    column = values[0].index("open_feedback")
    assert values[2][column] == '\'=HYPERLINK("http://x")'
    assert values[1][values[0].index("nps")] == 9


def test_a_missing_column_stops_the_run_with_the_header_shown(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv", [["Aika", "Yksikkö", "Suositus"], ["23.11.2026 14:05", "A", 9]]
    )
    mapping = write_mapping(
        tmp_path / "m.yaml",
        "fields:\n  responded_at: Aika\n  unit_name: Yksikkö\n  nps: Suosittelu\n",
    )
    with pytest.raises(ReadError) as caught:
        harmonize(mapping, [export], tmp_path / "out")
    message = str(caught.value)
    assert "export.csv: the header on row 1 lacks column 'Suosittelu'" in message
    assert "m.yaml:15, fields.nps" in message
    assert "The header has: A 'Aika', B 'Yksikkö', C 'Suositus'" in message
    assert not (tmp_path / "out" / "records.jsonl").exists()


def test_a_missing_sheet_names_the_sheets(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "export.xlsx", [HEADER, ROW], sheet="Data")
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS + "source: {sheet: Vastaukset}\n")
    with pytest.raises(ReadError, match="no sheet 'Vastaukset'; the workbook has: 'Data'"):
        harmonize(mapping, [export], tmp_path / "out")


def test_an_xls_file_is_refused_with_advice(tmp_path: Path) -> None:
    export = tmp_path / "old.xls"
    export.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS)
    with pytest.raises(ReadError, match=r"save \.xls files as \.xlsx"):
        harmonize(mapping, [export], tmp_path / "out")


def test_daylight_saving_edges_are_noted_not_rejected(tmp_path: Path) -> None:
    rows = [HEADER, ["29.3.2026 3:30", "A", 9, 5], ["25.10.2026 3:30", "A", 9, 5]]
    records, rejects, report = run_export(tmp_path, rows, FIELDS)
    assert len(records) == 2
    assert rejects == []
    assert report.issue_counts == {"nonexistent-time": 1, "ambiguous-time": 1}
