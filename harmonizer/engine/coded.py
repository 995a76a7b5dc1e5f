"""Plain csv ranges on the fast path as dictionary-coded columns: work once per distinct cell.

A plain range (see RangeRows.plain_table) arrives as Arrow text columns. Each column the
plan reads is dictionary-encoded: its distinct texts, and each row's index into them.
Cleaning, recoding, filters and lookups then run once per distinct text of a batch,
and so do the schema's checks and the JSON texts of the values (see
LineEncoder.encode_coded, which joins the lines in Arrow). Values that never repeat
(record ids, row numbers, response ids) stay lists. This is the fast path of
:mod:`harmonizer.engine.fast` computed another way: the same rows take it, their lines
come out byte-identical (a differential test holds them so), and a row with anything
to say goes to the exact path as there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from harmonizer.engine.codes import Codes, coded, combine, spread
from harmonizer.engine.exact import (
    RecordBuilder,
    answered,
    missing_object,
    missing_reasons,
    nps_group,
    period_of,
    personal_ids,
)
from harmonizer.engine.fast import (
    Coded,
    Filled,
    Same,
    cleaned_texts,
    mapped_columns,
    used_columns,
)
from harmonizer.engine.plan import BAD, FieldColumn, Outcome, Plan
from harmonizer.io.arrow import memory_pool
from harmonizer.io.cells import Cell, normalise_row
from harmonizer.io.table import SourceRow
from harmonizer.issues import Issue

if TYPE_CHECKING:
    import pyarrow as pa


CodedColumn = Coded | list[Any] | Same | Filled


@dataclass(frozen=True, slots=True)
class CodedBatch:
    """The rows of a batch that take the fast path, as coded record columns.

    ``places`` gives each fast row's place in the batch and ``ids`` its record id;
    ``columns`` holds one column per record key (``keys``, the schema's order);
    ``notes`` the notices of the fast rows that have any, by place.
    """

    size: int
    places: list[int]
    keys: tuple[str, ...]
    columns: list[CodedColumn]
    ids: list[str]
    notes: dict[int, CodedNotes]


CodedNotes = tuple[list[Issue], list[tuple[str, int]]]
"""A fast row's notices as built for their distinct values (not moved to the row), and
what the redactor replaced in it, by kind."""

Cells = Mapping[int, tuple[list[Cell], Codes]]
"""A batch's columns the plan reads: the distinct cells (cleaned), and each row's code."""


class CodedCells:
    """Dictionary-codes the columns of a plain table that the fast path reads."""

    def __init__(self, plan: Plan, builder: RecordBuilder) -> None:
        self.used = used_columns(plan, builder)

    def columns(self, table: pa.Table) -> dict[int, tuple[list[Cell], Codes]]:
        """Return the used columns of a table of text columns, cleaned as the reader cleans."""
        import pyarrow.compute as pc

        out: dict[int, tuple[list[Cell], Codes]] = {}
        for index in self.used:
            if index < table.num_columns:
                pool = memory_pool()
                encoded = pc.dictionary_encode(
                    table.column(index).combine_chunks(pool), memory_pool=pool
                )
                distinct = cleaned_texts(encoded.dictionary.to_pylist())
                out[index] = (list(distinct), encoded.indices.to_numpy())
        return out


def table_source(table: pa.Table, first: int) -> Callable[[int], SourceRow]:
    """Return the source row at a place of a plain table, as the reader gives it."""

    def source(place: int) -> SourceRow:
        cells = [column[place].as_py() for column in table.columns]
        return SourceRow(first + place, normalise_row(cells), first + place)

    return source


def table_rows(table: pa.Table) -> list[list[str]]:
    """Return a plain table's rows as lists of cells as written."""
    columns = [column.to_pylist() for column in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def coded_fast(
    first: int,
    size: int,
    cells: Cells,
    source: Callable[[int], SourceRow],
    skip: frozenset[int],
    builder: RecordBuilder,
    plan: Plan,
) -> CodedBatch | None:
    """Return the rows of a plain batch that take the fast path, as coded record columns.

    The batch's row at place ``i`` is source row ``first + i``; ``cells`` holds its
    columns (see :class:`CodedCells`). None when the plan needs what only the list path
    computes (an age group derived from a year of birth and the response's year), or
    a mapped column lies beyond the table's width.
    """
    if plan.age is not None and plan.age.by_year:
        return None
    if any(index not in cells for index in mapped_columns(plan)):
        return None  # a mapped column beyond the header's width
    bad = np.zeros(size, dtype=bool)

    def mark(flags: list[bool], codes: Codes) -> None:
        if any(flags):
            bad[spread(flags, codes)] = True

    for number in skip:
        if first <= number < first + size:
            bad[number - first] = True
    for rule in plan.filters:
        distinct, codes = cells[rule.index]
        mark([rule(value) for value in distinct], codes)
    if builder.response_column is not None:
        distinct, codes = cells[builder.response_column.index]
        # A response id with personal data in it is redacted on the exact path.
        mark(personal_ids(distinct), codes)
    recoded = [_recode(field, cells, size) for field in plan.fields]
    own = [_recode(item, cells, size) for item in plan.own]
    by_name = {field.name: column for field, column in zip(plan.fields, recoded, strict=True)}
    if plan.age is not None:
        distinct, codes = cells[plan.age.index]
        by_name["age_group"] = (plan.age.recode(distinct, None), codes)
    for outcomes, codes in [*by_name.values(), *own]:
        mark([o is BAD for o in outcomes], codes)
    for name in plan.required:
        if name in by_name:
            outcomes, codes = by_name[name]
            mark([o is BAD or o[0] is None for o in outcomes], codes)
        elif builder.constants.get(name) is None:
            bad[:] = True
    good = np.flatnonzero(~bad)
    if not len(good):
        return CodedBatch(size, [], builder.fields, [], [], {})
    batch = _Batch(good, len(good) == size, first)
    values = {
        name: Coded([None if o is BAD else o[0] for o in outcomes], batch.rows_of(codes))
        for name, (outcomes, codes) in by_name.items()
    }
    columns, ids = _columns(values, recoded, own, cells, batch, builder, plan)
    notes = _notes(recoded, own, batch, source, builder, plan)
    return CodedBatch(size, good.tolist(), builder.fields, columns, ids, notes)


Recoded = tuple[list[Outcome], Codes]
"""A column's outcome per distinct cell, and each row's code."""


def _recode(field: FieldColumn, cells: Cells, size: int) -> Recoded:
    distinct, codes = cells[field.index]
    # Values that rarely repeat within a batch (response times) rarely repeat after it.
    return field.recode(distinct, keep=len(distinct) * 2 <= size), codes


@dataclass(frozen=True)
class _Batch:
    """The fast rows of a batch: their places, and their source rows."""

    good: Codes
    every: bool
    first: int

    def rows_of(self, codes: Codes) -> Codes:
        """Return the fast rows' codes of a column of the batch."""
        return codes if self.every else codes[self.good]

    @property
    def numbers(self) -> list[int]:
        """Return the fast rows' source row numbers."""
        numbers: list[int] = (self.good + self.first).tolist()
        return numbers


def _columns(
    values: dict[str, Coded],
    recoded: list[Recoded],
    own: list[Recoded],
    cells: Cells,
    batch: _Batch,
    builder: RecordBuilder,
    plan: Plan,
) -> tuple[list[CodedColumn], list[str]]:
    """Return the record columns in the schema's key order (see fast._records), and the ids."""
    constant: dict[str, Any] = dict(builder.constants)
    for name in values:
        constant.pop(name, None)
    if not builder.keep_open_text:
        values.pop("open_feedback", None)
        constant["open_feedback"] = None

    def column_of(name: str) -> Coded | Same:
        return values[name] if name in values else Same(constant.get(name))

    width = len(builder.info.header)
    identity_cells: list[Sequence[Cell] | None] = [None] * width
    response = builder.response_column
    for index in builder.identity_columns():
        if index in cells:
            distinct, codes = cells[index]
            if response is not None and index == response.index:
                picked = list(map(distinct.__getitem__, batch.rows_of(codes).tolist()))
                identity_cells[index] = picked
            else:
                # The mapped cells make the identity only of a row without a response
                # id: looked up for those rows alone.
                identity_cells[index] = _Picked(distinct, batch.rows_of(codes))
    count = len(batch.good)
    identities = builder.column_identities(identity_cells, range(count))
    ids = _record_ids(column_of("provider_id"), [identity for _, identity in identities], builder)
    derived = builder.derived
    out: list[CodedColumn] = []
    for key in builder.fields:
        if key not in derived:
            out.append(column_of(key))
        elif key == "schema_version":
            out.append(Same(builder.schema.version))
        elif key == "record_id":
            out.append(ids)
        elif key == "period":
            out.append(_mapped(column_of("responded_at"), period_of))
        elif key == "nps_group":
            out.append(_mapped(column_of("nps"), nps_group))
        elif key == "adapted":
            adapted = builder.adapted
            present = partial(answered, adapted)
            out.append(_combined([column_of(a) for a in adapted], present) if adapted else Same([]))
        elif key == "missing":
            out.append(_missing(recoded, batch, builder, plan))
        elif key == "own_items":
            names = [item.key for item in plan.own]
            own_values = [
                Coded([None if o is BAD else o[0] for o in outcomes], batch.rows_of(codes))
                for outcomes, codes in own
            ]
            out.append(_combined(own_values, partial(_named, names)) if own else Same({}))
        elif key == "source":
            out.append(
                Filled(
                    builder.source_template,
                    {"row": batch.numbers, "response_id": [rid for rid, _ in identities]},
                )
            )
        else:
            raise AssertionError(f"no derived key {key}")
    return out, ids


class _Picked(Sequence[Cell]):
    """A coded column's cell at each fast row, looked up when asked for."""

    def __init__(self, distinct: list[Cell], codes: Codes) -> None:
        self._distinct, self._codes = distinct, codes

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, place: Any) -> Any:
        if isinstance(place, slice):
            return [self._distinct[code] for code in self._codes[place].tolist()]
        return self._distinct[int(self._codes[place])]


def _record_ids(provider: Coded | Same, identities: list[str], builder: RecordBuilder) -> list[str]:
    if isinstance(provider, Same):
        return builder.record_ids(provider.value, identities)
    used = np.unique(provider.codes).tolist()
    if len({provider.values[code] for code in used}) == 1:
        return builder.record_ids(provider.values[used[0]], identities)
    return [
        builder.record_id(provider.values[code], identity)
        for code, identity in zip(provider.codes.tolist(), identities, strict=True)
    ]


def _named(names: Sequence[str], values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(names, values, strict=True))


def _mapped(column: Coded | Same, derive: Callable[[Any], Any]) -> Coded | Same:
    if isinstance(column, Same):
        return Same(derive(column.value))
    return Coded([derive(value) for value in column.values], column.codes)


def _distinct(column: Coded) -> Coded:
    """Return the column with equal values given one code (1, 1.0 and True stay three)."""
    lut, first = coded([(value.__class__, value) for value in column.values])
    if len(first) == len(column.values):
        return column
    return Coded([column.values[i] for i in first], lut[column.codes])


def _combined(
    columns: Sequence[Coded | Same], make: Callable[[tuple[Any, ...]], Any]
) -> Coded | Same:
    """Return the column ``make`` derives from several columns' values, once per combination."""
    varying = [_distinct(c) for c in columns if isinstance(c, Coded)]
    if not varying:
        return Same(make(tuple(c.value for c in columns if isinstance(c, Same))))
    combos, codes = combine([c.codes for c in varying], [len(c.values) for c in varying])
    made: list[Any] = []
    for combo in combos.tolist():
        picks = iter(zip(varying, combo, strict=True))
        row: list[Any] = []
        for column in columns:
            if isinstance(column, Same):
                row.append(column.value)
            else:
                coded, code = next(picks)
                row.append(coded.values[code])
        made.append(make(tuple(row)))
    return Coded(made, codes)


def _missing(
    recoded: list[Recoded], batch: _Batch, builder: RecordBuilder, plan: Plan
) -> Coded | Same:
    """Return the missing reasons (see fast._missing), once per combination of reasons."""
    reasons: dict[str, Coded | Same] = {}
    for field, (outcomes, codes) in zip(plan.fields, recoded, strict=True):
        if field.measure:
            # The fast rows have no BAD outcome: a BAD entry is never looked up.
            reasons[field.name] = Coded(
                [None if o is BAD or o[0] is not None else o[1] for o in outcomes],
                batch.rows_of(codes),
            )
    order = missing_reasons(builder, reasons, Same(None))
    if not order:
        return Same({})
    return _combined([column for _, column, _ in order], partial(missing_object, order))


def _notes(
    recoded: list[Recoded],
    own: list[Recoded],
    batch: _Batch,
    source: Callable[[int], SourceRow],
    builder: RecordBuilder,
    plan: Plan,
) -> dict[int, CodedNotes]:
    """Return the redaction notices of the fast rows that have any, by place."""
    notes: dict[int, CodedNotes] = {}
    info = builder.info
    columns = list(zip(plan.fields, recoded, strict=True)) + list(zip(plan.own, own, strict=True))
    for plan_column, (outcomes, codes) in columns:
        if not plan_column.cache.redacts:
            continue
        flags = [o is not BAD and o[3] is not None for o in outcomes]
        if not any(flags):
            continue
        rows = batch.rows_of(codes)
        for j in np.flatnonzero(spread(flags, rows)).tolist():
            place = int(batch.good[j])
            # The issue as built for its distinct value: the notices move it to the
            # row when someone looks at it.
            issue, replaced = plan_column.redaction_note(
                outcomes[rows[j]], info, partial(source, place)
            )
            issues, redactions = notes.setdefault(place, ([], []))
            issues.append(issue)
            redactions.extend(replaced)
    return notes
