"""A property of drafting: whatever a wide export holds, its draft loads and runs.

Headers of any text (colons, quotes, hashes, accents, duplicates) and columns of any
kind (dates, units, 0-10, labels, codes, free text, blanks) must give a mapping that
passes `check`, runs, and accounts for every row; every column is placed somewhere.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harmonizer import check_mapping, draft_mapping, validate

KINDS = {
    "date": lambda i: f"{1 + i % 28}.10.2026 {8 + i % 10}:{i % 60:02d}",
    "unit": lambda i: ["Oulun terveysasema", "Kemin hammashoitola", "TESTI"][i % 3],
    "nps": lambda i: str(i % 11),
    "label": lambda i: ["Täysin samaa mieltä", "En osaa sanoa", "Jokseenkin eri mieltä", ""][i % 4],
    "code": lambda i: str(1 + i % 5),
    "text": lambda i: ["Hyvä palvelu, kiitos paljon teille", "", "Odotin liian kauan puhelimessa"][
        i % 3
    ],
    "blank": lambda i: "",
    "id": lambda i: f"X{i:05d}",
}
HEADERS = st.text(
    alphabet=st.sampled_from("abcåäö ABCÄÖ:#'\"-?!,/0123456789"), min_size=1, max_size=24
).filter(lambda h: h.strip() and h.strip() == h)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.lists(st.tuples(HEADERS, st.sampled_from(sorted(KINDS))), min_size=2, max_size=7),
    rows=st.integers(min_value=1, max_value=25),
)
# Two delimiters split these alike; the header's cells decide (found by hypothesis).
@example(columns=[(",", "text"), (",", "text")], rows=1)
@example(columns=[("0", "blank"), (",0", "text")], rows=1)
@example(columns=[("0,", "text"), (",0", "text")], rows=1)
@example(columns=[(",", "blank"), (',"', "blank")], rows=1)
@example(columns=[('"', "text"), (",0", "blank")], rows=1)
def test_any_wide_export_gives_a_draft_that_loads_and_runs(
    columns: list[tuple[str, str]], rows: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "export.csv"
        with export.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow([header for header, _ in columns])
            for i in range(rows):
                writer.writerow([KINDS[kind](i) for _, kind in columns])
        target = Path(scratch) / "draft.yaml"
        result = draft_mapping([export], target, provider_id="2345671-3", county="19")
        assert check_mapping(target).max_severity is None
        report = validate(target, [export])
        assert report.counts.reconciles
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        assert data == yaml.safe_load(result.mapping_text)
        # Every column with a value is referenced somewhere in the draft.
        refs = {str(r.get("column")) for r in _refs(data)}
        for header, kind in columns:
            if kind != "blank":
                assert header in refs, (header, sorted(refs))
        assert data["constants"]["provider_id"] == "2345671-3"


def _refs(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = [r for r in data.get("fields", {}).values() if isinstance(r, dict)]
    found += list(data.get("own_items", {}).values())
    found += data.get("filters", [])
    if data.get("response_id"):
        found.append(data["response_id"])
    return found
