"""Harmonise every bundled example export with its mapping and print a summary.

    python tools/demo.py --output out/demo

An example export ``examples/<name>.<csv|xlsx>`` is harmonised with
``mappings/<name>.yaml`` into ``<output>/<name>/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harmonizer import HarmonizerError, aggregate, combine, harmonize, report  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "out" / "demo")
    args = parser.parse_args()
    exports = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in {".csv", ".xlsx"})
    print(
        f"{'mapping':<16} {'read':>5} {'accepted':>8} {'rejected':>8} {'excluded':>8} {'dupl.':>5} {'records':>7}"
    )
    for export in exports:
        mapping = ROOT / "mappings" / f"{export.stem}.yaml"
        try:
            result = harmonize(
                mapping, [export], args.output / export.stem, formats=("csv", "xlsx")
            )
        except HarmonizerError as err:
            print(f"{export.stem}: cannot run: {err}", file=sys.stderr)
            return 2
        c = result.report.counts
        print(
            f"{export.stem:<16} {c.read:>5} {c.accepted:>8} {c.rejected:>8} {c.excluded:>8} {c.duplicates:>5} {c.records:>7}"
        )
    print(f"\nDatasets, rejects and manifests are in {args.output}/<mapping>/")
    return combine_and_report(args.output, [args.output / e.stem for e in exports])


def combine_and_report(output: Path, runs: list[Path]) -> int:
    """Combine every example run into one dataset, then write figures and both reports."""
    dataset = output / "_dataset"
    try:
        combined = combine(runs, dataset, formats=("csv", "parquet"))
        aggregate(dataset, "provider_id", output=dataset / "figures-by-provider.csv", lang="fi")
        aggregate(dataset, "county,quarter", output=dataset / "figures-by-county.xlsx", lang="fi")
        html = report(dataset, "provider_id", dataset / "report.html", lang="fi")
        xlsx = report(dataset, "provider_id", dataset / "report.xlsx", lang="fi")
    except HarmonizerError as err:
        print(f"combine: cannot run: {err}", file=sys.stderr)
        return 2
    print(
        f"\nCombined {len(runs)} runs: {combined.records} records "
        f"({combined.superseded} re-submitted copies removed) in {dataset}/"
    )
    print(f"Figures: {dataset}/figures-by-provider.csv, figures-by-county.xlsx")
    print(f"Reports: {html}, {xlsx}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
