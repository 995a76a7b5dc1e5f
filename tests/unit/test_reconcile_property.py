"""Property: whatever the cells, every source row ends up exactly once, and records are valid."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer import harmonize, load_schema
from harmonizer.engine.validation import RecordValidator
from tests.helpers import read_jsonl, write_csv, write_mapping, write_xlsx

HEADER = ["Aika", "Yksikkö", "Suosittelu", "Helppous", "Kohtelu", "Palaute", "Syntynyt"]
MAPPING = """\
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
  ease: Helppous
  respect: {column: Kohtelu, reversed: true, missing: {"6": dont_know}}
  open_feedback: Palaute
  age_group: {column: Syntynyt, derive: birth_year}
filters:
  - {column: Yksikkö, equals: [TESTI], reason: staff test response}
"""
VALIDATOR = RecordValidator(load_schema("1.0"))

cells = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            " ",
            "\u00a0",
            "-",
            "NA",
            "TESTI",
            "En osaa sanoa",
            "Täysin samaa mieltä",
            "5 - täysin samaa mieltä",
            "10 - Erittäin todennäköisesti",
            "23.11.2026 14:05",
            "29.3.2026 3:30",
            "2026-11-23",
            "Asema",
            "=cmd()",
            "131052-308T",
            1980,
            2020,
            6,
            11,
            4.5,
        ]
    ),
    st.integers(min_value=-2, max_value=12),
    st.text(max_size=12),
)
good_row = st.tuples(
    st.sampled_from(["23.11.2026 14:05", "1.10.2026 klo 8.00", "2026-10-02T09:00:00"]),
    st.sampled_from(["Asema", "Neuvola", "TESTI"]),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=6),
    st.text(max_size=20),
    st.integers(min_value=1930, max_value=2010),
).map(list)
rows = st.lists(
    st.one_of(good_row, good_row, st.lists(cells, min_size=len(HEADER), max_size=len(HEADER))),
    max_size=25,
)


def _clean(value: object) -> object:
    # csv and xlsx cannot carry every code point (surrogates, NUL, control characters).
    if isinstance(value, str):
        return "".join(c for c in value if c.isprintable() or c in "\n\t")
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, suffix=st.sampled_from([".csv", ".xlsx"]), repeat=st.booleans())
def test_every_source_row_ends_up_exactly_once(
    data: list[list[object]], suffix: str, repeat: bool
) -> None:
    data = [[_clean(v) for v in row] for row in data]
    if repeat and data:
        data.append(data[0])  # a re-exported row
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        export = tmp / f"export{suffix}"
        if suffix == ".csv":
            write_csv(export, [HEADER, *data])
        else:
            write_xlsx(export, [HEADER, *data])
        mapping = write_mapping(tmp / "m.yaml", MAPPING)
        result = harmonize(mapping, [export], tmp / "out")
        records = read_jsonl(tmp / "out" / "records.jsonl")
        rejects = read_jsonl(tmp / "out" / "rejects.jsonl")
    counts = result.report.counts
    assert counts.reconciles
    accepted_rows = [r["source"]["row"] for r in records]
    rejected_rows = [n for r in rejects for n in r["rows"]]
    assert len(set(accepted_rows) | set(rejected_rows)) == len(accepted_rows) + len(rejected_rows)
    assert counts.read == len(accepted_rows) + len(rejected_rows) + counts.excluded
    assert counts.accepted == len(records)
    assert all(VALIDATOR.is_valid_reference(r) for r in records)
    assert all(
        r["open_feedback"] is None or "131052-308T" not in r["open_feedback"] for r in records
    )
