"""Measure aggregate: records/s and peak memory at 100,000 and 1,000,000 records.

    python bench/bench_aggregate.py [--records 1000000]

Writes synthetic national records (fixed seed) to a temporary folder under bench/data/,
then runs `aggregate` in a fresh child process per size, grouped by county and quarter,
and prints records/s (by the clock, and per CPU-second, which a busy machine disturbs
less) and the child's peak RSS. The records are valid national records and the manifest
lists their sha256, since aggregate verifies both. Streaming shows as a flat peak RSS: the
1,000,000-record run should need about the memory of the 100,000-record run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harmonizer.schema import load_schema  # noqa: E402

MEASURES = load_schema().statements
COUNTIES = list(load_schema().codes("county"))
REASONS = load_schema().missing_reasons

CHILD = """
import resource, sys, time
from harmonizer import aggregate
start = time.perf_counter()
cpu = time.process_time()
figures = aggregate(sys.argv[1], "county,quarter", output=sys.argv[2])
seconds = time.perf_counter() - start
cpu = time.process_time() - cpu
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(figures.total.responses, len(figures.groups), seconds, cpu, peak_mib)
"""


def nps_group(nps: object) -> str | None:
    if not isinstance(nps, int):
        return None
    return "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"


def record(rng: random.Random, number: int) -> dict[str, object]:
    """Return a valid national record (the national schema is checked as it is read)."""
    missing: dict[str, str] = {}
    values: dict[str, object] = {}
    for measure in ("nps", *MEASURES):
        if rng.random() < 0.15:
            values[measure] = None
            missing[measure] = rng.choice(REASONS)
        else:
            values[measure] = rng.randint(0, 10) if measure == "nps" else rng.randint(1, 5)
    month = rng.randint(1, 12)
    return {
        "schema_version": "1.0",
        "record_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "county": rng.choice(COUNTIES),
        "provider_id": "2345671-3",
        "unit_id": None,
        "unit_name": f"Yksikkö {number % 50}",
        "service_area": "primary_care",
        "channel": rng.choice(("sms", "web", "kiosk")),
        "responded_at": f"2026-{month:02d}-15",
        "period": f"2026-{month:02d}",
        "language": "fi",
        "respondent": "customer",
        "age_group": None,
        "gender": None,
        **values,
        "nps_group": nps_group(values["nps"]),
        "adapted": ["useful"] if number % 17 == 0 else [],
        "missing": missing,
        "open_feedback": None,
        "own_items": {},
        "source": {
            "system": "bench",
            "file": "bench.csv",
            "sheet": None,
            "sha256": "0" * 64,
            "row": number + 2,
            "response_id": None,
            "mapping_id": "bench",
            "mapping_version": "1",
        },
    }


def write_dataset(folder: Path, count: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    digest = hashlib.sha256()
    with (folder / "records.jsonl").open("wb") as handle:
        for number in range(count):
            line = (json.dumps(record(rng, number), ensure_ascii=False) + "\n").encode()
            digest.update(line)
            handle.write(line)
    manifest = {
        "kind": "dataset",
        "run_at": "2026-12-31T00:00:00+00:00",
        "schema_version": "1.0",
        "counts": {"records": count},
        "output_sha256": {"records.jsonl": digest.hexdigest()},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def measure(folder: Path) -> tuple[int, int, float, float, float]:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(folder / "figures.json")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    records, groups, seconds, cpu, peak = completed.stdout.split()
    return int(records), int(groups), float(seconds), float(cpu), float(peak)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="aggregate-", dir=data))
    try:
        sizes = [args.records // 10, args.records]
        print(
            f"{'records':>10} {'groups':>7} {'seconds':>8} {'records/s':>10} "
            f"{'CPU s':>7} {'records/CPU-s':>14} {'peak RSS MiB':>13}"
        )
        for size in sizes:
            folder = work / f"n{size}"
            write_dataset(folder, size, random.Random(2026))
            records, groups, seconds, cpu, peak = measure(folder)
            print(
                f"{records:>10} {groups:>7} {seconds:>8.1f} {records / seconds:>10,.0f} "
                f"{cpu:>7.1f} {records / cpu:>14,.0f} {peak:>13.1f}"
            )
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
