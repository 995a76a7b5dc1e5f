"""How good `harmonizer draft` is: columns right with no human edit, and CHECK marks.

Two tables. The bundled examples: for each example export with a reviewed mapping
under mappings/, draft a mapping (given only the provider's business ID, where the
reviewed mapping has it as a constant the county, and the provider's question list
where examples/codebooks/ has one, as `harmonizer draft --codebook` takes it), run both
through the engine and compare them column by column; an export with a question list
is also drafted without it: a second table drafts every example without one. Exports of kinds the project has never seen
(tests/unseen_exports.py: web surveys in Finnish, Swedish and English from several
tools, SMS exports wide and long, kiosks, paper forms keyed in, a tablet survey): the
same, against the mapping a reviewer wrote for each.

    .venv/bin/python bench/draft_quality.py [-v]
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harmonizer.draft import draft_mapping  # noqa: E402
from harmonizer.draft.quality import Quality, compare_mappings  # noqa: E402
from harmonizer.mapping.load import load_mapping  # noqa: E402
from tests.unseen_exports import CASES, write_case  # noqa: E402


@dataclass
class Row:
    name: str
    layout: str
    quality: Quality
    checks: int


def examples() -> list[tuple[Path, Path]]:
    found = []
    for mapping in sorted((ROOT / "mappings").glob("*.yaml")):
        for suffix in (".csv", ".xlsx"):
            export = ROOT / "examples" / f"{mapping.stem}{suffix}"
            if export.is_file():
                found.append((mapping, export))
    return found


CODEBOOKS = ROOT / "examples" / "codebooks"


def measure_examples(scratch: Path, *, codebooks: bool = True) -> list[Row]:
    rows = []
    for mapping, export in examples():
        hand = load_mapping(mapping)
        constants = hand.model.constants
        county = constants.get("county")
        codebook = CODEBOOKS / f"{mapping.stem}.csv"
        target = scratch / f"{mapping.stem}.yaml"
        result = draft_mapping(
            [export],
            target,
            provider_id=str(constants["provider_id"]),
            county=str(county) if county is not None else None,
            codebook=codebook if codebooks and codebook.is_file() else None,
        )
        quality = compare_mappings(mapping, target, export)
        name = export.name if codebooks or not codebook.is_file() else f"{export.name}, no list"
        rows.append(Row(name, hand.model.layout, quality, len(result.checks)))
    return rows


def measure_unseen(scratch: Path) -> list[Row]:
    rows = []
    for number, case in enumerate(CASES):
        folder = scratch / f"unseen-{number}"
        export, reviewed = write_case(case, folder)
        target = folder / "draft" / f"{export.stem}.yaml"
        result = draft_mapping(
            [export],
            target,
            provider_id=case.provider_id,
            county=case.county,
            codebook=folder / case.codebook if case.codebook else None,
        )
        quality = compare_mappings(reviewed, target, export)
        layout = load_mapping(reviewed).model.layout
        rows.append(Row(case.name, layout, quality, len(result.checks)))
    return rows


def print_table(title: str, rows: list[Row], verbose: bool) -> None:
    print(title)
    print(
        f"{'export':26} {'layout':6} {'columns':>7} {'right':>5} {'share':>6} {'CHECK':>5} "
        f"{'records (draft/reviewed)':>25}"
    )
    for row in rows:
        quality = row.quality
        columns = len(quality.columns)
        records = f"{quality.accepted_draft}/{quality.accepted_hand}"
        print(
            f"{row.name:26} {row.layout:6} {columns:7} {quality.right:5} "
            f"{quality.right / columns:6.0%} {row.checks:5} {records:>25}"
        )
    wide = [r for r in rows if r.layout == "wide"]
    total = sum(len(r.quality.columns) for r in wide)
    right = sum(r.quality.right for r in wide)
    print(f"{'wide exports together':33} {total:7} {right:5} {right / total:6.0%}")
    if verbose:
        for row in rows:
            for column in row.quality.columns:
                if not column.right:
                    print(f"  {row.name}: {column.column}: {'; '.join(column.differences)}")
    print()


def main() -> int:
    verbose = "-v" in sys.argv
    with tempfile.TemporaryDirectory() as scratch:
        print_table(
            "bundled examples (with the question lists of examples/codebooks/)",
            measure_examples(Path(scratch)),
            verbose,
        )
        print_table(
            "the same, drafted without question lists",
            measure_examples(Path(scratch), codebooks=False),
            verbose,
        )
        print_table(
            "exports never seen (tests/unseen_exports.py)", measure_unseen(Path(scratch)), verbose
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
