"""The fast path on dictionary-coded columns writes what the exact path writes.

A run that writes jsonl only reads a plain csv range with Arrow and recodes each
column once per distinct cell (harmonizer/engine/coded.py). These exports are plain
(so that the coded path runs, which each test checks), and their mapping uses what a
record can derive: lookups, value maps, missing reasons, not-asked and adapted
measures, own items, a filter, redacted open answers, skipped rows and a provider read
from a column.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harmonizer import harmonize
from harmonizer.engine import coded, parallel
from tests.unit.test_readers import SHEET_NS, sheet_of, workbook_with

HEADER = ["id", "aika", "yksikkö", "y", "suosittelu", "helppous", "turva", "palaute", "p", "ikä"]

MAPPING = """\
mapping: coded-test
version: "1"
schema_version: "1.1"
provider: {{name: Testi Oy, system: test}}
source: {{{source}{skip}}}
response_id: {{column: id}}
constants: {{county: "19", channel: web, language: fi, respondent: customer{provider_constant}}}
missing_values: ["-"]
lookups:
  units:
    rows:
      Asema 1: {{unit_id: "1.2.246.10.23456713.10.1", service_area: primary_care}}
      Asema 2: {{unit_id: "1.2.246.10.23456713.10.2", service_area: oral_health}}
fields:
  responded_at: aika
  unit_name: yksikkö
  unit_id: {{column: yksikkö, lookup: units}}
  service_area: {{column: yksikkö, lookup: units}}
{provider_field}  nps: suosittelu
  ease: {{column: helppous, missing: {{"6": dont_know}}}}
  safety: {{column: turva, scale: "1-4", adapted: true, recode: {{1: 1, 2: 2, 3: 4, 4: 5}}}}
  timely_help: not_asked
  open_feedback: palaute
  age_group: {age}
own_items:
  parking: {{column: p, scale: yes_no, value_map: {{Kyllä: "yes", Ei: "no"}}}}
filters:
  - column: yksikkö
    equals: [TESTI]
    reason: staff test response
"""

cells = {
    "id": st.sampled_from(["R1", "R2", "R3", "R4", "", "-", "131052-308T", "R 5"]),
    "aika": st.sampled_from(
        ["4.10.2026 14:05", "25.10.2026 03:30", "29.3.2026 03:30", "32.13.2026", "", "-"]
    ),
    "yksikkö": st.sampled_from(["Asema 1", "Asema 2", " Asema 1 ", "Asema 9", "TESTI", ""]),
    "y": st.sampled_from(["2345671-3", "3456782-2", "2345671-4", ""]),
    "suosittelu": st.sampled_from(["0", "9", "10", "11", "", "-", "x"]),
    "helppous": st.sampled_from(["1", "5", "6", "", "-", "Täysin samaa mieltä"]),
    "turva": st.sampled_from(["1", "3", "4", "", "7"]),
    "palaute": st.sampled_from(["", "Kiitos", "Soita 040 123 4567", "a@b.fi kiitos", "\u00a0Hyvä"]),
    "p": st.sampled_from(["Kyllä", "Ei", "", "Ehkä", "-"]),
    "ikä": st.sampled_from(["30-49", "75+", "1950", "2020", "", "-", "x"]),
}
rows = st.lists(st.fixed_dictionaries(cells), min_size=1, max_size=40)
PROPERTY = settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _mapping(
    folder: Path, *, by_year: bool, provider_column: bool, skip: bool, xlsx: bool = False
) -> Path:
    path = folder / "m.yaml"
    path.write_text(
        MAPPING.format(
            source="format: xlsx" if xlsx else 'format: csv, delimiter: ";"',
            skip=", skip_rows: [3]" if skip else "",
            provider_constant="" if provider_column else ', provider_id: "2345671-3"',
            provider_field="  provider_id: y\n" if provider_column else "",
            age="{column: ikä, derive: birth_year}" if by_year else "ikä",
        ),
        encoding="utf-8",
    )
    return path


def _count_coded(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Count the batches built on coded columns in this process (True) or left (False)."""
    built: list[bool] = []
    original = coded.coded_fast

    def counted(*args: object, **kwargs: object) -> coded.CodedBatch | None:
        made = original(*args, **kwargs)  # type: ignore[arg-type]
        built.append(made is not None)
        return made

    monkeypatch.setattr(coded, "coded_fast", counted)
    return built


