from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from harmonizer import SchemaLoadError, load_schema
from harmonizer.schema import LANGUAGES, available_versions, schema_dir

SCHEMA = load_schema("1.0")


def test_schema_is_valid_2020_12_and_carries_its_version() -> None:
    Draft202012Validator.check_schema(dict(SCHEMA.document))
    assert SCHEMA.document["$id"].endswith(":1.0")
    assert SCHEMA.document["properties"]["schema_version"]["const"] == "1.0"
    assert "1.0" in available_versions()


def test_unknown_version_names_the_available_ones() -> None:
    with pytest.raises(SchemaLoadError, match=r"'9\.9' is not available .*1\.0"):
        load_schema("9.9")


def test_the_spec_fields_and_code_lists_are_present() -> None:
    for field in (
        "record_id", "county", "provider_id", "unit_id", "unit_name", "service_area",
        "channel", "responded_at", "period", "language", "respondent", "age_group",
        "gender", "nps", "nps_group", "missing", "open_feedback", "own_items", "source",
    ):  # fmt: skip
        assert field in SCHEMA.fields
    assert SCHEMA.statements == (
        "ease", "timely_help", "respect", "joint_decisions", "safety",
        "info_understandable", "useful",
    )  # fmt: skip
    assert SCHEMA.codes("county") == (*(f"{n:02d}" for n in range(1, 22)), "90")
    assert SCHEMA.codes("channel") == (
        "sms", "web", "qr", "kiosk", "tablet", "paper", "phone", "email", "other",
    )  # fmt: skip
    assert len(SCHEMA.codes("service_area")) == 15
    assert SCHEMA.missing_reasons == ("dont_know", "not_applicable", "no_answer", "not_asked")


def test_every_field_and_code_has_labels_in_finnish_swedish_and_english() -> None:
    for field, node in SCHEMA.properties.items():
        assert set(node["x-labels"]) == set(LANGUAGES), field
        for code, labels in node.get("x-code-labels", {}).items():
            assert set(labels) == set(LANGUAGES), (field, code)
            assert all(text.strip() for text in labels.values()), (field, code)
    for point in "12345":
        assert set(SCHEMA.scale_labels[point]) == set(LANGUAGES)


def test_aland_is_refused_with_a_reason() -> None:
    assert "91" not in SCHEMA.codes("county")
    assert "outside" in SCHEMA.properties["county"]["x-excluded-codes"]["91"]["reason"]


def test_schema_files_are_found_in_the_source_tree() -> None:
    assert (schema_dir() / "record-1.0.schema.json").is_file()
    assert json.loads((schema_dir() / "mapping.schema.json").read_text(encoding="utf-8"))
