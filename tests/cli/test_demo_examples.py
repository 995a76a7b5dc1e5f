"""Every bundled example export harmonises with its mapping, and the counts reconcile."""

from __future__ import annotations

from pathlib import Path

import pytest

from harmonizer import harmonize

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in {".csv", ".xlsx"})


@pytest.mark.parametrize("export", EXAMPLES, ids=lambda p: p.stem)
def test_example_harmonises(export: Path, tmp_path: Path) -> None:
    result = harmonize(ROOT / "mappings" / f"{export.stem}.yaml", [export], tmp_path)
    counts = result.report.counts
    assert counts.reconciles
    assert counts.records > 0
    assert (tmp_path / "records.jsonl").read_text(encoding="utf-8").count("\n") == counts.records
