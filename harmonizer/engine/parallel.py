"""Both cores: the fast path's batches built in worker processes, merged in order.

Workers are forked after the plan was compiled. A csv export in an encoding whose line
breaks and quotes are single bytes is read by the workers themselves: the parent cuts
its data rows into byte ranges at record boundaries (:mod:`harmonizer.io.csv_ranges`)
and each worker reads its ranges with the csv reader's own code, so every check of the
reader applies. An xlsx sheet's XML is cut into ranges of whole rows in the same spirit
(:mod:`harmonizer.io.sheet_ranges`), each parsed by a worker with the sheet reader's own
code (its plain rows decoded at once, see :mod:`harmonizer.io.sheet_plain`); one process
reads a large sheet of plain rows by ranges too. Any other export the parent reads with
the ordinary streaming reader, and hands
its batches of source rows to the workers. A worker recodes a batch,
assembles and validates the clean rows' records and returns them; a row with anything
to say comes back empty and the parent builds it on the exact path. Batches are taken
back in the order of the file, and duplicates are resolved afterwards in the parent,
so the outputs are byte-identical to a one-process run. A few ranges or batches per
worker are in flight, each bounded in rows and in characters, so memory stays bounded.

The workers leave Ctrl-C and SIGTERM to the parent, which stops them as it unwinds. A
worker that dies (killed, out of memory) ends the run with a :class:`WorkerError`
instead of leaving the parent waiting for its answer.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import uuid
from collections import Counter, deque
from collections.abc import (
    Callable,
    Container,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import orjson

from harmonizer.engine.batches import read_batches
from harmonizer.engine.exact import RecordBuilder
from harmonizer.engine.fast import (
    BATCH_ROWS,
    FastBatch,
    Notes,
    PlainCells,
    exact_row,
    fast_columns,
    fast_plain,
    source_batches,
)
from harmonizer.engine.lines import LineEncoder
from harmonizer.engine.plan import Plan
from harmonizer.engine.responses import Response
from harmonizer.engine.row import Extra, Notices, Row, RowBatch, notices_of
from harmonizer.engine.validation import RecordValidator
from harmonizer.errors import OutputError, ReadError, WorkerError
from harmonizer.io.arrow import memory_pool
from harmonizer.io.cells import Cell
from harmonizer.io.csv_ranges import RANGE_BYTES, CsvLayout, Range, split_ranges
from harmonizer.io.csv_reader import RangeRows
from harmonizer.io.sheet_plain import plain_extent
from harmonizer.io.sheet_ranges import (
    SHEET_RANGE_BYTES,
    SheetLayout,
    SheetRange,
    range_rows,
    split_sheet,
)
from harmonizer.io.table import BlankRun, ExportInfo, SourceRow, blank_rows, skip_trailing_blanks
from harmonizer.issues import Issue

if TYPE_CHECKING:
    import pyarrow as pa

    from harmonizer.engine.coded import Cells, CodedCells, CodedNotes
    from harmonizer.io.sheet_plain import PlainRows


@dataclass(frozen=True)
class Answer:
    """A worker's answer for one batch, in few objects.

    Pickling a tuple, a list and a dict per row cost more than a few large objects.
    ``records`` has one entry per source row: None (the parent builds the row on the
    exact path), the record, or with ``encode`` its record id, its jsonl line being
    the next ``lengths`` entry's bytes of ``lines``. ``extras`` holds, by the row's
    place in the batch, the issues and redactions of the rows that have any.
    """

    records: list[dict[str, Any] | str | None]
    lines: bytes
    lengths: list[int]
    extras: Notices


@dataclass(frozen=True)
class RangeAnswer:
    """A worker's answer for a range of a csv export it read itself.

    ``records`` is how many records the range held, ``open_end`` whether it ended inside
    a quoted cell (its end was no record boundary), ``line_shifts`` the shifts of the
    physical line it noted, ``held`` the blank rows at its end (rows only if more rows
    follow), ``error`` what stopped the reader, after the rows before it.
    """

    parts: list[Part]
    records: int
    open_end: bool
    line_shifts: list[tuple[int, int]]
    held: list[BlankRun]
    error: ReadError | None


@dataclass(frozen=True)
class SheetAnswer:
    """A worker's answer for a range of an xlsx sheet it parsed itself.

    ``parts`` is None when the range was not what its cut said (see
    :mod:`harmonizer.io.sheet_ranges`); ``last`` is the number of the last row it parsed
    (0: none), ``held`` the blank rows at its end (rows only if more rows follow).
    """

    parts: list[Part] | None
    last: int
    held: list[BlankRun]


@dataclass
class _Job:
    builder: RecordBuilder
    plan: Plan
    validator: RecordValidator
    skip: frozenset[int]
    encode: bool = False
    layout: CsvLayout | None = None
    batch_rows: int = BATCH_ROWS
    spool: Path = Path()
    sheet: SheetLayout | None = None
    lines: LineEncoder | None = field(init=False, default=None)
    cells: PlainCells | None = field(init=False, default=None)
    coded: CodedCells | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        checks = self.validator.columns
        if self.encode and checks is not None:
            self.lines = LineEncoder(self.builder.fields, checks)
        if self.layout is not None:
            self.cells = PlainCells(self.plan, self.builder)
        if (self.layout is not None or self.sheet is not None) and self.lines is not None:
            # Imported here: numpy loads only for a run that reads ranges.
            from harmonizer.engine.coded import CodedCells

            self.coded = CodedCells(self.plan, self.builder)


_JOBS: list[_Job] = []
"""Set in the parent just before the workers are forked; the workers inherit it."""


CSV_PARALLEL_BYTES = 16 << 20
"""A csv export smaller than this runs in one process when ``--jobs`` is not given:
below about 70,000 rows of a 22-column web survey, starting and feeding workers cost
more than they save (bench/bench.py on 2 cores)."""
XLSX_PARALLEL_BYTES = 8 << 20
"""The same for an xlsx workbook (compressed: about 100,000 rows of 22 columns)."""
MAX_DEFAULT_JOBS = 4
"""Beyond this the parent (which reads, merges and writes) is the limit; each worker
costs 70-100 MiB."""


def cores() -> int:
    """Return the cores this process may run on."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, usable or 1)


