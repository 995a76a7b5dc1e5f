"""The compiled validator decides in the hot loop; it must agree with python-jsonschema."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from harmonizer import load_schema
from harmonizer.engine.validation import RecordValidator
from harmonizer.schema_values import field_errors

SCHEMA = load_schema("1.0")
VALIDATOR = RecordValidator(SCHEMA)

VALID: dict[str, Any] = {
    "schema_version": "1.0",
    "record_id": "bc7179da-2c48-5c3d-8343-c63387913e4e",
    "county": "19",
    "provider_id": "2345671-3",
    "unit_id": "1.2.246.10.23456713.10.1",
    "unit_name": "Oulun terveysasema",
    "service_area": "primary_care",
    "channel": "web",
    "responded_at": "2026-11-23T14:05:00+02:00",
    "period": "2026-11",
    "language": "fi",
    "respondent": "customer",
    "age_group": "30-49",
    "gender": None,
    "nps": 9,
    "nps_group": "promoter",
    "ease": 5,
    "timely_help": 4,
    "respect": None,
    "joint_decisions": 3,
    "safety": 5,
    "info_understandable": 2,
    "useful": 1,
    "adapted": [],
    "missing": {"respect": "dont_know"},
    "open_feedback": "Kiitos",
    "own_items": {"parking": "Kyllä"},
    "source": {
        "system": "web survey",
        "file": "export.csv",
        "sheet": None,
        "sha256": "0" * 64,
        "row": 2,
        "response_id": None,
        "mapping_id": "fixture",
        "mapping_version": "1",
    },
}

MUTATIONS: dict[str, list[Any]] = {
    "county": ["91", "1", 19, None, "19"],
    "provider_id": ["2345671-4", "2345671-3", "", None],
    "unit_id": ["1.2.246.10.1.10.1", "1.2.3", None],
    "nps": [0, 10, 11, -1, 5.5, "9", None],
    "nps_group": ["promoter", "passive", "detractor", None, "fan"],
    "ease": [1, 5, 0, 6, None, "5"],
    "responded_at": [
        "2026-11-23T14:05:00+02:00",
        "2026-11-23",
        "2026-11-23T14:05:00",
        "23.11.2026",
        "2026-02-30",
    ],
    "period": ["2026-11", "2026-13", "2026-1"],
    "missing": [
        {},
        {"respect": "dont_know"},
        {"respect": "maybe"},
        {"ease": "no_answer", "respect": "not_asked"},
    ],
    "adapted": [[], ["ease"], ["nps"], ["ease", "ease"]],
    "record_id": ["not-a-uuid", "bc7179da-2c48-5c3d-8343-c63387913e4e"],
    "own_items": [{}, {"x": [1, 2]}, {"x": 1.5}],
}


def test_the_reference_record_is_valid() -> None:
    assert VALIDATOR.is_valid(VALID)
    assert VALIDATOR.is_valid_reference(VALID)
    assert VALIDATOR.problems(VALID) == []


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(MUTATIONS)), st.none(), min_size=1, max_size=4).flatmap(
        lambda keys: st.fixed_dictionaries({k: st.sampled_from(MUTATIONS[k]) for k in keys})
    )
)
def test_compiled_and_reference_validators_agree(changes: dict[str, Any]) -> None:
    record = copy.deepcopy(VALID)
    record.update(changes)
    fast = VALIDATOR.is_valid(record)
    assert fast == VALIDATOR.is_valid_reference(record)
    assert (VALIDATOR.problems(record) == []) == fast


def test_problems_name_the_field_and_keyword() -> None:
    record = {**VALID, "nps": 11, "county": "91"}
    problems = {p.field: p for p in VALIDATOR.problems(record)}
    assert problems["nps"].keyword == "maximum"
    assert problems["county"].keyword == "enum"
    assert "is not a code of this field" in problems["county"].message


def test_a_missing_reason_is_required_for_every_null_measure() -> None:
    record = {**VALID, "missing": {}}
    fields = {p.field for p in VALIDATOR.problems(record)}
    assert fields == {"missing.respect"}


def test_field_errors_check_one_value() -> None:
    assert field_errors(SCHEMA, "provider_id", "2345671-3") == []
    assert field_errors(SCHEMA, "provider_id", "2345671-4") == [
        "'2345671-4' is not a valid fi-business-id"
    ]
    assert "outside the wellbeing services reform" in field_errors(SCHEMA, "county", "91")[0]
    assert field_errors(SCHEMA, "channel", "pigeon")
