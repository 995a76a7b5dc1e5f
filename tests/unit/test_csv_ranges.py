"""Workers reading a csv export by byte ranges write what one process writes.

The ranges are cut small here (a few rows each), so that every quirk of a csv falls on
a cut somewhere: quoted cells with line breaks, blank rows, a quote inside an unquoted
cell (which misleads the quote count: the parent must notice and read on itself),
control characters, a line longer than the reader takes, a quote never closed.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer import harmonize
from harmonizer.engine import parallel
from harmonizer.engine.coded import table_rows
from harmonizer.errors import HarmonizerError
from harmonizer.io import csv_ranges
from harmonizer.io.cells import normalise_row
from harmonizer.io.csv_ranges import Range, split_ranges
from harmonizer.io.csv_reader import RangeRows
from harmonizer.io.readers import SourceOptions, read_table

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
MAPPING = CORPUS / "corpus.yaml"
HEADER = ["id", "aika", "yksikkö", "suosittelu", "helppous", "palaute", "pysäköinti"]
OUTPUTS = ("records.jsonl", "rejects.jsonl", "records.csv", "rejects.csv")


def _row(n: int, feedback: str = "") -> list[str]:
    return [
        f"R{n}",
        "04.10.2026 14:05",
        "Turun terveysasema",
        str(n % 11),
        "Täysin samaa mieltä",
        feedback,
        "Kyllä",
    ]


def _write(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _run(export: Path, out: Path, jobs: int) -> tuple[list[bytes], dict[str, object]] | str:
    """Return the outputs and report of a run, or the message it was refused with."""
    try:
        result = harmonize(MAPPING, [export], out, formats=("jsonl", "csv"), jobs=jobs)
    except HarmonizerError as err:
        return str(err)
    return [(out / name).read_bytes() for name in OUTPUTS], result.report.to_dict()


def assert_ranges_alike(export: Path, range_bytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run with one process and with two workers reading ranges; compare everything."""
    monkeypatch.setattr(parallel, "RANGE_BYTES", range_bytes)
    with tempfile.TemporaryDirectory() as folder:
        one = _run(export, Path(folder) / "one", 1)
        two = _run(export, Path(folder) / "two", 2)
    assert one == two


def _ranges(export: Path, size: int) -> list[Range]:
    with read_table(export, SourceOptions()) as table:
        assert table.layout is not None
        return list(split_ranges(table.layout, size))


def _read(export: Path, size: int) -> list[tuple[int, tuple[object, ...]]]:
    """Read every range by itself, as the workers do, trusting the quote count."""
    rows = []
    with read_table(export, SourceOptions()) as table:
        layout = table.layout
        assert layout is not None
        for part in split_ranges(layout, size):
            reader = RangeRows(layout, table.info, part)
            rows += [(source.row, source.values) for source in reader.rows]
            reader.close()
    return rows


def _sequential(export: Path) -> list[tuple[int, tuple[object, ...]]]:
    with read_table(export, SourceOptions()) as table:
        return [(source.row, source.values) for source in table]


texts = st.one_of(
    st.sampled_from(["", "Hyvä", 'sanoi "kiitos"', "rivi\nrivi", "a;b", "x\r\ny", "loppu\r"]),
    st.text(alphabet='ab ;"\n\räö', max_size=12),
)


@settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")) * 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cells=st.lists(texts, min_size=1, max_size=40), size=st.integers(1, 200))
def test_ranges_of_a_written_csv_read_as_the_whole_file(cells: list[str], size: int) -> None:
    """A csv as writers quote it: every range starts on the record counted for it."""
    with tempfile.TemporaryDirectory() as folder:
        export = _write(Path(folder) / "e.csv", [_row(n, text) for n, text in enumerate(cells)])
        parts = _ranges(export, size)
        assert parts[-1].last
        assert not any(p.last for p in parts[:-1])
        assert all(a.end == b.start for a, b in itertools.pairwise(parts))
        assert _read(export, size) == _sequential(export)


