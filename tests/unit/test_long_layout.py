"""Long exports (one row per answer) pivot to one record per response, streaming."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harmonizer.engine import first_copies
from tests.helpers import (
    issue_codes,
    read_jsonl,
    run_export,
    write_csv,
    write_mapping,
    write_xlsx,
)

HEADER = ["response_id", "answered_at", "unit", "question_id", "answer"]
LONG = """\
layout: long
long:
  response_id: {column: response_id}
  question: {column: question_id}
  answer: {column: answer}
  ignore: [CONSENT]
  pivot_window: 4
fields:
  responded_at: answered_at
  unit_name: unit
  nps: {question: NPS}
  ease: {question: S1}
  respect: {question: S2, missing: {EOS: dont_know}}
  open_feedback: {question: OPEN}
"""


@pytest.fixture(autouse=True, params=["in memory", "on disk"])
def first_copies_kept(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test twice: first copies held as read, and each moved to disk at once."""
    if request.param == "on disk":
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(first_copies, "HELD", 1)
            yield
    else:
        yield


def answers(rid: str, *pairs: tuple[str, object], unit: str = "Asema") -> list[list[object]]:
    return [[rid, "2026-11-23T10:00:00", unit, q, a] for q, a in pairs]


def test_interleaved_answers_pivot_to_one_record_per_response(tmp_path: Path) -> None:
    a = answers("R1", ("CONSENT", "K"), ("NPS", 10), ("S1", 5), ("S2", "EOS"))
    b = answers("R2", ("NPS", 3), ("S1", 2), ("OPEN", "Soita 040 123 4567"))
    rows = [HEADER, a[0], b[0], a[1], b[1], a[2], b[2], a[3]]
    records, rejects, report = run_export(tmp_path, rows, LONG)
    assert rejects == []
    by_id = {r["source"]["response_id"]: r for r in records}
    assert (by_id["R1"]["nps"], by_id["R1"]["ease"], by_id["R1"]["missing"]["respect"]) == (
        10,
        5,
        "dont_know",
    )
    assert (by_id["R2"]["nps"], by_id["R2"]["missing"]["respect"]) == (3, "no_answer")
    assert by_id["R2"]["open_feedback"] == "Soita [PUHELIN]"
    assert by_id["R1"]["source"]["row"] == 2
    counts = report.counts
    assert (counts.read, counts.accepted, counts.records) == (7, 7, 2)


def test_a_response_reappearing_after_the_window_is_rejected_not_merged(tmp_path: Path) -> None:
    rows = [HEADER, *answers("R1", ("NPS", 9))]
    for n in range(2, 8):
        rows += answers(f"R{n}", ("NPS", 8))
    rows += answers("R1", ("S1", 5))
    records, rejects, report = run_export(tmp_path, rows, LONG)
    assert len(records) == 7
    assert issue_codes(rejects) == ["response-not-contiguous"]
    assert rejects[0]["row"] == 9
    assert "raise long.pivot_window" in rejects[0]["issues"][0]["message"]
    assert report.counts.reconciles


def test_conflicting_answers_unknown_questions_and_missing_ids(tmp_path: Path) -> None:
    rows = [
        HEADER,
        *answers("R1", ("NPS", 9), ("NPS", 4), ("S9", 1)),
        *answers("R2", ("NPS", 9), ("NPS", 9)),
        ["", "2026-11-23T10:00:00", "Asema", "NPS", 7],
    ]
    records, rejects, report = run_export(tmp_path, rows, LONG)
    # A question answered again starts a repeat of the response: the first copy is kept.
    assert [(r["source"]["response_id"], r["nps"]) for r in records] == [("R1", 9), ("R2", 9)]
    codes = issue_codes(rejects)
    assert sorted(codes) == [
        "conflicting-answer",
        "duplicate-response",
        "required-missing",
        "unknown-question",
    ]
    conflict = next(i for r in rejects for i in r["issues"] if i["code"] == "conflicting-answer")
    assert "answered '4' here and '9' on row 2" in conflict["message"]
    assert conflict["row"] == 3
    assert conflict["column_letter"] == "E"
    counts = report.counts
    assert (counts.read, counts.accepted, counts.rejected, counts.duplicates) == (6, 2, 3, 1)
    assert counts.responses == 5


