"""The compiled plan of a wide export: per source column, a recoding cached by raw value.

The plan is built once per export from the exact path's :class:`RecordBuilder` (the
same converters, lookups and defaults), so a fix in a converter reaches both paths.
Each field keeps a cache from raw cell to outcome, so a converter runs once per
distinct value of its column, not once per row. An outcome is either :data:`BAD` (the
row has something to say, and goes to the exact path) or a clean
``(value, missing reason, year, redaction)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from harmonizer.converters import (
    MAX_CELL_CHARS,
    Converter,
    LookupProblem,
    MomentConverter,
    Result,
    convert_or_default,
)
from harmonizer.engine.exact import RecordBuilder
from harmonizer.engine.responses import Column, Response
from harmonizer.engine.row import Row
from harmonizer.io.cells import Cell
from harmonizer.io.table import ExportInfo, SourceRow
from harmonizer.issues import Issue

BAD: Any = object()
"""The outcome of a raw value that needs the exact path."""

Outcome = Any
"""``BAD`` or ``(value, missing reason, year, redaction or None)``."""

_MISS: Any = object()
CACHE_LIMIT = 65_536
"""Distinct raw values cached per column before the cache starts afresh (bounded memory)."""
CACHED_CHARS = 256
"""Longer texts (open answers, which rarely repeat) are converted without caching."""


def _key(value: Cell) -> object:
    # 1, 1.0 and True are equal as dict keys; the converters tell them apart. Text and
    # None are their own keys, so a csv column is looked up without building any.
    return value if value.__class__ is str or value is None else (value.__class__, value)


class _Cache:
    """Raw value -> outcome, bounded."""

    def __init__(self, compute: Callable[[Cell], Outcome]) -> None:
        self._compute = compute
        self._memo: dict[object, Outcome] = {}
        self.redacts = False
        """Whether any outcome so far carried a redaction: most columns never do."""

    def recode(self, values: Sequence[Cell], *, keep: bool = True) -> list[Outcome]:
        # Without ``keep``, new outcomes are not kept: a column whose values rarely
        # repeat (response times) would fill the memo for nothing.
        memo = self._memo
        # Looked up as they are (in C): a text or None finds its outcome; a number
        # (an xlsx cell) misses here, as its key is a tuple, and is looked up below.
        out = list(map(memo.get, values, repeat(_MISS, len(values))))
        if _MISS not in out:
            return out
        compute = self._compute
        for i, found in enumerate(out):
            if found is not _MISS:
                continue
            value = values[i]
            key: object = value
            if value.__class__ is str:
                outcome = _MISS  # looked up above as it is
            else:
                key = _key(value)
                outcome = memo.get(key, _MISS)
            if outcome is _MISS:
                outcome = compute(value)
                if outcome is not BAD and outcome[3] is not None:
                    self.redacts = True
                if keep and not (isinstance(value, str) and len(value) > CACHED_CHARS):
                    if len(memo) >= CACHE_LIMIT:
                        memo.clear()
                    memo[key] = outcome
            out[i] = outcome
        return out


@dataclass
class Redaction:
    """What the redactor replaced in one distinct value, and the issue it raises."""

    result: Result
    template: Issue | None = None


@dataclass
class FieldColumn:
    """One national field (or own item) fed by one source column."""

    name: str
    index: int
    column: Column
    measure: bool
    builder: RecordBuilder
    compute: Callable[[Cell], Outcome]
    key: str = ""
    cache: _Cache = field(init=False)

    def __post_init__(self) -> None:
        self.cache = _Cache(self.compute)
        self.key = self.key or self.name

    def recode(self, values: Sequence[Cell], *, keep: bool = True) -> list[Outcome]:
        """Return the outcome of every value of the column (``keep``: memoise new ones)."""
        return self.cache.recode(values, keep=keep)

    def redaction_note(
        self, outcome: Outcome, export: ExportInfo, source: Callable[[], SourceRow]
    ) -> tuple[Issue, tuple[tuple[str, int], ...]]:
        """Return the `redacted` issue of a value and what was replaced in it, by kind.

        The issue is built once per distinct value, at the row ``source`` gives (its
        first use); the caller moves it to each row (:meth:`Issue.at_row`).
        """
        redaction: Redaction = outcome[3]
        if redaction.template is None:
            first = source()
            response = Response(first.row, (first.row,), first.values)
            scratch = Row(export, response, builder=self.builder)
            self.builder._redacted(scratch, redaction.result, first.row, self.column, self.name)
            redaction.template = scratch.issues[0]
        return redaction.template, redaction.result.redactions


def _field_outcome(
    convert: Converter,
    lookup: Callable[[Cell], tuple[Cell, LookupProblem | None]] | None,
    default: Any,
) -> Callable[[Cell], Outcome]:
    """Mirror RecordBuilder.build for one field; anything to report is BAD."""

    def compute(raw: Cell) -> Outcome:
        if type(raw) is str and len(raw) > MAX_CELL_CHARS:
            return BAD
        value = raw
        if lookup is not None:
            value, problem = lookup(raw)
            if problem is not None:
                return BAD
            result = convert(value)
        else:
            result = convert_or_default(convert, value, default)
        if result.error is not None or result.note is not None:
            return BAD
        missing = result.missing or "no_answer"
        return (
            result.value,
            missing,
            result.year,
            Redaction(result) if result.redactions else None,
        )

    return compute


def _time_outcome(
    convert: Converter, compute: Callable[[Cell], Outcome]
) -> Callable[[Cell], Outcome]:
    """Read common response times without a Result per row (they are distinct).

    ``compute`` is the field's general outcome, for every other cell; a field that is
    not a response time read without a lookup keeps it as it is.
    """
    if not isinstance(convert, MomentConverter) or convert.quick is None:
        return compute
    read = convert.read_quickly

    def time_outcome(raw: Cell) -> Outcome:
        if type(raw) is str:
            found = read(raw)
            if found is not None:
                return (found[0], "no_answer", found[2], None)
        return compute(raw)

    return time_outcome


def _own_outcome(convert: Converter) -> Callable[[Cell], Outcome]:
    def compute(raw: Cell) -> Outcome:
        if type(raw) is str and len(raw) > MAX_CELL_CHARS:
            return BAD
        result = convert(raw)
        if result.error is not None or result.note is not None:
            return BAD
        return (result.value, None, None, Redaction(result) if result.redactions else None)

    return compute


class AgeColumn:
    """age_group: codes or an age cached by raw value; a year of birth also by year."""

    def __init__(self, index: int, convert: Callable[[Cell, int | None], Result], by_year: bool):
        self.index = index
        self._convert = convert
        self._by_year = by_year
        self._memo: dict[object, Outcome] = {}

    @property
    def by_year(self) -> bool:
        """Whether the group depends on the response's year (derived from a year of birth)."""
        return self._by_year

    def _compute(self, raw: Cell, year: int | None) -> Outcome:
        if type(raw) is str and len(raw) > MAX_CELL_CHARS:
            return BAD
        result = self._convert(raw, year)
        return BAD if result.error is not None else (result.value, None, None, None)

    def recode(self, values: Sequence[Cell], years: Sequence[int | None] | None) -> list[Outcome]:
        """Return the outcome of every value; ``years`` are the rows' response years."""
        memo = self._memo
        out: list[Outcome] = []
        for i, raw in enumerate(values):
            year = years[i] if years is not None and self._by_year else None
            key = (_key(raw), year)
            outcome = memo.get(key, _MISS)
            if outcome is _MISS:
                outcome = self._compute(raw, year)
                if len(memo) >= CACHE_LIMIT:
                    memo.clear()
                memo[key] = outcome
            out.append(outcome)
        return out


