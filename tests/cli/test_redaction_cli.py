"""No personal data in any output of the real CLI, whatever cell or message quotes it.

A phone number with a tab, an identity code with an en dash, an e-mail written with
(a): every value is redacted before it is quoted, so ``repr()`` cannot hide one from
the redactor. Outputs are read back as files (xlsx unpacked), as a provider sees them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harmonizer.cli import main
from tests.helpers import HEADER, write_csv, write_mapping

FIELDS = """\
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
  ease: Helppous
"""

# What must never come out, however it is quoted.
SECRETS = ("765 4321", "765\\t", "4321", "308T", "matti", "358401112223", "987 6543")


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(n).decode("utf-8") for n in book.namelist())
    return path.read_text(encoding="utf-8-sig")


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {where}"


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, Path]:
    export = write_csv(
        tmp_path / "export.csv",
        [
            HEADER,
            ["01-02-2026", "Oulu", "040\t765 4321", "131052\u2013308T"],
            ["2.2.2026 10:00", "matti(a)example.fi", "358401112223", "050\u2013987 6543"],
            ["3.2.2026 10:00", "Oulu", "9", "5"],
        ],
    )
    return export, write_mapping(tmp_path / "mapping.yaml", FIELDS)


def test_run_outputs_in_every_format_carry_no_personal_data(
    leaky: tuple[Path, Path], tmp_path: Path
) -> None:
    export, mapping = leaky
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out, "--format", "csv,xlsx")
    assert result.exit_code == 0, result.output
    _assert_clean(result.output, "the run's summary")
    files = sorted(out.iterdir())
    assert {f.name for f in files} >= {"rejects.jsonl", "rejects.csv", "rejects.xlsx"}
    for path in files:
        _assert_clean(_text_of(path), path.name)
    rejects = _text_of(out / "rejects.jsonl")
    # The date is a date, not a phone number: its message quotes it as it is.
    assert "'01-02-2026' is not a date" in rejects
    assert "[PUHELIN]" in rejects
    assert "[HETU]" in rejects


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github", "sarif", "xlsx"])
def test_validate_reports_carry_no_personal_data(
    leaky: tuple[Path, Path], tmp_path: Path, fmt: str
) -> None:
    export, mapping = leaky
    report = tmp_path / f"report.{fmt}"
    result = invoke("validate", "-m", mapping, export, "--format", fmt, "-o", report)
    assert result.exit_code == 1, result.output
    _assert_clean(result.output, "validate's output")
    text = _text_of(report)
    _assert_clean(text, f"the {fmt} report")
    assert "PUHELIN" in text


def test_check_sample_carries_no_personal_data(leaky: tuple[Path, Path]) -> None:
    export, mapping = leaky
    result = invoke("check", mapping, "--sample", export, "--format", "json")
    assert result.exit_code == 1, result.output
    _assert_clean(result.output, "check --sample")
    assert "[PUHELIN]" in result.stdout


def test_a_missing_column_message_redacts_the_header_texts(tmp_path: Path) -> None:
    """The export's header texts listed by run (stderr) and validate (its report) are redacted."""
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Soita 040 765 4321", "Helppous", "matti(a)example.fi"],
            ["1.2.2026 10:00", "Oulu", "9", "5", ""],
        ],
    )
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "Suosittelu" in result.stderr
    assert "Soita [PUHELIN]" in result.stderr
    assert "[EMAIL]" in result.stderr
    _assert_clean(result.output, "run")
    # validate reports a missing column as an issue of its report (exit 1), redacted too.
    result = invoke("validate", "-m", mapping, export)
    assert result.exit_code == 1, result.output
    assert "column-not-found" in result.stdout
    assert "Soita [PUHELIN]" in result.stdout
    assert "[EMAIL]" in result.stdout
    _assert_clean(result.output, "validate")
    sample = invoke("check", mapping, "--sample", export, "--format", "json")
    assert "Soita [PUHELIN]" in sample.stdout
    _assert_clean(sample.output, "check --sample")


def test_full_width_and_wrapped_identity_codes_in_open_text_are_redacted(tmp_path: Path) -> None:
    full_width = "\uff11\uff13\uff11\uff10\uff15\uff12\uff0d\uff13\uff10\uff18\uff34"
    export = write_csv(
        tmp_path / "export.csv",
        [
            [*HEADER, "Palaute", "Muuta"],
            ["1.2.2026 10:00", "Oulu", "9", "5", f"hetuni {full_width}", "131052-\n308T"],
            ["2.2.2026 10:00", "Oulu", "9", "5", "1310\u200b52 - 308T kiitos", "ok"],
        ],
    )
    mapping = write_mapping(
        tmp_path / "mapping.yaml",
        FIELDS + "  open_feedback: Palaute\n" + "own_items:\n  muuta: {column: Muuta}\n",
    )
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    records = _text_of(out / "records.jsonl")
    assert records.count("[HETU]") == 3
    for secret in ("308", "\uff13\uff10\uff18"):
        assert secret not in records
