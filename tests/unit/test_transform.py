"""Conversions of source cells onto national fields, through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FIELDS, HEADER, issue_codes, run_export


def one(
    tmp_path: Path, nps: object = 9, ease: object = 5, fields: str = FIELDS
) -> tuple[list, list]:
    records, rejects, _ = run_export(
        tmp_path, [HEADER, ["23.11.2026 14:05", "Asema", nps, ease]], fields
    )
    return records, rejects


@pytest.mark.parametrize(
    ("cell", "point"),
    [
        ("Täysin samaa mieltä", 5),
        ("täysin SAMAA mieltä ", 5),
        ("Taysin samaa mielta", 5),
        ("Jokseenkin eri mieltä", 2),
        ("Helt av samma åsikt", 5),
        ("Delvis av annan åsikt", 2),
        ("Fully agree", 5),
        ("Strongly disagree", 1),
        ("5 - täysin samaa mieltä", 5),
        ("3 - Ei samaa eikä eri mieltä", 3),
        ("4", 4),
        ("4.0", 4),
        ("4,0", 4),
    ],
)
def test_statement_labels_and_codes(tmp_path: Path, cell: str, point: int) -> None:
    records, rejects = one(tmp_path, ease=cell)
    assert rejects == []
    assert records[0]["ease"] == point


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("En osaa sanoa", "dont_know"),
        ("Kan inte säga", "dont_know"),
        ("Ei koske minua", "not_applicable"),
        ("Gäller inte mig", "not_applicable"),
        ("", "no_answer"),
        (" ", "no_answer"),
        ("\u00a0", "no_answer"),
        ("-", "no_answer"),
        ("NA", "no_answer"),
    ],
)
def test_missing_answers_carry_a_reason_never_a_scale_point(
    tmp_path: Path, cell: str, reason: str
) -> None:
    records, rejects = one(tmp_path, ease=cell)
    assert rejects == []
    assert records[0]["ease"] is None
    assert records[0]["missing"]["ease"] == reason


def test_items_not_on_the_form_are_not_asked(tmp_path: Path) -> None:
    records, _ = one(tmp_path)
    missing = records[0]["missing"]
    assert missing == dict.fromkeys(
        ("timely_help", "respect", "joint_decisions", "safety", "info_understandable", "useful"),
        "not_asked",
    )


def test_reversed_scale_and_missing_codes(tmp_path: Path) -> None:
    fields = FIELDS.replace(
        "  ease: Helppous",
        '  ease: {column: Helppous, reversed: true, missing: {"6": dont_know, "0": not_applicable}}',
    )
    assert one(tmp_path / "a", ease=1, fields=fields)[0][0]["ease"] == 5
    assert one(tmp_path / "b", ease="2", fields=fields)[0][0]["ease"] == 4
    records, _ = one(tmp_path / "c", ease=6, fields=fields)
    assert records[0]["missing"]["ease"] == "dont_know"
    records, _ = one(tmp_path / "d", ease=0, fields=fields)
    assert records[0]["missing"]["ease"] == "not_applicable"
    # A label is national meaning: reversing applies to codes only.
    assert one(tmp_path / "e", ease="Täysin samaa mieltä", fields=fields)[0][0]["ease"] == 5


def test_adapted_statement_is_recoded_and_marked(tmp_path: Path) -> None:
    fields = FIELDS.replace(
        "  ease: Helppous",
        "  ease: {column: Helppous, scale: '1-4', adapted: true, recode: {1: 1, 2: 2, 3: 4, 4: 5}}",
    )
    records, _ = one(tmp_path / "a", ease=3, fields=fields)
    assert records[0]["ease"] == 4
    assert records[0]["adapted"] == ["ease"]
    _, rejects = one(tmp_path / "b", ease=5, fields=fields)
    assert issue_codes(rejects) == ["out-of-range"]


@pytest.mark.parametrize(
    ("cell", "nps", "group"),
    [
        (10, 10, "promoter"),
        ("10 - Erittäin todennäköisesti", 10, "promoter"),
        (9, 9, "promoter"),
        ("8", 8, "passive"),
        (7, 7, "passive"),
        (6, 6, "detractor"),
        ("0 - en lainkaan", 0, "detractor"),
    ],
)
def test_nps_and_its_group(tmp_path: Path, cell: object, nps: int, group: str) -> None:
    records, _ = one(tmp_path, nps=cell)
    assert (records[0]["nps"], records[0]["nps_group"]) == (nps, group)


@pytest.mark.parametrize(
    ("nps", "ease", "code", "field", "letter"),
    [
        (11, 5, "out-of-range", "nps", "C"),
        (-1, 5, "out-of-range", "nps", "C"),
        (9, "Melko samaa mieltä", "unknown-label", "ease", "D"),
        (9, 7, "out-of-range", "ease", "D"),
        (9, 4.5, "bad-number", "ease", "D"),
        ("paljon", 5, "unknown-label", "nps", "C"),
    ],
)
def test_bad_cells_reject_the_row_with_a_located_issue(
    tmp_path: Path, nps: object, ease: object, code: str, field: str, letter: str
) -> None:
    records, rejects = one(tmp_path, nps=nps, ease=ease)
    assert records == []
    [reject] = rejects
    [issue] = reject["issues"]
    assert (issue["code"], issue["field"], issue["column_letter"], issue["row"]) == (
        code,
        field,
        letter,
        2,
    )
    assert issue["export"] == "export.csv"
    assert issue["value"] == str(nps if field == "nps" else ease)


def test_blank_required_field_is_a_located_reject(tmp_path: Path) -> None:
    _, rejects, _ = run_export(tmp_path, [HEADER, ["23.11.2026 14:05", "", 9, 5]], FIELDS)
    [issue] = rejects[0]["issues"]
    assert issue["code"] == "required-missing"
    assert issue["column"] == "Yksikkö"
    assert "unit_name is required but empty" in issue["message"]


def test_bad_date_is_a_located_reject(tmp_path: Path) -> None:
    _, rejects, _ = run_export(tmp_path, [HEADER, ["eilen", "Asema", 9, 5]], FIELDS)
    [issue] = rejects[0]["issues"]
    assert (issue["code"], issue["column_letter"]) == ("bad-date", "A")


def test_codes_value_maps_and_labels_of_enumerated_fields(tmp_path: Path) -> None:
    base_fields = (
        FIELDS
        + "  county: {column: Alue, value_map: {Soite: '18', Pirha: '08'}}\n  gender: Sukupuoli\n"
    )
    from tests.helpers import BASE_MAPPING

    base = BASE_MAPPING.replace('  county: "19"\n', "")
    rows = [
        [*HEADER, "Alue", "Sukupuoli"],
        ["23.11.2026 14:05", "Asema", 9, 5, "Soite", "Nainen"],
        ["23.11.2026 14:06", "Asema", 9, 5, "pirha", "kvinna"],
        ["23.11.2026 14:07", "Asema", 9, 5, 8, "Mies"],
        ["23.11.2026 14:08", "Asema", 9, 5, "Ahvenanmaa", "male"],
        ["23.11.2026 14:09", "Asema", 9, 5, "Essote", ""],
    ]
    records, rejects, _ = run_export(tmp_path, rows, base_fields, base=base)
    assert [(r["county"], r["gender"]) for r in records] == [
        ("18", "female"),
        ("08", "female"),
        ("08", "male"),
    ]
    assert issue_codes(rejects) == ["outside-reform", "bad-code"]


def test_age_group_from_year_of_birth_and_age_codes(tmp_path: Path) -> None:
    fields = FIELDS + "  age_group: {column: Syntynyt, derive: birth_year}\n"
    rows = [
        [*HEADER, "Syntynyt"],
        ["23.11.2026 14:05", "Asema", 9, 5, 1980],
        ["23.11.2026 14:06", "Asema", 9, 5, "1950"],
        ["23.11.2026 14:07", "Asema", 9, 5, ""],
        ["23.11.2026 14:08", "Asema", 9, 5, 2020],
        ["23.11.2026 14:09", "Asema", 9, 5, 1850],
    ]
    records, rejects, _ = run_export(tmp_path, rows, fields)
    assert [r["age_group"] for r in records] == ["30-49", "75+", None]
    assert issue_codes(rejects) == ["out-of-range", "out-of-range"]
    assert "outside the age groups" in rejects[0]["issues"][0]["message"]


@pytest.mark.parametrize(
    ("cells", "derive", "groups"),
    [([42, "67"], "age", ["30-49", "65-74"]), ([1980, "1950"], "birth_year", ["30-49", "75+"])],
)
def test_a_column_of_ages_mapped_as_codes_says_which_derive_to_write(
    tmp_path: Path, cells: list[object], derive: str, groups: list[str]
) -> None:
    rows = [[*HEADER, "Ikä"], *(["23.11.2026 14:05", "Asema", 9, 5, c] for c in cells)]
    _, rejects, _ = run_export(tmp_path / "codes", rows, FIELDS + "  age_group: Ikä\n")
    assert issue_codes(rejects) == ["bad-code", "bad-code"]
    assert f"write derive: {derive} on fields.age_group" in rejects[0]["issues"][0]["message"]
    # The fix, followed: every row is accepted with its age group.
    fields = FIELDS + f"  age_group: {{column: Ikä, derive: {derive}}}\n"
    records, rejects, _ = run_export(tmp_path / "derived", rows, fields)
    assert (rejects, [r["age_group"] for r in records]) == ([], groups)


def test_lookups_with_defaults_and_missing_values(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(
        "koodi;unit_id;service_area\nA1;1.2.246.10.1.10.1;oral_health\n", encoding="utf-8"
    )
    fields = """\
    lookups:
      units: {file: units.csv, key: koodi}
      channels:
        rows: {Tekstiviesti: {code: sms}}
    fields:
      responded_at: Aika
      unit_name: Yksikkö
      unit_id: {column: Yksikkö, lookup: units}
      channel: {column: Kanava, lookup: channels, take: code, default: other}
      nps: Suosittelu
    """
    from tests.helpers import BASE_MAPPING

    base = BASE_MAPPING.replace("  channel: web\n", "")
    rows = [
        ["Aika", "Yksikkö", "Kanava", "Suosittelu"],
        ["23.11.2026 14:05", "A1", "Tekstiviesti", 9],
        ["23.11.2026 14:06", "a1 ", "Lomake", 9],
        ["23.11.2026 14:07", "B2", "Tekstiviesti", 9],
    ]
    records, rejects, _ = run_export(tmp_path, rows, fields, base=base)
    assert [(r["unit_id"], r["channel"]) for r in records] == [
        ("1.2.246.10.1.10.1", "sms"),
        ("1.2.246.10.1.10.1", "other"),
    ]
    [issue] = rejects[0]["issues"]
    assert issue["code"] == "lookup-missing"
    assert "'B2' is not in lookup table 'units'" in issue["message"]


def test_open_text_is_redacted_in_records_and_rejects(tmp_path: Path) -> None:
    fields = FIELDS + "  open_feedback: Palaute\n"
    rows = [
        [*HEADER, "Palaute"],
        ["23.11.2026 14:05", "Asema", 9, 5, "Olen 131052-308T, soita 040 123 4567"],
        ["23.11.2026 14:05", "Asema", 99, 5, "maili: matti.m@example.fi"],
    ]
    records, rejects, report = run_export(tmp_path, rows, fields)
    assert records[0]["open_feedback"] == "Olen [HETU], soita [PUHELIN]"
    assert rejects[0]["raw"]["Palaute"] == "maili: [EMAIL]"
    assert dict(report.redactions) == {"hetu": 1, "phone": 1, "email": 1}
    text = (tmp_path / "out" / "rejects.jsonl").read_text(encoding="utf-8")
    assert "matti.m@example.fi" not in text


def test_own_items_are_carried_unharmonised(tmp_path: Path) -> None:
    fields = (
        FIELDS
        + "own_items:\n  grade: {column: Arvosana}\n  smiley: {column: Hymiö, value_map: {'1': sad, '4': happy}}\n"
    )
    rows = [[*HEADER, "Arvosana", "Hymiö"], ["23.11.2026 14:05", "Asema", 9, 5, 8, 4]]
    records, _, _ = run_export(tmp_path, rows, fields)
    assert records[0]["own_items"] == {"grade": "8", "smiley": "happy"}


def test_record_ids_are_stable_and_identity_based(tmp_path: Path) -> None:
    rows = [HEADER, ["23.11.2026 14:05", "Asema", 9, 5], ["23.11.2026 14:06", "Asema", 9, 5]]
    first, _, _ = run_export(tmp_path / "a", rows, FIELDS)
    again, _, _ = run_export(tmp_path / "b", rows[:1] + rows[:0:-1], FIELDS)
    assert {r["record_id"] for r in first} == {r["record_id"] for r in again}
    assert len({r["record_id"] for r in first}) == 2


def test_a_response_id_column_identifies_the_response(tmp_path: Path) -> None:
    fields = FIELDS + "response_id: {column: Tunniste}\n"
    rows = [
        [*HEADER, "Tunniste"],
        ["23.11.2026 14:05", "Asema", 9, 5, "R1"],
        ["23.11.2026 14:05", "Asema", 3, 1, "R1"],
    ]
    records, rejects, report = run_export(tmp_path, rows, fields)
    assert len(records) == 1
    assert records[0]["source"]["response_id"] == "R1"
    assert issue_codes(rejects) == ["duplicate-response"]
    assert report.counts.duplicates == 1


def test_one_issue_per_cell_when_several_fields_look_it_up(tmp_path: Path) -> None:
    fields = """\
    lookups:
      units:
        rows: {A1: {unit_id: "1.2.246.10.1.10.1", service_area: oral_health}}
    fields:
      responded_at: Aika
      unit_name: Yksikkö
      unit_id: {column: Yksikkö, lookup: units}
      service_area: {column: Yksikkö, lookup: units}
    """
    from tests.helpers import BASE_MAPPING

    base = BASE_MAPPING.replace("  service_area: primary_care\n", "")
    _, rejects, _ = run_export(
        tmp_path, [["Aika", "Yksikkö"], ["23.11.2026 14:05", "B2"]], fields, base=base
    )
    [issue] = rejects[0]["issues"]
    assert issue["code"] == "lookup-missing"
    assert issue["message"] == (
        "'B2' is not in lookup table 'units'; add the value to the lookup table, "
        "or give fields.unit_id a default in mapping.yaml"
    )
