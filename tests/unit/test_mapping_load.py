"""A broken mapping stops the run before any row is read, naming file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harmonizer import MappingError, load_mapping
from harmonizer.mapping.problems import MappingProblems
from tests.helpers import BASE_MAPPING, ROOT, write_mapping


def problems_of(tmp_path: Path, body: str, base: str = BASE_MAPPING) -> list[str]:
    path = write_mapping(tmp_path / "m.yaml", body, base=base)
    with pytest.raises(MappingProblems) as caught:
        load_mapping(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("path", sorted((ROOT / "mappings").glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_mappings_load(path: Path) -> None:
    loaded = load_mapping(path)
    assert loaded.id == path.stem
    # Mappings name the version they target: 1.0 ones still run unchanged beside 1.1.
    assert loaded.schema.version == loaded.model.schema_version
    assert loaded.schema.version in {"1.0", "1.1"}


def test_a_valid_minimal_mapping_loads(tmp_path: Path) -> None:
    loaded = load_mapping(
        write_mapping(tmp_path / "m.yaml", "fields:\n  responded_at: Aika\n  unit_name: Yksikkö\n")
    )
    assert loaded.id == "fixture"
    assert loaded.line_of("fields", "unit_name") == 14


def test_unknown_key_points_at_its_line(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "fields:\n  responded_at: Aika\n  unit_name: {colum: Yksikkö}\n")
    assert any(
        ":14: fields.unit_name.colum: unknown key; check its spelling" in p for p in found
    ), found


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("mapping: x\nfields:\n  a: [1, 2\n  b: 3\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"m\.yaml:\d+: not valid YAML"):
        load_mapping(path)


def test_missing_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read the mapping file"):
        load_mapping(tmp_path / "nope.yaml")


def test_nps_from_a_five_point_scale_is_refused(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "fields:\n  responded_at: A\n  unit_name: B\n  nps: {column: Suosittelu 1-5, scale: '1-5'}\n",
    )
    assert any(
        "fields.nps.scale: NPS comes only from a 0-10 recommendation question" in p
        and "own_items" in p
        for p in found
    ), found


def test_non_five_point_statement_needs_an_explicit_adapted_rule(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "fields:\n  responded_at: A\n  unit_name: B\n  ease: {column: Helppous, scale: '1-4'}\n",
    )
    joined = "\n".join(found)
    assert (
        "a 4-point source can feed a national statement only through an explicit rule: add adapted: true"
        in joined
    )
    assert "give a recode from each point 1-4" in joined


def test_recode_must_cover_every_source_point(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "fields:\n  responded_at: A\n  unit_name: B\n  ease: {column: H, scale: '1-4', adapted: true, recode: {1: 1, 2: 2, 4: 5}}\n",
    )
    assert any("recode must cover exactly the points 1-4" in p for p in found), found


def test_unknown_national_field_lists_the_fields(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "fields:\n  responded_at: A\n  unit_name: B\n  satisfaction: C\n")
    assert any(
        "'satisfaction' is not a field of national schema 1.0; fields are: county" in p
        for p in found
    ), found


def test_derived_fields_cannot_be_mapped(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "fields:\n  responded_at: A\n  unit_name: B\n  nps_group: C\n")
    assert any("nps_group is derived by harmonizer; remove it" in p for p in found), found


def test_a_required_field_without_source(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "fields:\n  responded_at: A\n")
    assert any(
        "national field unit_name has no source; add it under constants" in p for p in found
    ), found


@pytest.mark.parametrize(
    ("constant", "message"),
    [
        ('county: "91"', "Åland (91) is outside the wellbeing services reform"),
        ('provider_id: "2345671-4"', "'2345671-4' is not a valid fi-business-id"),
        ("channel: pigeon", "'pigeon' is not a code of this field"),
    ],
)
def test_constants_are_checked_against_the_schema(
    tmp_path: Path, constant: str, message: str
) -> None:
    key = constant.split(":", maxsplit=1)[0]
    base = (
        "\n".join(
            line for line in BASE_MAPPING.splitlines() if not line.strip().startswith(f"{key}:")
        )
        + "\n"
    )
    base = base.replace("constants:\n", f"constants:\n  {constant}\n")
    found = problems_of(tmp_path, "fields:\n  responded_at: A\n  unit_name: B\n", base=base)
    assert any(f"constants.{key}: {message}" in p for p in found), found


def test_lookup_problems(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text("code,unit_id\nA,1.2.246.10.1.10.1\n", encoding="utf-8")
    found = problems_of(
        tmp_path,
        """\
        lookups:
          units: {file: units.csv, key: code}
          gone: {file: missing.csv}
        fields:
          responded_at: A
          unit_name: B
          unit_id: {column: B, lookup: units, take: oid}
          service_area: {column: B, lookup: nowhere}
        """,
    )
    joined = "\n".join(found)
    assert "lookup file missing.csv not found beside the mapping" in joined
    assert "lookup 'units' has no column 'oid'; its columns are: unit_id" in joined
    assert "no lookup named 'nowhere'" in joined


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "fields:\n  responded_at: {column: A, formats: [nonsense]}\n  nps: {column: N, reversed: true}\n",
    )
    assert len(found) >= 3
    assert all(p.startswith(str(tmp_path / "m.yaml")) for p in found)


def test_schema_version_that_does_not_exist(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        "fields:\n  responded_at: A\n  unit_name: B\n",
        base=BASE_MAPPING.replace('"1.0"', '"2.0"'),
    )
    assert any(
        ":3: schema_version: national schema version '2.0' is not available" in p for p in found
    ), found


def test_a_refused_value_inside_a_rule_hides_nothing(tmp_path: Path) -> None:
    """Refused list items are set aside; the field keeps its rule and the rest is checked."""
    found = problems_of(
        tmp_path,
        "fields:\n  responded_at: {column: Aika, formats: [iso, 5, fi_date, [x]]}\n"
        "  unit_name: B\n  nps: {column: S, scale: '1-5'}\n"
        "filters:\n  - {column: A, equals: [x], reasn: r}\n  - {column: B, matches: '(', reason: r}\n",
    )
    text = "\n".join(found)
    assert "fields.responded_at.formats.1: Input should be a valid string" in text
    assert "fields.responded_at.formats.3: Input should be a valid string" in text
    assert "fields.nps.scale: NPS comes only from a 0-10" in text
    assert "filters.0.reasn: unknown key" in text
    assert "filters.1.matches: not a valid regular expression" in text
    assert "has no source" not in text