def _outputs(mapping: Path, export: Path, out: Path, **options: object) -> object:
    result = harmonize(mapping, [export], out, **options)  # type: ignore[arg-type]
    return [(out / name).read_bytes() for name in ("records.jsonl", "rejects.jsonl")], (
        result.report.to_dict()
    )


@PROPERTY
@given(
    data=rows,
    repeat=st.booleans(),
    by_year=st.booleans(),
    provider_column=st.booleans(),
    skip=st.booleans(),
)
def test_coded_batches_write_what_the_exact_path_writes(
    data: list[dict[str, str]],
    repeat: bool,
    by_year: bool,
    provider_column: bool,
    skip: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = _count_coded(monkeypatch)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 400)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        mapping = _mapping(folder, by_year=by_year, provider_column=provider_column, skip=skip)
        export = folder / "e.csv"
        with export.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            table = [[row[column] for column in HEADER] for row in data]
            # No row may be blank: a range with a blank row is read line by line.
            table = [row if any(row) else ["R0", *row[1:]] for row in table]
            writer.writerows(table + table if repeat else table)
        exact = _outputs(mapping, export, folder / "exact", formats=("jsonl",), exact=True)
        built.clear()
        one = _outputs(mapping, export, folder / "one", formats=("jsonl",), jobs=1)
        assert one == exact
        # The coded path ran (an age derived from a year of birth takes the list path).
        assert built
        assert all(built) is not by_year
        two = _outputs(mapping, export, folder / "two", formats=("jsonl",), jobs=2)
        assert two == exact


def _coded_alike(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: Iterable[list[str]],
    *,
    skip: bool,
    two: bool,
) -> tuple[Any, list[bool]]:
    """Write ``rows`` under the header and run them on the exact path and by plain ranges
    (one process, and two with ``two``): the outputs must be alike. Return the exact
    run's outputs and, per batch of the one-process run, whether it was coded."""
    mapping = _mapping(tmp_path, by_year=False, provider_column=False, skip=skip)
    export = tmp_path / "e.csv"
    monkeypatch.setattr(parallel, "RANGE_BYTES", 64 << 10)
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    exact = _outputs(mapping, export, tmp_path / "exact", formats=("jsonl",), exact=True)
    built = _count_coded(monkeypatch)
    assert _outputs(mapping, export, tmp_path / "one", formats=("jsonl",), jobs=1) == exact
    assert built
    assert all(built)
    if two:
        assert _outputs(mapping, export, tmp_path / "two", formats=("jsonl",), jobs=2) == exact
    return exact, built