@pytest.mark.parametrize("size", [1, 97, 400, 1 << 20])
def test_two_workers_by_ranges_write_what_one_process_writes(
    tmp_path: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        _row(n, ["", "Soita 040 123 4567", "rivi\nrivi", 'sanoi "moi"'][n % 4]) for n in range(300)
    ]
    rows[10] = [""] * len(HEADER)  # a blank row, and blank rows across a cut
    rows[50:60] = [[""] * len(HEADER)] * 10
    rows[70][0] = "R69"  # a duplicate
    rows[80][3] = "kymmenen"  # a reject
    rows[90][5] = 'näyttö 5" ja "muuta'  # quoted as writers do
    rows += [[""] * len(HEADER)] * 20  # trailing blank rows: no rows at all
    assert_ranges_alike(_write(tmp_path / "e.csv", rows), size, monkeypatch)


@pytest.mark.parametrize("size", [1, 150])
def test_a_bare_quote_leaves_the_rest_to_the_parent_with_the_same_outputs(
    tmp_path: Path, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [_row(n) for n in range(60)]
    lines = io.StringIO()
    csv.writer(lines, delimiter=";").writerows([HEADER, *rows])
    # A bare quote in an unquoted cell is a character of the cell for csv readers; two
    # of them make the rows between look like one quoted cell to a count of quotes.
    text = lines.getvalue().replace("R7;04.10.2026", 'R7";04.10.2026', 1)
    text = text.replace("R30;04.10.2026", 'R30 "x;04.10.2026', 1)
    export = tmp_path / "e.csv"
    export.write_text(text, encoding="utf-8")
    assert _read(export, size) != _sequential(export)  # trusted, the count misleads
    assert_ranges_alike(export, size, monkeypatch)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_crlf_control_characters_and_windows_1252_by_ranges(
    tmp_path: Path, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [_row(n, "Öljy\r\nä" if n % 5 == 0 else "") for n in range(120)]
    rows[33][5] = "kello\x07soi"
    export = tmp_path / "e.csv"
    with export.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    assert_ranges_alike(export, 200, monkeypatch)


@pytest.mark.parametrize(
    "tail",
    [
        '\nR9;"never closed;x\n' + "R10;a;b\n" * 50,  # the quote runs to the end of the file
        "\n" + "x" * 70_000,  # a line over the reader's limit, 60,000 here
    ],
    ids=["unclosed-quote", "long-line"],
)
def test_a_broken_file_is_refused_alike(
    tmp_path: Path, tail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harmonizer.io import csv_reader

    monkeypatch.setattr(csv_reader, "CSV_FIELD_LIMIT", 60_000)
    lines = io.StringIO()
    csv.writer(lines, delimiter=";").writerows([HEADER, *[_row(n) for n in range(40)]])
    export = tmp_path / "e.csv"
    export.write_text(lines.getvalue().rstrip("\r\n") + tail, encoding="utf-8")
    monkeypatch.setattr(parallel, "RANGE_BYTES", 300)
    one = _run(export, tmp_path / "one", 1)
    two = _run(export, tmp_path / "two", 2)
    assert isinstance(one, str)
    assert one == two


def test_line_numbers_after_multiline_cells_reach_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Line shifts noted in the workers' ranges are the export's, as one process notes them."""
    from harmonizer.api import iter_rows
    from harmonizer.mapping.load import load_mapping
    from harmonizer.run_report import Report

    rows = [_row(n, "a\nb\nc" if n % 3 == 0 else "") for n in range(200)]
    export = _write(tmp_path / "e.csv", rows)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 256)
    shifts = {}
    for jobs in (1, 2):
        loaded = load_mapping(MAPPING)
        report = Report(loaded.id, loaded.version, loaded.schema.version)
        infos = [row.export for row in iter_rows(loaded, [export], report, jobs=jobs)]
        shifts[jobs] = infos[0].line_shifts
        # Data rows 0, 3, ..., 195 come before record 200, each two lines longer.
        assert infos[0].line_of(200) == 200 + 2 * 66
    assert shifts[1] == shifts[2]


EXPORTS = [
    *((CORPUS / "corpus.yaml", p) for p in sorted(CORPUS.glob("*.csv"))),
    *((ROOT / "mappings" / f"{p.stem}.yaml", p) for p in sorted((ROOT / "examples").glob("*.csv"))),
]


@pytest.mark.parametrize(("mapping", "export"), EXPORTS, ids=lambda p: p.name)
def test_every_bundled_csv_by_ranges_as_in_one_process(
    mapping: Path, export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus's quirks and the examples, cut into ranges of a few rows each."""
    monkeypatch.setattr(parallel, "RANGE_BYTES", 150)
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / str(jobs)
        try:
            result = harmonize(mapping, [export], out, formats=("jsonl", "csv"), jobs=jobs)
        except HarmonizerError as err:
            outputs.append(str(err))
            continue
        outputs.append(([(out / n).read_bytes() for n in OUTPUTS], result.report.to_dict()))
    assert outputs[0] == outputs[1]


def test_a_record_longer_than_a_range_may_be_is_read_by_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No record boundary within MAX_RANGE_BYTES: the parent reads from there on."""
    from harmonizer.io import csv_ranges

    monkeypatch.setattr(csv_ranges, "MAX_RANGE_BYTES", 400)
    rows = [_row(n) for n in range(30)]
    rows[12][5] = "pitkä\n" * 120  # one record of about 800 bytes
    export = _write(tmp_path / "e.csv", rows)
    parts = _ranges(export, 100)
    assert parts[-1].end is None
    assert parts[-1].row <= 14  # the long record (row 14) is among the parent's
    assert_ranges_alike(export, 100, monkeypatch)


def test_a_file_that_changes_under_a_run_is_refused(tmp_path: Path) -> None:
    """The parent reads a range again for a duplicate's cells: a file changed meanwhile
    stops the run with a message, not a traceback."""
    from harmonizer.engine.parallel import _RangeRows

    export = _write(tmp_path / "e.csv", [_row(n) for n in range(10)])
    with read_table(export, SourceOptions()) as table:
        layout = table.layout
        assert layout is not None
        part = next(split_ranges(layout))
        again = _RangeRows(layout, table.info, part)
        assert again(5).values[0] == "R3"
        export.write_text(";".join(HEADER) + "\n", encoding="utf-8")
        fresh = _RangeRows(layout, table.info, part)
        with pytest.raises(HarmonizerError, match="changed while it was read"):
            fresh(5)


def test_a_range_no_longer_in_its_encoding_is_refused(tmp_path: Path) -> None:
    export = _write(tmp_path / "e.csv", [_row(n) for n in range(10)])
    with read_table(export, SourceOptions()) as table:
        layout = table.layout
        assert layout is not None
        part = next(split_ranges(layout))
        export.write_bytes(
            export.read_bytes().replace("Täysin".encode(), "Täysin".encode("cp1252"))
        )
        # The range is decoded when read: Arrow leaves bytes that are not UTF-8 to the
        # csv module, and each way of reading it refuses them.
        assert RangeRows(layout, table.info, part).plain_table(len(HEADER)) is None
        with pytest.raises(HarmonizerError, match="changed while it was read"):
            RangeRows(layout, table.info, part).plain()
        with pytest.raises(HarmonizerError, match="changed while it was read"):
            list(RangeRows(layout, table.info, part).rows)


@pytest.mark.parametrize(
    "preamble", ["sep=;\r\n", "Asiakaspalaute 2026\r\n\r\n"], ids=["sep-line", "title-rows"]
)
def test_rows_before_the_header_by_ranges(
    tmp_path: Path, preamble: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranges start on the first data row's line, whatever comes before the header."""
    lines = io.StringIO()
    rows = [_row(n, "a\r\nb" if n % 4 == 0 else "") for n in range(80)]
    csv.writer(lines, delimiter=";").writerows([HEADER, *rows])
    export = tmp_path / "e.csv"
    export.write_text(preamble + lines.getvalue(), encoding="utf-8")
    if preamble.startswith("sep="):
        assert_ranges_alike(export, 120, monkeypatch)
        return
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        MAPPING.read_text(encoding="utf-8") + 'source:\n  header_row: 3\n  delimiter: ";"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(parallel, "RANGE_BYTES", 120)
    one = harmonize(mapping, [export], tmp_path / "one", formats=("jsonl", "csv"), jobs=1)
    two = harmonize(mapping, [export], tmp_path / "two", formats=("jsonl", "csv"), jobs=2)
    assert one.report.counts.records == 80
    for name in OUTPUTS:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert one.report.to_dict() == two.report.to_dict()


cells = st.one_of(
    st.none(),
    st.sampled_from(
        ["Täysin samaa mieltä", "5", "11", "04.10.2026 14:05", "32.13.2026", "Soita 040 123 4567"]
    ),
    st.text(alphabet='ab ;"\n\r', max_size=6),
)


@settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=40),
    bare=st.booleans(),
    size=st.integers(30, 400),
)
def test_generated_exports_by_ranges_as_on_the_exact_path(
    data: list[list[str | None]], bare: bool, size: int
) -> None:
    """Two workers reading small ranges write what the exact path writes, jsonl only
    (clean batches as one) and with csv: quotes, line breaks, blank rows, duplicates."""
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "e.csv"
        rows = [["" if c is None else c for c in r] for r in data]
        lines = io.StringIO()
        csv.writer(lines, delimiter=";").writerows([HEADER, *rows, *rows[:5]])
        text = lines.getvalue()
        if bare:  # quotes inside unquoted cells mislead the count of quotes
            pieces = text.splitlines(keepends=True)
            for at in (3, 10):
                if at < len(pieces):
                    pieces[at] = 'Q"' + pieces[at]
            text = "".join(pieces)
        export.write_text(text, encoding="utf-8")
        original = parallel.RANGE_BYTES
        parallel.RANGE_BYTES = size
        try:
            for formats in (("jsonl",), ("jsonl", "csv")):
                outputs = []
                # 0: the exact path; 1: one process reading ranges itself (jsonl only).
                for jobs in (0, 1, 2):
                    out = Path(folder) / f"{jobs}-{len(formats)}"
                    try:
                        result = harmonize(
                            MAPPING, [export], out, formats=formats, jobs=jobs or 1, exact=not jobs
                        )
                    except HarmonizerError as err:
                        outputs.append(str(err))
                        continue
                    written = [n for n in OUTPUTS if n.rpartition(".")[2] in formats]
                    outputs.append(
                        ([(out / n).read_bytes() for n in written], result.report.to_dict())
                    )
                assert outputs[0] == outputs[1] == outputs[2]
        finally:
            parallel.RANGE_BYTES = original


def _by_ranges(export: Path, size: int, *, plain: bool, arrow: bool = False) -> list[object]:
    """Read every range (with ``plain``, as plain rows where it is plain; with ``arrow``,
    parsed by Arrow where it is plain) and what it noted."""
    read: list[object] = []
    with read_table(export, SourceOptions()) as table:
        layout = table.layout
        assert layout is not None
        for part in split_ranges(layout, size):
            reader = RangeRows(layout, table.info, part)
            cells: list[list[str]] | None = None
            if arrow:
                parsed = reader.plain_table(len(table.info.header))
                cells = None if parsed is None else table_rows(parsed)
            elif plain:
                cells = reader.plain()
            if cells is None:
                rows = [(s.row, s.values, s.line, s.issues) for s in reader.rows]
            else:
                rows = [
                    (n, normalise_row(row), n + part.line - part.row, ())
                    for n, row in enumerate(cells, start=part.row)
                ]
            read.append((rows, reader.records, reader.line_shifts, reader.open_end, reader.chars()))
            reader.close()
    return read


plain_texts = st.one_of(
    st.sampled_from(
        ["", " ", '""', "Hyvä", 'sanoi "kiitos"', "rivi\nrivi", "a;b", "\u00a0x\u00a0"]
    ),
    # \u2028 and \x85 break lines for str.splitlines, not for the csv reader.
    st.text(alphabet='ab ;"\t\u00a0\x01\x85\u2028\ufeffäö', max_size=8),
)


@settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")) * 4,
    deadline=None,
)
@given(
    rows=st.lists(st.lists(plain_texts, min_size=1, max_size=4), min_size=1, max_size=30),
    size=st.integers(1, 300),
    crlf=st.booleans(),
    bare=st.booleans(),
)
def test_a_plain_range_reads_as_line_by_line(
    rows: list[list[str]], size: int, crlf: bool, bare: bool
) -> None:
    """A range parsed at once gives the rows, numbers, lines and shifts of the reader."""
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "e.csv"
        lines = io.StringIO()
        csv.writer(lines, delimiter=";", lineterminator="\r\n" if crlf else "\n").writerows(
            [["a", "b", "c", "d"], *rows]
        )
        text = lines.getvalue()
        if bare:
            text = text.replace("b;", 'b";', 1)
        export.write_text(text, encoding="utf-8")
        expected: object
        try:
            expected = _by_ranges(export, size, plain=False)
        except HarmonizerError as err:
            expected = str(err)
        for arrow in (False, True):
            try:
                found: object = _by_ranges(export, size, plain=True, arrow=arrow)
            except HarmonizerError as err:
                found = str(err)
            assert found == expected


@settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")) * 4,
    deadline=None,
)
@given(
    rows=st.lists(st.lists(plain_texts, min_size=4, max_size=4), min_size=1, max_size=30),
    crlf=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]),
)
def test_arrow_parses_a_plain_range_as_the_csv_module(
    rows: list[list[str]], crlf: bool, quoting: int
) -> None:
    """On a plain range Arrow's parser gives the csv module's cells, quotes written by
    hand included (a quote inside a cell, text after a closing quote)."""
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "e.csv"
        lines = io.StringIO()
        writer = csv.writer(
            lines,
            delimiter=";",
            lineterminator="\r\n" if crlf else "\n",
            quoting=quoting,
            escapechar="\\" if quoting == csv.QUOTE_NONE else None,
        )
        writer.writerows([["a", "b", "c", "d"], *rows])
        export.write_text(lines.getvalue(), encoding="utf-8")
        with read_table(export, SourceOptions()) as table:
            layout = table.layout
            assert layout is not None
            part = next(split_ranges(layout, 1 << 20))
            by_module, by_arrow = (
                RangeRows(layout, table.info, part),
                RangeRows(layout, table.info, part),
            )
            parsed = by_arrow.plain_table(4)
            expected = by_module.plain()
            by_module.close()
            by_arrow.close()
        if parsed is None:
            # Not plain, a record of another width (an escape the module does not read),
            # or a byte order mark first (which Arrow would drop).
            assert (
                expected is None
                or any(len(row) != 4 for row in expected)
                or expected[0][0].startswith("\ufeff")
            )
        else:
            assert table_rows(parsed) == expected
            assert (by_arrow.records, by_arrow.line_shifts) == (
                by_module.records,
                by_module.line_shifts,
            )


