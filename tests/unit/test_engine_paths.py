"""The fast path and the exact row path give byte-identical outputs and the same report.

Every bundled example, every data case of the issue catalogue, every readable file of
the corpus, and generated exports (hypothesis) are run twice: once as ``run`` does
(the columnar fast path where it applies) and once with every row on the exact path.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmonizer import harmonize
from harmonizer.api import validate
from harmonizer.engine.exact import RecordBuilder
from harmonizer.engine.plan import compile_plan
from harmonizer.errors import HarmonizerError
from harmonizer.io.readers import SourceOptions, read_table
from harmonizer.manifest import OpenText
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.redaction import Redactor
from tests.issue_cases import CASES, MAPPING_FILE, write_case

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in {".csv", ".xlsx"})
CORPUS = ROOT / "tests" / "corpus"
OUTPUTS = ("records.jsonl", "rejects.jsonl", "records.csv", "rejects.csv")


def assert_same(mapping: Path, exports: list[Path], open_text: OpenText = "redact") -> None:
    """Run both paths and compare every output byte for byte, and the reports."""
    with tempfile.TemporaryDirectory() as folder:
        fast_out, exact_out = Path(folder) / "fast", Path(folder) / "exact"
        fast = harmonize(mapping, exports, fast_out, formats=("jsonl", "csv"), open_text=open_text)
        exact = harmonize(
            mapping,
            exports,
            exact_out,
            formats=("jsonl", "csv"),
            open_text=open_text,
            exact=True,
        )
        for name in OUTPUTS:
            assert (fast_out / name).read_bytes() == (exact_out / name).read_bytes(), name
        assert fast.report.to_dict() == exact.report.to_dict()
        # Writing jsonl only, clean batches travel as one (RowBatch) through every stage.
        lines_out = Path(folder) / "lines"
        lines = harmonize(mapping, exports, lines_out, open_text=open_text, jobs=1)
        for name in OUTPUTS[:2]:
            assert (lines_out / name).read_bytes() == (exact_out / name).read_bytes(), name
        assert lines.report.to_dict() == exact.report.to_dict()
        if open_text == "redact":  # validate reads open answers as run keeps them
            # validate counts clean batches as one too, and reports what run reports.
            assert validate(mapping, exports).to_dict() == exact.report.to_dict()


def _refusal(mapping: Path, exports: list[Path], *, exact: bool) -> str | None:
    """Return why a run refuses the exports (None when it runs)."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            harmonize(mapping, exports, Path(folder), exact=exact)
        except HarmonizerError as err:
            return str(err)
    return None


def assert_same_or_refused_alike(mapping: Path, exports: list[Path]) -> None:
    """Compare both paths; a file the reader refuses must be refused alike by both."""
    refused = _refusal(mapping, exports, exact=False)
    assert refused == _refusal(mapping, exports, exact=True)
    if refused is None:
        assert_same(mapping, exports)


@pytest.mark.parametrize("export", EXAMPLES, ids=lambda p: p.stem)
def test_examples_same_on_both_paths(export: Path) -> None:
    mapping = ROOT / "mappings" / f"{export.stem}.yaml"
    loaded = load_mapping(mapping)
    with read_table(export, _options(loaded)) as table:
        builder = RecordBuilder(loaded, table.info, redactor=Redactor())
        # The differential test is only worth something where the fast path runs.
        assert (compile_plan(builder) is None) == (loaded.model.long is not None)
    assert_same(mapping, [export])
    assert_same(mapping, [export], open_text="drop")


def _options(loaded: LoadedMapping) -> SourceOptions:
    from harmonizer.api import _source_options

    return _source_options(loaded)


DATA_CASES = {code: case for code, case in CASES.items() if case.command == "validate"}


@pytest.mark.parametrize("code", sorted(DATA_CASES), ids=str)
def test_issue_cases_same_on_both_paths(code: str, tmp_path: Path) -> None:
    case = DATA_CASES[code]  # type: ignore[index]
    write_case(case, tmp_path)
    assert_same_or_refused_alike(tmp_path / MAPPING_FILE, [tmp_path / case.export])


CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in {".csv", ".xlsx"})


