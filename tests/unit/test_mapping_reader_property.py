"""Whatever a mapping file holds, the reader reports problems; it never crashes.

Documents are generated from the mapping's own keys (so they reach deep into the
model and the rule checks) with arbitrary values in arbitrary places, and from
the bundled mappings with one value replaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer.mapping.load import read_mapping
from harmonizer.mapping.model import (
    ColumnRef,
    FieldRule,
    Filter,
    LongLayout,
    Lookup,
    Mapping,
    Source,
)
from tests.helpers import ROOT

KEYS = sorted(
    {
        *Mapping.model_fields,
        *FieldRule.model_fields,
        *Source.model_fields,
        *Lookup.model_fields,
        *LongLayout.model_fields,
        *Filter.model_fields,
        *ColumnRef.model_fields,
        "nps",
        "ease",
        "county",
        "unit_name",
        "responded_at",
        "age_group",
    }
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100),
    st.sampled_from(["1-5", "0-10", "91", "19", "wide", "long", "x.csv", "../x.csv", "not_asked"]),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=4),
    ),
    max_leaves=25,
)
BUNDLED = [
    yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "mappings").glob("*.yaml"))
]


def _paths(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*at, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*at, index))
    return found


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(data, dict):
        return {**data, head: _replaced(data[head], tuple(rest), value)}
    copy = list(data)
    copy[head] = _replaced(copy[head], tuple(rest), value)
    return copy


def _read(tmp_path: Path, document: Any) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    reading = read_mapping(mapping)
    if reading.loaded is None:
        assert reading.errors, "a mapping that does not load has an error to show"
    for problem in reading.problems:
        assert problem.message
        assert str(problem)


@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_generated_documents_never_crash_the_reader(tmp_path: Path, document: Any) -> None:
    _read(tmp_path, document)


@given(st.data())
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_bundled_mapping_with_one_value_replaced_never_crashes_the_reader(
    tmp_path: Path, data: st.DataObject
) -> None:
    for csv_file in (ROOT / "mappings").glob("*.csv"):
        target = tmp_path / csv_file.name
        if not target.exists():
            target.write_bytes(csv_file.read_bytes())
    original = data.draw(st.sampled_from(BUNDLED))
    path = data.draw(st.sampled_from(_paths(original)[1:]))
    _read(tmp_path, _replaced(original, path, data.draw(values)))