def test_a_reexported_response_is_one_duplicate_of_its_first_copy(tmp_path: Path) -> None:
    """Two overlapping exports concatenated: the repeat is one reject, not merged, not lost."""
    first = answers("R1", ("NPS", 10), ("S1", 5), ("S2", "EOS"))
    other = [row for n in range(2, 5) for row in answers(f"R{n}", ("NPS", 8), ("S1", 4))]
    for window in (4, 100):
        mapping = LONG.replace("pivot_window: 4", f"pivot_window: {window}")
        rows = [HEADER, *first, *other, *first]
        records, rejects, report = run_export(tmp_path / str(window), rows, mapping)
        assert [r["source"]["response_id"] for r in records] == ["R1", "R2", "R3", "R4"]
        assert records[0]["source"]["row"] == 2
        assert len(rejects) == 1
        reject = rejects[0]
        assert (reject["outcome"], reject["rows"]) == ("duplicate", [11, 12, 13])
        assert issue_codes(rejects) == ["duplicate-response"]
        assert "same answers as its first copy (rows 2-4)" in reject["issues"][0]["message"]
        counts = report.counts
        assert (counts.read, counts.accepted, counts.duplicates) == (12, 9, 3)
        assert (counts.responses, counts.records, counts.rejects) == (5, 4, 1)
        assert counts.reconciles


def test_a_repeat_answering_differently_is_a_located_conflict(tmp_path: Path) -> None:
    first = answers("R1", ("NPS", 10), ("S1", 5))
    filler = [row for n in range(2, 7) for row in answers(f"R{n}", ("NPS", 8))]
    again = answers("R1", ("NPS", 10), ("S1", 2))
    records, rejects, report = run_export(tmp_path, [HEADER, *first, *filler, *again], LONG)
    assert [r["source"]["response_id"] for r in records] == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert records[0]["ease"] == 5
    assert len(rejects) == 1
    assert rejects[0]["outcome"] == "rejected"
    (issue,) = rejects[0]["issues"]
    assert issue["code"] == "conflicting-answer"
    assert (issue["row"], issue["column_letter"], issue["value"]) == (10, "E", "2")
    assert (
        "'S1' is answered '2' here and '5' on row 3 (its first copy: rows 2-3)" in issue["message"]
    )
    assert report.counts.reconciles


def test_blank_rows_in_a_long_export_are_excluded(tmp_path: Path) -> None:
    rows = [HEADER, *answers("R1", ("NPS", 9)), ["", "", "", "", ""], *answers("R1", ("S1", 4))]
    records, _, report = run_export(tmp_path, rows, LONG)
    assert (records[0]["nps"], records[0]["ease"]) == (9, 4)
    assert report.counts.excluded_by_reason == {"blank row": 1}


def test_missing_long_layout_columns_stop_the_run_with_their_lines(tmp_path: Path) -> None:
    import pytest

    from harmonizer import ReadError

    rows = [
        ["rid", "answered_at", "unit", "question_id", "answer"],
        ["R1", "2026-11-23", "A", "NPS", 9],
    ]
    with pytest.raises(ReadError) as caught:
        run_export(tmp_path, rows, LONG)
    assert "lacks column 'response_id' (" in str(caught.value)
    assert "mapping.yaml:14, long.response_id" in str(caught.value)


def _run_two(tmp_path: Path, first: list[list[object]], second: list[list[object]]) -> Any:
    """Harmonise two long exports in one run: a csv, then an xlsx."""
    from harmonizer import harmonize

    tmp_path.mkdir()
    one = write_csv(tmp_path / "one.csv", [HEADER, *first])
    two = write_xlsx(tmp_path / "two.xlsx", [HEADER, *second])
    mapping = write_mapping(tmp_path / "mapping.yaml", LONG)
    result = harmonize(mapping, [one, two], tmp_path / "out")
    assert result.report.counts.reconciles
    out = tmp_path / "out"
    return read_jsonl(out / "records.jsonl"), read_jsonl(out / "rejects.jsonl"), result.report