@pytest.mark.parametrize(
    ("body", "plain"),
    [
        ("1;a\n2;b\n", True),
        ("1;a\r\n2;b\r\n", True),
        ('1;"a;b"\n2;"say ""hi"""\n', True),
        ("1;a\n2;b", True),  # no line break after the last record
        ("1;a\n;\n3;c\n", False),  # a blank row: the reader excludes it
        ('1;a\n"";""\n', False),
        ("1;a\n\n3;c\n", False),
        (";\n1;a\n2;b\n", False),  # blank first and last rows
        ("1;a\n2;b\n \r\n", False),
        ('1;"a\nb"\n', False),  # a quoted cell over two lines
        ("1;a\r2;b\r", False),  # line breaks of old Macs
        ("1;a\r\n2;b\rc\r\n", False),  # one lone CR among CR LFs
        ("1;ä\r\n2;€ö\r\n", True),  # letters of two and three bytes (counted as bytes)
        ("1;a\x01\n2;b\n", False),  # a control character
        ('1;a"b\n2;"c\n', False),  # a quote never closed (the bare one misled the cut)
    ],
)
def test_what_a_plain_range_is(tmp_path: Path, body: str, plain: bool) -> None:
    export = tmp_path / "e.csv"
    export.write_text("id;x\n" + body, encoding="utf-8")
    with read_table(export, SourceOptions()) as table:
        assert table.layout is not None
        # The last record, unended, is a range of its own.
        part = next(split_ranges(table.layout, 1 << 20))
        reader = RangeRows(table.layout, table.info, part)
        rows = reader.plain()
        reader.close()
        again = RangeRows(table.layout, table.info, part)
        parsed = again.plain_table(2)
        again.close()
    assert (rows is not None) is plain
    assert (None if parsed is None else table_rows(parsed)) == rows
    if rows is not None:
        assert reader.records == len(rows) == body.count("\n")


