"""Property tests over the whole engine: arbitrary cells never crash it, counts reconcile.

Hypothesis writes real exports (csv in several encodings and delimiters, and xlsx)
whose cells are anything: labels the mapping knows, numbers, dates, formulas, identity
codes, control characters, quotes, line breaks, emoji, over-long text, cells beyond the
header. Every run must finish, account for every source row exactly once, and write as
many lines as it counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from harmonizer import harmonize
from harmonizer.converters import MAX_CELL_CHARS
from harmonizer.io.cells import normalise_text

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MAPPING = CORPUS / "corpus.yaml"
HEADER = ["id", "aika", "yksikkö", "suosittelu", "helppous", "palaute", "pysäköinti"]
ENGINE = settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)

known = st.sampled_from(
    [
        "Täysin samaa mieltä",
        "En osaa sanoa",
        "10 - Erittäin todennäköisesti",
        "5",
        "9",
        "2026-10-04T12:27:00",
        "04.10.2026 14:05",
        "Turun terveysasema",
        "-",
        "NA",
    ]
)
hostile = st.sampled_from(
    [
        "=HYPERLINK(1)",
        "+1",
        "-1",
        "@SUM(A1)",
        '"lainaus"',
        "rivi\nrivi",
        "a;b,c\td",
        "131052-308T",
        "040 123 4567",
        "x" * (MAX_CELL_CHARS + 5),
        "😊" * 3,
        "\u00a0",
    ]
)
anything = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
cell = st.one_of(st.none(), known, hostile, anything, st.integers(-20, 20).map(str))
row = st.lists(cell, min_size=0, max_size=len(HEADER) + 2)
rows = st.lists(row, min_size=0, max_size=12)


def check_run(export: Path, data_rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        result = harmonize(MAPPING, [export], out, formats=("csv",))
        counts = result.report.counts
        assert counts.reconciles
        # Trailing blank rows are not rows anybody entered; every other row is counted.
        assert counts.read == data_rows
        assert counts.records == (out / "records.jsonl").read_bytes().count(b"\n")
        assert counts.rejects == (out / "rejects.jsonl").read_bytes().count(b"\n")
        manifest = orjson.loads((out / "manifest.json").read_bytes())
        assert manifest["counts"] == counts.to_dict()
        for line in (out / "records.jsonl").read_bytes().splitlines():
            record = orjson.loads(line)
            assert record["open_feedback"] is None or "131052-308T" not in record["open_feedback"]


def rows_up_to_last_filled(data: list[list[str | None]], encoding: str) -> int:
    """Return how many rows the export has once its trailing blank rows are dropped."""

    def filled(value: str | None) -> bool:
        if value is None:
            return False
        written = value.encode(encoding, errors="replace").decode(encoding)
        return normalise_text(written) is not None

    kept = [i for i, values in enumerate(data) if any(filled(c) for c in values)]
    return kept[-1] + 1 if kept else 0


@ENGINE
@given(
    data=rows,
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "cp1252", "utf-16"]),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_any_csv_cells(data: list[list[str | None]], encoding: str, delimiter: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.csv"
        with export.open("w", encoding=encoding, errors="replace", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(HEADER)
            writer.writerows([["" if c is None else c for c in r] for r in data])
        check_run(export, rows_up_to_last_filled(data, encoding))


def spreadsheet_text(value: str | None) -> str | None:
    """Return what a spreadsheet cell can hold: no control characters, no formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + text if text.startswith("=") else text


@ENGINE
@given(
    data=rows,
    numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), max_size=4),
)
def test_any_xlsx_cells(data: list[list[str | None]], numbers: list[float]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xlsx"
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        for values in data:
            sheet.append([spreadsheet_text(c) for c in values])
        sheet.append(["N-1", dt.datetime(2026, 10, 4, 12, 0), "Turku", *numbers])
        book.save(export)
        # A row appended empty is not written into the sheet's XML at all: only the
        # rows the sheet holds are read (and counted), never the grid's empty rows.
        check_run(export, sum(1 for values in data if values) + 1)
