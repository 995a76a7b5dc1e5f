"""`harmonizer draft` on the command line: writes the draft, lists what to check."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from harmonizer.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_draft_writes_mapping_and_units_and_lists_checks(tmp_path: Path) -> None:
    target = tmp_path / "pohjola.yaml"
    result = CliRunner().invoke(
        main,
        [
            "draft",
            str(ROOT / "examples" / "pohjola-web.csv"),
            "-o",
            str(target),
            "--provider-id",
            "2345671-3",
            "--county",
            "19",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert target.is_file()
    assert (tmp_path / "pohjola-units.csv").is_file()
    assert re.search(r"^\d+ things to check \(marked # CHECK:", result.stderr, re.M)
    assert "fields.ease: 'Melko samaa mieltä'" in result.stderr
    assert result.stdout == ""
    # The draft passes check (the follow-up the command prints).
    checked = CliRunner().invoke(main, ["check", str(target)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output


def test_draft_refuses_to_overwrite_and_asks_for_a_business_id(tmp_path: Path) -> None:
    target = tmp_path / "m.yaml"
    target.write_text("keep", encoding="utf-8")
    export = str(ROOT / "examples" / "kanta-kiosk.csv")
    result = CliRunner().invoke(main, ["draft", export, "-o", str(target)])
    assert result.exit_code == 2
    assert "exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep"
    result = CliRunner().invoke(
        main, ["draft", export, "-o", str(target), "--force", "--county", "07"]
    )
    assert result.exit_code == 2
    assert "--provider-id" in result.stderr


def test_draft_in_a_subprocess_then_run(tmp_path: Path) -> None:
    target = tmp_path / "osterbotten.yaml"
    export = str(ROOT / "examples" / "osterbotten-sv.xlsx")
    drafted = subprocess.run(
        [
            sys.executable,
            "-m",
            "harmonizer",
            "draft",
            export,
            "-o",
            str(target),
            "--provider-id",
            "6789015-9",
            "--county",
            "17",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert drafted.returncode == 0, drafted.stderr
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "harmonizer",
            "run",
            "-m",
            str(target),
            export,
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8").count("\n") == 40


def test_draft_names_an_unknown_sheet_and_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "draft",
            str(ROOT / "examples" / "osterbotten-sv.xlsx"),
            "-o",
            str(tmp_path / "m.yaml"),
            "--sheet",
            "Blad9",
            "--provider-id",
            "6789015-9",
            "--county",
            "17",
        ],
    )
    assert result.exit_code == 2
    assert "no sheet 'Blad9'" in result.stderr
    assert not (tmp_path / "m.yaml").exists()


def test_draft_reads_a_question_list_given_with_codebook(tmp_path: Path) -> None:
    from tests.unseen_exports import CASES, write_case

    case = next(c for c in CASES if c.codebook)
    export, _ = write_case(case, tmp_path)
    target = tmp_path / "savo.yaml"
    args = ["draft", str(export), "-o", str(target), "--provider-id", case.provider_id]
    args += ["--county", case.county, "--codebook", str(tmp_path / str(case.codebook))]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "savo-sms-koodisto.csv read as a codebook (1 code and 4 question wordings)" in (
        result.stderr
    )
    text = target.read_text(encoding="utf-8")
    assert "timely_help:\n    column: k2" in text
    missing = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "nowhere.csv"), "--force"])
    assert missing.exit_code == 2
    assert "nowhere.csv" in missing.stderr


def test_draft_counts_what_to_check_in_words_that_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harmonizer.cli.draft as command
    from harmonizer.draft import DraftResult

    def one_check(*args: object, **kwargs: object) -> DraftResult:
        return DraftResult("", None, None, ("constants.channel: web is a guess",), ())

    monkeypatch.setattr(command, "draft_mapping", one_check)
    export = tmp_path / "export.csv"
    export.write_text("a\n1\n", encoding="utf-8")
    args = ["draft", str(export), "-o", str(tmp_path / "m.yaml"), "--provider-id", "2345671-3"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert "1 thing to check (marked # CHECK:" in result.stderr
    assert "thing(s)" not in result.stderr
