"""Batches of rows bounded by rows and by characters, so that memory stays flat.

The engine works a batch at a time (the fast path's columns, the workers' payloads, the
duplicate check). A count of rows alone does not bound memory: a cell may hold up to
``MAX_CELL_CHARS`` characters, so 2,048 rows of long open answers held over a gigabyte.
A batch therefore also ends once its text reaches a number of characters, counted by
the csv reader as it reads lines (:func:`read_batches`), or measured row by row for
other sources (:func:`batches`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

BATCH_CHARS = 1 << 20
"""Characters of text per batch, at most (one row more): 2,048 rows of a 22-column web
survey hold about half of this, 50 rows of 20,000-character answers all of it."""


def batches(
    items: Iterable[T], size: int, measure: Callable[[T], int], chars: int = BATCH_CHARS
) -> Iterator[list[T]]:
    """Yield ``items`` in lists of at most ``size`` items and about ``chars`` characters.

    ``measure`` gives an item's characters; a list ends with the item that brings it to
    ``chars`` or more.

    >>> [len(b) for b in batches(["ab", "c", "defg", "h"], 3, len, chars=4)]
    [3, 1]
    """
    batch: list[T] = []
    held = 0
    for item in items:
        batch.append(item)
        held += measure(item)
        if len(batch) >= size or held >= chars:
            yield batch
            batch = []
            held = 0
    if batch:
        yield batch


def read_batches(
    items: Iterable[T], size: int, read: Callable[[], int], chars: int = BATCH_CHARS
) -> Iterator[list[T]]:
    """Yield ``items`` as :func:`batches` does, measured by what their reader has read.

    ``read`` gives the characters the reader has read so far (a csv export's lines):
    counting them once costs less than measuring every cell again.

    >>> read = [0]
    >>> def item(n):
    ...     read[0] += n
    ...     return n
    >>> [b for b in read_batches(map(item, [1, 2, 5, 1]), 3, lambda: read[0], chars=4)]
    [[1, 2, 5], [1]]
    """
    batch: list[T] = []
    start = read()
    for item in items:
        batch.append(item)
        if len(batch) >= size or read() - start >= chars:
            yield batch
            batch = []
            start = read()
    if batch:
        yield batch


def cell_chars(values: Sequence[Any]) -> int:
    """Return the characters of the text cells among ``values``.

    >>> cell_chars(("Hyvä", None, 5, "040"))
    7
    """
    try:
        # The common case (a csv row: text and empty cells), counted in C.
        return len("".join(filter(None, values)))
    except TypeError:
        return sum(len(value) for value in values if type(value) is str)
