"""Fuzz target for the readers: a damaged file gives a ReadError or rows, never a crash.

Seeds are real files (the bundled examples and the corpus); hypothesis mutates their
bytes (flips, cuts, inserts, repeats) and, for workbooks, also the XML inside a
well-formed zip, so that the parsers behind the zip layer are reached too. In the
normal test run each target tries a few dozen files; ``make fuzz`` runs thousands
(``HARMONIZER_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer.errors import ReadError
from harmonizer.io.readers import SourceOptions, read_table

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("HARMONIZER_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 100,  # the short run in the suite is repeatable
)


def _seeds(suffix: str) -> list[bytes]:
    paths = sorted((ROOT / "examples").glob(f"*{suffix}")) + sorted(
        (ROOT / "tests" / "corpus").glob(f"*{suffix}")
    )
    return [p.read_bytes() for p in paths if 0 < p.stat().st_size < 100_000]


CSV_SEEDS = _seeds(".csv")
XLSX_SEEDS = _seeds(".xlsx")


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "delete"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "repeat":
            end = min(len(data), at + draw(st.integers(1, 64)))
            data[at:at] = data[at:end] * draw(st.integers(1, 4))
        else:
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


@st.composite
def xml_mutated(draw: st.DrawFn) -> bytes:
    """A well-formed zip whose members' bytes are mutated: reaches the XML parsers."""
    seed = draw(st.sampled_from([s for s in XLSX_SEEDS if s.startswith(b"PK")]))
    try:
        source = zipfile.ZipFile(io.BytesIO(seed))
        members = {i.filename: source.read(i.filename) for i in source.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return seed
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(mutated([members[name] or b"<x/>"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member, content in members.items():
            target.writestr(member, content)
    return out.getvalue()


def read_all(data: bytes, suffix: str) -> None:
    """Read every row; only a ReadError may come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{suffix}"
        path.write_bytes(data)
        try:
            with read_table(path, SourceOptions()) as table:
                for row in table:
                    assert row.row >= 1
        except ReadError as err:
            message = str(err)
            assert message.startswith(path.name)
            assert "\n" not in message.strip() or "Traceback" not in message


@FUZZ
@given(data=mutated(CSV_SEEDS))
def test_fuzz_csv(data: bytes) -> None:
    read_all(data, ".csv")


@FUZZ
@given(data=mutated(XLSX_SEEDS))
def test_fuzz_xlsx_bytes(data: bytes) -> None:
    read_all(data, ".xlsx")


@FUZZ
@given(data=xml_mutated())
def test_fuzz_xlsx_parts(data: bytes) -> None:
    read_all(data, ".xlsx")
