"""``check --sample`` and ``run`` agree: what one reports about an export, the other does.

Each case runs the real CLI twice on one export: ``check --sample`` (json) and ``run``
(or ``validate``), and compares what they say.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from harmonizer.cli import main
from tests.helpers import read_jsonl, write_csv, write_mapping

FIELDS = "fields:\n  responded_at: Aika\n  unit_name: Yksikkö\n  nps: Suosittelu\n"
"""The rules every case here starts from; a case adds its own below them."""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sample_issues(mapping: Path, export: Path) -> tuple[int, list[dict[str, object]]]:
    result = invoke("check", mapping, "--sample", export, "--format", "json")
    return result.exit_code, json.loads(result.stdout)["reports"][0]["issues"]


def validate_issues(mapping: Path, export: Path) -> list[dict[str, object]]:
    result = invoke("validate", "-m", mapping, export, "--format", "json")
    return list(json.loads(result.stdout)["reports"][0]["issues"])


def test_a_duplicate_header_without_occurrence_is_reported_by_check_too(
    tmp_path: Path,
) -> None:
    """Both name every rule that takes the first column: the statement and the own item."""
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Suosittelu", "Arvio", "Arvio"],
            ["1.2.2026 10:00", "Oulu", "9", "5", "Hyvä"],
        ],
    )
    mapping = write_mapping(
        tmp_path / "m.yaml", FIELDS + "  ease: Arvio\nown_items:\n  grade: {column: Arvio}\n"
    )
    code, checked = sample_issues(mapping, export)
    assert code == 0  # a warning
    ran = validate_issues(mapping, export)
    for issues in (checked, ran):
        duplicate = [i for i in issues if i["code"] == "duplicate-header"]
        assert len(duplicate) == 1, issues
        message = str(duplicate[0]["message"])
        assert "fields.ease" in message
        assert "own_items.grade" in message
        assert duplicate[0]["column_letter"] == "D, E"
    # Following the fix (occurrence on each rule) silences both.
    confirmed = write_mapping(
        tmp_path / "m.yaml",
        FIELDS
        + "  ease: {column: Arvio, occurrence: 1}\n"
        + "own_items:\n  grade: {column: Arvio, occurrence: 2}\n",
    )
    assert sample_issues(confirmed, export) == (0, [])
    assert validate_issues(confirmed, export) == []


LOOKUP = """\
lookups:
  units:
    rows:
      OUL: {unit_name: Oulun terveysasema, service_area: primary_care}
fields:
  responded_at: Aika
  unit_name: {column: Yksikkö, lookup: units}
  service_area: {column: Yksikkö, lookup: units}
  nps: Suosittelu
