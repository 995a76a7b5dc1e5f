"""Batches bounded by rows and by characters: nothing lost, nothing reordered, flat."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from harmonizer.engine.batches import BATCH_CHARS, batches, cell_chars
from harmonizer.engine.fast import source_batches
from harmonizer.engine.parallel import pack, unpack
from harmonizer.io.readers import read_table
from harmonizer.io.table import SourceOptions, SourceRow


@given(
    lengths=st.lists(st.integers(0, 50), max_size=60),
    size=st.integers(1, 10),
    chars=st.integers(1, 120),
)
def test_batches_keep_every_item_in_order_within_both_bounds(
    lengths: list[int], size: int, chars: int
) -> None:
    items = ["x" * n for n in lengths]
    made = list(batches(items, size, len, chars=chars))
    assert [item for batch in made for item in batch] == items
    for batch in made:
        assert 1 <= len(batch) <= size
        # Only the item that reaches the bound may pass it.
        assert sum(map(len, batch[:-1])) < chars
    # A batch ends early only when it reached the characters.
    for batch in made[:-1]:
        assert len(batch) == size or sum(map(len, batch)) >= chars


def test_long_open_answers_make_short_batches() -> None:
    answer = "Hoitaja oli ystävällinen. " * 800  # 20,800 characters
    rows = [SourceRow(n, (f"id{n}", answer, None, "5")) for n in range(2, 2_002)]
    made = list(source_batches(rows, 2048))
    assert sum(map(len, made)) == len(rows)
    assert (
        max(sum(cell_chars(s.values) for s in batch) for batch in made)
        < BATCH_CHARS + len(answer) + 10
    )
    assert len(made[0]) == BATCH_CHARS // (len(answer) + 8) + 1


def test_cells_of_any_type_are_measured_by_their_text() -> None:
    assert cell_chars(("Hyvä", None, 5, 2.5, "040", "")) == 7
    assert cell_chars(()) == 0


def test_a_csv_export_is_batched_by_the_text_its_reader_read(tmp_path: Path) -> None:
    answer = "Hoitaja oli ystävällinen. " * 800
    export = tmp_path / "pitkat.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id;palaute;nps\n")
        for n in range(300):
            handle.write(f"R{n};{answer};{n % 11}\n")
    with read_table(export, SourceOptions()) as table:
        assert table.text_read is not None
        made = list(source_batches(table, 2048))
    assert [s.row for batch in made for s in batch] == list(range(2, 302))
    largest = max(sum(cell_chars(s.values) for s in batch) for batch in made)
    # The reader reads a row ahead of the rows handed out: a batch may hold one more.
    assert BATCH_CHARS <= largest < BATCH_CHARS + 2 * (len(answer) + 20)
    assert len(made) == 6


texts = st.one_of(st.none(), st.text(min_size=1).filter(lambda t: t.strip() == t and t != ""))


@given(st.lists(st.lists(texts, min_size=1, max_size=5), max_size=6), st.booleans())
def test_a_batch_reaches_a_worker_as_it_was_read(rows: list[list[str | None]], csv: bool) -> None:
    batch = [SourceRow(n + 2, tuple(cells), n + 2 if csv else None) for n, cells in enumerate(rows)]
    unpacked = unpack(pack(batch))
    assert [(s.row, s.values) for s in unpacked] == [(s.row, s.values) for s in batch]


def test_cells_that_cannot_travel_as_one_text_travel_as_they_are() -> None:
    separators = [SourceRow(2, ("a\x1fb", "c\x1ed"), 2)]
    assert pack(separators)[1] == [("a\x1fb", "c\x1ed")]
    numbers = [SourceRow(2, ("a", 5), 2)]
    assert pack(numbers)[1] == [("a", 5)]
    assert isinstance(pack([SourceRow(2, ("a", None), 2)])[1], str)