def default_jobs(path: Path, *, xlsx: bool) -> int:
    """Return the worker processes for an export when ``--jobs`` is not given.

    The machine's cores (at most :data:`MAX_DEFAULT_JOBS`) for a large export, one
    process for a small one. Measured with ``make bench`` on 2 cores, a million csv
    rows ran 1.5 times faster on two workers, 50,000 rows slower.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return 1
    if size < (XLSX_PARALLEL_BYTES if xlsx else CSV_PARALLEL_BYTES):
        return 1
    return min(cores(), MAX_DEFAULT_JOBS)


def usable_jobs(requested: int) -> int:
    """Return the workers a run starts for ``--jobs requested``: at most one per core.

    More workers than cores only take turns (the outputs are the same), and each is
    forked at the start: ``--jobs 1000`` took 12 s on a 40-row export before this cap.
    """
    return max(1, min(requested, cores()))


def local_wide_rows(
    rows: Iterable[SourceRow],
    builder: RecordBuilder,
    plan: Plan,
    validator: RecordValidator,
    *,
    skip: frozenset[int],
    batch_rows: int = BATCH_ROWS,
    layout: CsvLayout | None = None,
    range_bytes: int | None = None,
    sheet: SheetLayout | None = None,
) -> Iterator[Row | RowBatch]:
    """Yield what :func:`parallel_wide_rows` yields with ``encode``, in this process.

    For a run that writes jsonl only on one core: a batch's records are validated and
    encoded here as a worker would, so that clean batches travel as one
    :class:`RowBatch` and the stages after do their work a batch at a time. With a
    csv ``layout``, the export is read by ranges as workers read it (a plain range
    parsed at once, see RangeRows.plain), and ``rows`` is then not read. With an xlsx
    ``sheet`` whose rows are plain (see :mod:`harmonizer.io.sheet_plain`), its XML is
    read by ranges too, and ``rows`` only where a range was not what its cut said.
    """
    if layout is not None and not _short_rows(layout):
        layout = None
    parts = None if sheet is None else _plain_sheet(sheet)
    job = _Job(builder, plan, validator, skip, True, layout, batch_rows, sheet=sheet)
    rest: Generator[SourceRow, None, None] | None = None
    try:
        if layout is not None:
            size = RANGE_BYTES if range_bytes is None else range_bytes
            rest = yield from _ranged(_InProcess(job), layout, builder, skip, 1, size, True)
            if rest is None:
                return
            rows = rest
        elif sheet is not None and parts is not None:
            sheet_rest = yield from _sheet_ranged(
                _InProcess(job), sheet, parts, rows, builder, skip, 1, True
            )
            if sheet_rest is None:
                return
            rows = sheet_rest
        for batch in source_batches(rows, batch_rows):
            yield from _merge(_Batch.read(batch), _answer(batch, job), builder, skip, lane=True)
    finally:
        if rest is not None:
            rest.close()


CODED_BATCHES = 4
"""A coded batch (see _coded_parts) holds this many list batches' rows."""

SHORT_ROW_BYTES = 1024
"""The longest average line (in the first range's bytes) with which one process reads a
csv by ranges."""


def _short_rows(layout: CsvLayout) -> bool:
    """Tell whether a csv's rows are short enough for one process to read it by ranges.

    A plain range saves per-row work; with rows of kilobytes (long open answers) there
    is little of it, and the extra passes over the bytes cost more: 5,000 rows of
    20,000 characters took a tenth longer by ranges.
    """
    with layout.path.open("rb") as handle:
        handle.seek(layout.start)
        data = handle.read(RANGE_BYTES)
    return data.count(b"\n") * SHORT_ROW_BYTES >= len(data)


