"""The combine, aggregate, report and schema codebook commands, end to end."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from harmonizer import aggregate, harmonize
from harmonizer.cli import main

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    print(result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("runs")
    folders = []
    for name in ("pohjola-web", "keski-paper", "saimaa-codes"):
        export = next((ROOT / "examples").glob(f"{name}.*"))
        harmonize(ROOT / "mappings" / f"{name}.yaml", [export], out / name)
        folders.append(out / name)
    # The same Pohjola export harmonised again: every response is a re-submission.
    harmonize(
        ROOT / "mappings" / "pohjola-web.yaml",
        [ROOT / "examples" / "pohjola-web.csv"],
        out / "again",
    )
    folders.append(out / "again")
    return folders


def test_combine_aggregate_report(runs: list[Path], tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    result = invoke("combine", *map(str, runs), "-o", str(dataset), "--format", "csv,parquet")
    assert result.exit_code == 0
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    records = [json.loads((r / "manifest.json").read_text())["counts"]["records"] for r in runs]
    assert manifest["counts"]["read"] == sum(records)
    assert manifest["counts"]["superseded"] == records[0]
    assert manifest["counts"]["records"] == sum(records[:3])
    assert f"({records[0]} re-submitted copies removed)" in result.stderr
    assert result.stdout == ""
    assert (dataset / "records.parquet").is_file()

    table = tmp_path / "by-provider.csv"
    result = invoke(
        "aggregate", str(dataset), "--by", "provider_id,quarter", "-o", str(table), "--lang", "sv"
    )
    assert result.exit_code == 0
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    providers = {r["provider_id_label"] for r in rows if r["provider_id"]}
    assert providers == {
        "Pohjolan Terveyspalvelut Oy",
        "Keski-Suomen Kuntoutus Oy",
        "Saimaan Hoiva Oy",
    }
    # The CLI table and the library agree.
    figures = aggregate(dataset, "provider_id,quarter")
    total = next(r for r in rows if r["item"] == "nps" and not r["provider_id"])
    assert int(total["responses"]) == figures.total.responses == manifest["counts"]["records"]

    for suffix in ("html", "xlsx"):
        out = tmp_path / f"report.{suffix}"
        result = invoke(
            "report", str(dataset), "--by", "provider_id", "-o", str(out), "--lang", "fi"
        )
        assert result.exit_code == 0
        assert out.stat().st_size > 10_000


def test_commands_exit_2_with_a_message_on_bad_input(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    result = invoke("combine", str(tmp_path / "nothing"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "nothing: has no manifest.json" in result.stderr
    result = invoke(
        "aggregate", str(tmp_path / "nothing"), "--by", "county", "-o", str(tmp_path / "a.csv")
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_unknown_grouping_field_exits_2(runs: list[Path], tmp_path: Path) -> None:
    result = invoke("aggregate", str(runs[0]), "--by", "colour", "-o", str(tmp_path / "a.csv"))
    assert result.exit_code == 2
    assert "cannot group by colour" in result.stderr


def test_schema_codebook_command(tmp_path: Path) -> None:
    result = invoke("schema", "codebook", "--lang", "sv", "-o", str(tmp_path / "codebook.md"))
    assert result.exit_code == 0
    assert "Välfärdsområde" in (tmp_path / "codebook.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "command", [["combine"], ["aggregate"], ["report"], ["schema", "codebook"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert len(result.stdout.splitlines()) > 5


def test_aggregate_in_a_subprocess(runs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "harmonizer",
            "aggregate",
            str(runs[1]),
            "--by",
            "month",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["by"] == ["month"]
    assert document["total"]["adapted"]["timely_help"]["comparable"] is False
