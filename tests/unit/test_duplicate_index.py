"""The duplicate index: compact, exact, and the first copy wins across batches and runs."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from harmonizer.engine import duplicates
from harmonizer.engine.duplicates import DuplicateIndex


def digest(n: int) -> bytes:
    return hashlib.blake2b(str(n).encode(), digest_size=16).digest()


def test_index_finds_every_earlier_digest_across_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "RECENT_LIMIT", 7)
    index = DuplicateIndex()
    export = index.export_number("a.csv")
    for n in range(200):
        assert index.check([digest(n)]) == [None]
        index.add(digest(n), export, n + 2)
    assert len(index) == 200
    # Several sorted runs and a part still in the dictionary.
    assert len(index._runs) > 1
    assert index._recent
    wanted = random.Random(1).sample(range(400), 100)
    found = index.check([digest(n) for n in wanted])
    assert found == [(export, n + 2, 0) if n < 200 else None for n in wanted]
    assert index.name(export) == "a.csv"


def test_digests_sharing_an_upper_half_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "RECENT_LIMIT", 2)
    index = DuplicateIndex()
    same_hi = [bytes(8) + bytes([i]) * 8 for i in range(1, 6)]
    for i, d in enumerate(same_hi[:4]):
        index.add(d, 0, i)
    assert index.check(same_hi) == [(0, 0, 0), (0, 1, 0), (0, 2, 0), (0, 3, 0), None]


IDS = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    # Near-UUIDs: a dash moved, a space or a non-hex letter in place of a digit.
    st.uuids().map(lambda u: str(u).replace("-", "", 1) + "-"),
    # 36 characters with five dashes, or with three: beside each other they would
    # shift every later id by a digit if the batch only counted characters.
    st.uuids().map(lambda u: str(u)[:2] + "-" + str(u)[3:]),
    st.uuids().map(lambda u: str(u).replace("-", "a", 1)),
    st.uuids().map(lambda u: str(u)[:5] + " " + str(u)[6:]),
    st.uuids().map(lambda u: "g" + str(u)[1:]),
    st.text(max_size=40),
)


@example(["01-34567-1234-1234-1234-123456789abc", "01234567a1234-1234-1234-123456789abc"])
@given(st.lists(IDS, max_size=12))
def test_a_batch_of_ids_gets_the_digests_each_id_gets(ids: list[str]) -> None:
    # The batch reads UUIDs as one hex string; any other id must still get its own digest.
    assert duplicates._digests(ids) == [duplicates._digest(i) for i in ids]


def test_owners_survive_sorted_runs_and_their_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "RECENT_LIMIT", 3)
    index = DuplicateIndex()
    for n in range(20):
        index.add(digest(n), 0, n + 2, owner=n * 7 + 1)
    assert len(index._runs) > 1
    assert index.check([digest(n) for n in range(20)]) == [(0, n + 2, n * 7 + 1) for n in range(20)]


# Digests from a few upper halves (the filter's bits and equal upper halves in a run)
# and a few lower ones, so that many share one and some repeat.
DIGESTS = st.builds(
    lambda hi, lo: hi.to_bytes(8, "big") + lo.to_bytes(8, "big"),
    st.sampled_from([0, 1, 2**38, 2**63, 2**64 - 1]) | st.integers(0, 2**64 - 1),
    st.integers(0, 3),
)


@given(
    st.lists(st.tuples(st.booleans(), st.lists(DIGESTS, max_size=9)), max_size=12),
    st.integers(1, 9),
)
def test_the_index_answers_as_a_dictionary_of_first_places(
    batches: list[tuple[bool, list[bytes]]], limit: int
) -> None:
    # Batches checked then added, as drop_duplicates does, through flushes and merges.
    # Clean batches go in whole when none of their digests was seen (nor comes twice);
    # others, and clean ones refused, are checked and added a digest at a time.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(duplicates, "RECENT_LIMIT", limit)
        index = DuplicateIndex()
        first: dict[bytes, tuple[int, int, int]] = {}
        row = 0
        for clean, batch in batches:
            rows = list(range(row + 1, row + 1 + len(batch)))
            row += len(batch)
            fresh = len(set(batch)) == len(batch) and not any(d in first for d in batch)
            if clean:
                export = np.full(len(batch), 1, dtype=np.uint16)
                taken = index.add_fresh(b"".join(batch), export, np.array(rows, dtype=np.int64))
                assert taken is fresh
                if taken:
                    first.update({d: (1, r, 0) for d, r in zip(batch, rows, strict=True)})
                    continue
            assert index.check(batch) == [first.get(d) for d in batch]
            new: dict[bytes, tuple[int, int, int]] = {}
            for d, r in zip(batch, rows, strict=True):
                if d not in first and d not in new:
                    new[d] = (0, r, r % 5)
            index.update(new)
            first.update(new)
        assert len(index) == len(first)
        assert index.check(list(first)) == list(first.values())