LOCAL_SHEET_BYTES = 4 << 20
"""The smallest sheet (its XML, about 5,600 rows of 22 columns) that one process reads
by ranges when its rows are plain: below it, inflating the XML a second time and
loading NumPy cost more than the plain rows save."""


def _plain_sheet(sheet: SheetLayout) -> Iterator[SheetRange | None] | None:
    """Return the ranges of a large sheet whose first range is nine tenths plain; else None.

    One process reads such a sheet by ranges as a worker does, and its plain rows are
    decoded at once (see :mod:`harmonizer.io.sheet_plain`). A sheet of other rows (rich
    text, formulas) is read by the streaming reader: by ranges, expat would do the
    same work, and the rows the parent builds itself would be parsed twice.
    """
    if sheet.size < LOCAL_SHEET_BYTES:
        return None
    parts = split_sheet(sheet, SHEET_RANGE_BYTES)
    first = next(parts, None)
    # The form alone decides (a range's rows are decoded when it is read).
    if first is None or plain_extent(first.data) * 10 < len(first.data) * 9:
        parts.close()
        return None
    return chain([first], parts)


def _start_worker() -> None:
    # Ctrl-C in a terminal reaches every process of its group: only the parent acts on
    # it (and stops the workers), so no worker prints a traceback. The parent's SIGTERM
    # handler unwinds a run; a worker just ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


Payload = tuple[list[int], str | list[tuple[Any, ...]]]
"""A batch as a worker receives it: the row numbers, and the cells of the rows."""

_CELL, _ROW = "\x1f", "\x1e"
T = TypeVar("T")

Part = tuple[list[int], set[int], Answer]
"""A batch a worker read itself: its row numbers, the places of the rows the reader
found something in, and the worker's answer. The rows themselves stay in the file
(see :class:`_RangeRows`): no cell of an export is written to the spool folder."""


def pack(batch: list[SourceRow]) -> Payload:
    """Return a batch as it travels to a worker.

    A csv batch's cells (texts, None for a blank: no text is empty after the reader)
    travel as one string, separated by control characters the reader never lets
    through: pickling a tuple per row and a string per cell cost the parent, which
    reads, merges and writes for every worker, more than a tenth of its time. Anything
    else travels as the cells themselves.
    """
    numbers = [source.row for source in batch]
    values: list[tuple[Any, ...]] = [source.values for source in batch]
    if batch and batch[0].line is not None and min(map(len, values)) > 0:
        try:
            text = _ROW.join([_CELL.join([cell or "" for cell in cells]) for cells in values])
        except TypeError:  # a number or a date among the cells
            return numbers, values
        # A separator inside a cell would split it: then the cells travel as they are.
        rows, cells = len(values), sum(map(len, values))
        if text.count(_ROW) == rows - 1 and text.count(_CELL) == cells - rows:
            return numbers, text
    return numbers, values


def unpack(payload: Payload) -> list[SourceRow]:
    """Return the source rows of a batch that :func:`pack` packed.

    >>> rows = [SourceRow(2, ("a", None), 2), SourceRow(3, (None, "b c"), 3)]
    >>> [(s.row, s.values) for s in unpack(pack(rows))]
    [(2, ('a', None)), (3, (None, 'b c'))]
    """
    numbers, values = payload
    if isinstance(values, str):
        cells = [tuple([cell or None for cell in row.split(_CELL)]) for row in values.split(_ROW)]
        return [SourceRow(number, row) for number, row in zip(numbers, cells, strict=True)]
    return [SourceRow(number, row) for number, row in zip(numbers, values, strict=True)]


def _work(payload: Payload) -> str:
    return _spool(_answer(unpack(payload), _JOBS[-1]))


