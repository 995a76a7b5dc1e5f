"""National record 1.1: touchpoint, production and described own items, beside 1.0.

Through the real pipeline: mappings and exports written to ``tmp_path``, harmonised,
combined and aggregated with the library's entry points.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest

from harmonizer import aggregate, combine, harmonize
from harmonizer.errors import MappingError
from harmonizer.mapping.load import load_mapping
from harmonizer.schema import available_versions, load_schema
from tests.helpers import BASE_MAPPING, FIELDS, HEADER, ROOT, read_jsonl, run_export, write_csv

BASE_1_1 = BASE_MAPPING.replace('schema_version: "1.0"', 'schema_version: "1.1"')


def test_both_versions_are_available_and_1_1_adds_the_service_path() -> None:
    assert {"1.0", "1.1"} <= set(available_versions())
    old, new = load_schema("1.0"), load_schema("1.1")
    assert set(new.fields) - set(old.fields) == {"touchpoint", "production"}
    assert new.touchpoints == (
        "information",
        "contact",
        "arrival",
        "premises",
        "encounter",
        "follow_up",
        "whole_service",
    )
    assert new.codes("production") == ("own", "purchased", "voucher")
    for field in ("touchpoint", "production"):
        for code, labels in new.code_labels(field).items():
            assert set(labels) == {"fi", "sv", "en"}, (field, code)
            assert all(labels.values())
    assert new.code_labels("production")["voucher"]["fi"] == "Palveluseteli"
    assert old.touchpoints == ()
    assert old.item_scales == {}
    assert new.item_scales["smiley4"]["positive"] == [3, 4]
    assert new.item_scales["grade4_10"]["positive"] == [8, 9, 10]


def test_label_wordings() -> None:
    for version in ("1.0", "1.1"):
        schema = load_schema(version)
        assert schema.label("nps", "en").startswith("How likely is it that you would recommend")
        assert schema.scale_labels["1"]["en"] == "Strongly disagree"
        assert schema.scale_labels["5"]["en"] == "Strongly agree"
        respondent = schema.code_labels("respondent")
        assert respondent["close_person"]["en"] == "Family member or other close person"
        assert schema.code_labels("service_area")["disability_services"]["sv"] == (
            "Funktionshinderservice"
        )
        assert schema.code_labels("age_group")["18-29"]["sv"] == "18\u201329 år"


@pytest.mark.parametrize(
    ("field", "cell", "code"),
    [
        # Earlier wordings still read as the same codes: labels are not codes.
        ("service_area", "Handikapptjänster", "disability_services"),
        ("service_area", "Neuvola", "maternity_child_health"),
        ("respondent", "Close person", "close_person"),
        ("respondent", "Läheinen tai omainen", "close_person"),
        ("age_group", "18-29 år", "18-29"),
        ("age_group", "18\u201329 år", "18-29"),
        ("gender", "not disclosed", "not_disclosed"),
    ],
)
def test_a_1_0_mapping_reads_old_and_new_wordings_alike(
    tmp_path: Path, field: str, cell: str, code: str
) -> None:
    base = BASE_MAPPING.replace(f"  {field}: ", f"  _{field}: ")
    base = "\n".join(line for line in base.splitlines() if f"_{field}" not in line) + "\n"
    records, rejects, _ = run_export(
        tmp_path,
        [[*HEADER, "Kenttä"], ["23.11.2026 14:05", "Asema", 9, 5, cell]],
        FIELDS + f"  {field}: Kenttä\n",
        base=base,
    )
    assert rejects == []
    assert records[0][field] == code
    assert records[0]["schema_version"] == "1.0"
    assert "touchpoint" not in records[0]


def test_1_1_mapping_sets_touchpoint_and_production_like_any_field(tmp_path: Path) -> None:
    records, rejects, _ = run_export(
        tmp_path,
        [
            [*HEADER, "Vaihe", "Hymiö"],
            ["23.11.2026 14:05", "Asema", 9, 5, "Saapuminen", "4"],
            ["23.11.2026 14:06", "Asema", 7, 4, "ajanvaraus", "2"],
            ["23.11.2026 14:07", "Asema", 7, 4, "", "7"],
        ],
        FIELDS
        + """\
  touchpoint: Vaihe
own_items:
  face:
    column: Hymiö
    touchpoint: arrival
    scale: smiley4
    labels: {fi: Hymiö, sv: Smiley, en: Face}
