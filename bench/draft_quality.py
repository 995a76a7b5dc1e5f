"""How good `harmonizer draft` is on the bundled examples: columns right, CHECK marks.

For each example export with a reviewed mapping under mappings/, draft a mapping (given
only the provider's business ID and, where the reviewed mapping has it as a constant,
the county), run both through the engine and compare them column by column.

    .venv/bin/python bench/draft_quality.py [-v]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from harmonizer.draft import draft_mapping
from harmonizer.draft.quality import compare_mappings
from harmonizer.mapping.load import load_mapping

ROOT = Path(__file__).resolve().parent.parent


def examples() -> list[tuple[Path, Path]]:
    found = []
    for mapping in sorted((ROOT / "mappings").glob("*.yaml")):
        for suffix in (".csv", ".xlsx"):
            export = ROOT / "examples" / f"{mapping.stem}{suffix}"
            if export.is_file():
                found.append((mapping, export))
    return found


def main() -> int:
    verbose = "-v" in sys.argv
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for mapping, export in examples():
            hand = load_mapping(mapping)
            constants = hand.model.constants
            county = constants.get("county")
            result = draft_mapping(
                [export],
                Path(scratch) / f"{mapping.stem}.yaml",
                provider_id=str(constants["provider_id"]),
                county=str(county) if county is not None else None,
            )
            quality = compare_mappings(mapping, Path(scratch) / f"{mapping.stem}.yaml", export)
            layout = hand.model.layout
            rows.append(
                (
                    export.name,
                    layout,
                    len(quality.columns),
                    quality.right,
                    len(result.checks),
                    f"{quality.accepted_draft}/{quality.accepted_hand}",
                )
            )
            if verbose:
                for column in quality.columns:
                    if not column.right:
                        print(f"  {export.name}: {column.column}: {'; '.join(column.differences)}")
    print(
        f"{'export':26} {'layout':6} {'columns':>7} {'right':>5} {'share':>6} {'CHECK':>5} "
        f"{'records (draft/reviewed)':>25}"
    )
    for name, layout, columns, right, checks, records in rows:
        print(
            f"{name:26} {layout:6} {columns:7} {right:5} {right / columns:6.0%} {checks:5} {records:>25}"
        )
    wide = [r for r in rows if r[1] == "wide"]
    total = sum(r[2] for r in wide)
    right = sum(r[3] for r in wide)
    print(f"{'wide exports together':33} {total:7} {right:5} {right / total:6.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