def test_a_repeat_in_a_later_export_is_a_duplicate_or_a_conflict_as_in_one(
    tmp_path: Path,
) -> None:
    first = answers("R1", ("NPS", 10), ("S1", 5), ("S2", "EOS"))
    filler = [row for n in range(2, 5) for row in answers(f"R{n}", ("NPS", 8))]
    # The same answers (the xlsx's numbers, a label's case aside): one duplicate that
    # names its first copy's rows in the other export.
    again = answers("R1", ("NPS", 10), ("S1", 5), ("S2", "eos"))
    records, rejects, report = _run_two(tmp_path / "same", [*first, *filler], again)
    assert [r["source"]["response_id"] for r in records] == ["R1", "R2", "R3", "R4"]
    (reject,) = rejects
    assert (reject["outcome"], reject["rows"]) == ("duplicate", [2, 3, 4])
    assert "same answers as its first copy (one.csv rows 2-4)" in reject["issues"][0]["message"]
    assert (report.counts.read, report.counts.responses) == (9, 5)
    # Answered differently, or a question the first copy left out: located conflicts,
    # not one more duplicate that drops the answer unseen.
    changed = answers("R1", ("NPS", 3), ("S1", 5), ("OPEN", "lisää"))
    records, rejects, _ = _run_two(tmp_path / "changed", [*first, *filler], changed)
    assert [r["nps"] for r in records if r["source"]["response_id"] == "R1"] == [10]
    (reject,) = rejects
    assert reject["outcome"] == "rejected"
    conflicts = [(i["code"], i["export"], i["row"], i["column_letter"]) for i in reject["issues"]]
    assert conflicts == [
        ("conflicting-answer", "two.xlsx", 2, "E"),
        ("conflicting-answer", "two.xlsx", 4, "E"),
    ]
    assert (
        "'NPS' is answered 3 here and '10' on one.csv row 2 (its first copy: one.csv rows 2-4)"
        in (reject["issues"][0]["message"])
    )


def test_a_missing_value_as_a_long_response_id_is_no_id_and_the_fix_works(
    tmp_path: Path,
) -> None:
    # Two respondents whose id cell says '-', one blank: three rows without an id, not
    # one response '-' repeated with a conflict.
    rows = [
        HEADER,
        *answers("-", ("NPS", 3)),
        *answers("-", ("NPS", 9)),
        *answers("", ("NPS", 7)),
        *answers("R2", ("NPS", 8)),
    ]
    records, rejects, _ = run_export(tmp_path / "before", rows, LONG)
    assert [r["source"]["response_id"] for r in records] == ["R2"]
    issues = [i for r in rejects for i in r["issues"]]
    assert [(i["code"], i["row"], i["value"]) for i in issues] == [
        ("required-missing", 2, "-"),
        ("required-missing", 3, "-"),
        ("required-missing", 4, None),
    ]
    # No rule can give a response id a default: the message says to fill the cell.
    assert "default" not in issues[0]["message"]
    assert issues[0]["message"].endswith(
        "fill the cell in the export: every row of a response "
        "needs it (its response id or question id)"
    )
    fixed = [HEADER, *answers("R7", ("NPS", 3)), *answers("R8", ("NPS", 9)), *rows[3:]]
    fixed[3][0] = "R9"
    records, rejects, _ = run_export(tmp_path / "after", fixed, LONG)
    assert rejects == []
    assert [r["nps"] for r in records] == [3, 9, 7, 8]


def test_a_temporary_folder_without_room_stops_the_run_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First copies that cannot go to disk: exit 2, a message, nothing published."""
    from click.testing import CliRunner

    from harmonizer.cli import main

    rows = [HEADER]
    for n in range(5):
        rows += answers(f"R{n}", ("NPS", 8), ("S1", 4))
    export = write_csv(tmp_path / "sms.csv", rows)
    mapping = write_mapping(tmp_path / "sms.yaml", LONG)
    monkeypatch.setattr(first_copies, "HELD", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "-m", str(mapping), "-o", str(out), str(export)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "cannot keep the first copies of long responses" in result.output
    assert "TMPDIR" in result.output
    assert not (out / "records.jsonl").exists()
