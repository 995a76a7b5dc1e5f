"""Property: through the whole run, every date cell is a plausible record or a located reject."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer import harmonize
from tests.helpers import read_jsonl, write_csv, write_mapping

HEADER = ["Tunniste", "Aika", "Yksikkö", "Suosittelu"]
FIELDS = """\
response_id: {column: Tunniste}
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
"""
DATE_ISSUES = {"bad-date", "impossible-date", "implausible-date", "required-missing"}

CELLS = st.one_of(
    st.text(alphabet="0123456789.:-+TZ klo/", min_size=1, max_size=26),
    st.builds(
        "{}.{}.{:04d} {}:{:02d}".format,
        st.integers(0, 33),
        st.integers(0, 13),
        st.integers(0, 9999),
        st.integers(0, 25),
        st.integers(0, 61),
    ),
    st.builds(
        "{}{}".format,
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
            dt.datetime.isoformat
        ),
        st.sampled_from(["", "Z", "+05:00", "-12:00"]),
    ),
    st.integers(-100, 3_000_000).map(str),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CELLS, min_size=1, max_size=12))
def test_every_date_cell_is_a_plausible_record_or_a_located_reject(cells: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        rows = [HEADER, *([f"r{n}", cell, "Asema", 9] for n, cell in enumerate(cells))]
        export = write_csv(tmp / "export.csv", rows)
        mapping = write_mapping(tmp / "mapping.yaml", FIELDS)
        result = harmonize(mapping, [export], tmp / "out")
        assert result.report.counts.reconciles
        records = read_jsonl(tmp / "out" / "records.jsonl")
        rejects = read_jsonl(tmp / "out" / "rejects.jsonl")
        assert len(records) + len(rejects) == len(cells)
        for record in records:
            day = dt.date.fromisoformat(record["responded_at"][:10])
            assert dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31)
        for reject in rejects:
            # Every row has its own response id, so a reject is never a duplicate.
            codes = {i["code"] for i in reject["issues"]}
            assert codes & DATE_ISSUES, reject
            issue = next(i for i in reject["issues"] if i["code"] in DATE_ISSUES)
            assert (issue["column_letter"], issue["field"]) == ("B", "responded_at")
            assert issue["row"] == reject["row"]
