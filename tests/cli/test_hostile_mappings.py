"""Clumsy and hostile mapping files through the real CLI: one verdict, at once, located.

``run``, ``validate`` and ``check`` read a mapping with one reader, so a mapping that
``check`` refuses never runs. YAML bombs are refused within a second, lookup files stay
inside the mapping's folder (others come with ``--lookup NAME=PATH``), and devices,
FIFOs and oversized files are never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harmonizer import harmonize
from harmonizer.cli import main
from harmonizer.errors import OutputError
from harmonizer.mapping import yamlfile
from harmonizer.mapping.files import MAX_LOOKUP_BYTES
from harmonizer.mapping.load import load_mapping, read_mapping
from harmonizer.mapping.yamlfile import MAX_MAPPING_BYTES
from tests.helpers import BASE_MAPPING, HEADER, read_jsonl, write_csv, write_mapping

FIELDS = """\
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
  ease: Helppous
"""
ROWS = [HEADER, ["1.2.2026 10:00", "Oulu", "9", "5"], ["2.2.2026 11:00", "Kemi", "7", "4"]]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def check_json(*args: str | Path) -> tuple[int, list[dict[str, object]]]:
    result = invoke("check", *args, "--format", "json")
    issues = json.loads(result.stdout)["reports"][0]["issues"] if result.stdout else []
    return result.exit_code, issues


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "export.csv", ROWS)


# -- one reader decides for run, validate and check ----------------------------------------


def test_a_field_written_twice_stops_run_as_check_refuses_it(tmp_path: Path, export: Path) -> None:
    mapping = write_mapping(tmp_path / "m.yaml", FIELDS + "  nps: Helppous\n")
    run = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert run.exit_code == 2
    assert "m.yaml:17: fields.nps: nps is given twice under fields (lines 15 and 17)" in run.stderr
    assert not (tmp_path / "out").exists()
    assert invoke("validate", "-m", mapping, export).exit_code == 2
    code, issues = check_json(mapping)
    assert code == 1  # problems found in the mapping (2: could not run)
    assert [(i["code"], i["row"]) for i in issues] == [("duplicate-source", 17)]


def test_a_key_written_twice_inside_a_rule_stops_a_run(tmp_path: Path, export: Path) -> None:
    mapping = write_mapping(
        tmp_path / "m.yaml",
        FIELDS.replace("nps: Suosittelu", "nps: {column: Suosittelu, column: Helppous}"),
    )
    run = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert run.exit_code == 2
    assert "key 'column' appears twice under fields.nps" in run.stderr


def test_a_misspelt_key_does_not_hide_the_other_problems(tmp_path: Path) -> None:
    """check reports every problem of a mapping in one pass."""
    body = """\
    fields:
      responded_at: {colum: Aika}
      unit_name: Yksikkö
      nps: {column: Suosittelu 1-5, scale: '1-5'}
      ease: {column: Helppous, value_map: {Hyvä: 9}}
      satisfaction: Tyytyväisyys
    filters:
      - {column: Yksikkö, equals: [TESTI], reasn: test}
    """
    base = BASE_MAPPING.replace('county: "19"', 'county: "23"').replace("provider: {", "providr: {")
    mapping = write_mapping(tmp_path / "m.yaml", body, base=base)
    code, issues = check_json(mapping)
    assert code == 1  # problems found in the mapping (2: could not run)
    found = {(i["code"], i["field"]) for i in issues}
    assert {
        ("mapping-schema", "providr"),
        ("mapping-schema", "provider"),
        ("mapping-schema", "fields.responded_at.colum"),
        ("mapping-schema", "filters.0.reasn"),
        ("bad-constant", "constants.county"),
        ("mapping-rule", "fields.nps.scale"),
        ("bad-target", "fields.ease.value_map.Hyvä"),
        ("unknown-field", "fields.satisfaction"),
    } <= found, found
    # The misspelt source is reported once, as a misspelling, not again as "no source".
    assert not any(i["field"] == "fields.responded_at" for i in issues), issues
    # run refuses the same mapping with the same errors.
    run = invoke("run", "-m", mapping, tmp_path / "x.csv", "-o", tmp_path / "out")
    assert run.exit_code == 2
    for _, field in found:
        assert str(field) in run.stderr


def test_a_warning_does_not_stop_a_run(tmp_path: Path, export: Path) -> None:
    """A scale-not-covered warning of check does not refuse the mapping in run."""
    mapping = write_mapping(
        tmp_path / "m.yaml",
        FIELDS.replace("ease: Helppous", "ease: {column: Helppous, value_map: {Hyvä: 5}}"),
    )
    code, issues = check_json(mapping)
    assert code == 0
    assert [i["code"] for i in issues] == ["scale-not-covered"]
    assert invoke("run", "-m", mapping, export, "-o", tmp_path / "out").exit_code == 0


# -- YAML bombs --------------------------------------------------------------------------

LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)),
    ]
)
BOMBS = {
    "billion-laughs": BASE_MAPPING
    + "description: x\nlaughs:\n  "
    + LAUGHS.replace("\n", "\n  ")
    + "\n",
    "recursive-alias": BASE_MAPPING + "fields: &r {unit_name: *r}\n",
    "recursive-list": "&r [*r]\n",
    "deep-nesting": "x: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep-block-nesting": "".join(f"{' ' * i}k{i}:\n" for i in range(2_000)),
}


# Unbounded, these bombs run for minutes or recurse until the stack breaks. The guard is a
# hang guard, generous enough for a loaded CI machine; the milliseconds the refusal really
# takes are measured in docs/security.md, not asserted here.
HANG_GUARD_SECONDS = 15.0


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_yaml_bombs_are_refused_at_once(name: str, tmp_path: Path, export: Path) -> None:
    mapping = tmp_path / f"{name}.yaml"
    mapping.write_text(BOMBS[name], encoding="utf-8")
    if name == "billion-laughs":
        assert mapping.stat().st_size < 1500
    for args in (
        ("run", "-m", mapping, export, "-o", tmp_path / "out"),
        ("validate", "-m", mapping, export),
        ("check", mapping),
        ("check", mapping, "--sample", export, "--format", "json"),
    ):
        started = time.monotonic()
        result = invoke(*args)
        elapsed = time.monotonic() - started
        assert result.exit_code == 2, result.output
        assert "the mapping is too complex" in result.output
        assert elapsed < HANG_GUARD_SECONDS, f"{args[0]} took {elapsed:.2f} s"


def test_an_oversized_mapping_is_refused_unread(tmp_path: Path) -> None:
    mapping = tmp_path / "big.yaml"
    with mapping.open("wb") as handle:
        handle.truncate(MAX_MAPPING_BYTES + 1)
    result = invoke("check", mapping)
    assert result.exit_code == 2
    assert "more than the" in result.stderr


def test_anchors_within_the_limits_still_work(tmp_path: Path, export: Path) -> None:
    """Aliases are refused only when they expand past the limit, not for being aliases."""
    mapping = write_mapping(
        tmp_path / "m.yaml",
        """\
        fields:
          responded_at: Aika
          unit_name: Yksikkö
          nps: Suosittelu
          ease: &statement {column: Helppous}
          timely_help:
            <<: *statement
        """,
    )
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    assert [r["timely_help"] for r in records] == [5, 4]


# -- lookup files ---------------------------------------------------------------------

LOOKUP_FIELDS = """\
lookups:
  units: {file: %s, key: code}
