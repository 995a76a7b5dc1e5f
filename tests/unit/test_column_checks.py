"""The schema taken apart by record key gives the whole schema's verdict (a differential test).

ColumnChecks decides the fast path's records once per distinct value; jsonschema-rs on
the whole schema file is the authority. These properties mutate valid records (values
of every kind, keys dropped and added, at the top and inside objects) and hold the two
verdicts equal, one record at a time and a batch at a time (where memos, the array
check and the allOf probes are at work).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer.engine import column_checks
from harmonizer.engine.column_checks import CheckColumn, ColumnChecks, Columns
from harmonizer.engine.validation import RecordValidator, _rs_format
from harmonizer.schema import load_schema
from harmonizer.schema_values import CUSTOM_FORMATS

FORMATS: dict[str, Callable[[str], bool]] = {
    name: _rs_format(check) for name, check in CUSTOM_FORMATS.items()
}

BASE: dict[str, Any] = {
    "schema_version": "1.0",
    "record_id": "14b4d0a8-327e-586e-83ca-6bf1e382c9f7",
    "county": "19",
    "provider_id": "2345671-3",
    "unit_id": "1.2.246.10.23456713.10.1",
    "unit_name": "Asema 1",
    "service_area": "primary_care",
    "channel": "web",
    "responded_at": "2026-01-20T11:42:00+02:00",
    "period": "2026-01",
    "language": "fi",
    "respondent": "close_person",
    "age_group": "50-64",
    "gender": None,
    "nps": 8,
    "nps_group": "passive",
    "ease": 2,
    "timely_help": 3,
    "respect": 2,
    "joint_decisions": None,
    "safety": 2,
    "info_understandable": None,
    "useful": 5,
    "adapted": [],
    "missing": {"joint_decisions": "no_answer", "info_understandable": "dont_know"},
    "open_feedback": "Kiitos!",
    "own_items": {"parking": "Kyllä"},
    "source": {
        "system": "webropol",
        "file": "vastaukset.csv",
        "sheet": None,
        "sha256": "0" * 64,
        "row": 2,
        "response_id": "R1",
        "mapping_id": "test-web",
        "mapping_version": "1",
    },
}


def _base(version: str) -> dict[str, Any]:
    record = copy.deepcopy(BASE)
    if version != "1.0":
        record["schema_version"] = version
        record["touchpoint"] = None
        record["production"] = "own"
    return record


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 12),
    st.sampled_from([1.0, 2.5, 8.0]),
    st.sampled_from(
        [
            "",
            "x",
            "promoter",
            "passive",
            "detractor",
            "no_answer",
            "dont_know",
            "2026-01-01",
            "2026-13-01",
            "2026-01-20T11:42:00+02:00",
            "2026-01",
            "2345671-3",
            "2345671-4",
            "1.2.246.10.23456713.10.1",
            "1.2.3",
            "14b4d0a8-327e-586e-83ca-6bf1e382c9f7",
            "ease",
            "19",
            "own",
            "0" * 64,
        ]
    ),
    st.sampled_from([{}, {"nps": "no_answer"}, {"ease": "x"}, [], ["ease"], ["ease", "ease"]]),
)
KEYS = st.sampled_from([*BASE, "touchpoint", "production", "extra"])
INNER = st.sampled_from([*BASE["source"], "extra", "nps", "ease", "joint_decisions"])


@st.composite
def mutated(draw: st.DrawFn, version: str, *, keep_keys: bool = False) -> dict[str, Any]:
    """Return a valid record with up to four changes drawn."""
    record = _base(version)
    for _ in range(draw(st.integers(0, 4))):
        target, keys = record, KEYS
        if draw(st.booleans()):
            name = draw(st.sampled_from(["source", "missing", "own_items"]))
            if isinstance(record.get(name), dict):
                target, keys = record[name], INNER
        key = draw(keys)
        if keep_keys:
            if key in target:
                target[key] = copy.deepcopy(draw(VALUES))
        elif draw(st.integers(0, 4)) == 0:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(draw(VALUES))
    return record


@pytest.fixture(scope="module", params=["1.0", "1.1"])
def schema(request: pytest.FixtureRequest) -> tuple[str, ColumnChecks, Any]:
    document = load_schema(request.param).document
    checks = ColumnChecks.derive(document, FORMATS)
    assert checks is not None
    whole = jsonschema_rs.validator_for(dict(document), formats=FORMATS, validate_formats=True)
    return request.param, checks, whole


def test_the_national_schemas_split() -> None:
    for version in ("1.0", "1.1"):
        validator = RecordValidator(load_schema(version))
        assert validator.columns is not None
        assert validator.columns.nested("source") is not None
        # The allOf elements look at the missing reasons: that object is checked whole.
        assert validator.columns.nested("missing") is None


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_record_same_verdict(
    schema: tuple[str, ColumnChecks, Any], data: st.DataObject
) -> None:
    version, checks, whole = schema
    record = data.draw(mutated(version))
    assert checks.is_valid(record, orjson.dumps) == whole.is_valid(record), record


def _batch_columns(
    records: list[dict[str, Any]], checks: ColumnChecks, *, how: str = "rows"
) -> Columns:
    """Return records as columns: an entry per record (``rows``), a column of one value
    as one entry (``once``), or each column's distinct values and the records' codes
    (``coded``, with every distinct value listed twice, as a coded batch may list two
    raw texts that clean to one value)."""
    keys = list(records[0])
    nested: dict[str, Columns] = {}
    for key in keys:
        inner = checks.nested(key)
        objects = [record[key] for record in records]
        dicts = all(isinstance(o, dict) for o in objects)
        if inner is not None and dicts and len({tuple(o) for o in objects}) == 1:
            nested[key] = _batch_columns(objects, inner, how=how)
    columns: list[CheckColumn] = []
    for key in keys:
        texts = [orjson.dumps(record[key]) for record in records]
        values = [record[key] for record in records]
        if how == "once" and len(set(texts)) == 1:
            columns.append((texts[:1], values[:1], None))
        elif how == "coded":
            first: dict[bytes, int] = {}
            for i, text in enumerate(texts):
                first.setdefault(text, i)
            places = list(first.values())
            # Distinct values twice over; records take the second listing.
            entries = places + places
            code = {text: len(places) + k for k, text in enumerate(first)}
            columns.append(
                (
                    [texts[i] for i in entries],
                    [values[i] for i in entries],
                    np.array([code[text] for text in texts], dtype=np.intp),
                )
            )
        else:
            columns.append((texts, values, None))
    return len(records), keys, columns, nested


def _failing(checks: ColumnChecks, columns: Columns) -> set[int]:
    return set(np.flatnonzero(checks.failing(*columns)).tolist())


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_batch_same_verdicts(schema: tuple[str, ColumnChecks, Any], data: st.DataObject) -> None:
    version, checks, whole = schema
    records = data.draw(st.lists(mutated(version, keep_keys=True), min_size=1, max_size=12))
    expected = {i for i, record in enumerate(records) if not whole.is_valid(record)}
    assert _failing(checks, _batch_columns(records, checks)) == expected
    # A column of one value given once, as the line encoder gives constants.
    assert _failing(checks, _batch_columns(records, checks, how="once")) == expected
    # Columns of distinct values and codes, as a coded batch gives them.
    assert _failing(checks, _batch_columns(records, checks, how="coded")) == expected


def test_a_batch_with_other_keys_fails_whole(schema: tuple[str, ColumnChecks, Any]) -> None:
    version, checks, _ = schema
    record = _base(version)
    del record["period"]
    assert _failing(checks, _batch_columns([record, record], checks)) == {0, 1}


SYNTHETIC: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["a", "b", "inner"],
    "properties": {
        "a": {"$ref": "#/$defs/small"},
        "b": {"type": ["string", "null"], "maxLength": 3},
        "c": {"enum": [1, 2, "x"]},
        "inner": {
            "type": "object",
            "required": ["p"],
            "additionalProperties": False,
            "properties": {"p": {"type": "integer"}, "q": {"$ref": "#/$defs/small"}},
            "allOf": [{"if": {"properties": {"p": {"const": 1}}}, "then": {"required": ["q"]}}],
        },
    },
    "allOf": [
        {"anyOf": [{"properties": {"a": {"type": "null"}}}, {"required": ["c"]}]},
        {"not": {"properties": {"b": {"const": "no"}, "a": {"const": 2}}, "required": ["b"]}},
        {"oneOf": [{"properties": {"c": {"const": 1}}}, {"properties": {"c": {"const": 2}}}]},
    ],
    "$defs": {"small": {"type": ["integer", "null"], "maximum": 3}},
}
SMALL = st.one_of(st.none(), st.integers(-1, 4), st.sampled_from(["", "x", "no", "long", 1.0]))


@st.composite
def synthetic(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(["a", "b", "c", "d", "inner"]), unique=True)):
        record[key] = draw(SMALL)
    if "inner" in record and draw(st.booleans()):
        record["inner"] = {
            key: draw(SMALL)
            for key in draw(st.lists(st.sampled_from(["p", "q", "r"]), unique=True))
        }
    return record


def test_a_synthetic_schema_splits_with_a_nested_object() -> None:
    checks = ColumnChecks.derive(SYNTHETIC, FORMATS)
    assert checks is not None
    assert checks.nested("inner") is not None


@settings(max_examples=400)
@given(record=synthetic())
def test_a_synthetic_schema_same_verdict(record: dict[str, Any]) -> None:
    checks = ColumnChecks.derive(SYNTHETIC, FORMATS)
    whole = jsonschema_rs.validator_for(SYNTHETIC, formats=FORMATS, validate_formats=True)
    assert checks is not None
    assert checks.is_valid(record, orjson.dumps) == whole.is_valid(record), record


def _with(change: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(SYNTHETIC)
    document.update(change)
    return document


@pytest.mark.parametrize(
    "document",
    [
        _with({"patternProperties": {"^x": {"type": "string"}}}),
        _with({"unevaluatedProperties": False}),
        _with({"additionalProperties": {"type": "string"}}),
        _with({"minProperties": 2}),
        _with({"dependentSchemas": {"a": {"required": ["c"]}}}),
        _with({"type": ["object", "null"]}),
        _with({"properties": {"a": {"$ref": "#/properties/b"}}}),
        _with({"properties": {"a": {"$id": "urn:x", "type": "integer"}}}),
        _with({"allOf": [{"minProperties": 2}]}),
        _with({"allOf": [{"const": {"a": 1}}]}),
        _with({"allOf": [{"$ref": "#/$defs/small"}]}),
        _with({"allOf": [{"if": {"propertyNames": {"maxLength": 1}}, "then": True}]}),
    ],
    ids=lambda d: next(iter(set(d) ^ set(SYNTHETIC)), None) or "changed",
)
def test_a_schema_that_does_not_split_exactly_is_refused(document: dict[str, Any]) -> None:
    assert ColumnChecks.derive(document, FORMATS) is None


def test_a_nested_object_that_does_not_split_is_checked_whole() -> None:
    document = copy.deepcopy(SYNTHETIC)
    document["properties"]["inner"]["patternProperties"] = {"^z": {"type": "string"}}
    checks = ColumnChecks.derive(document, FORMATS)
    assert checks is not None
    assert checks.nested("inner") is None
    whole = jsonschema_rs.validator_for(document, formats=FORMATS, validate_formats=True)
    record = {"a": None, "b": "x", "c": 1, "inner": {"p": 2, "z": 5}}
    assert checks.is_valid(record, orjson.dumps) is whole.is_valid(record) is False


def test_verdicts_stay_right_when_the_memo_starts_afresh(
    schema: tuple[str, ColumnChecks, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    version, checks, whole = schema
    monkeypatch.setattr(column_checks, "CHECK_MEMO_BYTES", 300)
    # The ids of the allOf elements' texts start afresh too.
    monkeypatch.setattr(column_checks, "INTERNED_TEXTS", 3)
    records = [_base(version) for _ in range(6)]
    for i, record in enumerate(records):
        record["open_feedback"] = "x" * (100 * i)
        record["source"]["row"] = i + 2 if i != 3 else 0  # row 0 is no source row
        record["unit_name"] = "" if i == 4 else f"Asema {i}"
    expected = {i for i, record in enumerate(records) if not whole.is_valid(record)}
    assert expected == {3, 4}
    for _ in range(3):  # again and again, from memos cleared on the way
        assert _failing(checks, _batch_columns(records, checks)) == expected
        assert _failing(checks, _batch_columns(records, checks, how="coded")) == expected
