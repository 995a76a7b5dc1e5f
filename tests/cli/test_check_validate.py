"""`harmonizer check` and `harmonizer validate` end to end: formats, exit codes, streams."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner, Result

from harmonizer import validate
from harmonizer.cli import main

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = sorted((ROOT / "mappings").glob("*.yaml"))
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text("utf-8"))
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
POHJOLA = ROOT / "mappings" / "pohjola-web.yaml"
POHJOLA_CSV = ROOT / "examples" / "pohjola-web.csv"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def clean_export(tmp_path: Path) -> Path:
    """The pohjola example without its deliberately bad rows: it validates cleanly."""
    report = validate(POHJOLA, [POHJOLA_CSV])
    bad = {i.row for i in report.issues}
    with POHJOLA_CSV.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle, delimiter=";"))
    target = tmp_path / "clean.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerows(line for number, line in enumerate(lines, 1) if number not in bad)
    return target


@pytest.fixture
def broken_mapping(tmp_path: Path) -> Path:
    target = tmp_path / "broken.yaml"
    target.write_text(
        POHJOLA.read_text("utf-8").replace('county: "19"', 'county: "23"'), encoding="utf-8"
    )
    shutil.copy(ROOT / "mappings" / "pohjola-web-units.csv", tmp_path)
    return target


# -- exit codes ------------------------------------------------------------------------


def test_validate_exit_codes_clean_unmapped_broken(
    clean_export: Path, broken_mapping: Path
) -> None:
    clean = invoke("validate", "-m", POHJOLA, clean_export)
    assert clean.exit_code == 0, clean.output
    assert "result: passed (exit 0)" in clean.stdout
    unmapped = invoke("validate", "-m", POHJOLA, POHJOLA_CSV)
    assert unmapped.exit_code == 1
    assert "unknown-label" in unmapped.stdout
    broken = invoke("validate", "-m", broken_mapping, clean_export)
    assert broken.exit_code == 2
    assert broken.stdout == ""
    assert "broken.yaml" in broken.stderr
    assert "constants.county" in broken.stderr


def test_check_exit_codes(clean_export: Path, broken_mapping: Path, tmp_path: Path) -> None:
    assert invoke("check", POHJOLA).exit_code == 0
    assert invoke("check", POHJOLA, "--sample", clean_export).exit_code == 0
    assert invoke("check", POHJOLA, "--sample", POHJOLA_CSV).exit_code == 1
    broken = invoke("check", broken_mapping)
    assert broken.exit_code == 1  # problems found in the mapping, reported in full
    line = broken_mapping.read_text("utf-8").splitlines().index('  county: "23"') + 1
    assert f"broken.yaml:{line}: error bad-constant:" in broken.stdout
    missing = invoke("check", tmp_path / "nowhere.yaml")
    assert missing.exit_code == 2
    assert "cannot read the mapping file" in missing.stderr
    unreadable = invoke("check", POHJOLA, "--sample", tmp_path / "nowhere.csv")
    assert unreadable.exit_code == 2


def test_fail_on_warning(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    text = POHJOLA.read_text("utf-8").replace(
        "  ease: Asiointi oli sujuvaa ja helppoa\n",
        "  ease:\n    column: Asiointi oli sujuvaa ja helppoa\n"
        "    value_map: {Erinomainen: 5, Hyvä: 4, Huono: 2, Surkea: 1}\n",
    )
    mapping.write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "mappings" / "pohjola-web-units.csv", tmp_path)
    assert invoke("check", mapping).exit_code == 0
    strict = invoke("check", mapping, "--fail-on", "warning")
    assert strict.exit_code == 1
    assert "warning scale-not-covered" in strict.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check", POHJOLA, "--format", "xlsx"],
        ["check", POHJOLA, "--rows", "5"],
        ["check", POHJOLA, POHJOLA, "--sample", POHJOLA_CSV],
        ["validate", POHJOLA_CSV],
        ["validate", "-m", POHJOLA, POHJOLA_CSV, "--format", "yaml"],
    ],
    ids=[
        "xlsx-without-output",
        "rows-without-sample",
        "sample-two-mappings",
        "no-mapping",
        "bad-format",
    ],
)
def test_usage_errors_exit_2(args: list[str | Path]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


# -- formats, parsed back ----------------------------------------------------------------


def _parse(fmt: str, text: str, path: Path | None) -> object:
    if fmt == "json":
        document = json.loads(text)
        jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
        return document
    if fmt == "sarif":
        document = json.loads(text)
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
        return document
    if fmt == "junit":
        return ET.fromstring(text)
    if fmt == "xlsx":
        assert path is not None
        return openpyxl.load_workbook(path, read_only=True)
    return text


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github", "sarif", "xlsx"])
@pytest.mark.parametrize("command", ["check", "validate"])
def test_every_format_from_the_cli(fmt: str, command: str, tmp_path: Path) -> None:
    if command == "check":
        args: list[str | Path] = ["check", POHJOLA, "--sample", POHJOLA_CSV]
    else:
        args = ["validate", "-m", POHJOLA, POHJOLA_CSV]
    output = tmp_path / f"report.{fmt}" if fmt == "xlsx" else None
    args += ["--format", fmt] + (["-o", output, "--lang", "fi"] if output else [])
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    parsed = _parse(fmt, result.stdout, output)
    if fmt == "json":
        assert isinstance(parsed, dict)
        assert parsed["command"] == command
        assert parsed["issue_counts"]["unknown-label"] == 2
    elif fmt == "sarif":
        assert isinstance(parsed, dict)
        ids = [r["ruleId"] for r in parsed["runs"][0]["results"]]
        assert ids.count("unknown-label") == 2
    elif fmt == "junit":
        assert isinstance(parsed, ET.Element)
        failed = [c.get("name") for c in parsed.iter("testcase") if c.find("failure") is not None]
        assert "unknown-label" in failed
    elif fmt == "github":
        lines = str(parsed).splitlines()
        assert sum(line.startswith("::error file=") for line in lines) >= 2
        assert all(line.startswith("::") for line in lines)
    elif fmt == "xlsx":
        assert result.stdout == ""
        book = parsed
        assert isinstance(book, openpyxl.Workbook)
        rows = list(book["Ongelmat"].iter_rows(values_only=True))
        assert rows[0][:6] == (
            "Rivi",
            "Sarake",
            "Sarakkeen otsikko",
            "Arvo",
            "Ongelma",
            "Näin korjaat",
        )
        codes = [r[10] for r in rows[1:]]
        assert codes.count("unknown-label") == 2
        assert all(r[6] == "virhe" for r in rows[1:] if r[10] == "unknown-label")
        book.close()
    else:
        assert "unknown-label" in str(parsed)
    if fmt != "text":
        assert f"harmonizer {command}:" in result.stderr
        assert result.stderr.strip().endswith("exit 1")


def test_xlsx_in_swedish_for_an_xlsx_export(tmp_path: Path) -> None:
    output = tmp_path / "rapport.xlsx"
    result = invoke(
        "validate",
        "-m",
        ROOT / "mappings" / "osterbotten-sv.yaml",
        ROOT / "examples" / "osterbotten-sv.xlsx",
        "--format",
        "xlsx",
        "--lang",
        "sv",
        "-o",
        output,
    )
    assert result.exit_code == 1
    book = openpyxl.load_workbook(output, read_only=True)
    assert book.sheetnames == ["Sammanfattning", "Problem"]
    rows = list(book["Problem"].iter_rows(values_only=True))
    found = [r for r in rows[1:] if r[10] == "unknown-label"]
    assert found
    assert found[0][4].endswith(" är inte ett av enkätens svarsalternativ")
    assert found[0][7] == "Svar"  # the submitter's own sheet
    assert isinstance(found[0][0], int)
    book.close()


def test_json_equals_the_library_report() -> None:
    result = invoke("validate", "-m", POHJOLA, POHJOLA_CSV, "--format", "json")
    document = json.loads(result.stdout)
    (listed,) = document["reports"]
    issues = listed.pop("issues")
    library = validate(POHJOLA, [POHJOLA_CSV]).to_dict(show_info=False)
    assert [
        {k: v for k, v in i.items() if not k.startswith("fix_")} for i in issues
    ] == library.pop("issues")
    assert listed == library


def test_max_issues_caps_the_list_not_the_counts() -> None:
    full = json.loads(invoke("validate", "-m", POHJOLA, POHJOLA_CSV, "--format", "json").stdout)
    capped_run = invoke(
        "validate", "-m", POHJOLA, POHJOLA_CSV, "--format", "json", "--max-issues", "1"
    )
    capped = json.loads(capped_run.stdout)
    assert capped_run.exit_code == 1
    assert capped["issue_counts"] == full["issue_counts"]
    assert sum(full["issue_counts"].values()) == 17  # 3 problems and 14 redaction notes
    assert len(capped["reports"][0]["issues"]) == 1
    assert capped["reports"][0]["issues_truncated"] is True
    text = invoke("validate", "-m", POHJOLA, POHJOLA_CSV, "--max-issues", "0").stdout
    assert "listed 0 of 17 issues" in text


def test_report_written_to_a_file_leaves_stdout_empty(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    result = invoke("check", POHJOLA, "--format", "json", "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text("utf-8"))["exit_code"] == 0
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".part")]


# -- check --sample against the demo exports -----------------------------------------------


def test_sample_lists_unmapped_values_with_their_counts() -> None:
    export = ROOT / "examples" / "lappi-sms.csv"
    result = invoke(
        "check", ROOT / "mappings" / "lappi-sms.yaml", "--sample", export, "--format", "json"
    )
    document = json.loads(result.stdout)
    with export.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    expected = sum(1 for r in rows if r["unit_code"] == "ROV-XX")
    first = next(n for n, r in enumerate(rows, 2) if r["unit_code"] == "ROV-XX")
    listed = [i for i in document["reports"][0]["issues"] if i["value"] == "ROV-XX"]
    # Three fields look the unit code up: one issue for the cell, as a run gives.
    assert [i["field"] for i in listed] == ["unit_name"]
    assert all(i["message"].startswith(f"{expected} rows (first on row {first}):") for i in listed)
    assert all(i["code"] == "lookup-missing" and i["column"] == "unit_code" for i in listed)
    assert document["reports"][0]["rows_checked"] == len(rows)


def test_sample_rows_limits_what_is_read() -> None:
    result = invoke("check", POHJOLA, "--sample", POHJOLA_CSV, "--rows", "5", "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 0
    assert document["reports"][0]["rows_checked"] == 5
    assert document["issue_counts"] == {}


def test_sample_reports_missing_columns(tmp_path: Path) -> None:
    export = tmp_path / "renamed.csv"
    export.write_text(
        POHJOLA_CSV.read_text("utf-8-sig").replace("Koin oloni turvalliseksi", "Turvallisuus", 1),
        encoding="utf-8-sig",
    )
    result = invoke("check", POHJOLA, "--sample", export)
    assert result.exit_code == 1  # a finding of check (validate and run cannot go on: exit 2)
    line = next(x for x in result.stdout.splitlines() if "column-not-found" in x)
    assert line.startswith(f"{POHJOLA}:")
    assert "column 'Koin oloni turvalliseksi' is not in the header of renamed.csv" in line


# -- the installed command, as CI runs it ---------------------------------------------------


def test_demo_mappings_pass_check_in_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harmonizer", "check", *map(str, MAPPINGS), "--format", "github"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("harmonizer check: 0 issues")


@pytest.mark.parametrize("command", ["check", "validate"])
def test_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Exit codes: 0 no errors; 1 errors found" in result.stdout
    for option in ("--format", "--max-issues", "--fail-on", "--lang", "--output"):
        assert option in result.stdout


def test_text_report_goes_to_stdout_and_nothing_to_stderr() -> None:
    result = invoke("check", POHJOLA)
    assert result.stderr == ""
    assert io.StringIO(result.stdout).read().endswith("result: passed (exit 0)\n")