fields:
  responded_at: Aika
  unit_name: {column: Yksikkö, lookup: units}
  nps: Suosittelu
  ease: Helppous
"""


def _units(path: Path) -> Path:
    path.write_text("\ufeffcode;unit_name\nOulu;Oulun terveysasema\nKemi;Kemin neuvola\n", "utf-8")
    return path


@pytest.mark.parametrize(
    "name", ["../../../../etc/passwd", "/etc/passwd", "/dev/zero", "../units.csv"]
)
def test_a_lookup_file_outside_the_mapping_folder_is_refused(
    name: str, tmp_path: Path, export: Path
) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    _units(tmp_path / "units.csv")
    mapping = write_mapping(folder / "m.yaml", LOOKUP_FIELDS % f"'{name}'")
    code, issues = check_json(mapping)
    assert code == 1  # problems found in the mapping (2: could not run)
    assert [i["code"] for i in issues] == ["missing-lookup"]
    message = str(issues[0]["message"])
    assert "outside the mapping's folder" in message
    assert "--lookup units=PATH" in message
    run = invoke("run", "-m", mapping, export, "-o", tmp_path / "out")
    assert run.exit_code == 2
    assert "outside the mapping's folder" in run.stderr


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path, export: Path) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "units.csv").symlink_to("/dev/zero")
    mapping = write_mapping(folder / "m.yaml", LOOKUP_FIELDS % "units.csv")
    code, issues = check_json(mapping)
    assert code == 1  # problems found in the mapping (2: could not run)
    assert "outside the mapping's folder" in str(issues[0]["message"])


def test_a_fifo_and_an_oversized_lookup_file_are_refused_unread(
    tmp_path: Path, export: Path
) -> None:
    os.mkfifo(tmp_path / "units.csv")
    mapping = write_mapping(tmp_path / "m.yaml", LOOKUP_FIELDS % "units.csv")
    started = time.monotonic()
    code, issues = check_json(mapping)
    assert time.monotonic() - started < HANG_GUARD_SECONDS  # a FIFO read would block forever
    assert code == 1  # problems found in the mapping (2: could not run)
    assert "is a device, FIFO or socket, not a file" in str(issues[0]["message"])
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_LOOKUP_BYTES + 1)
    result = invoke(
        "run", "-m", mapping, export, "-o", tmp_path / "out", "--lookup", f"units={big}"
    )
    assert result.exit_code == 2
    assert "more than the" in result.stderr
    zero = invoke("validate", "-m", mapping, export, "--lookup", "units=/dev/zero")
    assert zero.exit_code == 2
    assert "a device, FIFO or socket" in zero.stderr


def test_a_lookup_file_given_on_the_command_line(tmp_path: Path, export: Path) -> None:
    """A unit list that comes with each export: --lookup NAME=PATH on run, validate, check."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    units = _units(delivery / "units-2026-02.csv")
    mapping = write_mapping(folder / "m.yaml", LOOKUP_FIELDS % "units.csv")
    # Without the option the file is missing beside the mapping, and the message says
    # how to give it.
    code, issues = check_json(mapping)
    assert code == 1  # problems found in the mapping (2: could not run)
    assert "--lookup units=PATH" in str(issues[0]["message"])
    given = ("--lookup", f"units={units}")
    out = tmp_path / "out"
    run = invoke("run", "-m", mapping, export, "-o", out, *given)
    assert run.exit_code == 0, run.output
    assert [r["unit_name"] for r in read_jsonl(out / "records.jsonl")] == [
        "Oulun terveysasema",
        "Kemin neuvola",
    ]
    # The manifest names the unit list the records were built with, and its digest.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lookups"] == {
        "units": {
            "file": "units-2026-02.csv",
            "sha256": hashlib.sha256(units.read_bytes()).hexdigest(),
            "rows": 2,
        }
    }
    # A run may not write over the unit list it reads, given on the command line.
    listed = delivery / "records.csv"
    listed.write_bytes(units.read_bytes())
    over = invoke("run", "-m", mapping, export, "-o", delivery, "--lookup", f"units={listed}")
    assert over.exit_code == 2
    assert "would overwrite the input" in over.stderr
    with pytest.raises(OutputError, match="would overwrite the input"):  # the library too
        harmonize(load_mapping(mapping, lookup_files={"units": listed}), [export], delivery)
    assert listed.read_bytes() == units.read_bytes()
    assert invoke("validate", "-m", mapping, export, *given).exit_code == 0
    code, issues = check_json(mapping, "--sample", export, *given)
    assert (code, issues) == (0, [])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("units", "write NAME=PATH"),
        ("=x.csv", "write NAME=PATH"),
        ("unit=x.csv", "--lookup unit=... names no lookup of the mapping"),
    ],
)
def test_a_wrong_lookup_option_is_refused(
    option: str, message: str, tmp_path: Path, export: Path
) -> None:
    _units(tmp_path / "units.csv")
    mapping = write_mapping(tmp_path / "m.yaml", LOOKUP_FIELDS % "units.csv")
    result = invoke("run", "-m", mapping, export, "-o", tmp_path / "out", "--lookup", option)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_yaml_bombs_are_refused_without_libyaml_too(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation whose PyYAML lacks LibYAML measures with the pure-Python parser."""
    monkeypatch.setattr(yamlfile, "FAST_PARSER", None)
    mapping = tmp_path / f"{name}.yaml"
    mapping.write_text(BOMBS[name], encoding="utf-8")
    [problem] = read_mapping(mapping).problems
    assert problem.message.startswith("the mapping is too complex"), problem


def test_the_two_parsers_do_not_change_what_a_mapping_means(tmp_path: Path) -> None:
    """LibYAML accepts an unquoted '?' ending a header text inside {...}; the reader,
    like the pure-Python parser, refuses it on every installation and says to quote it."""
    mapping = write_mapping(
        tmp_path / "m.yaml", FIELDS + "own_items:\n  parking: {column: Löysitkö helposti?}\n"
    )
    [problem] = read_mapping(mapping).problems
    assert problem.code.value == "mapping-yaml"
    assert "'?'" in problem.message
    assert "needs quotes" in problem.message


def test_the_fix_the_outside_message_suggests_works(tmp_path: Path, export: Path) -> None:
    """'put it beside the mapping (file: units.csv)': following it, the mapping runs."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    _units(tmp_path / "units.csv")
    mapping = write_mapping(folder / "m.yaml", LOOKUP_FIELDS % "../units.csv")
    _, issues = check_json(mapping)
    message = str(issues[0]["message"])
    assert "put it beside the mapping (file: units.csv)" in message
    (tmp_path / "units.csv").rename(folder / "units.csv")
    mapping.write_text(
        mapping.read_text("utf-8").replace("file: ../units.csv", "file: units.csv"), "utf-8"
    )
    assert check_json(mapping) == (0, [])
    assert invoke("run", "-m", mapping, export, "-o", tmp_path / "out").exit_code == 0


UNIT_FIELDS = """\
lookups:
  units: {file: units.csv, key: code}
fields:
  responded_at: Aika
  unit_name: Yksikkö
  unit_id: {column: Yksikkö, lookup: units}
  service_area: {column: Yksikkö, lookup: units%s}
  nps: Suosittelu
  ease: Helppous
"""


@pytest.mark.parametrize(
    ("unit_id", "area", "value_map", "problem"),
    [
        (
            "1.2.246.10.1.10.1",
            "maternity_child",
            "",
            "gives service_area the value 'maternity_child'",
        ),
        ("1.2.246.10.1.10.x", "oral_health", "", "gives unit_id the value '1.2.246.10.1.10.x'"),
        ("1.2.246.10.1.10.1", "neuvola", ", value_map: {neuvola: maternity_child_health}", None),
        ("", "", "", None),  # a unit list drafted to be filled in: the run says what is empty
    ],
)
def test_check_reads_the_values_a_unit_list_gives(
    tmp_path: Path, unit_id: str, area: str, value_map: str, problem: str | None
) -> None:
    """A wrong code or OID in a unit list is the mapping author's to fix, before any run."""
    (tmp_path / "units.csv").write_text(
        f"code;unit_id;service_area\nKemin neuvola;{unit_id};{area}\n", encoding="utf-8"
    )
    base = BASE_MAPPING.replace("  service_area: primary_care\n", "")
    mapping = write_mapping(tmp_path / "m.yaml", UNIT_FIELDS % value_map, base=base)
    code, issues = check_json(mapping)
    if problem is None:
        assert (code, issues) == (0, [])
        return
    assert code == 1
    [issue] = issues
    assert issue["code"] == "bad-target"
    assert problem in str(issue["message"])
    assert "for 'Kemin neuvola'" in str(issue["message"])
    assert "correct it in file units.csv" in str(issue["message"])
    # The fix, followed: the unit list corrected, check passes.
    (tmp_path / "units.csv").write_text(
        "code;unit_id;service_area\nKemin neuvola;1.2.246.10.1.10.1;maternity_child_health\n",
        encoding="utf-8",
    )
    assert check_json(mapping) == (0, [])


def test_an_empty_service_area_in_the_unit_list_is_the_tables_to_fill(
    tmp_path: Path, export: Path
) -> None:
    """check passes a unit list still to be filled; check --sample and run name its gaps."""
    units = tmp_path / "units.csv"
    units.write_text("code;unit_id;service_area\nOulu;;\nKemi;;oral_health\n", "utf-8")
    base = BASE_MAPPING.replace("  service_area: primary_care\n", "")
    mapping = write_mapping(tmp_path / "m.yaml", UNIT_FIELDS % "", base=base)
    assert check_json(mapping) == (0, [])
    code, issues = check_json(mapping, "--sample", export)
    assert code == 1
    [issue] = issues
    assert (issue["code"], issue["field"], issue["row"]) == ("lookup-incomplete", "service_area", 2)
    assert "'Oulu' is in lookup table 'units' (units.csv), but its service_area is empty" in str(
        issue["message"]
    )
    out = tmp_path / "out"
    run = invoke("run", "-m", mapping, export, "-o", out)
    assert run.exit_code == 0, run.output
    [reject] = read_jsonl(out / "rejects.jsonl")
    assert [i["code"] for i in reject["issues"]] == ["lookup-incomplete"]
    # Filled in, the unit list gives both rows their service area.
    units.write_text("code;unit_id;service_area\nOulu;;primary_care\nKemi;;oral_health\n", "utf-8")
    assert check_json(mapping, "--sample", export) == (0, [])
    invoke("run", "-m", mapping, export, "-o", out)
    assert [r["service_area"] for r in read_jsonl(out / "records.jsonl")] == [
        "primary_care",
        "oral_health",
    ]
