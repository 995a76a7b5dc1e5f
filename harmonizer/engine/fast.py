"""The columnar fast path of the wide layout: clean rows in batches, the rest exactly.

A batch of source rows is turned into columns; each mapped column is recoded through
the :class:`~harmonizer.engine.plan.Plan`'s caches (the converters run once per
distinct raw value), and records are assembled from the recoded columns. A row with
anything to say (a blank or skipped row, a filter match, a ragged row, an over-long
cell, an unknown label, a failed lookup, a time in a DST change, an empty required
field) goes to the exact path, :meth:`RecordBuilder.build`, which gives every issue as
the row path always did. Records come out byte-identical to the exact path's; a test
compares the two on every bundled export and on generated ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from harmonizer.engine.exact import RecordBuilder
from harmonizer.engine.plan import BAD, Outcome, Plan
from harmonizer.engine.responses import Response, wide_responses
from harmonizer.engine.row import Row
from harmonizer.io.table import SourceRow
from harmonizer.mapping.model import NOT_ASKED

BATCH_ROWS = 2048
"""Rows per batch: large enough to amortise the column work, small enough to stay flat."""


def batches(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    """Yield the rows in lists of at most ``size``."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def fast_wide_rows(
    rows: Iterable[SourceRow],
    builder: RecordBuilder,
    plan: Plan,
    *,
    skip: frozenset[int],
    batch_rows: int = BATCH_ROWS,
) -> Iterator[Row]:
    """Yield a :class:`Row` per source row, in order, exactly as the row path would."""

    def exact(source: SourceRow) -> Row:
        return exact_row(builder, source, skip)

    for batch in batches(rows, batch_rows):
        for row in fast_batch(batch, builder, plan, skip, exact):
            assert row is not None
            yield row


def exact_row(builder: RecordBuilder, source: SourceRow, skip: frozenset[int]) -> Row:
    """Build one source row on the exact path."""
    response = next(wide_responses((source,), skip))
    return builder.build(response)


def fast_batch(
    batch: list[SourceRow],
    builder: RecordBuilder,
    plan: Plan,
    skip: frozenset[int],
    exact: Callable[[SourceRow], Row | None],
) -> Iterator[Row | None]:
    """Yield a row per source row of a batch; rows with anything to say go to ``exact``."""
    width = len(builder.info.header)
    # Which rows may take the fast path: no wider than the header (a wider row may be
    # ragged), not blank, not skipped, nothing the reader found in it (a formula without
    # a value, a control character, a line in another encoding). A shorter row's missing
    # cells are empty.
    clean = [
        len(s.values) <= width
        and not s.issues
        and s.row not in skip
        and s.values.count(None) != len(s.values)
        for s in batch
    ]
    if not any(clean):
        for source in batch:
            yield exact(source)
        return
    fast = [
        s.values if len(s.values) == width else s.values + (None,) * (width - len(s.values))
        for s, ok in zip(batch, clean, strict=True)
        if ok
    ]
    columns = list(zip(*fast, strict=True)) if fast else []
    bad = [False] * len(fast)
    for rule in plan.filters:
        for i, hit in enumerate(map(rule, columns[rule.index])):
            if hit:
                bad[i] = True
    recoded: list[list[Outcome]] = []
    for field in plan.fields:
        outcomes = field.recode(columns[field.index])
        if BAD in outcomes:
            for i, outcome in enumerate(outcomes):
                if outcome is BAD:
                    bad[i] = True
        recoded.append(outcomes)
    years: list[int | None] | None = None
    if plan.year_field is not None:
        years = [o[2] if o is not BAD else None for o in recoded[plan.year_field]]
    age: list[Outcome] | None = None
    if plan.age is not None:
        age = plan.age.recode(columns[plan.age.index], years)
        for i, outcome in enumerate(age):
            if outcome is BAD:
                bad[i] = True
    own: list[list[Outcome]] = []
    for item in plan.own:
        outcomes = item.recode(columns[item.index])
        if BAD in outcomes:
            for i, outcome in enumerate(outcomes):
                if outcome is BAD:
                    bad[i] = True
        own.append(outcomes)
    yield from _assemble(batch, clean, bad, recoded, age, own, builder, plan, exact)


def _assemble(
    batch: list[SourceRow],
    clean: list[bool],
    bad: list[bool],
    recoded: list[list[Outcome]],
    age: list[Outcome] | None,
    own: list[list[Outcome]],
    builder: RecordBuilder,
    plan: Plan,
    exact: Callable[[SourceRow], Row | None],
) -> Iterator[Row | None]:
    info = builder.info
    constants = builder.constants
    not_asked = builder.not_asked
    keep_open_text = builder.keep_open_text
    count = len(bad)
    # Column-wise first: values, missing reasons and required fields of every fast row.
    names = [f.name for f in plan.fields]
    value_columns = [[o[0] if o is not BAD else None for o in column] for column in recoded]
    if age is not None:
        names.append("age_group")
        value_columns.append([o[0] if o is not BAD else None for o in age])
    for name in plan.required:
        if name in names:
            for i, value in enumerate(value_columns[names.index(name)]):
                if value is None:
                    bad[i] = True
        elif constants.get(name) is None:
            bad = [True] * count
    measures = [k for k, f in enumerate(plan.fields) if f.measure]
    measure_names = [plan.fields[k].name for k in measures]
    missing_rows = list(
        zip(
            *(
                [o[1] if o is not BAD and o[0] is None else None for o in recoded[k]]
                for k in measures
            ),
            strict=True,
        )
    )
    value_rows = list(zip(*value_columns, strict=True)) if value_columns else [()] * count
    own_names = [item.key for item in plan.own]
    own_rows = (
        list(zip(*([o[0] if o is not BAD else None for o in c] for c in own), strict=True))
        if own
        else [()] * count
    )
    redacting = [
        (plan.fields[k], column)
        for k, column in enumerate(recoded)
        if any(o is not BAD and o[3] is not None for o in column)
    ]
    redacting += [
        (plan.own[k], column)
        for k, column in enumerate(own)
        if any(o is not BAD and o[3] is not None for o in column)
    ]
    fast_index = 0
    for source, ok in zip(batch, clean, strict=True):
        if not ok:
            yield exact(source)
            continue
        i = fast_index
        fast_index += 1
        if bad[i]:
            yield exact(source)
            continue
        values: dict[str, Any] = dict(constants)
        values.update(zip(names, value_rows[i], strict=True))
        missing: dict[str, str] = dict.fromkeys(not_asked, NOT_ASKED)
        if measures:
            missing.update(
                {
                    name: reason
                    for name, reason in zip(measure_names, missing_rows[i], strict=True)
                    if reason is not None
                }
            )
        items: dict[str, Any] = dict(zip(own_names, own_rows[i], strict=True))
        if not keep_open_text:
            values["open_feedback"] = None
        response = Response(source.row, (source.row,), source.values)
        row = Row(info, response, builder=builder)
        for column_plan, column in redacting:
            outcome = column[i]
            if outcome[3] is not None:
                column_plan.note_redaction(row, outcome)
        row.record = builder._record(values, missing, items, response)
        yield row