"""
BASE_WITHOUT_AREA = (
    "mapping: fixture\nversion: '1'\nschema_version: '1.0'\n"
    "provider: {name: Fixture Oy}\n"
    "constants:\n  county: '19'\n  provider_id: '2345671-3'\n  channel: web\n"
    "  language: fi\n  respondent: customer\n"
)


def test_an_unknown_lookup_value_is_one_issue_per_cell(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Suosittelu"],
            ["1.2.2026 10:00", "OUL", "9"],
            ["1.2.2026 11:00", "KEM", "8"],
            ["1.2.2026 12:00", "KEM", "7"],
        ],
    )
    mapping = write_mapping(tmp_path / "m.yaml", LOOKUP, base=BASE_WITHOUT_AREA)
    code, checked = sample_issues(mapping, export)
    assert code == 1
    missing = [i for i in checked if i["code"] == "lookup-missing"]
    assert len(missing) == 1, checked
    assert str(missing[0]["message"]).startswith("2 rows (first on row 3): 'KEM' is not in")
    ran = [i for i in validate_issues(mapping, export) if i["code"] == "lookup-missing"]
    assert [i["row"] for i in ran] == [3, 4]


def test_aland_mapped_to_its_code_is_accepted_and_kept_out_as_outside_the_reform(
    tmp_path: Path,
) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Suosittelu", "Alue"],
            ["1.2.2026 10:00", "Oulu", "9", "Pohjois-Pohjanmaa"],
            ["1.2.2026 11:00", "Mariehamn", "8", "Åland"],
        ],
    )
    base = BASE_WITHOUT_AREA.replace("  county: '19'\n", "") + "  service_area: primary_care\n"
    mapping = write_mapping(
        tmp_path / "m.yaml",
        """\
        fields:
          responded_at: Aika
          unit_name: Yksikkö
          nps: Suosittelu
          county:
            column: Alue
            value_map:
              Pohjois-Pohjanmaa: "17"
              Åland: "91"
        """,
        base=base,
    )
    assert invoke("check", mapping).exit_code == 0
    code, checked = sample_issues(mapping, export)
    assert code == 1  # the Åland row is an error in the sample, as in the run
    assert [i["code"] for i in checked] == ["outside-reform"]
    out = tmp_path / "out"
    assert invoke("run", "-m", mapping, export, "-o", out).exit_code == 0
    assert [r["county"] for r in read_jsonl(out / "records.jsonl")] == ["17"]
    rejects = read_jsonl(out / "rejects.jsonl")
    assert [i["code"] for r in rejects for i in r["issues"]] == ["outside-reform"]


def test_an_own_item_answer_off_its_scale_is_a_warning_in_check_and_run(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Suosittelu", "Hymiö"],
            ["1.2.2026 10:00", "OUL", "9", "4"],
            ["1.2.2026 11:00", "OUL", "8", "7"],
            ["1.2.2026 12:00", "OUL", "7", "7"],
            ["1.2.2026 13:00", "OUL", "7", "3,0"],
        ],
    )
    base = BASE_WITHOUT_AREA.replace("'1.0'", "'1.1'")
    body = LOOKUP + "own_items:\n  hymy: {column: Hymiö, scale: smiley4}\n"
    mapping = write_mapping(tmp_path / "m.yaml", body, base=base)
    code, checked = sample_issues(mapping, export)
    assert code == 0
    (off,) = [i for i in checked if i["code"] == "off-scale"]
    assert off["severity"] == "warning"
    assert str(off["message"]).startswith("2 rows (first on row 3): '7' is not a point")
    ran = [i for i in validate_issues(mapping, export) if i["code"] == "off-scale"]
    assert [(i["row"], i["column_letter"]) for i in ran] == [(3, "D"), (4, "D")]
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    assert [r["own_items"]["hymy"] for r in records] == [4, "7", "7", 3]


def test_columns_no_rule_takes_are_one_info_issue_in_check_and_run(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["", "Aika", "Yksikkö", "Suosittelu", "Lomake", "Uusi kysymys", "Tila"],
            ["", "1.2.2026 10:00", "OUL", "9", "A", "kyllä", "ok"],
            ["", "1.2.2026 11:00", "OUL", "8", "A", "ei", "TESTI"],
        ],
    )
    body = LOOKUP + "filters:\n  - {column: Tila, equals: [TESTI], reason: test}\n"
    mapping = write_mapping(tmp_path / "m.yaml", body, base=BASE_WITHOUT_AREA)
    checked = invoke("check", mapping, "--sample", export, "--format", "json", "--show-info")
    ran = invoke("validate", "-m", mapping, export, "--format", "json", "--show-info")
    for result in (checked, ran):
        issues = json.loads(result.stdout)["reports"][0]["issues"]
        found = [i for i in issues if i["code"] == "unused-column"]
        # The filter's column is used; the first column has no header text.
        (issue,) = found
        assert issue["severity"] == "info"
        assert issue["column_letter"] == "E, F"
        assert issue["value"] == "E (Lomake), F (Uusi kysymys)"
        assert issue["row"] == 1


def test_thousands_of_unused_columns_make_one_short_note(tmp_path: Path) -> None:
    """A survey tool's export of 5,000 columns: one note naming the first 40 of them."""
    extra = [f"Kysymys {n}" for n in range(5000)]
    export = write_csv(
        tmp_path / "export.csv",
        [["Aika", "Yksikkö", "Suosittelu", *extra], ["1.2.2026 10:00", "Oulu", "9", *"1" * 5000]],
    )
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS)
    for command in (
        ["check", mapping, "--sample", export],
        ["validate", "-m", mapping, export],
    ):
        result = invoke(*command, "--format", "json", "--show-info")
        issues = json.loads(result.stdout)["reports"][0]["issues"]
        [note] = [i for i in issues if i["code"] == "unused-column"]
        message = str(note["message"])
        assert "5000 headed columns are not used by the mapping: D 'Kysymys 0'" in message
        assert "and 4960 more" in message
        assert len(message) < 2_000
        assert str(note["column_letter"]).endswith(", …")


def test_aland_given_by_a_lookup_table_is_accepted_and_kept_out_as_in_a_value_map(
    tmp_path: Path,
) -> None:
    # A unit list with a county column, one unit in Åland: as a value_map to "91" is.
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Suosittelu"],
            ["1.2.2026 10:00", "OUL", "9"],
            ["1.2.2026 11:00", "MAR", "8"],
        ],
    )
    (tmp_path / "units.csv").write_text(
        "koodi;unit_name;county\nOUL;Oulun asema;17\nMAR;Mariehamns hälsocentral;91\n",
        encoding="utf-8",
    )
    base = BASE_WITHOUT_AREA.replace("  county: '19'\n", "") + "  service_area: primary_care\n"
    mapping = write_mapping(
        tmp_path / "m.yaml",
        """\
        lookups:
          units: {file: units.csv, key: koodi}
        fields:
          responded_at: Aika
          nps: Suosittelu
          unit_name: {column: Yksikkö, lookup: units}
          county: {column: Yksikkö, lookup: units}
        """,
        base=base,
    )
    checked = invoke("check", mapping)
    assert checked.exit_code == 0, checked.stdout
    code, issues = sample_issues(mapping, export)
    assert code == 1
    assert [(i["code"], i["row"]) for i in issues] == [("outside-reform", 3)]
    out = tmp_path / "out"
    assert invoke("run", "-m", mapping, export, "-o", out).exit_code == 0
    assert [r["county"] for r in read_jsonl(out / "records.jsonl")] == ["17"]
    rejects = read_jsonl(out / "rejects.jsonl")
    assert [(i["code"], i["row"]) for r in rejects for i in r["issues"]] == [("outside-reform", 3)]