def _spool(answer: Answer | RangeAnswer | SheetAnswer) -> str:
    """Write a worker's answer to a file of the run's spool folder; return its name.

    Only the name travels through the pipe, a message short enough to be written at
    once: a worker killed while it wrote megabytes to the pipe left the parent's
    executor reading the rest of the message for ever, and the run hung.
    """
    folder = _JOBS[-1].spool
    path = folder / uuid.uuid4().hex
    try:
        with path.open("wb") as handle:
            pickle.dump(answer, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as err:
        raise _spool_error(folder, err) from None
    return path.name


def _unspool(future: Future[Any], kind: type[T]) -> T:
    """Return the answer a worker spooled, and remove its file.

    An answer made in this process (see :class:`_InProcess`) comes as it is.
    """
    name = future.result()
    if isinstance(name, kind):
        return name
    folder = _JOBS[-1].spool
    path = folder / name
    try:
        with path.open("rb") as handle:
            # Written a moment ago by this run's own worker, in a folder only it can read.
            answer = pickle.load(handle)
        path.unlink()
    except OSError as err:
        raise _spool_error(folder, err) from None
    assert isinstance(answer, kind)
    return answer


def _spool_error(folder: Path, err: OSError) -> OutputError:
    return OutputError(
        f"cannot pass the workers' answers through the temporary folder {folder} "
        f"({err.strerror or err}); free space there or point TMPDIR to a folder with "
        "room, or run with --jobs 1, and run again"
    )


def _work_range(part: Range) -> str:
    """Read a range of the export and answer for its rows, batch by batch (spooled)."""
    return _spool(_range_answer(part))


def _work_sheet(part: SheetRange) -> str:
    """Parse a range of the sheet and answer for its rows, batch by batch (spooled)."""
    return _spool(_sheet_answer(part, _JOBS[-1]))


def _sheet_answer(part: SheetRange, job: _Job) -> SheetAnswer:
    """Parse a range of the sheet and answer for its rows, batch by batch."""
    assert job.sheet is not None
    try:
        read = range_rows(job.sheet, part)
    except Exception:  # the parent's reader says what is wrong (see _sheet_ranged)
        return SheetAnswer(None, 0, [])
    plain = read.plain
    if (
        job.coded is not None
        and plain is not None
        and not read.parsed
        and plain.codable(len(job.builder.info.header))
    ):
        return SheetAnswer(_coded_sheet_parts(plain, job), read.last, [])
    held: list[BlankRun] = []
    rows = skip_trailing_blanks(iter(read.rows), None if part.last else held)
    parts = [_part(batch, job) for batch in source_batches(rows, job.batch_rows)]
    return SheetAnswer(parts, read.last, held)


class _InProcess(Executor):
    """Runs each range at once, in this process: one core reads ranges as a worker does."""

    def __init__(self, job: _Job) -> None:
        self._job = job

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        assert not kwargs
        (part,) = args
        future: Future[Any] = Future()
        if fn is _work_sheet:
            future.set_result(_sheet_answer(part, self._job))
        else:
            assert fn is _work_range
            future.set_result(_range_answer(part, self._job))
        return future


def _range_answer(part: Range, job: _Job | None = None) -> RangeAnswer:
    """Read a range of the export and answer for its rows, batch by batch."""
    job = job or _JOBS[-1]
    assert job.layout is not None
    reader = RangeRows(job.layout, job.builder.info, part)
    error: list[ReadError] = []

    def read() -> Iterator[SourceRow]:
        try:
            yield from reader.rows
        except ReadError as err:
            error.append(err)

    if job.coded is not None:
        table = reader.plain_table(len(job.builder.info.header))
        if table is not None:
            reader.close()
            coded = _coded_parts(part.row, table, job)
            return RangeAnswer(coded, reader.records, False, reader.line_shifts, [], None)
    plain = reader.plain() if job.cells is not None else None
    if plain is not None and job.cells is not None:
        reader.close()
        return RangeAnswer(
            _plain_parts(part.row, plain, job, job.cells),
            reader.records,
            False,
            reader.line_shifts,
            [],
            None,
        )
    held: list[BlankRun] = []
    rows = skip_trailing_blanks(read(), None if part.last else held)
    parts: list[Part] = []
    try:
        parts.extend(
            _part(batch, job) for batch in read_batches(rows, job.batch_rows, reader.chars)
        )
    finally:
        reader.close()
    return RangeAnswer(
        parts,
        reader.records,
        reader.open_end,
        reader.line_shifts,
        held,
        error[0] if error else None,
    )


def _part(batch: list[SourceRow], job: _Job) -> Part:
    """Answer for a batch of rows a worker read itself."""
    found = _Batch.found_in(batch)
    return [source.row for source in batch], found, _answer(batch, job)


def _plain_parts(first: int, rows: list[list[str]], job: _Job, cells: PlainCells) -> list[Part]:
    """Answer for the rows of a plain range (see RangeRows.plain), batch by batch."""
    parts: list[Part] = []
    for start in range(0, len(rows), job.batch_rows):
        chunk = rows[start : start + job.batch_rows]
        numbers = list(range(first + start, first + start + len(chunk)))
        made = fast_plain(numbers, chunk, cells, job.builder, job.plan, job.skip)
        parts.append((numbers, set(), _made_answer(made, job)))
    return parts


def _coded_parts(first: int, table: pa.Table, job: _Job) -> list[Part]:
    """Answer for the rows of a plain range read by Arrow (see RangeRows.plain_table)."""
    parts: list[Part] = []
    # A coded batch holds no Python object per cell, and its work per batch (distinct
    # values, combinations) pays off over more rows: 8,192 rows a batch ran a 200,000-row
    # csv in 5.6 s where 2,048 took 6.9 s (--jobs 1).
    size = job.batch_rows * CODED_BATCHES
    for start in range(0, table.num_rows, size):
        chunk = table.slice(start, size)
        numbers = list(range(first + start, first + start + chunk.num_rows))
        parts.append((numbers, set(), _coded_answer(first + start, chunk, job)))
    return parts


def _coded_answer(first: int, table: pa.Table, job: _Job) -> Answer:
    """Answer for a batch of a plain range on dictionary-coded columns."""
    from harmonizer.engine.coded import table_rows, table_source

    assert job.coded is not None
    assert job.cells is not None
    cells = job.cells
    size = table.num_rows

    def listed() -> FastBatch:
        numbers = list(range(first, first + size))
        return fast_plain(numbers, table_rows(table), cells, job.builder, job.plan, job.skip)

    columns = job.coded.columns(table)
    return _coded_made(first, size, columns, table_source(table, first), listed, job)


def _coded_sheet_parts(plain: PlainRows, job: _Job) -> list[Part]:
    """Answer for the rows of a plain sheet range (see PlainRows.codable), batch by batch."""
    assert job.coded is not None
    parts: list[Part] = []
    size = job.batch_rows * CODED_BATCHES
    count = len(plain.data_numbers)
    first = int(plain.data_numbers[0])
    for start in range(0, count, size):
        stop = min(count, start + size)
        numbers = list(range(first + start, first + stop))

        def listed(start: int = start, stop: int = stop) -> FastBatch:
            rows = plain.rows[start:stop]
            return fast_columns(rows, job.builder, job.plan, job.skip)

        def source(place: int, start: int = start) -> SourceRow:
            return plain.source(start + place)

        columns = plain.coded(job.coded.used, start, stop)
        answer = _coded_made(first + start, stop - start, columns, source, listed, job)
        parts.append((numbers, set(), answer))
    return parts


def _coded_made(
    first: int,
    size: int,
    columns: Cells,
    source: Callable[[int], SourceRow],
    listed: Callable[[], FastBatch],
    job: _Job,
) -> Answer:
    """Answer for a batch on coded columns; ``listed`` gives its rows when the plan needs them."""
    import pyarrow.compute as pc

    from harmonizer.engine.coded import coded_fast

    assert job.lines is not None
    made = coded_fast(first, size, columns, source, job.skip, job.builder, job.plan)
    if made is None:
        return _made_answer(listed(), job)
    if not made.places:
        return Answer([None] * size, b"", [], Notices())
    lines, failing = job.lines.encode_coded(made)
    places, ids = made.places, made.ids
    if failing.any():
        keep = ~failing
        lines = pc.filter(lines, keep, memory_pool=memory_pool())
        kept = keep.tolist()
        places = [place for place, ok in zip(places, kept, strict=True) if ok]
        ids = [id_ for id_, ok in zip(ids, kept, strict=True) if ok]
    notes = made.notes
    records, extras = _accepted(
        size, ((place, id_, notes.get(place)) for place, id_ in zip(places, ids, strict=True))
    )
    data, lengths = _binary_parts(lines)
    return Answer(records, data, lengths, extras)


def _binary_parts(array: pa.Array) -> tuple[bytes, list[int]]:
    """Return an Arrow binary array's values as one bytes object, and each value's length."""
    import numpy as np

    if not len(array):
        return b"", []
    _, offsets, data = array.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32)[array.offset : array.offset + len(array) + 1]
    return memoryview(data)[ends[0] : ends[-1]].tobytes(), np.diff(ends).tolist()


