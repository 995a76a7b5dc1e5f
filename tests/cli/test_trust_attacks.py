"""Hostile exports and command lines against the tool's promises.

Every input row once in records, rejects or the excluded count; no personal data in any
output or message; a clear message (exit 2) instead of a traceback or a hang.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from harmonizer.cli import main
from tests.helpers import HEADER, read_jsonl, write_csv, write_mapping, write_xlsx

FIELDS = """\
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
  ease: Helppous
"""
ROWS = [HEADER, ["1.2.2026 10:00", "Oulu", "9", "5"], ["2.2.2026 10:00", "Oulu", "7", "4"]]
HETU = "131052-308T"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.json*")))


def test_an_identity_code_in_the_file_and_sheet_name_is_redacted(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / f"vastaukset {HETU}.xlsx", ROWS, sheet=f"Liisa {HETU}")
    mapping = write_mapping(
        tmp_path / "mapping.yaml", f"source: {{sheet: 'Liisa {HETU}'}}\n" + FIELDS
    )
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    assert "308T" not in result.output
    text = _all_text(out)
    assert "308T" not in text
    assert "vastaukset [HETU].xlsx" in text
    validated = invoke("validate", "-m", mapping, export, "--format", "json")
    assert "308T" not in validated.output


def test_a_missing_sheet_lists_the_sheets_quoted(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "export.xlsx", ROWS, sheet="Vastaukset ")
    mapping = write_mapping(tmp_path / "mapping.yaml", "source: {sheet: Answers}\n" + FIELDS)
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "the workbook has: 'Vastaukset '" in result.output
    assert "Traceback" not in result.output


def test_a_sheet_name_differing_in_case_or_spacing_is_found(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "export.xlsx", ROWS, sheet="Vastaukset\u00a02026 ")
    mapping = write_mapping(
        tmp_path / "mapping.yaml", "source: {sheet: vastaukset 2026}\n" + FIELDS
    )
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(out / "records.jsonl")) == 2
    assert "for source.sheet 'vastaukset 2026'" in (out / "manifest.json").read_text("utf-8")


def test_csv_file_name_with_an_identity_code(tmp_path: Path) -> None:
    export = write_csv(tmp_path / f"{HETU}.csv", [*ROWS, ["x", "Oulu", "9", "5"]])
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    assert "308T" not in _all_text(out)
