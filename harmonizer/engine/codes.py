"""Dictionary codes: a column as its distinct entries and each row's index into them.

Most columns of a batch repeat a few values (codes, scale points, unit names); work done
once per distinct entry and spread to the rows by index is work not done per row.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.integer[Any]]
"""Each row's index into a column's distinct entries."""
Mask = npt.NDArray[np.bool_]
"""One flag per row."""
Combos = npt.NDArray[np.int64]
"""Combinations of codes, one per row of the array, one column per coded column."""

_WIDE = 1 << 62
"""Combinations beyond this many are told apart by rows of codes, not by one integer."""


def coded(entries: Sequence[Hashable]) -> tuple[Codes, list[int]]:
    """Return each entry's code among the distinct entries, and each code's first place.

    >>> codes, first = coded(["a", "b", "a"])
    >>> codes.tolist(), first
    ([0, 1, 0], [0, 1])
    """
    index: dict[Hashable, int] = {}
    codes = np.fromiter(
        [index.setdefault(entry, len(index)) for entry in entries],
        dtype=np.intp,
        count=len(entries),
    )
    _, first = np.unique(codes, return_index=True)
    return codes, first.tolist()


def combine(codes: Sequence[Codes], sizes: Sequence[int]) -> tuple[Combos, Codes]:
    """Return the distinct combinations of several columns' codes, and each row's combination.

    ``sizes[k]`` is how many distinct entries column ``k`` has (its codes are below it).
    Row ``i`` of the combinations holds combination ``i``'s code in each column.

    >>> combos, rows = combine([np.array([0, 1, 0]), np.array([2, 2, 2])], [2, 3])
    >>> combos.tolist(), rows.tolist()
    ([[0, 2], [1, 2]], [0, 1, 0])
    """
    if len(codes) == 1:
        unique, inverse = _distinct(codes[0].astype(np.int64, copy=False), max(sizes[0], 1))
        return unique.reshape(-1, 1), inverse
    total = 1
    for size in sizes:
        total *= max(size, 1)
    if total < _WIDE:
        key = np.zeros(len(codes[0]), dtype=np.int64)
        for column, size in zip(codes, sizes, strict=True):
            key = key * max(size, 1) + column
        unique, inverse = _distinct(key, total)
        parts = np.empty((len(unique), len(codes)), dtype=np.int64)
        for k in range(len(codes) - 1, -1, -1):
            unique, parts[:, k] = np.divmod(unique, max(sizes[k], 1))
        return parts, inverse.reshape(-1)
    rows, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
    return rows.astype(np.int64), inverse.reshape(-1)


def _distinct(key: Combos, total: int) -> tuple[Combos, Codes]:
    """Return ``np.unique(key, return_inverse=True)`` for keys below ``total``.

    When the keys' range is small beside their number (most combinations of a batch's
    codes), a table over the range finds them without sorting.
    """
    if total > max(4 * len(key), 1 << 16):
        unique, inverse = np.unique(key, return_inverse=True)
        return unique.astype(np.int64, copy=False), inverse.reshape(-1)
    present = np.zeros(total, dtype=bool)
    present[key] = True
    found = np.flatnonzero(present)
    place = np.empty(total, dtype=np.intp)
    place[found] = np.arange(len(found))
    return found.astype(np.int64), place[key]


def spread(flags: Sequence[bool], codes: Codes) -> Mask:
    """Return each row's flag, given one flag per distinct entry."""
    return np.asarray(flags, dtype=bool)[codes]