def test_a_run_of_plain_ranges_takes_the_coded_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of thousands of rows, with rejects, duplicates, redactions and filtered rows
    among them, come out as on the exact path with one process and two."""

    def rows() -> Iterator[list[str]]:
        for n in range(6000):
            rid = f"R{n - 2500}" if n >= 2500 and n % 9 == 0 else f"R{n}"
            yield [
                rid,
                f"{1 + n % 28}.{1 + n % 12}.2026 {n % 24}:{n % 60:02}",
                ["Asema 1", "Asema 2", "TESTI", "Asema 9"][n % 4 if n % 5 == 0 else n % 2],
                "2345671-3",
                str(n % 12),
                str(1 + n % 6),
                str(1 + n % 5),
                "Soita 040 123 4567" if n % 17 == 0 else "Kiitos" if n % 3 else "",
                ["Kyllä", "Ei", "", "Ehkä"][n % 4 if n % 7 == 0 else n % 3],
                ["30-49", "75+", "-", "x"][n % 4 if n % 11 == 0 else n % 3],
            ]

    exact, built = _coded_alike(tmp_path, monkeypatch, rows(), skip=True, two=True)
    assert len(built) > 3
    counts = exact[1]["counts"]
    assert counts["duplicates"] > 0
    assert counts["accepted"] > 3000
    assert counts["rejected"] > 0
    assert counts["excluded"] > 0


def _id_cell(n: int) -> str:
    return "" if n % 3 else "-" if n % 2 else f"R{n}"


def test_rows_without_a_response_id_are_known_by_their_cells_on_the_coded_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blank or missing response id: the record id comes from the mapped cells (looked
    up for those rows alone), and a repeated row is a duplicate, as on the exact path."""

    def rows() -> Iterator[list[str]]:
        for n in range(3000):
            m = n - 1000 if n >= 2000 else n  # the last 1,000 rows repeat rows 1000-1999
            yield [
                _id_cell(n),
                f"{1 + m % 28}.{1 + m % 12}.2026 {m % 24}:{m % 60:02}",
                ["Asema 1", "Asema 2"][m % 2],
                "2345671-3",
                str(m % 11),
                str(1 + m % 5),
                str(1 + m % 4),
                "",
                "Kyllä",
                "30-49",
            ]

    exact, _ = _coded_alike(tmp_path, monkeypatch, rows(), skip=False, two=False)
    # A repeat is a duplicate when it and its first have the same cells and no id.
    repeats = sum(1 for n in range(2000, 3000) if _id_cell(n) == _id_cell(n - 1000) == "")
    assert exact[1]["counts"]["duplicates"] == repeats


def test_lines_leave_arrow_as_one_bytes_object_and_lengths() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pa.array([b"ab\n", b"c\n", b"def\n"], pa.binary())
    assert parallel._binary_parts(lines) == (b"ab\nc\ndef\n", [3, 2, 4])
    # A slice starts inside the buffers; every row filtered out leaves nothing.
    assert parallel._binary_parts(lines.slice(1)) == (b"c\ndef\n", [2, 4])
    assert parallel._binary_parts(pc.filter(lines, [False, False, False])) == (b"", [])


def test_orjson_escapes_only_quotes_backslashes_and_control_characters() -> None:
    # lines._arrow_texts writes a text in quotes as it stands unless it holds one of these.
    import orjson

    from harmonizer.engine.lines import _ESCAPED

    escaped = re.compile(_ESCAPED)
    for point in range(0x110000):
        if 0xD800 <= point < 0xE000:
            continue  # lone surrogates are no UTF-8 (Arrow refuses them; orjson too)
        char = chr(point)
        plain = orjson.dumps(char) == b'"' + char.encode() + b'"'
        assert plain is (escaped.search(char) is None), hex(point)


PLAIN_VALUES = st.one_of(
    st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=30),
    st.lists(st.one_of(st.none(), st.integers(-(2**70), 2**70)), min_size=1, max_size=30),
    st.lists(st.one_of(st.text(), st.integers(), st.booleans()), min_size=1, max_size=30),
)


@example(["a", "\udc80"], b"", b"")  # an undecodable byte, escaped as a lone surrogate
@given(PLAIN_VALUES, st.binary(max_size=5), st.binary(max_size=5))
def test_texts_made_in_arrow_are_orjsons(values: list[object], before: bytes, after: bytes) -> None:
    import orjson

    from harmonizer.engine.lines import _ESCAPED, _arrow_texts

    made = _arrow_texts(values, set(map(type, values)), before, after)
    try:
        expected = [before + orjson.dumps(v) + after for v in values]
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate
        assert made is None
        return
    kinds = set(map(type, values)) - {type(None)}
    texts = [v for v in values if isinstance(v, str)]
    numbers = [v for v in values if type(v) is int]
    # Texts that need no escape and 64-bit integers are made in Arrow; the rest not.
    in_arrow = (kinds == {str} and not any(re.search(_ESCAPED, t) for t in texts)) or (
        kinds == {int} and all(-(2**63) <= n < 2**63 for n in numbers)
    )
    assert made is None if not in_arrow else made.to_pylist() == expected


