"""Every file of tests/corpus runs through the real CLI with the outcome its README states."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from harmonizer.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<what>.+?) \| (?P<exit>\d) \| (?P<says>.+?) \|$")


def _table() -> list[tuple[str, int, str]]:
    rows = []
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows.append((match["file"], int(match["exit"]), match["says"]))
    return rows


TABLE = _table()


def test_readme_lists_every_corpus_file() -> None:
    listed = {name for name, _, _ in TABLE}
    present = {p.name for p in CORPUS.iterdir() if p.suffix in {".csv", ".xlsx", ".xls"}}
    assert listed == present
    assert len(TABLE) >= 25


@pytest.mark.parametrize(("name", "code", "says"), TABLE, ids=[t[0] for t in TABLE])
def test_corpus_file(name: str, code: int, says: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", "-m", str(CORPUS / "corpus.yaml"), str(CORPUS / name), "-o", str(out)]
    )
    assert result.exit_code == code, result.output + result.stderr
    if code == 2:
        # A clean message naming the file, not a traceback; nothing is published.
        assert isinstance(result.exception, SystemExit)
        assert result.stderr.startswith(f"harmonizer: error: {name}: ")
        assert says in result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists() or not any(out.iterdir())
    else:
        assert says in result.stderr  # the run's summary; stdout carries no data here
        assert result.stdout == ""
        manifest = orjson.loads((out / "manifest.json").read_bytes())
        assert manifest["counts"]["read"] == sum(
            manifest["counts"][k] for k in ("accepted", "rejected", "excluded", "duplicates")
        )
