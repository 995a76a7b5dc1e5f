"""Record ids are UUIDv5 of the response's identity, however they are computed."""

from __future__ import annotations

import uuid

from hypothesis import example, given, settings
from hypothesis import strategies as st

from harmonizer.engine.exact import RECORD_NAMESPACE, record_uuid, record_uuids


@given(name=st.text())
def test_a_record_id_is_the_uuid5_of_its_name(name: str) -> None:
    assert record_uuid(name) == str(uuid.uuid5(RECORD_NAMESPACE, name))


@given(prefix=st.text(max_size=20), names=st.lists(st.text(max_size=30), max_size=20))
def test_record_ids_of_one_prefix_hash_it_once_with_the_same_result(
    prefix: str, names: list[str]
) -> None:
    assert record_uuids(prefix, names) == [record_uuid(prefix + name) for name in names]


@settings(max_examples=60)
@example("p/", [f"R-{n}" for n in range(100)])
@given(st.text(max_size=20), st.lists(st.text(max_size=30), max_size=150))
def test_a_batch_of_record_ids_is_uuid5_of_each(prefix: str, names: list[str]) -> None:
    # Batches of 64 ids and more are made in numpy; fewer one by one: both are uuid5's.
    expected = [str(uuid.uuid5(RECORD_NAMESPACE, prefix + name)) for name in names]
    assert record_uuids(prefix, names) == expected
