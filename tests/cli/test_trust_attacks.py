"""Hostile exports and command lines against the tool's promises.

Every input row once in records, rejects or the excluded count; no personal data in any
output or message; a clear message (exit 2) instead of a traceback or a hang.
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harmonizer import harmonize
from harmonizer.cli import main
from harmonizer.errors import OutputError
from harmonizer.io.readers import read_table
from tests.helpers import FIELDS, HEADER, read_jsonl, write_csv, write_mapping, write_xlsx

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


def test_the_same_export_twice_is_refused(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS)
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    (tmp_path / "sub").mkdir()
    again = tmp_path / "sub" / ".." / "export.csv"
    for command in (["run", "-o", tmp_path / "out"], ["validate"]):
        result = invoke(*command, "-m", mapping, export, again)
        assert result.exit_code == 2, result.output
        assert "the same export is given twice" in result.output
    assert not (tmp_path / "out" / "records.jsonl").exists()


@pytest.mark.parametrize("output", ["", "  "])
def test_an_empty_output_path_is_refused(tmp_path: Path, output: str) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS)
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    result = invoke("run", "-m", mapping, export, "-o", output)
    assert result.exit_code == 2
    assert "is empty; name the output" in result.output
    assert not Path("records.jsonl").exists()


def test_an_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS)
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "taken")
    assert result.exit_code == 2
    assert "is a file" in result.output


def test_the_library_refuses_an_empty_output_path(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS)
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    with pytest.raises(OutputError, match="empty path"):
        harmonize(mapping, [export], "")


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
@pytest.mark.parametrize("command", ["run", "validate", "draft"])
def test_a_pipe_a_device_or_a_folder_is_refused_without_hanging(
    tmp_path: Path, kind: str, command: str
) -> None:
    if kind == "fifo":
        export = tmp_path / "export.csv"
        os.mkfifo(export)
    elif kind == "device":
        export = Path("/dev/zero")
    else:
        export = tmp_path / "folder"
        export.mkdir()
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    args = {
        "run": ["run", "--progress", "-m", mapping, "-o", tmp_path / "out"],
        "validate": ["validate", "-m", mapping],
        "draft": ["draft", "-o", tmp_path / "draft.yaml"],
    }[command]
    result = invoke(*args, export)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    expected = "is a folder" if kind == "folder" else "is not a regular file"
    assert expected in result.output or "is a directory" in result.output


def _blank_tail_peak(export: Path) -> tuple[int, int]:
    tracemalloc.start()
    with read_table(export) as table:
        rows = sum(1 for _ in table)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak


def test_a_csv_ending_in_many_blank_lines_reads_in_bounded_memory(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    write_csv(export, [*ROWS, *[["", "", "", ""]] * 100_000, ["3.2.2026 10:00", "Oulu", "8", "5"]])
    with export.open("a", encoding="utf-8") as handle:
        handle.write(";;;\r\n" * 100_000)
    rows, peak = _blank_tail_peak(export)
    assert rows == 100_003  # the blank rows inside the data are kept, the tail is not
    assert peak < 8 << 20, peak
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(out / "records.jsonl")) == 3


def test_excel_sep_line_names_the_delimiter_and_is_skipped(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write("sep=;\r\n")
    with export.open("a", encoding="utf-8", newline="") as handle:
        handle.write("\r\n".join(";".join(row) for row in [*ROWS, ["x", "Oulu", "9", "5"]]))
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(out / "records.jsonl")) == 2
    (reject,) = read_jsonl(out / "rejects.jsonl")
    assert reject["row"] == 4  # rows as Excel shows them, the sep line hidden
    declared = write_mapping(
        tmp_path / "declared.yaml", "source: {format: csv, delimiter: ','}\n" + FIELDS
    )
    result = invoke("run", "-m", declared, export, "-o", tmp_path / "out2")
    assert result.exit_code == 2
    assert "set source.delimiter: ';' in the mapping" in result.output


def test_a_comma_file_declared_semicolon_says_what_to_set(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS, delimiter=",")
    mapping = write_mapping(
        tmp_path / "mapping.yaml", "source: {format: csv, delimiter: ';'}\n" + FIELDS
    )
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "set source.delimiter: ',' in the mapping (it says ';')" in result.output
    result = invoke("validate", "-m", mapping, export)
    assert result.exit_code == 1
    assert "set source.delimiter: ',' in the mapping (it says ';')" in result.output


@pytest.mark.parametrize(
    "pattern", [r"^(a+)+$", r"(\w+\s?)*!", r"((x*)|y)+", r"^(a|aa)+$", r"^(\d|\d\d)+x", r"(a|)+!"]
)
def test_a_catastrophic_filter_pattern_is_refused(tmp_path: Path, pattern: str) -> None:
    export = write_csv(tmp_path / "export.csv", [*ROWS, ["x", "a" * 40 + "!", "9", "5"]])
    body = FIELDS + f"filters:\n  - {{column: Yksikkö, matches: '{pattern}', reason: test}}\n"
    mapping = write_mapping(tmp_path / "mapping.yaml", body)
    checked = invoke("check", mapping)
    assert checked.exit_code == 1
    assert "a repeat that can split the same text in many ways" in checked.output
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "filters.0.matches" in result.output


@pytest.mark.parametrize(
    "pattern", [r"^[A-Z]+(, [A-Z]+)*$", r"^(test|demo)+$", r"^(ab|ac)+$", r"(TESTI|testi)"]
)
def test_a_filter_pattern_whose_repeats_split_text_one_way_is_allowed(
    tmp_path: Path, pattern: str
) -> None:
    body = FIELDS + f"filters:\n  - {{column: Yksikkö, matches: '{pattern}', reason: t}}\n"
    mapping = write_mapping(tmp_path / "mapping.yaml", body)
    assert invoke("check", mapping).exit_code == 0


def test_a_lookup_file_with_a_repeated_key_is_a_located_problem(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(
        "yksikkö,unit_name\nOulu,Oulun tk\nKemi,Kemin tk\n oulu ,Oulun sairaala\n",
        encoding="utf-8",
    )
    body = FIELDS.replace(
        "  unit_name: Yksikkö\n", "  unit_name: {column: Yksikkö, lookup: units}\n"
    )
    mapping = write_mapping(
        tmp_path / "mapping.yaml", body + "lookups:\n  units: {file: units.csv, key: yksikkö}\n"
    )
    checked = invoke("check", mapping)
    assert checked.exit_code == 1
    assert "duplicate-lookup-key" in checked.output
    assert "units.csv, line 4: the key 'oulu' is already on line 2" in checked.output
    export = write_csv(tmp_path / "export.csv", ROWS)
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "line 4" in result.output


@pytest.mark.parametrize("blank", ["", "   "])
def test_data_under_an_empty_last_header_cell_is_warned_of(tmp_path: Path, blank: str) -> None:
    rows = [[*HEADER, blank], *[[*row, "vastaus"] for row in ROWS[1:]]]
    export = write_csv(tmp_path / "export.csv", rows)
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    result = invoke("validate", "-m", mapping, export, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.output.count('"code": "ragged-row"') == 2, result.output


def test_an_empty_header_cell_between_headed_columns_is_noted(tmp_path: Path) -> None:
    header = [HEADER[0], HEADER[1], "  ", HEADER[2], HEADER[3]]
    rows = [header, *[[r[0], r[1], "vastaus", r[2], r[3]] for r in ROWS[1:]]]
    export = write_xlsx(tmp_path / "export.xlsx", rows)
    mapping = write_mapping(tmp_path / "mapping.yaml", FIELDS)
    result = invoke("validate", "-m", mapping, export, "--show-info")
    assert "unused-column" in result.output
    assert "C ''" in result.output


def test_spreadsheet_error_cells_reject_their_row_and_never_reach_a_record(tmp_path: Path) -> None:
    rows = [
        [*HEADER, "Palaute"],
        ["1.2.2026 10:00", "Oulu", "9", "5", "#N/A"],
        ["2.2.2026 10:00", "Oulu", "#DIV/0!", "4", "kiitos"],
        ["3.2.2026 10:00", "Oulu", "8", "4", "hyvä"],
    ]
    export = write_xlsx(tmp_path / "export.xlsx", rows)
    mapping = write_mapping(
        tmp_path / "mapping.yaml",
        "source: {format: xlsx}\n" + FIELDS + "  open_feedback: Palaute\n",
    )
    out = tmp_path / "out"
    result = invoke("run", "-m", mapping, export, "-o", out)
    assert result.exit_code == 0, result.output
    records = read_jsonl(out / "records.jsonl")
    assert len(records) == 1
    assert "#N/A" not in (out / "records.jsonl").read_text("utf-8")
    rejects = read_jsonl(out / "rejects.jsonl")
    assert [i["code"] for r in rejects for i in r["issues"]] == ["formula-error"] * 2


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_an_identity_code_in_the_mapping_file_name_is_redacted(tmp_path: Path, fmt: str) -> None:
    export = write_csv(tmp_path / "export.csv", [*ROWS, ["x", "Oulu", "9", "5"]])
    mapping = write_mapping(tmp_path / f"kartta {HETU}.yaml", FIELDS)
    broken = write_mapping(tmp_path / f"rikki {HETU}.yaml", FIELDS.replace("nps:", "npz:"))
    out = tmp_path / "out"
    outputs = [
        invoke("run", "-m", mapping, export, "-o", out).output,
        _all_text(out),
        invoke("validate", "-m", mapping, export, "--format", fmt).output,
        invoke("check", broken, "--format", fmt).output,
        invoke("check", mapping, "--sample", export, "--format", fmt).output,
        invoke("run", "-m", broken, export, "-o", tmp_path / "out2").output,
    ]
    for text in outputs:
        assert "308T" not in text
