"""Writers: formulas neutralised in real csv and xlsx files, atomic publishing, re-runs."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from harmonizer import ReadError, harmonize
from harmonizer.io.writers import (
    FORMULA_PREFIXES,
    AtomicFile,
    CsvWriter,
    JsonlWriter,
    XlsxWriter,
    neutralise,
    remove_stale_parts,
)

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["=1+1", "+1+1", "-1+A1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("x")', "-"]
PLAIN = ["-1", "+1", "-1.5", "-1,5", "plain text", "a=b", "1-2"]
NUMBERS = [-1, 3.5, 0]


def _flat(item: dict[str, object]) -> list[object]:
    return list(item.values())


def _item() -> dict[str, object]:
    return {f"c{i}": v for i, v in enumerate([*HOSTILE, *PLAIN, *NUMBERS])}


def test_csv_output_neutralises_formulas(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    item = _item()
    writer = CsvWriter(target, list(item), _flat)
    writer.write(item)
    writer.commit()
    with target.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    cells = dict(zip(header, row, strict=True))
    values = list(cells.values())
    for index, text in enumerate(HOSTILE):
        assert values[index] == "'" + text
    offset = len(HOSTILE)
    assert values[offset : offset + len(PLAIN)] == PLAIN  # '-1' is a number, kept
    assert values[offset + len(PLAIN) :] == ["-1", "3.5", "0"]


def test_xlsx_output_neutralises_formulas(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    item = _item()
    writer = XlsxWriter(target, list(item), _flat, sheet="records")
    writer.write(item)
    writer.commit()
    book = load_workbook(target)  # not read-only: formulas would show as data_type 'f'
    sheet = book["records"]
    cells = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    book.close()
    assert all(c.data_type != "f" for c in cells)
    for cell, text in zip(cells, HOSTILE, strict=False):
        # XML reads a carriage return back as a line feed.
        assert cell.value == "'" + text.replace("\r", "\n")
    offset = len(HOSTILE)
    assert [c.value for c in cells[offset : offset + len(PLAIN)]] == PLAIN
    numbers = cells[offset + len(PLAIN) :]
    assert [c.value for c in numbers] == NUMBERS
    assert all(c.data_type == "n" for c in numbers)


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    out = neutralise(text)
    assert not out.startswith(FORMULA_PREFIXES) or (out == text and _is_number(text))


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def test_formula_in_open_text_reaches_csv_and_xlsx_neutralised(tmp_path: Path) -> None:
    # pohjola-web.csv holds the open answer "=Kaikki hyvin" (row 4).
    harmonize(
        ROOT / "mappings" / "pohjola-web.yaml",
        [ROOT / "examples" / "pohjola-web.csv"],
        tmp_path,
        formats=("csv", "xlsx"),
    )
    with (tmp_path / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        opens = [r["open_feedback"] for r in csv.DictReader(handle)]
    assert "'=Kaikki hyvin" in opens
    assert not any(o.startswith("=") for o in opens)
    book = load_workbook(tmp_path / "records.xlsx", read_only=True)
    texts = [c for row in book["records"].iter_rows(values_only=True) for c in row]
    book.close()
    assert "'=Kaikki hyvin" in texts
    jsonl = (tmp_path / "records.jsonl").read_text(encoding="utf-8")
    assert '"open_feedback":"=Kaikki hyvin"' in jsonl  # JSON is data: kept as it is


# --- atomic files ---------------------------------------------------------------


def test_abort_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    target.write_text("old\n", encoding="utf-8")
    writer = JsonlWriter(target)
    writer.write({"a": 1})
    writer.abort()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]


def test_finish_then_publish(tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    writer = JsonlWriter(target)
    writer.write({"a": 1})
    finished = writer.finish()
    assert not target.exists()
    assert finished.temp.exists()
    assert finished.sha256 is not None
    writer.publish()
    assert target.read_bytes() == b'{"a":1}\n'


def test_stale_parts_of_dead_runs_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".records.jsonl.{dead_pid}.abc123.part"
    legacy = tmp_path / ".records.jsonl.abc_123.part"  # no process id: older naming
    alive = tmp_path / f".records.jsonl.{os.getppid()}.def456.part"
    other = tmp_path / f".rejects.jsonl.{dead_pid}.abc123.part"
    for path in (stale, legacy, alive, other):
        path.write_bytes(b"partial")
    AtomicFile(target).abort()
    assert not stale.exists()
    assert not legacy.exists()
    assert alive.exists()  # another run is writing it
    assert other.exists()  # belongs to another output
    assert remove_stale_parts(tmp_path / "rejects.jsonl") == [other]


def test_a_failed_run_publishes_nothing(tmp_path: Path) -> None:
    mapping = ROOT / "mappings" / "pohjola-web.yaml"
    good = ROOT / "examples" / "pohjola-web.csv"
    harmonize(mapping, [good], tmp_path, formats=("csv", "xlsx"))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    broken = tmp_path.parent / "broken.csv"
    broken.write_bytes(b"")
    with pytest.raises(ReadError, match="is empty"):
        harmonize(mapping, [good, broken], tmp_path, formats=("csv", "xlsx"))
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # same files, same bytes, no .part left


def test_manifest_digests_match_the_published_files(tmp_path: Path) -> None:
    import hashlib

    harmonize(
        ROOT / "mappings" / "lappi-sms.yaml",
        [ROOT / "examples" / "lappi-sms.csv"],
        tmp_path,
        formats=("csv", "xlsx"),
    )
    manifest = orjson.loads((tmp_path / "manifest.json").read_bytes())
    digests = manifest["output_sha256"]
    assert sorted(digests) == sorted(manifest["outputs"])
    for name, digest in digests.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    "example", ["pohjola-web.csv", "lappi-sms.csv", "keski-paper.xlsx", "osterbotten-sv.xlsx"]
)
def test_a_rerun_gives_byte_identical_records(example: str, tmp_path: Path) -> None:
    mapping = ROOT / "mappings" / f"{example.rsplit('.', 1)[0]}.yaml"
    export = ROOT / "examples" / example
    first, second = tmp_path / "first", tmp_path / "second"
    harmonize(mapping, [export], first, formats=("csv", "xlsx"))
    harmonize(mapping, [export], second, formats=("csv", "xlsx"))
    for name in ("records.jsonl", "records.csv", "rejects.jsonl", "rejects.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # xlsx files carry their save time in their properties; their cells are identical.
    for name in ("records.xlsx", "rejects.xlsx"):
        books = [load_workbook(d / name, read_only=True) for d in (first, second)]
        cells = [
            [list(r) for ws in b.worksheets for r in ws.iter_rows(values_only=True)] for b in books
        ]
        for book in books:
            book.close()
        assert cells[0] == cells[1], name
    m1, m2 = (orjson.loads((d / "manifest.json").read_bytes()) for d in (first, second))
    assert m1["counts"] == m2["counts"]
    for name in ("records.jsonl", "records.csv", "rejects.jsonl", "rejects.csv"):
        assert m1["output_sha256"][name] == m2["output_sha256"][name]
