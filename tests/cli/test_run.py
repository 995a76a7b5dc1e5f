"""`harmonizer run`, driven through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harmonizer import harmonize
from harmonizer.cli import main
from tests.helpers import ROOT, read_jsonl, write_csv, write_mapping

FIELDS = "fields:\n  responded_at: Aika\n  unit_name: Yksikkö\n  nps: Suosittelu\n"
HEADER = ["Aika", "Yksikkö", "Suosittelu"]


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    print(result.stdout, result.stderr)
    return result


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "export.csv",
        [HEADER, ["23.11.2026 14:05", "A", 9], ["23.11.2026 14:06", "A", 11]],
    )


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    return write_mapping(tmp_path / "m.yaml", FIELDS)


def test_run_writes_dataset_and_summary(tmp_path: Path, export: Path, mapping: Path) -> None:
    result = invoke(
        "run",
        "-m",
        mapping,
        export,
        "-o",
        tmp_path / "out",
        "--format",
        "csv,xlsx",
        "--no-progress",
    )
    assert result.exit_code == 0
    # The summary is for the person at the terminal: stderr; stdout stays empty.
    assert result.stdout == ""
    assert (
        "fixture: read 2 rows: 1 accepted, 1 rejected, 0 excluded, 0 duplicates -> 1 record in"
        in result.stderr
    )
    assert "out-of-range" in result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "manifest.json",
        "records.csv",
        "records.jsonl",
        "records.xlsx",
        "rejects.csv",
        "rejects.jsonl",
        "rejects.xlsx",
    ]


def test_strict_exits_1_when_rows_were_rejected(
    tmp_path: Path, export: Path, mapping: Path
) -> None:
    assert (
        invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "--strict", "-q").exit_code
        == 1
    )


def test_strict_exits_0_on_a_clean_export(tmp_path: Path, mapping: Path) -> None:
    clean = write_csv(tmp_path / "clean.csv", [HEADER, ["23.11.2026 14:05", "A", 9]])
    result = invoke("run", "-m", mapping, clean, "-o", tmp_path / "out", "--strict", "-q")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_broken_mapping_exits_2_before_reading(tmp_path: Path, export: Path) -> None:
    broken = write_mapping(
        tmp_path / "broken.yaml",
        "fields:\n  responded_at: Aika\n  unit_name: Yksikkö\n  nps: {column: Suosittelu, scale: '1-5'}\n",
    )
    result = invoke("run", "-m", broken, export, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert (
        f"harmonizer: error: 1 problem in mapping:\n  {broken}:15: fields.nps.scale: NPS comes only from a 0-10"
        in result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_unreadable_export_exits_2(tmp_path: Path, mapping: Path) -> None:
    result = invoke("run", "-m", mapping, tmp_path / "nope.csv", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "nope.csv: no such file" in result.stderr


def test_a_pipe_or_a_device_is_refused_not_read(tmp_path: Path, mapping: Path) -> None:
    """A named pipe would block and /dev/zero never ends: neither is opened."""
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    for export in (fifo, Path("/dev/zero")):
        result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
        assert result.exit_code == 2
        assert f"{export}: is not a regular file (a pipe or a device)" in result.stderr
        assert not (tmp_path / "out").exists()


def test_unknown_output_format_is_a_usage_error(
    tmp_path: Path, export: Path, mapping: Path
) -> None:
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "--format", "parquet")
    assert result.exit_code == 2
    assert "unknown format parquet" in result.stderr


def test_drop_open_text(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "e.csv", [[*HEADER, "Palaute"], ["23.11.2026 14:05", "A", 9, "Kiitos"]]
    )
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS + "  open_feedback: Palaute\n")
    assert (
        invoke(
            "run", "-m", mapping, export, "-o", tmp_path / "out", "--drop-open-text", "-q"
        ).exit_code
        == 0
    )
    [record] = read_jsonl(tmp_path / "out" / "records.jsonl")
    assert record["open_feedback"] is None
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["options"] == {
        "open_text": "drop"
    }


def test_manifest_records_provenance_and_reconciling_counts(
    tmp_path: Path, export: Path, mapping: Path
) -> None:
    invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "-q")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"]["name"] == "harmonizer"
    assert manifest["schema_version"] == "1.0"
    assert (manifest["mapping"]["id"], manifest["mapping"]["version"]) == ("fixture", "1")
    [info] = manifest["exports"]
    assert info["name"] == "export.csv"
    assert len(info["sha256"]) == 64
    counts = manifest["counts"]
    assert (
        counts["read"]
        == counts["accepted"] + counts["rejected"] + counts["excluded"] + counts["duplicates"]
        == 2
    )
    assert manifest["issue_counts"] == {"out-of-range": 1}


def test_cli_and_library_produce_the_same_records(
    tmp_path: Path, export: Path, mapping: Path
) -> None:
    invoke("run", "-m", mapping, export, "-o", tmp_path / "cli", "-q")
    harmonize(mapping, [export], tmp_path / "lib")
    for name in ("records.jsonl", "rejects.jsonl"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "lib" / name).read_bytes()


def test_a_rerun_gives_byte_identical_records(tmp_path: Path, export: Path, mapping: Path) -> None:
    invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "-q")
    first = (tmp_path / "out" / "records.jsonl").read_bytes()
    invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "-q")
    assert (tmp_path / "out" / "records.jsonl").read_bytes() == first


def test_progress_bar_goes_to_stderr(tmp_path: Path, export: Path, mapping: Path) -> None:
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "--progress")
    assert result.exit_code == 0
    assert "fixture" in result.stderr
    assert "[" not in result.stdout


def test_subprocess_runs_the_installed_command_on_a_bundled_example(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "harmonizer",
            "run",
            "-m",
            ROOT / "mappings" / "lappi-sms.yaml",
            ROOT / "examples" / "lappi-sms.csv",
            "-o",
            tmp_path,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.startswith("lappi-sms: read ")
    assert completed.stdout == ""
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["records"] == len(read_jsonl(tmp_path / "records.jsonl"))


@pytest.mark.parametrize("command", [["--help"], ["run", "--help"]])
def test_help(command: list[str]) -> None:
    result = invoke(*command)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
