"""Arrow, which parses plain csv ranges and joins the fast path's lines, loaded on demand."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


@functools.cache
def memory_pool() -> pa.MemoryPool:
    """Return the memory pool for the run's Arrow buffers: the system allocator's.

    Arrow's default (mimalloc) kept freed batches: a run's peak memory was 10 MiB
    higher at 200,000 rows.
    """
    # Imported here: only a run reading ranges needs Arrow (it takes 0.1 s to load).
    import pyarrow as pa

    return pa.system_memory_pool()
