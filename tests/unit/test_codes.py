"""Dictionary codes: combinations of codes agree with combinations of the values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from harmonizer.engine import codes as codes_module
from harmonizer.engine.codes import coded, combine, spread

columns = st.integers(1, 4).flatmap(
    lambda width: st.lists(st.tuples(*[st.integers(0, 5)] * width), min_size=1, max_size=60)
)


def _check(rows: list[tuple[int, ...]]) -> None:
    width = len(rows[0])
    codes = [np.array([row[k] for row in rows], dtype=np.intp) for k in range(width)]
    combos, inverse = combine(codes, [6] * width)
    assert sorted(set(rows)) == sorted(map(tuple, combos.tolist()))
    # Each row's combination holds its own codes.
    assert [tuple(combos[i].tolist()) for i in inverse.tolist()] == rows


@given(columns)
def test_combinations_of_codes_are_the_rows_distinct_combinations(
    rows: list[tuple[int, ...]],
) -> None:
    _check(rows)


@given(columns)
def test_wide_combinations_are_told_apart_by_rows_of_codes(
    rows: list[tuple[int, ...]],
) -> None:
    """Beyond one integer's reach the combinations come from rows of codes, as exactly."""
    original = codes_module._WIDE
    codes_module._WIDE = 1
    try:
        _check(rows)
    finally:
        codes_module._WIDE = original


@given(st.lists(st.sampled_from(["a", "b", b"a", 1, None]), max_size=30))
def test_coded_entries_point_at_their_first_place(entries: list[object]) -> None:
    codes, first = coded(entries)  # type: ignore[arg-type]
    assert len(first) == len(set(map(repr, entries)))
    for place, code in enumerate(codes.tolist()):
        assert entries[first[code]] == entries[place]
        assert first[code] <= place


def test_flags_spread_to_the_rows_by_code() -> None:
    assert spread([False, True], np.array([1, 0, 1])).tolist() == [True, False, True]


@given(st.lists(st.integers(0, 70_000), max_size=80), st.integers(0, 1))
def test_distinct_keys_are_numpys_unique(keys: list[int], spare: int) -> None:
    # Both ways (a table over a small range, a sort over a wide one) give np.unique's.
    key = np.array(keys, dtype=np.int64)
    total = max(keys, default=0) + 1 + spare
    found, inverse = codes_module._distinct(key, total)
    unique, expected = np.unique(key, return_inverse=True)
    assert found.tolist() == unique.tolist()
    assert inverse.tolist() == expected.reshape(-1).tolist()
