from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonizer.identifiers import business_id_check_digit, is_business_id, is_sote_oid


@pytest.mark.parametrize("value", ["2345671-3", "0737546-2", "1112223-0"])
def test_valid_business_ids(value: str) -> None:
    assert is_business_id(value)


@pytest.mark.parametrize("value", ["2345671-4", "234567-13", "2345671 3", "", "2223334-0"])
def test_invalid_business_ids(value: str) -> None:
    assert not is_business_id(value)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_each_body_has_at_most_one_valid_check_digit(body: str) -> None:
    valid = [d for d in range(10) if is_business_id(f"{body}-{d}")]
    expected = business_id_check_digit(body)
    assert valid == ([] if expected is None else [expected])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1.2.246.10.23456713.10.1", True),
        ("1.2.246.10.1.10.99", True),
        ("1.2.246.10.23456713.11.1", False),
        ("1.2.246.537.10.1", False),
        ("1.2.246.10.x.10.1", False),
    ],
)
def test_sote_oids(value: str, ok: bool) -> None:
    assert is_sote_oid(value) is ok