def _answer(sources: list[SourceRow], job: _Job) -> Answer:
    return _made_answer(fast_columns(sources, job.builder, job.plan, job.skip), job)


def _made_answer(made: FastBatch, job: _Job) -> Answer:
    """Answer for a batch's fast rows: validated, and encoded when the job encodes."""
    if job.lines is not None:
        return _lines_answer(made, job.lines)
    lines: list[bytes] = []
    accepted: list[tuple[int, dict[str, Any] | str, Notes | None]] = []
    is_valid, encode = job.validator.is_valid, job.encode
    for place, record, notes in zip(made.places, made.records(), made.notes, strict=True):
        if not is_valid(record):
            continue
        if encode:
            accepted.append((place, record["record_id"], notes))
            lines.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        else:
            accepted.append((place, record, notes))
    records, extras = _accepted(made.size, accepted)
    return Answer(records, b"".join(lines), [len(line) for line in lines], extras)


def _lines_answer(made: FastBatch, encoder: LineEncoder) -> Answer:
    """Answer for a batch whose records are written as lines column by column."""
    lines, failing = encoder.encode(made)
    if not lines:
        return Answer([None] * made.size, b"", [], Notices())
    ids = made.columns[encoder.keys.index("record_id")]
    assert isinstance(ids, list)
    keep = [j for j in range(len(lines)) if j not in failing]
    if failing:
        lines = [lines[j] for j in keep]
    records, extras = _accepted(made.size, ((made.places[j], ids[j], made.notes[j]) for j in keep))
    return Answer(records, b"".join(lines), list(map(len, lines)), extras)


