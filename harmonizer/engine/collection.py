"""The garbage collector's pace while records stream through a run."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

STREAMING_THRESHOLD = 50_000
"""Allocations between young-generation collections while a run streams (Python: 700).

A run allocates a handful of dicts and tuples per source row that all die young and
hold no cycles; at Python's default pace the collector scans them every 700
allocations, a fifth of a run's time (measured with bench/bench.py). Cycles are still
collected, 70 times less often; the young generation stays a few megabytes.
"""


@contextmanager
def streaming_pace() -> Iterator[None]:
    """Collect the young generation less often inside the block; restore the pace after."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], STREAMING_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
