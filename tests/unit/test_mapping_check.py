"""Mapping checks: located issues, duplicate keys, scale coverage, bounded sample memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from harmonizer import check_mapping
from harmonizer.issues import IssueCode
from harmonizer.mapping.check import check_mapping_file
from harmonizer.mapping.sample import MAX_VALUES_PER_COLUMN

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = sorted((ROOT / "mappings").glob("*.yaml"))

BASE = """\
mapping: test
version: "1"
schema_version: "1.0"
provider: {name: Testi Oy}
source: {format: csv, delimiter: ";"}
constants:
  county: "19"
  provider_id: "2345671-3"
  channel: web
  language: fi
  respondent: customer
  service_area: primary_care
  unit_name: Oulun terveysasema
fields:
  responded_at: Aika
  ease: Sujuvuus
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("mapping", MAPPINGS, ids=lambda p: p.stem)
def test_demo_mappings_have_no_issue(mapping: Path) -> None:
    assert check_mapping_file(mapping).issues == []


def test_duplicate_field_is_located_at_the_second_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  ease: Helppous\n")
    (issue,) = check_mapping_file(path).issues
    assert issue.code is IssueCode.DUPLICATE_SOURCE
    assert issue.row == 17
    assert issue.field == "fields.ease"
    assert issue.export == str(path)
    assert "lines 16 and 17" in issue.message


def test_duplicate_label_in_a_value_map(tmp_path: Path) -> None:
    text = BASE.replace(
        "  ease: Sujuvuus\n",
        "  ease:\n    column: Sujuvuus\n    value_map:\n      Hyvä: 4\n      hyvä: 4\n      Hyvä: 5\n",
    )
    issues = check_mapping_file(write(tmp_path, text)).issues
    assert [(i.code, i.row, i.field) for i in issues] == [
        # Labels reach points 4 and 5 only: the scale warning comes too.
        (IssueCode.SCALE_NOT_COVERED, 18, "fields.ease.value_map"),
        (IssueCode.DUPLICATE_KEY, 21, "fields.ease.value_map.Hyvä"),
    ]


def test_every_load_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        BASE.replace('"2345671-3"', '"2345671-4"').replace('county: "19"', 'county: "91"')
        + "  record_id: Vastaus\n"
    )
    issues = check_mapping_file(write(tmp_path, text)).issues
    assert {(i.code, i.field) for i in issues} == {
        (IssueCode.BAD_CONSTANT, "constants.county"),
        (IssueCode.BAD_CONSTANT, "constants.provider_id"),
        (IssueCode.UNKNOWN_FIELD, "fields.record_id"),
    }
    assert all(i.row is not None for i in issues)


def test_respelled_national_labels_do_not_count_as_a_scale(tmp_path: Path) -> None:
    typos = BASE.replace(
        "  ease: Sujuvuus\n",
        "  ease:\n    column: Sujuvuus\n    value_map: {Täysin samaa mieltää: 5, Jokseenkin samaa mielta: 4}\n",
    )
    assert check_mapping_file(write(tmp_path, typos)).issues == []
    own = typos.replace("Täysin samaa mieltää: 5", "Erinomainen: 5, Huono: 2")
    (issue,) = check_mapping_file(write(tmp_path, own)).issues
    assert issue.code is IssueCode.SCALE_NOT_COVERED
    assert "none to 1, 3" in issue.message


def test_sample_memory_is_bounded(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    distinct = MAX_VALUES_PER_COLUMN + 50
    lines = ["Aika;Sujuvuus"] + [f"23.11.2026 14:05;label {n}" for n in range(distinct)]
    lines += ["23.11.2026 14:05;label 0"] * 3
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_mapping(write(tmp_path, BASE), sample=export)
    listed = [i for i in report.issues if i.field == "ease"]
    assert len(listed) == MAX_VALUES_PER_COLUMN + 1
    assert listed[0].value == "label 0"
    assert listed[0].message.startswith("4 rows (first on row 2):")
    assert listed[-1].message.startswith("50 more rows hold other unmapped values")
    assert report.issue_counts["unknown-label"] == MAX_VALUES_PER_COLUMN + 1
    assert report.rows_checked == distinct + 3


def test_sample_of_a_long_export_checks_answers_by_question(tmp_path: Path) -> None:
    text = (
        BASE.replace("fields:\n  responded_at: Aika\n  ease: Sujuvuus\n", "").replace(
            'source: {format: csv, delimiter: ";"}\n',
            'source: {format: csv, delimiter: ";"}\nlayout: long\n',
        )
        + "long:\n  response_id: {column: id}\n  question: {column: q}\n  answer: {column: a}\n"
        + "  ignore: [CONSENT]\n"
        + "fields:\n  responded_at: {column: aika}\n  nps: {question: NPS}\n"
    )
    export = tmp_path / "long.csv"
    export.write_text(
        "id;aika;q;a\n"
        "1;2026-11-23T14:05:00;NPS;9\n"
        "1;2026-11-23T14:05:00;CONSENT;kyllä\n"
        "2;2026-11-23T14:06:00;NPS;11\n"
        "2;2026-11-23T14:06:00;X1;4\n",
        encoding="utf-8",
    )
    report = check_mapping(write(tmp_path, text), sample=export)
    assert [(str(i.code), i.row, i.column, i.value) for i in report.issues] == [
        ("out-of-range", 4, "a", "11"),
        ("unknown-question", 5, "q", "X1"),
    ]


def test_filtered_and_skipped_rows_are_not_checked(tmp_path: Path) -> None:
    text = BASE + (
        "filters:\n  - {column: Sujuvuus, equals: [TESTI], reason: staff test}\nsource_note: x\n"
    ).replace("source_note: x\n", "")
    export = tmp_path / "export.csv"
    export.write_text("Aika;Sujuvuus\n23.11.2026 14:05;TESTI\n", encoding="utf-8")
    assert check_mapping(write(tmp_path, text), sample=export).issue_counts == {}