def _accepted(
    size: int, rows: Iterable[tuple[int, dict[str, Any] | str, Notes | CodedNotes | None]]
) -> tuple[list[dict[str, Any] | str | None], Notices]:
    """Return an answer's records and notices from its accepted rows.

    ``rows`` gives each accepted row's place, record (or record id), and notices (None:
    none); the records hold them by place, None for every other row.
    """
    records: list[dict[str, Any] | str | None] = [None] * size
    noted: list[tuple[int, list[Issue], Iterable[tuple[str, int]] | None]] = []
    for place, record, notes in rows:
        records[place] = record
        if notes is not None:  # notices_of passes over rows with nothing to note
            issues, redactions = notes
            pairs = redactions.items() if isinstance(redactions, Mapping) else redactions
            noted.append((place, issues, pairs))
    return records, notices_of(noted)


def parallel_wide_rows(
    rows: Iterable[SourceRow],
    builder: RecordBuilder,
    plan: Plan,
    validator: RecordValidator,
    *,
    skip: frozenset[int],
    jobs: int,
    batch_rows: int = BATCH_ROWS,
    encode: bool = False,
    layout: CsvLayout | None = None,
    range_bytes: int | None = None,
    sheet: SheetLayout | None = None,
    sheet_bytes: int | None = None,
) -> Iterator[Row | RowBatch]:
    """Yield a :class:`Row` per source row, in order, built by ``jobs`` worker processes.

    With ``encode`` (a run that writes jsonl only), an accepted row carries its record
    as a jsonl line (:attr:`Row.encoded`) instead of a dict, and a batch of nothing but
    accepted rows travels as one :class:`RowBatch`. With a
    csv ``layout``, the workers read the export themselves, by ranges of about
    ``range_bytes`` (default :data:`RANGE_BYTES`; ``rows`` is then not read). With an
    xlsx ``sheet``, the workers parse ranges of about ``sheet_bytes`` (default
    :data:`SHEET_RANGE_BYTES`) of its XML, and
    ``rows`` is read only where a range was not what its cut said. Else the parent
    reads ``rows``.
    """
    try:
        spool = Path(tempfile.mkdtemp(prefix="harmonizer-workers-"))
    except OSError as err:
        raise _spool_error(Path(tempfile.gettempdir()), err) from None
    _JOBS.append(_Job(builder, plan, validator, skip, encode, layout, batch_rows, spool, sheet))
    # concurrent.futures, unlike multiprocessing.Pool, notices a worker that died and
    # fails its batches, where Pool would wait for their answers for ever.
    executor = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
    )
    rest: Generator[SourceRow, None, None] | None = None
    try:
        if layout is not None:
            size = RANGE_BYTES if range_bytes is None else range_bytes
            rest = yield from _ranged(executor, layout, builder, skip, jobs, size, encode)
            if rest is None:
                return
            rows = rest
        elif sheet is not None:
            size = SHEET_RANGE_BYTES if sheet_bytes is None else sheet_bytes
            sheet_rest = yield from _sheet_ranged(
                executor, sheet, split_sheet(sheet, size), rows, builder, skip, jobs, encode
            )
            if sheet_rest is None:
                return
            rows = sheet_rest
        pending: deque[tuple[list[SourceRow], Future[str]]] = deque()
        for batch in source_batches(rows, batch_rows):
            pending.append((batch, executor.submit(_work, pack(batch))))
            while len(pending) > 4 * jobs:
                sent, result = pending.popleft()
                answer = _unspool(result, Answer)
                yield from _merge(_Batch.read(sent), answer, builder, skip, lane=encode)
        while pending:
            sent, result = pending.popleft()
            answer = _unspool(result, Answer)
            yield from _merge(_Batch.read(sent), answer, builder, skip, lane=encode)
    except BrokenProcessPool:
        raise WorkerError(
            f"a worker process stopped before it finished its rows of {builder.info.name} "
            "(it was killed, perhaps because the machine ran out of memory); nothing was "
            "published, and the previous outputs are as they were. Run again; with "
            "--jobs 1 the run needs one process and less memory"
        ) from None
    finally:
        # The batches not yet started are dropped; those running end within a moment.
        executor.shutdown(wait=True, cancel_futures=True)
        _JOBS.pop()
        shutil.rmtree(spool, ignore_errors=True)
        if rest is not None:
            rest.close()