@pytest.mark.parametrize("export", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_same_on_both_paths(export: Path) -> None:
    assert_same_or_refused_alike(CORPUS / "corpus.yaml", [export])


HEADER = ["id", "aika", "yksikkö", "suosittelu", "helppous", "palaute", "pysäköinti"]
cells = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "Täysin samaa mieltä",
            "En osaa sanoa",
            "Erittäin hyvä",
            "10 - Erittäin todennäköisesti",
            "5",
            "9",
            "11",
            "4,5",
            "2026-10-04T12:27:00",
            "04.10.2026 14:05",
            "25.10.2026 03:30",
            "29.03.2026 03:30",
            "32.13.2026",
            "Turun terveysasema",
            "-",
            "NA",
            "Soita 040 123 4567",
            "131052-308T",
            "x" * 32_005,
        ]
    ),
    st.text(max_size=8),
)
PATHS = settings(
    max_examples=int(os.environ.get("HARMONIZER_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)


@PATHS
@given(
    data=st.lists(st.lists(cells, min_size=len(HEADER) - 1, max_size=len(HEADER) + 1), max_size=30),
    repeat=st.booleans(),
)
def test_generated_exports_same_on_both_paths(data: list[list[str | None]], repeat: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.csv"
        with export.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            rows = [["" if c is None else c for c in r] for r in data]
            writer.writerows(rows + rows if repeat else rows)
        assert_same(CORPUS / "corpus.yaml", [export])


@pytest.mark.parametrize("formats", [("jsonl",), ("jsonl", "csv")])
def test_two_workers_write_what_one_process_writes(
    tmp_path: Path, formats: tuple[str, ...]
) -> None:
    """Batches built in worker processes merge in order; duplicates span batches.

    With jsonl only, the workers send accepted records as lines; with csv, as records.
    """
    export = tmp_path / "export.csv"
    labels = ["Täysin samaa mieltä", "En osaa sanoa", "Erittäin hyvä", "", "4"]
    times = ["04.10.2026 14:05", "25.10.2026 03:30", "32.13.2026", "2026-10-04T12:27:00"]
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(5000):
            # Every 7th response is repeated 3000 rows later (another batch, another worker).
            rid = f"R{n - 3000}" if n >= 3000 and n % 7 == 0 else f"R{n}"
            writer.writerow(
                [
                    rid,
                    times[n % 4] if n % 11 else "",
                    "Turun terveysasema",
                    str(n % 12),
                    labels[n % 5],
                    "Soita 040 123 4567" if n % 13 == 0 else "",
                    "Kyllä",
                ]
            )
    outputs = {}
    written = [name for name in OUTPUTS if name.rpartition(".")[2] in formats]
    for jobs in (0, 1, 2):  # 0: every row on the exact path
        out = tmp_path / f"jobs{jobs}"
        result = harmonize(
            CORPUS / "corpus.yaml", [export], out, formats=formats, jobs=jobs or 1, exact=not jobs
        )
        outputs[jobs] = [(out / name).read_bytes() for name in written], result.report.to_dict()
    assert outputs[0] == outputs[1] == outputs[2]
    report = outputs[2][1]
    assert report["counts"]["duplicates"] > 0
    assert report["counts"]["accepted"] > 0
    assert report["counts"]["rejected"] > 0


def test_rows_shorter_than_the_header_take_the_fast_path_alike(tmp_path: Path) -> None:
    """A reader may leave out empty cells at a row's end; they are empty on both paths."""
    export = tmp_path / "export.csv"
    rows = [
        ["R1", "04.10.2026 14:05", "Turun terveysasema", "9", "5"],
        ["R2", "04.10.2026 14:06", "Turun terveysasema", "9", "5", "Kiitos", "Kyllä", "x"],
        ["R3", "04.10.2026 14:07", "Turun terveysasema"],
    ]
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    assert_same(CORPUS / "corpus.yaml", [export])


def test_workers_by_default_only_for_a_large_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harmonizer.engine import parallel

    small, large, workbook = tmp_path / "small.csv", tmp_path / "large.csv", tmp_path / "w.xlsx"
    small.write_bytes(b"a;b\n" * 1000)
    for path, size in (
        (large, parallel.CSV_PARALLEL_BYTES),
        (workbook, parallel.XLSX_PARALLEL_BYTES),
    ):
        with path.open("wb") as handle:
            handle.truncate(size)  # sparse: the size is what counts
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)), raising=False)
    assert parallel.default_jobs(small, xlsx=False) == 1
    assert parallel.default_jobs(large, xlsx=False) == parallel.MAX_DEFAULT_JOBS
    assert parallel.default_jobs(workbook, xlsx=True) == parallel.MAX_DEFAULT_JOBS
    assert parallel.default_jobs(workbook, xlsx=False) == 1  # 8 MiB of csv is small
    assert parallel.default_jobs(tmp_path / "gone.csv", xlsx=False) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert parallel.default_jobs(large, xlsx=False) == 1  # one core: no workers


def test_no_more_workers_than_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from harmonizer.engine import parallel

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert [parallel.usable_jobs(n) for n in (1, 2, 3, 1000)] == [1, 2, 2, 2]
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert parallel.usable_jobs(8) == 1


def test_clean_batches_with_duplicates_and_notices_alike_on_every_path(tmp_path: Path) -> None:
    """Batches of nothing but accepted rows travel as one; a duplicate in one, or of one,
    is found all the same, and the notices of its rows are counted as one by one."""
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(6000):
            # From row 3000 on, every 7th response repeats one 3000 rows before; row 5000
            # repeats the row just before it (a duplicate inside one batch).
            rid = f"R{n - 3000}" if n >= 3000 and n % 7 == 0 else f"R{n}"
            rid = "R4999" if n == 5000 else rid
            writer.writerow(
                [
                    rid,
                    "04.10.2026 14:05",
                    "Turun terveysasema",
                    str(n % 11),
                    "Täysin samaa mieltä",
                    "Soita 040 123 4567" if n % 13 == 0 else "",
                    "Kyllä",
                ]
            )
    outputs = []
    for jobs in (0, 1, 2):  # 0: every row on the exact path
        out = tmp_path / f"jobs{jobs}"
        result = harmonize(CORPUS / "corpus.yaml", [export], out, jobs=jobs or 1, exact=not jobs)
        outputs.append(([(out / n).read_bytes() for n in OUTPUTS[:2]], result.report.to_dict()))
    assert outputs[0] == outputs[1] == outputs[2]
    counts = outputs[0][1]["counts"]
    assert counts["duplicates"] == len(range(3003, 6000, 7)) + 1
    assert counts["accepted"] == 6000 - counts["duplicates"]
    assert outputs[0][1]["issue_counts"]["redacted"] == len(range(0, 6000, 13))


def test_notices_past_the_list_cap_are_counted_alike_on_every_path(tmp_path: Path) -> None:
    """Clean batches list their first notices at their rows and count the rest: the
    report (listed issues, counts, redactions by kind and in order) is the exact path's."""
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(6000):
            # One phone number in many rows (one notice built once), an e-mail address
            # of its own in others, and both in some.
            comment = ""
            if n % 13 == 0:
                comment = "Soita 040 123 4567"
            if n % 17 == 0:
                comment += f" tai maija.{n}@example.fi"
            writer.writerow(
                [
                    f"R{n}",
                    "04.10.2026 14:05",
                    "Turun terveysasema",
                    str(n % 11),
                    "Täysin samaa mieltä",
                    comment,
                    "Kyllä",
                ]
            )
    outputs = []
    for jobs in (0, 1, 2):  # 0: every row on the exact path
        out = tmp_path / f"jobs{jobs}"
        result = harmonize(
            CORPUS / "corpus.yaml", [export], out, jobs=jobs or 1, exact=not jobs, max_issues=40
        )
        outputs.append(([(out / n).read_bytes() for n in OUTPUTS[:2]], result.report))
    reports = [report for _, report in outputs]
    assert outputs[0][0] == outputs[1][0] == outputs[2][0]
    assert reports[0].to_dict() == reports[1].to_dict() == reports[2].to_dict()
    assert [str(i) for i in reports[0].issues] == [str(i) for i in reports[2].issues]
    assert [i.row for i in reports[2].issues] == [i.row for i in reports[0].issues]
    assert list(reports[0].redactions.items()) == list(reports[2].redactions.items())
    assert len(reports[0].issues) == 40
    noted = len([n for n in range(6000) if n % 13 == 0 or n % 17 == 0])
    assert reports[2].issue_counts["redacted"] == noted
