from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from harmonizer import SchemaLoadError, load_schema
from harmonizer import schema as schema_module
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


def test_every_bundled_schema_is_valid_to_both_validators() -> None:
    # jsonschema-rs checks the schema files at load; python-jsonschema must agree.
    for path in sorted(schema_dir().glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(document)
        jsonschema_rs.validator_for(document)


BROKEN = [
    {"type": 5},
    {"required": "nps"},
    {"properties": {"nps": {"minimum": "0"}}},
    {"properties": {"unit_id": {"pattern": "(("}}},  # not a regular expression
    {"patternProperties": {"[a-": {}}},
    {"$defs": {"code": {"enum": 3}}},
    {"additionalProperties": 5},
]


@pytest.mark.parametrize("broken", BROKEN)
@pytest.mark.parametrize("draft", ["https://json-schema.org/draft/2020-12/schema", None])
def test_a_broken_schema_file_is_refused_with_python_jsonschema_s_words(
    broken: dict[str, object],
    draft: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = {**({"$schema": draft} if draft else {}), "x-version": "7.7", **broken}
    with pytest.raises(SchemaError) as python:
        Draft202012Validator.check_schema(document)
    monkeypatch.setattr(schema_module, "schema_dir", lambda: tmp_path)
    (tmp_path / "record-7.7.schema.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SchemaLoadError) as refused:
        schema_module.load_schema.__wrapped__("7.7")
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'record-7.7.schema.json'}: not a valid JSON Schema: ")
    assert python.value.message in message