def _ranged(
    executor: Executor,
    layout: CsvLayout,
    builder: RecordBuilder,
    skip: frozenset[int],
    jobs: int,
    range_bytes: int,
    lane: bool,
) -> Generator[Row | RowBatch, None, Generator[SourceRow, None, None] | None]:
    """Yield the rows of the ranges the workers read, in order, checking each range.

    A range is used only when it starts on the record its predecessor ended before,
    numbered as counted, and ends on a record boundary (see
    :mod:`harmonizer.io.csv_ranges`). At the first that does not, the ranges in flight
    are dropped and the rest of the file, from that range's start, is returned for the
    parent to read; None when every range was used.
    """
    info = builder.info
    parts = split_ranges(layout, range_bytes)
    ahead = _ahead(executor, jobs)
    pending: deque[tuple[Range, Future[str] | None]] = deque()
    expected = layout.row
    held: list[BlankRun] = []
    while True:
        while len(pending) < ahead:
            part = next(parts, None)
            if part is None:
                break
            # The rest of a file with no record boundary in reach is the parent's to read.
            done = None if part.end is None else executor.submit(_work_range, part)
            pending.append((part, done))
            if done is None:
                break
        if not pending:
            return None
        part, done = pending.popleft()
        answer = None if done is None else _unspool(done, RangeAnswer)
        if answer is None or part.row != expected or answer.open_end:
            _cancel(pending)
            rest = Range(part.start, None, part.line, expected, last=True)
            return _rest(RangeRows(layout, info, rest, own_info=False), held)
        for row, shift in answer.line_shifts:
            info.note_line(row, row + shift)
        again = _RangeRows(layout, info, part)
        yield from _merge_parts(answer.parts, again, held, builder, skip, lane)
        held.extend(answer.held)
        if answer.error is not None:
            raise answer.error
        expected = part.row + answer.records


def _ahead(executor: Executor, jobs: int) -> int:
    """Return how many ranges to have in flight.

    A worker has one to go on with while the parent merges; one process reads the next
    range when it needs it.
    """
    return 1 if isinstance(executor, _InProcess) else 2 * jobs


def _merge_parts(
    parts: list[Part],
    sources: Callable[[int], SourceRow],
    held: list[BlankRun],
    builder: RecordBuilder,
    skip: frozenset[int],
    lane: bool,
) -> Iterator[Row | RowBatch]:
    """Yield the rows of a range's parts, after the blank rows held before them, if any."""
    if parts:
        for source in blank_rows(held):
            yield exact_row(builder, source, skip)
        held.clear()
    for numbers, found, answer in parts:
        yield from _merge(_Batch(numbers, sources, found), answer, builder, skip, lane=lane)


def _cancel(pending: Iterable[tuple[Any, Future[str] | None]]) -> None:
    """Cancel the ranges in flight that no worker started yet."""
    for _, later in pending:
        if later is not None:
            later.cancel()


def _sheet_ranged(
    executor: Executor,
    sheet: SheetLayout,
    parts: Iterator[SheetRange | None],
    rows: Iterable[SourceRow],
    builder: RecordBuilder,
    skip: frozenset[int],
    jobs: int,
    lane: bool,
) -> Generator[Row | RowBatch, None, Iterator[SourceRow] | None]:
    """Yield the rows of the sheet's ranges the workers parsed, in order, checking each.

    A range is used only when its worker found it as cut and its first row follows the
    previous range's last (see :mod:`harmonizer.io.sheet_ranges`). At the first that is
    not, the ranges in flight are dropped and the parent's reader (``rows``) goes on
    after the last row yielded: it parses the sheet from its start, and reports what is
    wrong exactly as one process does. None when every range was used.
    """
    pending: deque[tuple[SheetRange | None, Future[str] | None]] = deque()
    done = False
    emitted = sheet.cells.header_end  # rows up to this one are yielded (or the header)
    last = 0
    held: list[BlankRun] = []
    while True:
        while len(pending) < _ahead(executor, jobs):
            part = next(parts, _NO_RANGE)
            if part is _NO_RANGE:
                break
            assert not isinstance(part, _NoRange)
            pending.append((part, None if part is None else executor.submit(_work_sheet, part)))
        if not pending:
            return None if done else _after(rows, emitted)
        part, future = pending.popleft()
        answer = None if future is None else _unspool(future, SheetAnswer)
        if (
            part is None
            or answer is None
            or answer.parts is None
            or (part.first is not None and part.first <= last)
        ):
            _cancel(pending)
            return _after(rows, emitted)
        again = _SheetRangeRows(sheet, part)
        yield from _merge_parts(answer.parts, again, held, builder, skip, lane)
        if answer.parts:
            emitted = answer.parts[-1][0][-1]
        held.extend(answer.held)
        last = answer.last or last
        done = part.last


class _NoRange:
    """What ``next`` gives once the sheet's ranges are all taken."""


_NO_RANGE = _NoRange()


def _after(rows: Iterable[SourceRow], emitted: int) -> Iterator[SourceRow]:
    """Return the rows of the parent's reader after row ``emitted``."""
    return (source for source in rows if source.row > emitted)


class _SheetRangeRows:
    """The source rows of a sheet's range, parsed again when the parent needs some.

    As for a csv range (:class:`_RangeRows`), a worker sends back records, not cells;
    the parent keeps the range's XML while it merges its rows.
    """

    def __init__(self, sheet: SheetLayout, part: SheetRange) -> None:
        self._sheet, self._part = sheet, part
        self._rows: dict[int, SourceRow] | None = None

    def __call__(self, number: int) -> SourceRow:
        if self._rows is None:
            # Parsed as the worker parsed it a moment ago: the same rows and issues.
            self._rows = {source.row: source for source in range_rows(self._sheet, self._part).rows}
        return self._rows[number]