""",
        base=BASE_1_1 + "  production: purchased\n",
    )
    assert rejects == []
    assert [r["touchpoint"] for r in records] == ["arrival", "contact", None]
    assert {r["production"] for r in records} == {"purchased"}
    # Answers on the declared scale are carried as its points; others as they came.
    assert [r["own_items"]["face"] for r in records] == [4, 2, "7"]
    validator = jsonschema.Draft202012Validator(load_schema("1.1").document)
    assert all(not list(validator.iter_errors(r)) for r in records)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["item_catalogue"] == {
        "face": {
            "touchpoint": "arrival",
            "scale": "smiley4",
            "labels": {"fi": "Hymiö", "sv": "Smiley", "en": "Face"},
        }
    }


@pytest.mark.parametrize(
    ("base", "item", "message"),
    [
        (
            BASE_MAPPING,
            "{column: Hymiö, touchpoint: arrival}",
            "national schema 1.0 has no touchpoints; set schema_version: '1.1'",
        ),
        (BASE_MAPPING, "{column: Hymiö, scale: smiley4}", "has no item scales"),
        (BASE_1_1, "{column: Hymiö, touchpoint: parking}", "'parking' is not a touchpoint"),
        (
            BASE_1_1,
            "{column: Hymiö, scale: smiley4, value_map: {Iloinen: 5}}",
            "5 is not a point of scale smiley4 (1, 2, 3, 4)",
        ),
        (BASE_1_1, "{column: Hymiö, scale: stars5}", "scale"),
    ],
)
def test_own_item_descriptions_are_checked(
    tmp_path: Path, base: str, item: str, message: str
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(base + FIELDS + f"own_items:\n  face: {item}\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping)
    assert message in str(caught.value)
    assert "own_items.face" in str(caught.value)


def test_mapping_schema_accepts_the_bundled_1_1_mappings_and_refuses_a_bad_scale() -> None:
    import yaml

    schema = json.loads((ROOT / "schemas" / "mapping.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    kiosk = yaml.safe_load((ROOT / "mappings" / "kanta-kiosk.yaml").read_text(encoding="utf-8"))
    assert kiosk["schema_version"] == "1.1"
    assert list(validator.iter_errors(kiosk)) == []
    kiosk["own_items"]["hymynaama"]["scale"] = "stars5"
    assert list(validator.iter_errors(kiosk))


def _run(tmp_path: Path, name: str) -> Path:
    export = next((ROOT / "examples").glob(f"{name}.*"))
    out = tmp_path / name
    harmonize(ROOT / "mappings" / f"{name}.yaml", [export], out, formats=("csv",))
    return out


def test_1_0_and_1_1_runs_combine_with_the_new_fields_null(tmp_path: Path) -> None:
    old = _run(tmp_path, "lappi-sms")  # a 1.0 mapping, unchanged
    new = _run(tmp_path, "kanta-kiosk")  # 1.1: touchpoint arrival, production own
    result = combine([old, new], tmp_path / "dataset", formats=("csv",))
    manifest = result.manifest
    assert manifest["schema_version"] == "1.1"
    assert [i["schema_version"] for i in manifest["inputs"]] == ["1.0", "1.1"]
    assert manifest["item_catalogue"]["hymynaama"]["scale"] == "smiley4"
    records = read_jsonl(tmp_path / "dataset" / "records.jsonl")
    versions = {r["schema_version"] for r in records}
    assert versions == {"1.0", "1.1"}
    # Each record stays valid against its own version; 1.0 records have no new fields.
    for record in records:
        validator = jsonschema.Draft202012Validator(load_schema(record["schema_version"]).document)
        assert list(validator.iter_errors(record)) == []
    with (tmp_path / "dataset" / "records.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["touchpoint"] for r in rows if r["schema_version"] == "1.0"} == {""}
    assert {r["touchpoint"] for r in rows if r["schema_version"] == "1.1"} == {"arrival"}
    figures = aggregate(tmp_path / "dataset", "touchpoint")
    counts = {g.key: g.responses for g in figures.groups}
    assert counts == {("arrival",): 60, (None,): len(records) - 60}


def test_figures_name_the_dataset_by_the_path_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _run(tmp_path, "kanta-kiosk")
    out = tmp_path / "figures.json"
    aggregate(run.resolve(), "unit_id", output=out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["source"]["dataset"] == "kanta-kiosk"  # an absolute path: its name
    monkeypatch.chdir(tmp_path)
    assert aggregate(Path("kanta-kiosk"), "unit_id").source["dataset"] == "kanta-kiosk"
    assert aggregate("./kanta-kiosk/", "unit_id").source["dataset"] == "kanta-kiosk"


def test_csv_export_of_1_1_records_keeps_every_field(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "e.csv", [[*HEADER], ["23.11.2026 14:05", "Asema", 9, 5]], delimiter=";"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        BASE_1_1 + "  touchpoint: whole_service\n  production: voucher\n" + FIELDS,
        encoding="utf-8",
    )
    harmonize(mapping, [export], tmp_path / "out", formats=("csv",))
    with (tmp_path / "out" / "records.csv").open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["touchpoint"], row["production"]) == ("whole_service", "voucher")