def _xlsx(path: Path, table: list[list[str]], quirks: dict[int, str]) -> None:
    """Write rows as Excel writes them: shared texts, numbers as numbers, no empty cell;
    every third row's texts inline, as export libraries write them. ``quirks`` spoil
    rows (by place): a gap in the numbers before one, one blank, one with a cell right
    of the header."""
    texts: dict[str, int] = {}
    rows = []
    number = 0
    for place, row in enumerate([HEADER, *table], start=-1):
        quirk = quirks.get(place, "")
        number += 2 if quirk == "gap" else 1
        if quirk == "blank":
            rows.append(f'<row r="{number}"/>')
            continue
        values = [*row, "", "ylimääräinen"] if quirk == "wide" else row
        cells = []
        for index, value in enumerate(values):
            ref = f"{'ABCDEFGHIJKL'[index]}{number}"
            if value == "":
                continue
            if value.isdigit() and number > 1:
                cells.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
            elif number % 3 == 0:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                code = texts.setdefault(value, len(texts))
                cells.append(f'<c r="{ref}" t="s"><v>{code}</v></c>')
        rows.append(f'<row r="{number}" spans="1:10">{"".join(cells)}</row>')
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in texts)
    strings = f'<sst xmlns="{SHEET_NS}">{items}</sst>'
    path.write_bytes(workbook_with(sheet_of("".join(rows)), strings=strings))


EXAMPLE = [
    {
        "id": f"R{n}",
        "aika": "4.10.2026 14:05",
        "yksikkö": "Asema 1",
        "y": "2345671-3",
        "suosittelu": str(n),
        "helppous": "1",
        "turva": "3",
        "palaute": "Kiitos",
        "p": "Kyllä",
        "ikä": "30-49",
    }
    for n in range(6)
]


@PROPERTY
@given(
    data=rows,
    repeat=st.booleans(),
    by_year=st.booleans(),
    skip=st.booleans(),
    spoilt=st.lists(
        st.tuples(st.integers(0, 79), st.sampled_from(["gap", "blank", "wide"])), max_size=3
    ),
)
@example(data=EXAMPLE, repeat=False, by_year=False, skip=False, spoilt=[(2, "gap")])
@example(data=EXAMPLE, repeat=False, by_year=False, skip=False, spoilt=[(2, "blank")])
@example(data=EXAMPLE, repeat=False, by_year=False, skip=False, spoilt=[(2, "wide")])
def test_coded_sheet_ranges_write_what_the_exact_path_writes(
    data: list[dict[str, str]],
    repeat: bool,
    by_year: bool,
    skip: bool,
    spoilt: list[tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sheet of plain rows read by ranges takes the coded path (numbers and inline texts
    among its shared texts) and writes what the exact path writes from the streaming
    reader; a range with a gap in its row numbers, a blank row or a cell right of the
    header takes the list path, and writes the same."""
    built = _count_coded(monkeypatch)
    monkeypatch.setattr(parallel, "SHEET_RANGE_BYTES", 1500)
    monkeypatch.setattr(parallel, "LOCAL_SHEET_BYTES", 0)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        mapping = _mapping(folder, by_year=by_year, provider_column=True, skip=skip, xlsx=True)
        table = [[row[column] for column in HEADER] for row in data]
        # No row may be blank: a range with a blank row takes the list path.
        table = [row if any(row) else ["R0", *row[1:]] for row in table]
        export = folder / "e.xlsx"
        table = table + table if repeat else table
        quirks = {place % len(table): quirk for place, quirk in spoilt}
        _xlsx(export, table, quirks)
        exact = _outputs(mapping, export, folder / "exact", formats=("jsonl",), exact=True)
        built.clear()
        one = _outputs(mapping, export, folder / "one", formats=("jsonl",), jobs=1)
        assert one == exact
        if not quirks:
            assert built
            assert all(built) is not by_year
        two = _outputs(mapping, export, folder / "two", formats=("jsonl",), jobs=2)
        assert two == exact