def test_arrow_leaves_a_range_that_starts_with_a_byte_order_mark(tmp_path: Path) -> None:
    """Arrow drops a byte order mark at the start of its input, the csv module keeps it:
    such a range is parsed by the csv module."""
    export = tmp_path / "e.csv"
    export.write_text("id;x\n\ufeffR1;a\nR2;b\n", encoding="utf-8")
    with read_table(export, SourceOptions()) as table:
        assert table.layout is not None
        part = next(split_ranges(table.layout, 1 << 20))
        reader = RangeRows(table.layout, table.info, part)
        assert reader.plain_table(2) is None
        assert reader.plain() == [["\ufeffR1", "a"], ["R2", "b"]]
        reader.close()


def test_workers_answer_through_a_spool_folder_that_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers pass their answers as files of a private temporary folder (a killed
    worker cannot leave half a message in the pipe); the folder goes with the run, and
    a temporary folder that cannot be written stops the run, saying what to do."""
    rows = [_row(n, "Soita 040 123 4567" if n % 3 == 0 else "") for n in range(400)]
    export = _write(tmp_path / "e.csv", rows)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 2000)
    spools = tmp_path / "tmp"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    one = _run(export, tmp_path / "one", 1)
    two = _run(export, tmp_path / "two", 2)
    assert one == two
    assert list(spools.iterdir()) == []
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    refused = _run(export, tmp_path / "three", 2)
    assert isinstance(refused, str)
    assert "point TMPDIR to a folder with room" in refused
    # The fix the message names works: a temporary folder that exists.
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    assert _run(export, tmp_path / "three", 2) == one


def test_one_process_reads_ranges_only_of_short_rows(tmp_path: Path) -> None:
    """Rows of kilobytes are read line by line on one core; outputs are the same."""
    short = _write(tmp_path / "short.csv", [_row(n) for n in range(50)])
    long = _write(tmp_path / "long.csv", [_row(n, "pitkä vastaus " * 200) for n in range(50)])
    for export, ranged in ((short, True), (long, False)):
        with read_table(export, SourceOptions()) as table:
            assert table.layout is not None
            assert parallel._short_rows(table.layout) is ranged
        one = harmonize(MAPPING, [export], tmp_path / f"{export.stem}-1", jobs=1)
        exact = harmonize(MAPPING, [export], tmp_path / f"{export.stem}-0", exact=True)
        assert one.report.to_dict() == exact.report.to_dict()
        for name in OUTPUTS[:2]:
            written = (tmp_path / f"{export.stem}-1" / name).read_bytes()
            assert written == (tmp_path / f"{export.stem}-0" / name).read_bytes()


def _counted_by_regex(data: bytes) -> tuple[int, int]:
    """The count of lines and records as the ranges made it with regular expressions."""

    def breaks(part: bytes) -> int:
        return part.count(b"\n") + len(re.findall(rb"\r(?!\n)", part))

    lines = breaks(data)
    return lines, lines - breaks(b"".join(re.findall(rb'"[^"]*"', data)))


@settings(max_examples=300)
@given(st.lists(st.sampled_from([b"a", b";", b'"', b"\r", b"\n", b"\r\n", b'""']), max_size=60))
def test_a_range_counts_lines_and_records_as_quoted_cells_read(pieces: list[bytes]) -> None:
    # Line breaks inside a pair of quotes are no record's end; a last quote without its
    # pair opens nothing; a "\r" is a line break of its own only when no "\n" follows.
    data = b"".join(pieces)
    assert csv_ranges._count(data) == _counted_by_regex(data)


def test_a_range_read_any_way_leaves_no_reference_cycle(tmp_path: Path) -> None:
    # A range's megabytes must go when its reader does, not when the collector next
    # runs: a run on the fast path allocates too few objects to run it often.
    export = _write(tmp_path / "e.csv", [_row(n) for n in range(50)])
    with read_table(export, SourceOptions()) as table:
        layout = table.layout
        assert layout is not None
        part = next(split_ranges(layout))
        ways: list[Callable[[RangeRows], object]] = [
            lambda reader: reader.plain_table(len(HEADER)),
            lambda reader: reader.plain(),
            lambda reader: list(reader.rows),
        ]
        gc.collect()
        gc.disable()
        try:
            for way in ways:
                reader = RangeRows(layout, table.info, part)
                assert way(reader)
                reader.close()
                del reader
            assert gc.collect() == 0
        finally:
            gc.enable()
