"""Peak memory of the duplicate index, the one structure that grows with a run.

    python bench/bench_duplicates.py [--records 10000000]

Adds ``--records`` random 16-byte digests to a :class:`DuplicateIndex` (checking a
batch now and then, as a run does) and prints the process's peak memory before and
after, and the growth per record, merges of its sorted runs included.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harmonizer.engine.duplicates import BATCH_ROWS, DuplicateIndex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    records = parser.parse_args().records
    index = DuplicateIndex()
    export = index.export_number("export.csv")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for row in range(records):
        digest = os.urandom(16)
        if row % BATCH_ROWS == 0:
            index.check([digest])
        index.add(digest, export, row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"duplicate index: {len(index):,} records, peak memory {peak / 1024:,.0f} MiB "
        f"(before: {before / 1024:,.0f} MiB), {(peak - before) * 1024 / records:.1f} bytes "
        "a record at the peak"
    )


if __name__ == "__main__":
    main()
