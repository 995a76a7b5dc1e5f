"""Combining runs: newest run wins for re-submitted responses, counted; schema checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harmonizer import combine
from harmonizer.dataset import iter_records, open_dataset
from harmonizer.errors import DatasetError


def ids(path: Path) -> list[str]:
    return [r["record_id"] for _, r in iter_records(path / "records.jsonl")]


@pytest.fixture
def two_runs(tmp_path: Path, make_record: Any, run_folder: Any) -> tuple[Path, Path, list[Any]]:
    first = [
        make_record(record_id=f"00000000-0000-5000-8000-00000000000{i}", nps=5) for i in range(3)
    ]
    resent = make_record(record_id=first[1]["record_id"], nps=10)
    new = make_record(record_id="00000000-0000-5000-8000-000000000009", nps=9)
    january = run_folder(tmp_path / "jan", first, run_at="2026-01-31T08:00:00+00:00")
    february = run_folder(tmp_path / "feb", [resent, new], run_at="2026-02-28T08:00:00+00:00")
    return january, february, [*first, resent, new]


def test_newest_run_wins_and_duplicates_are_counted(
    tmp_path: Path, two_runs: tuple[Path, Path, list[Any]]
) -> None:
    january, february, records = two_runs
    # The newer run is named first: recency comes from the manifests, not the order.
    result = combine([february, january], tmp_path / "out")
    assert result.records == 4
    assert result.superseded == 1
    out = tmp_path / "out"
    kept = {r["record_id"]: r for _, r in iter_records(out / "records.jsonl")}
    assert kept[records[1]["record_id"]]["nps"] == 10  # February's copy
    # Oldest input first in the output.
    assert ids(out) == [records[0]["record_id"], records[2]["record_id"], *ids(february)]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "dataset"
    assert manifest["counts"] == {"read": 5, "records": 4, "superseded": 1}
    assert [(i["path"], i["records"], i["kept"], i["superseded"]) for i in manifest["inputs"]] == [
        (str(january), 3, 2, 1),
        (str(february), 2, 2, 0),
    ]
    assert manifest["providers"] == {"test-mapping": "Testin Terveys Oy"}
    assert manifest["newest_run_at"] == "2026-02-28T08:00:00+00:00"


def test_on_equal_run_times_the_later_folder_wins(
    tmp_path: Path, make_record: Any, run_folder: Any
) -> None:
    rid = "00000000-0000-5000-8000-000000000001"
    a = run_folder(tmp_path / "a", [make_record(record_id=rid, nps=1)])
    b = run_folder(tmp_path / "b", [make_record(record_id=rid, nps=2)])
    combine([a, b], tmp_path / "ab")
    combine([b, a], tmp_path / "ba")
    assert [r["nps"] for _, r in iter_records(tmp_path / "ab" / "records.jsonl")] == [2]
    assert [r["nps"] for _, r in iter_records(tmp_path / "ba" / "records.jsonl")] == [1]


def test_a_dataset_can_be_combined_again(
    tmp_path: Path, two_runs: tuple[Path, Path, list[Any]], make_record: Any, run_folder: Any
) -> None:
    january, february, _ = two_runs
    county = combine([january, february], tmp_path / "county").outputs[0].parent
    other = run_folder(tmp_path / "other", [make_record(nps=7)], run_at="2026-03-01T00:00:00+00:00")
    national = combine([county, other], tmp_path / "national")
    assert national.records == 5
    assert [i.kind for i in national.inputs] == ["dataset", "run"]


def test_every_format_is_written(tmp_path: Path, two_runs: tuple[Path, Path, list[Any]]) -> None:
    import openpyxl
    import pyarrow.parquet as pq

    january, february, _ = two_runs
    result = combine([january, february], tmp_path / "out", formats=("csv", "xlsx", "parquet"))
    names = sorted(p.name for p in result.outputs)
    assert names == [
        "manifest.json",
        "records.csv",
        "records.jsonl",
        "records.parquet",
        "records.xlsx",
    ]
    table = pq.read_table(tmp_path / "out" / "records.parquet")
    assert table.num_rows == 4
    assert str(table.schema.field("nps").type) == "int64"
    assert sorted(table.column("nps").to_pylist()) == [5, 5, 9, 10]
    assert table.column("missing.ease").to_pylist() == ["not_asked"] * 4
    csv_lines = (tmp_path / "out" / "records.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 5
    book = openpyxl.load_workbook(tmp_path / "out" / "records.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert len(rows) == 5
    assert rows[0][:2] == ("schema_version", "record_id")


def test_incompatible_schema_versions_are_refused(
    tmp_path: Path, make_record: Any, run_folder: Any
) -> None:
    one = run_folder(tmp_path / "one", [make_record()])
    two = run_folder(tmp_path / "two", [make_record()], schema_version="2.0")
    with pytest.raises(DatasetError, match=r"incompatible national schema versions .*two: 2\.0"):
        combine([one, two], tmp_path / "out")
    assert not (tmp_path / "out" / "records.jsonl").exists()


def test_a_folder_without_manifest_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"empty: has no manifest.json"):
        combine([tmp_path / "empty"], tmp_path / "out")


def test_a_damaged_line_is_named(tmp_path: Path, make_record: Any, run_folder: Any) -> None:
    run = run_folder(tmp_path / "run", [make_record(), make_record()])
    with (run / "records.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"record_id": "x", "nps": \n')
    with pytest.raises(DatasetError, match=r"records.jsonl: line 3 is not JSON"):
        combine([run], tmp_path / "out")


def test_the_output_cannot_be_an_input(tmp_path: Path, make_record: Any, run_folder: Any) -> None:
    run = run_folder(tmp_path / "run", [make_record()])
    with pytest.raises(DatasetError, match="also an input"):
        combine([run], run)


def test_open_dataset_accepts_the_records_file(
    tmp_path: Path, make_record: Any, run_folder: Any
) -> None:
    run = run_folder(tmp_path / "run", [make_record(), make_record()])
    opened = open_dataset(run / "records.jsonl")
    assert opened.path == run
    assert sum(1 for _ in opened.records()) == 2
    assert opened.providers == {"test-mapping": "Testin Terveys Oy"}


def test_the_manifest_is_published_last_with_the_outputs_digests(
    tmp_path: Path, two_runs: tuple[Path, Path, list[Any]]
) -> None:
    import hashlib

    january, february, _ = two_runs
    out = tmp_path / "out"
    combine([january, february], out, formats=("csv", "parquet"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    digests = manifest["output_sha256"]
    assert sorted(digests) == ["records.csv", "records.jsonl", "records.parquet"]
    for name, digest in digests.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
