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

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from harmonizer.engine.batches import batches, cell_chars, read_batches
from harmonizer.engine.exact import (
    RecordBuilder,
    answered,
    missing_object,
    missing_reasons,
    nps_group,
    period_of,
    personal_ids,
)
from harmonizer.engine.plan import BAD, CACHE_LIMIT, CACHED_CHARS, Outcome, Plan
from harmonizer.engine.responses import Response, wide_responses
from harmonizer.engine.row import Row
from harmonizer.io.cells import Cell, normalise_row, normalise_text, ordinary_spaces
from harmonizer.io.table import SourceRow, Table
from harmonizer.issues import Issue

if TYPE_CHECKING:
    from harmonizer.engine.codes import Codes

BATCH_ROWS = 2048
"""Rows per batch: large enough to amortise the column work, small enough to stay flat."""


def source_batches(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    """Yield the rows in lists of at most ``size`` rows and about BATCH_CHARS characters."""
    text_read = rows.text_read if isinstance(rows, Table) else None
    if text_read is not None:
        return read_batches(rows, size, text_read)
    return batches(rows, size, _source_chars)


def _source_chars(source: SourceRow) -> int:
    return cell_chars(source.values)


def fast_wide_rows(
    rows: Iterable[SourceRow],
    builder: RecordBuilder,
    plan: Plan,
    *,
    skip: frozenset[int],
    batch_rows: int = BATCH_ROWS,
) -> Iterator[Row]:
    """Yield a :class:`Row` per source row, in order, exactly as the row path would.

    Rows with anything to say take the exact path.
    """
    info = builder.info
    for batch in source_batches(rows, batch_rows):
        for source, made in zip(batch, fast_records(batch, builder, plan, skip), strict=True):
            if made is None:
                yield exact_row(builder, source, skip)
                continue
            record, issues, redactions = made
            response = Response(source.row, (source.row,), source.values)
            yield Row(info, response, record, issues, redactions=redactions, builder=builder)


def exact_row(builder: RecordBuilder, source: SourceRow, skip: frozenset[int]) -> Row:
    """Build one source row on the exact path."""
    response = next(wide_responses((source,), skip))
    return builder.build(response)


Built = tuple[dict[str, Any], list[Issue], Counter[str] | None]
"""A fast row's record, with its notices and what the redactor replaced, by kind."""

Notes = tuple[list[Issue], Counter[str] | None]
"""A fast row's notices and what the redactor replaced, by kind."""


@dataclass(frozen=True, slots=True)
class Same:
    """A record column that holds one value on every row (a constant)."""

    value: Any

    def values(self, count: int) -> Iterable[Any]:
        """Return the value for ``count`` records (a list or a dict copied for each)."""
        value = self.value
        if isinstance(value, list | dict):
            return [value.copy() for _ in range(count)]
        return repeat(value, count)


@dataclass(frozen=True, slots=True)
class Filled:
    """A record column of objects: one template, with some of its keys' values per row."""

    template: dict[str, Any]
    columns: dict[str, list[Any]]

    def objects(self) -> list[dict[str, Any]]:
        """Return the objects, as ``dict(template)`` with the row's values set."""
        template, keys = self.template, list(self.columns)
        out = []
        for row in zip(*self.columns.values(), strict=True):
            made = dict(template)
            made.update(zip(keys, row, strict=True))
            out.append(made)
        return out


@dataclass(frozen=True, slots=True)
class Keyed:
    """A record column of objects, each with a key that determines it.

    Equal keys, equal objects: a key stands for its object where objects are looked up.
    """

    values: list[Any]
    keys: Sequence[Hashable]


Column = list[Any] | Same | Filled | Keyed


@dataclass(frozen=True, slots=True)
class Coded:
    """A record column of repeating values: the distinct values, and each row's index.

    Made by the coded path (:mod:`harmonizer.engine.coded`) only.
    """

    values: list[Any]
    codes: Codes


@dataclass(frozen=True, slots=True)
class FastBatch:
    """The rows of a batch that take the fast path, as record columns.

    ``places`` gives each fast row's place in the batch; ``columns`` one column per
    record key (``keys``, the schema's order), each with a value per fast row;
    ``notes`` each fast row's notices.
    """

    size: int
    places: list[int]
    keys: tuple[str, ...]
    columns: list[Column]
    notes: list[Notes]

    def records(self) -> list[dict[str, Any]]:
        """Return the fast rows' records (one dict each, built in C)."""
        count = len(self.places)
        columns = [_listed(c, count) for c in self.columns]
        keys = self.keys
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _listed(column: Column, count: int) -> Iterable[Any]:
    """Return a column's value for each of ``count`` records."""
    if isinstance(column, Filled):
        return column.objects()
    if isinstance(column, Same):
        return column.values(count)
    if isinstance(column, Keyed):
        return column.values
    return column


def fast_records(
    batch: list[SourceRow], builder: RecordBuilder, plan: Plan, skip: frozenset[int]
) -> list[Built | None]:
    """Return, per source row of a batch, its record with its notices, or None.

    None: the row has something to say and takes the exact path.
    """
    made = fast_columns(batch, builder, plan, skip)
    built: list[Built | None] = [None] * made.size
    for place, record, (issues, redactions) in zip(
        made.places, made.records(), made.notes, strict=True
    ):
        built[place] = (record, issues, redactions)
    return built


def fast_columns(
    batch: list[SourceRow], builder: RecordBuilder, plan: Plan, skip: frozenset[int]
) -> FastBatch:
    """Return the rows of a batch that may take the fast path, as record columns.

    The others have something to say and take the exact path.
    """
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
        return FastBatch(len(batch), [], builder.fields, [], [])
    fast = [
        s.values if len(s.values) == width else s.values + (None,) * (width - len(s.values))
        for s, ok in zip(batch, clean, strict=True)
        if ok
    ]
    places = [place for place, ok in enumerate(clean) if ok]
    columns: list[Sequence[Cell] | None] = list(zip(*fast, strict=True))
    return _fast(
        len(batch),
        places,
        [batch[p].row for p in places],
        columns,
        batch.__getitem__,
        builder,
        plan,
    )


class PlainCells:
    """Cells as written, cleaned as the reader cleans them, per column and distinct text."""

    def __init__(self, plan: Plan, builder: RecordBuilder) -> None:
        self.used = used_columns(plan, builder)
        self._memos: dict[int, dict[str, str | None]] = {index: {} for index in self.used}

    def columns(self, rows: list[list[str]], width: int) -> list[Sequence[Cell] | None]:
        """Return the cleaned columns of rows of ``width`` cells (None: a column not read)."""
        raw = list(zip(*rows, strict=True))
        columns: list[Sequence[Cell] | None] = [None] * width
        for index in self.used:
            if index < width:
                columns[index] = _cleaned(raw[index], self._memos[index])
        return columns


def mapped_columns(plan: Plan) -> list[int]:
    """Return the columns the plan's fields, own items, age group and filters read."""
    indices = [field.index for field in [*plan.fields, *plan.own]]
    indices += [rule.index for rule in plan.filters]
    return indices + ([plan.age.index] if plan.age is not None else [])


def used_columns(plan: Plan, builder: RecordBuilder) -> list[int]:
    """Return the columns the fast path reads (only they are cleaned), in order."""
    return sorted({*mapped_columns(plan), *builder.identity_columns()})


def cleaned_texts(raw: Sequence[str]) -> list[str | None]:
    """Return texts cleaned as the reader cleans a cell (see normalise_text)."""
    if ordinary_spaces("".join(raw)):  # as normalise_text does, without a call a cell
        return [text.strip() or None for text in raw]
    return list(map(normalise_text, raw))


def _cleaned(raw: Sequence[str], memo: dict[str, str | None]) -> list[str | None]:
    out = list(map(memo.get, raw, repeat(_MISS, len(raw))))
    if _MISS not in out:
        return out
    if len(set(raw)) * 2 > len(raw):  # ids and times rarely repeat: not memoised
        return cleaned_texts(raw)
    for i, known in enumerate(out):
        if known is _MISS:
            text = raw[i]
            cleaned = memo.get(text, _MISS)
            if cleaned is _MISS:
                cleaned = normalise_text(text)
                if len(text) <= CACHED_CHARS:
                    if len(memo) >= CACHE_LIMIT:
                        memo.clear()
                    memo[text] = cleaned
            out[i] = cleaned
    return out


_MISS: Any = object()


def fast_plain(
    numbers: list[int],
    rows: list[list[str]],
    cells: PlainCells,
    builder: RecordBuilder,
    plan: Plan,
    skip: frozenset[int],
) -> FastBatch:
    """Return :func:`fast_columns` of rows the csv reader found plain (see RangeRows.plain).

    ``rows`` hold their cells as written, source row ``numbers[i]`` being ``rows[i]``;
    none is blank and the reader has nothing to say of any. Each used column is cleaned
    once per distinct text, as the reader cleans every cell.
    """
    width = len(builder.info.header)
    if any(len(row) != width for row in rows) or not skip.isdisjoint(numbers):
        sources = [
            SourceRow(n, normalise_row(row), n) for n, row in zip(numbers, rows, strict=True)
        ]
        return fast_columns(sources, builder, plan, skip)

    def source(place: int) -> SourceRow:
        return SourceRow(numbers[place], normalise_row(rows[place]), numbers[place])

    columns = cells.columns(rows, width)
    return _fast(len(rows), list(range(len(rows))), numbers, columns, source, builder, plan)


def _fast(
    size: int,
    places: list[int],
    numbers: list[int],
    columns: list[Sequence[Cell] | None],
    source: Callable[[int], SourceRow],
    builder: RecordBuilder,
    plan: Plan,
) -> FastBatch:
    """Recode and assemble the clean rows of a batch (at ``places``, given as columns)."""
    count = len(places)
    bad = [False] * count

    def column(index: int) -> Sequence[Cell]:
        found = columns[index]
        assert found is not None
        return found

    for rule in plan.filters:
        for i, hit in enumerate(map(rule, column(rule.index))):
            if hit:
                bad[i] = True
    if builder.response_column is not None:
        # A response id with personal data in it is redacted on the exact path, which
        # notes it on the row.
        for i, personal in enumerate(personal_ids(column(builder.response_column.index))):
            if personal:
                bad[i] = True
    recoded: list[list[Outcome]] = []
    for field in plan.fields:
        outcomes = field.recode(column(field.index))
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
        age = plan.age.recode(column(plan.age.index), years)
        for i, outcome in enumerate(age):
            if outcome is BAD:
                bad[i] = True
    own: list[list[Outcome]] = []
    for item in plan.own:
        outcomes = item.recode(column(item.index))
        if BAD in outcomes:
            for i, outcome in enumerate(outcomes):
                if outcome is BAD:
                    bad[i] = True
        own.append(outcomes)
    return _assemble(size, places, numbers, columns, source, bad, recoded, age, own, builder, plan)


def _assemble(
    size: int,
    clean_places: list[int],
    numbers: list[int],
    cells: list[Sequence[Cell] | None],
    source: Callable[[int], SourceRow],
    bad: list[bool],
    recoded: list[list[Outcome]],
    age: list[Outcome] | None,
    own: list[list[Outcome]],
    builder: RecordBuilder,
    plan: Plan,
) -> FastBatch:
    count = len(bad)
    names = [f.name for f in plan.fields]
    value_columns = [_values(column) for column in recoded]
    if age is not None:
        names.append("age_group")
        value_columns.append(_values(age))
    for name in plan.required:
        if name in names:
            for i, value in enumerate(value_columns[names.index(name)]):
                if value is None:
                    bad[i] = True
        elif builder.constants.get(name) is None:
            bad = [True] * count
    # The rows that take the fast path, by their place among the clean rows.
    good = [i for i in range(count) if not bad[i]]
    places = [clean_places[i] for i in good]
    rows = [numbers[i] for i in good]
    identities = builder.column_identities(cells, good)
    columns = _records(rows, identities, good, names, value_columns, recoded, own, builder, plan)
    redacting = [
        (plan.fields[k], column)
        for k, column in enumerate(recoded)
        if plan.fields[k].cache.redacts and any(o is not BAD and o[3] is not None for o in column)
    ]
    redacting += [
        (plan.own[k], column)
        for k, column in enumerate(own)
        if plan.own[k].cache.redacts and any(o is not BAD and o[3] is not None for o in column)
    ]
    info = builder.info
    notes: list[Notes] = []
    for i, place, row in zip(good, places, rows, strict=True):
        issues: list[Issue] = []
        redactions: Counter[str] | None = None
        for column_plan, column in redacting:
            outcome = column[i]
            if outcome[3] is not None:
                issue, replaced = column_plan.redaction_note(outcome, info, partial(source, place))
                issues.append(issue.at_row(row))
                if redactions is None:
                    redactions = Counter()
                redactions.update(dict(replaced))
        notes.append((issues, redactions))
    return FastBatch(size, places, builder.fields, columns, notes)


def _values(outcomes: list[Outcome]) -> list[Any]:
    """Return the values of a column's outcomes (None for BAD)."""
    if BAD in outcomes:
        return [o[0] if o is not BAD else None for o in outcomes]
    return list(map(_FIRST, outcomes))


_FIRST = itemgetter(0)


def _records(
    rows: list[int],
    identities: list[tuple[str | None, str]],
    good: list[int],
    names: list[str],
    value_columns: list[list[Any]],
    recoded: list[list[Outcome]],
    own: list[list[Outcome]],
    builder: RecordBuilder,
    plan: Plan,
) -> list[Column]:
    """Return the columns of the fast rows' records, as RecordBuilder._record builds them.

    Every key of the record gets a column (or a constant) for the rows in ``good``
    (source rows ``rows``), in the schema's key order. A differential test holds the
    records made of them byte-identical to the exact path's.
    """
    size = len(good)
    if not size:
        return []
    all_good = size == len(value_columns[0]) if value_columns else True
    columns: dict[str, Any] = {}
    constant: dict[str, Any] = dict(builder.constants)
    for name, column in zip(names, value_columns, strict=True):
        constant.pop(name, None)
        columns[name] = column if all_good else [column[i] for i in good]
    if not builder.keep_open_text:
        columns.pop("open_feedback", None)
        constant["open_feedback"] = None

    def values_of(name: str) -> list[Any]:
        if name in columns:
            return list(columns[name])
        return [constant.get(name)] * size

    derived = builder.derived
    record_columns: list[Column] = []
    for key in builder.fields:
        if key in derived:
            record_columns.append(
                _derived(key, values_of, rows, identities, good, recoded, own, builder, plan)
            )
        elif key in columns:
            record_columns.append(columns[key])
        else:
            record_columns.append(Same(constant.get(key)))
    return record_columns


def _derived(
    key: str,
    values_of: Callable[[str], list[Any]],
    rows: list[int],
    identities: list[tuple[str | None, str]],
    good: list[int],
    recoded: list[list[Outcome]],
    own: list[list[Outcome]],
    builder: RecordBuilder,
    plan: Plan,
) -> Column:
    """Return the column of one derived record key (see RecordBuilder._record)."""
    if key == "schema_version":
        return Same(builder.schema.version)
    if key == "record_id":
        providers = values_of("provider_id")
        if len(set(providers)) == 1:  # the provider is a constant, as it mostly is
            return builder.record_ids(providers[0], [identity for _, identity in identities])
        return [
            builder.record_id(provider, identity)
            for provider, (_, identity) in zip(providers, identities, strict=True)
        ]
    if key == "period":
        return list(map(period_of, values_of("responded_at")))
    if key == "nps_group":
        return list(map(nps_group, values_of("nps")))
    if key == "adapted":
        adapted = builder.adapted
        if not adapted:
            return Same([])
        present = zip(*(values_of(a) for a in adapted), strict=True)
        return [answered(adapted, values) for values in present]
    if key == "missing":
        return _missing(good, recoded, builder, plan)
    if key == "own_items":
        own_names = [item.key for item in plan.own]
        if not own:
            return Same({})
        own_columns = [[c[i][0] for i in good] for c in own]
        return [dict(zip(own_names, r, strict=True)) for r in zip(*own_columns, strict=True)]
    if key == "source":
        return Filled(
            builder.source_template,
            {
                "row": rows,
                "response_id": [response_id for response_id, _ in identities],
            },
        )
    raise AssertionError(f"no derived key {key}")


def _missing(
    good: list[int], recoded: list[list[Outcome]], builder: RecordBuilder, plan: Plan
) -> Column:
    size = len(good)
    every = size == len(recoded[0]) if recoded else True
    reasons: dict[str, list[str | None]] = {}
    for k, field in enumerate(plan.fields):
        if field.measure:
            column = recoded[k] if every else [recoded[k][i] for i in good]
            # The rows of ``good`` have no BAD outcome.
            reasons[field.name] = [o[1] if o[0] is None else None for o in column]
    order = missing_reasons(builder, reasons, [None] * size)
    if not order:
        return Same({})
    # Rows share few combinations of reasons: each is made once, and copied per record.
    made_for: dict[tuple[str | None, ...], dict[str, str]] = {}
    out: list[dict[str, str]] = []
    keys: list[tuple[str | None, ...]] = list(zip(*(column for _, column, _ in order), strict=True))
    for key in keys:
        made = made_for.get(key)
        if made is None:
            made = made_for[key] = missing_object(order, key)
        out.append(dict(made))
    return Keyed(out, keys)
