"""First copies of long responses: held in memory, then on disk without personal data."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonizer.engine.first_copies import FirstCopies
from harmonizer.engine.responses import FirstCopy, answer_digest, same_answer
from harmonizer.errors import OutputError
from harmonizer.io.cells import Cell
from harmonizer.io.table import ExportInfo
from harmonizer.redaction import redact_text

HETU = "131052-308T"


def export(name: str) -> ExportInfo:
    return ExportInfo(Path(name), "csv", "0" * 64, 1, 1)


def test_copies_moved_to_disk_answer_as_those_held() -> None:
    one, two = export("one.csv"), export("two.csv")
    with FirstCopies(held=2) as copies:
        for n in range(10):
            copies[f"R{n}"] = FirstCopy(
                one if n < 5 else two, (2 + n, 3 + n), {"NPS": (n, 2 + n), "S1": ("Eos", 3 + n)}
            )
        assert (copies.on_disk, len(copies)) == (8, 10)
        old = copies.get("R1")
        assert old is not None
        assert old.answers is None
        assert old.export is one
        assert list(old.rows) == [3, 4]
        assert old.where(two) == "one.csv rows 3-4"
        assert old.answered("NPS")
        assert not old.answered("OPEN")
        # As same_answer compares: a number as its text, a label's case aside.
        assert old.earlier("NPS", "1") == (True, "1", 3)
        assert old.earlier("NPS", 7) == (False, "1", 3)
        assert old.earlier("S1", "EOS") == (True, "'Eos'", 4)
        assert old.earlier("OPEN", "x") is None
        newest = copies.get("R9")
        assert newest is not None
        assert newest.answers is not None  # still held as read
        assert copies.get("R10") is None


def test_nothing_personal_is_written_and_the_folder_goes_with_the_run() -> None:
    copies = FirstCopies(held=1)
    copies[HETU] = FirstCopy(export("a.csv"), (2,), {"OPEN": ("Soita 040 123 4567", 2)})
    copies["R2"] = FirstCopy(export("a.csv"), (3,), {"NPS": (9, 3)})
    folder = Path(copies._folder.name)  # type: ignore[union-attr]
    stored = b"".join(p.read_bytes() for p in folder.iterdir())
    assert stored
    assert HETU.encode() not in stored
    assert b"123 4567" not in stored
    assert b"[PUHELIN]" in stored
    kept = copies.get(HETU)
    assert kept is not None
    assert kept.earlier("OPEN", "Soita 040 123 4567") == (
        True,
        "'Soita [PUHELIN]'",
        2,
    )
    copies.close()
    assert not folder.exists()


def test_a_temporary_folder_that_cannot_be_written_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    with FirstCopies(held=1) as copies:
        copies["R1"] = FirstCopy(export("a.csv"), (2,), {})
        with pytest.raises(OutputError, match=r"temporary folder .*gone.*TMPDIR"):
            copies["R2"] = FirstCopy(export("a.csv"), (3,), {})


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.floats(-3, 12, allow_nan=False).map(lambda f: round(f, 1)),
    st.sampled_from(
        [
            "10",
            " 10 ",
            "EOS",
            "eos",
            "Eos.",
            "Täysin samaa mieltä",
            "taysin  SAMAA mielta",
            "",
            "1",
            "True",
            "0",
        ]
    ),
)


@given(first=cells, again=cells)
def test_a_first_copy_on_disk_compares_answers_as_one_held(first: Cell, again: Cell) -> None:
    assert same_answer(first, again) == (answer_digest(first) == answer_digest(again))
    held = FirstCopy(export("a.csv"), (2,), {"Q": (first, 2)})
    with FirstCopies(held=1) as copies:
        copies["R1"] = held
        copies["R2"] = FirstCopy(export("a.csv"), (3,), {})
        kept = copies.get("R1")
        assert kept is not None
        assert kept.answers is None
        on_disk, as_read = kept.earlier("Q", again), held.earlier("Q", again)
        assert on_disk is not None
        assert as_read is not None
        assert on_disk == (as_read[0], redact_text(as_read[1]), as_read[2])