class FilterColumn:
    """A filter's test, cached by raw value."""

    def __init__(self, index: int, test: Callable[[Cell], bool]) -> None:
        self.index = index
        self._test = test
        self._memo: dict[object, bool] = {}

    def __call__(self, value: Cell) -> bool:
        """Return True when the filter excludes a row with this value."""
        key = _key(value)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._test(value)
            if len(self._memo) >= CACHE_LIMIT:
                self._memo.clear()
            self._memo[key] = hit
        return hit


@dataclass
class Plan:
    """The compiled recoding of one wide export."""

    fields: list[FieldColumn]
    own: list[FieldColumn]
    filters: list[FilterColumn]
    age: AgeColumn | None
    year_field: int | None
    required: list[str]


def compile_plan(builder: RecordBuilder) -> Plan | None:
    """Compile the fast plan of a wide export; None when only the exact path applies."""
    if builder.pivot_columns is not None or builder.loaded.model.long is not None:
        return None
    fields: list[FieldColumn] = []
    for rule in builder.plans:
        if rule.open_text and not builder.keep_open_text:
            continue
        column = rule.source.column
        if column is None:
            return None
        outcome = _field_outcome(rule.convert, rule.lookup, rule.default)
        if rule.lookup is None:
            outcome = _time_outcome(rule.convert, outcome)
        fields.append(FieldColumn(rule.name, column.index, column, rule.measure, builder, outcome))
    own: list[FieldColumn] = []
    for name, source, convert in builder.own:
        if source.column is None:
            return None
        own.append(
            FieldColumn(
                f"own_items.{name}",
                source.column.index,
                source.column,
                False,
                builder,
                _own_outcome(convert),
                key=name,
            )
        )
    age = None
    if builder._age is not None:
        age_source, age_convert = builder._age
        if age_source.column is None:
            return None
        age_rule = builder.loaded.model.fields.get("age_group")
        by_year = getattr(age_rule, "derive", None) == "birth_year"
        age = AgeColumn(age_source.column.index, age_convert, by_year)
    filters = [FilterColumn(f.column.index, f.test) for f in builder.filters]
    year_field = next((i for i, f in enumerate(fields) if f.name == "responded_at"), None)
    return Plan(fields, own, filters, age, year_field, list(builder.required))