def _rest(reader: RangeRows, held: list[BlankRun]) -> Generator[SourceRow, None, None]:
    """Yield the rows of the rest of a file that the parent reads, then close it."""
    try:
        yield from skip_trailing_blanks(chain(blank_rows(held), reader.rows))
    finally:
        reader.close()


class _RangeRows:
    """The source rows of a range, read again from the export when the parent needs some.

    A worker sends back its rows' records, not their cells: the parent needs a row only
    to build it on the exact path (the reader found something in it, or the fast path
    did), or to reject it as a duplicate, and then reads the range again (once) with the
    worker's reader, which gives the same rows, issues and all.
    """

    def __init__(self, layout: CsvLayout, info: ExportInfo, part: Range) -> None:
        self._layout, self._info, self._part = layout, info, part
        self._rows: dict[int, SourceRow] | None = None

    def __call__(self, number: int) -> SourceRow:
        if self._rows is None:
            reader = RangeRows(self._layout, self._info, self._part)
            try:
                self._rows = {source.row: source for source in reader.rows}
            finally:
                reader.close()
        source = self._rows.get(number)
        if source is None:
            raise ReadError(
                f"{self._info.name}: the file changed while it was read (row {number} is "
                "no longer where it was); run again once it is complete"
            )
        return source


class _Batch:
    """A batch's rows as the parent merges them: numbers, and rows when asked for.

    Rows are looked up one by one, and only for a row the parent builds on the exact
    path, or rejects as a duplicate: not for every accepted row of a worker, whose record
    arrives as a jsonl line.
    """

    def __init__(
        self,
        numbers: list[int],
        sources: Sequence[SourceRow] | Callable[[int], SourceRow],
        found: Container[int],
    ) -> None:
        self.numbers = numbers
        self._sources = sources
        self.found = found
        """The places of the rows the reader found something in."""

    @classmethod
    def read(cls, batch: list[SourceRow]) -> _Batch:
        """Return a batch the parent read itself."""
        return cls([source.row for source in batch], batch, cls.found_in(batch))

    @staticmethod
    def found_in(batch: list[SourceRow]) -> set[int]:
        """Return the places of the rows the reader found something in."""
        return {place for place, source in enumerate(batch) if source.issues}

    def source(self, place: int) -> SourceRow:
        """Return a row as the reader gave it."""
        sources = self._sources
        if callable(sources):
            return sources(self.numbers[place])
        return sources[place]

    def cells(self, place: int) -> tuple[Cell, ...]:
        """Return the cells of a row."""
        return self.source(place).values


def _merge(
    batch: _Batch,
    answer: Answer,
    builder: RecordBuilder,
    skip: frozenset[int],
    *,
    lane: bool = False,
) -> Iterator[Row | RowBatch]:
    """Yield the rows of a batch; with ``lane``, a batch of accepted lines as one.

    A batch travels as a :class:`RowBatch` when every row came back accepted as a jsonl
    line, the reader found nothing in any, and none has more than a notice to say.
    """
    records = answer.records
    if (
        lane
        and not batch.found
        and records
        and None not in records  # with lane (jsonl lines), every other record is its id
        and not answer.extras.any_error()
    ):
        yield RowBatch(
            builder.info,
            batch.numbers,
            cast(list[str], records),
            answer.lines,
            answer.extras,
            partial(_rows, batch, answer, builder, skip),
        )
        return
    yield from _rows(batch, answer, builder, skip)


def _rows(
    batch: _Batch,
    answer: Answer,
    builder: RecordBuilder,
    skip: frozenset[int],
) -> Iterator[Row]:
    info = builder.info
    lines, lengths, extras = answer.lines, iter(answer.lengths), answer.extras
    found = batch.found
    offset = 0
    for place, (number, record) in enumerate(zip(batch.numbers, answer.records, strict=True)):
        line = b""
        if isinstance(record, str):
            end = offset + next(lengths)
            line = lines[offset:end]
            offset = end
        # The workers see only the cells: what the reader found in a row (a formula
        # without a value, a control character) sends it to the exact path here.
        if record is None or place in found:
            yield exact_row(builder, batch.source(place), skip)
            continue
        issues, redactions = extras.extra(place, number) or _NO_EXTRA
        encoded = isinstance(record, str)
        response = Response(number, (number,), () if encoded else batch.cells(place))
        row = Row(
            info,
            response,
            issues=list(issues),
            redactions=Counter(redactions) if redactions else None,
            builder=builder,
            validated=True,
        )
        if isinstance(record, str):
            row.encoded_id, row.encoded = record, line
            row.source_cells = partial(batch.cells, place)
        else:
            row.record = record
        yield row


_NO_EXTRA: Extra = ([], {})
