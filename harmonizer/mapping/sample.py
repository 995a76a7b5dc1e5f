"""Checking a mapping against a sample export: its header and the values it holds.

:class:`SampleCheck` observes an export's rows and reports mapped columns missing from
its header and every distinct value of a mapped column that no rule accepts, with its
count. It asks the engine's own converters, compiled by
:class:`~harmonizer.engine.exact.RecordBuilder`, so it cannot disagree with a run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harmonizer.converters import Converter, LookupProblem, age_converter
from harmonizer.engine.exact import TEXT_FIELDS, RecordBuilder
from harmonizer.engine.responses import Column, HeaderIndex
from harmonizer.io.cells import Cell
from harmonizer.io.readers import ExportInfo, SourceRow
from harmonizer.issues import Issue, IssueCode, header_listing, preview, quote
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.model import ColumnRef, FieldRule
from harmonizer.redaction import redact_text
from harmonizer.structure import KeyPath, column_refs
from harmonizer.values import label_key

# Distinct unmapped values kept per source column; further ones are only counted, so
# memory stays flat whatever the export holds.
MAX_VALUES_PER_COLUMN = 200


@dataclass
class _Seen:
    """One unmapped value of one column: how often, where first, and why."""

    count: int
    row: int
    raw: Cell
    code: IssueCode
    message: str


@dataclass
class _Check:
    """A national field whose source values are checked: where they come from and how."""

    name: str
    column: Column | None
    question: str | None
    convert: Callable[[Cell], tuple[IssueCode, str] | None]
    seen: dict[str, _Seen] = field(default_factory=dict)
    others: int = 0


class SampleCheck:
    """Checks a mapping against an export's header and the values its rows carry.

    Feed it rows with :meth:`observe`, then read :meth:`issues`. It keeps at most
    :data:`MAX_VALUES_PER_COLUMN` distinct unmapped values per column, whatever the
    export's size.
    """

    def __init__(self, loaded: LoadedMapping, info: ExportInfo) -> None:
        self.loaded = loaded
        self.info = info
        model = loaded.model
        header = HeaderIndex(info.header)
        self.header_issues: list[Issue] = []
        padded = list(info.header)
        for at, ref in column_refs(model):
            if ref.has_source and ref.question is None and header.find(ref) is None:
                self.header_issues.append(self._missing_column(at, ref))
                # Pad the header so the engine compiles; a padded column reads as blank.
                padded.extend([ref.column] * (ref.occurrence - header.duplicates(ref)))
        builder = RecordBuilder(
            loaded, dataclasses.replace(info, header=tuple(padded)), redactor=None
        )
        # A header text that several columns carry, taken without occurrence: the
        # warning run and validate give, from the same compiled rules.
        self.header_issues.extend(builder.header_issues)
        self.width = len(info.header)
        self.filters = builder.filters
        self.skip = frozenset(model.source.skip_rows)
        self.checks: list[_Check] = []
        looked_up: set[tuple[int | str | None, str]] = set()
        for plan in builder.plans:
            if plan.name in TEXT_FIELDS and plan.lookup is None:
                continue  # free text: any value is accepted
            lookup = plan.lookup
            rule = model.fields.get(plan.name)
            if lookup is not None and isinstance(rule, FieldRule) and rule.lookup is not None:
                # Several fields often look up one cell (unit code -> id, name, area): a
                # value missing from the table is one issue per cell, as in a run.
                cell = (
                    plan.source.column.index if plan.source.column else plan.source.question,
                    rule.lookup,
                )
                first = cell not in looked_up
                looked_up.add(cell)
                lookup = lookup if first else _found_or_skip(lookup)
            self.checks.append(
                _Check(
                    plan.name,
                    plan.source.column,
                    plan.source.question,
                    _engine_step(plan.convert, lookup),
                )
            )
        age = model.fields.get("age_group")
        if isinstance(age, FieldRule):
            convert_age = age_converter(age, loaded)
            self.checks.append(
                _Check(
                    "age_group",
                    builder.header.find(age) if age.question is None else None,
                    age.question,
                    lambda value: convert_age(value, None).error,
                )
            )
        # Own items too: an answer off the item's declared scale is the note a run gives.
        for name, item_source, item_convert in builder.own:
            self.checks.append(
                _Check(
                    f"own_items.{name}",
                    item_source.column,
                    item_source.question,
                    _own_step(item_convert),
                )
            )
        self.by_column = [c for c in self.checks if c.question is None and c.column is not None]
        self.by_question = {c.question: c for c in self.checks if c.question is not None}
        self.long = model.long
        self.question_column: Column | None = None
        self.answer_column: Column | None = None
        self.known: set[str] = set()
        self.unknown_questions: dict[str, _Seen] = {}
        if model.long is not None:
            self.question_column = builder.header.find(model.long.question)
            self.answer_column = builder.header.find(model.long.answer)
            for check in self.by_question.values():
                check.column = self.answer_column
            self.known = set(model.long.ignore)
            self.known |= {
                r.question for r in model.fields.values() if isinstance(r, FieldRule) and r.question
            }
            self.known |= {i.question for i in model.own_items.values() if i.question}

    def _missing_column(self, at: KeyPath, ref: ColumnRef) -> Issue:
        shown = header_listing(self.info.header)
        sheet = f", sheet '{self.info.sheet}'" if self.info.sheet else ""
        return Issue(
            IssueCode.COLUMN_NOT_FOUND,
            f"{ref.describe()} is not in the header of {self.info.name}{sheet} (row "
            f"{self.info.header_row}); the header has: {shown}",
            IssueCode.COLUMN_NOT_FOUND.severity,
            redact_text(str(self.loaded.path)),
            None,
            self.loaded.line_of(*at),
            ref.column,
            ref.letter,
            ".".join(map(str, at)),
            None,
        )

    def observe(self, source: SourceRow) -> None:
        """Check the mapped cells of one source row."""
        if source.row in self.skip or source.is_blank:
            return
        values = source.values
        for rule in self.filters:
            if rule.test(_cell(values, rule.column)):
                return
        for check in self.by_column:
            assert check.column is not None
            _note(check, _cell(values, check.column), source.row)
        if self.question_column is not None and self.answer_column is not None:
            question = _cell(values, self.question_column)
            if question is None:
                return
            key = str(question)
            answered = self.by_question.get(key)
            if answered is not None:
                _note(answered, _cell(values, self.answer_column), source.row)
            elif key not in self.known:
                _count(
                    self.unknown_questions,
                    key,
                    question,
                    source.row,
                    (
                        IssueCode.UNKNOWN_QUESTION,
                        f"question id {quote(key)} has no rule; map it in the mapping's fields or "
                        "own_items, or list it under long.ignore",
                    ),
                    limit=MAX_VALUES_PER_COLUMN,
                )

    def issues(self) -> list[Issue]:
        """Return the header issues, then one issue per unmapped value with its count."""
        found = list(self.header_issues)
        for check in self.checks:
            column = check.column
            found.extend(
                self._value_issue(seen, column, check.name)
                for seen in sorted(check.seen.values(), key=lambda s: (-s.count, s.row))
            )
            if check.others:
                found.append(
                    self._value_issue(
                        _Seen(
                            check.others,
                            0,
                            None,
                            next(iter(check.seen.values())).code,
                            f"{check.others} more rows hold other unmapped values; fix the ones "
                            "listed and check again",
                        ),
                        column,
                        check.name,
                    )
                )
        found.extend(
            self._value_issue(seen, self.question_column, None)
            for seen in sorted(self.unknown_questions.values(), key=lambda s: (-s.count, s.row))
        )
        return found

    def _value_issue(self, seen: _Seen, column: Column | None, name: str | None) -> Issue:
        rows = "row" if seen.count == 1 else "rows"
        if seen.row:
            message = f"{seen.count} {rows} (first on row {seen.row}): {seen.message}"
        else:
            message = seen.message
        return Issue(
            seen.code,
            message,
            seen.code.severity,
            self.info.name,
            self.info.sheet,
            seen.row or None,
            column.header if column else None,
            column.letter if column and column.index < self.width else None,
            name,
            preview(seen.raw),
        )


def _cell(values: tuple[Cell, ...], column: Column) -> Cell:
    return values[column.index] if column.index < len(values) else None


def _engine_step(
    convert: Converter, lookup: Callable[[Cell], tuple[Cell, LookupProblem | None]] | None
) -> Callable[[Cell], tuple[IssueCode, str] | None]:
    """Return the engine's verdict on one cell: None when a rule accepts it.

    Lookup first, then the converter: the order RecordBuilder.build applies them in.
    """

    def step(value: Cell) -> tuple[IssueCode, str] | None:
        if lookup is not None:
            value, problem = lookup(value)
            if problem is not None:
                code, message = problem
                if code is IssueCode.LOOKUP_MISSING:
                    message += "; add it to the table or give a default"
                return code, message
        return convert(value).error

    return step


def _own_step(convert: Converter) -> Callable[[Cell], tuple[IssueCode, str] | None]:
    """Return an own item's verdict on one cell: its error, else its note, else None."""

    def step(value: Cell) -> tuple[IssueCode, str] | None:
        result = convert(value)
        return result.error or result.note

    return step


def _found_or_skip(
    lookup: Callable[[Cell], tuple[Cell, LookupProblem | None]],
) -> Callable[[Cell], tuple[Cell, LookupProblem | None]]:
    """Return a lookup whose misses are left to the field that reports them.

    A value missing from the table is one issue for the cell (the first field reports
    it); an empty column of a row the table has is this field's own issue, as in a run.
    """

    def step(value: Cell) -> tuple[Cell, LookupProblem | None]:
        found, problem = lookup(value)
        if problem is not None and problem[0] is IssueCode.LOOKUP_MISSING:
            return None, None
        return found, problem

    return step


def _note(check: _Check, value: Cell, row: int) -> None:
    if value is None:
        return
    verdict = check.convert(value)
    if verdict is None:
        return
    if not _count(check.seen, label_key(value), value, row, verdict, limit=MAX_VALUES_PER_COLUMN):
        check.others += 1


def _count(
    seen: dict[str, _Seen],
    key: str,
    raw: Any,
    row: int,
    verdict: tuple[IssueCode, str],
    *,
    limit: int,
) -> bool:
    """Count one unmapped value; False when the column already holds ``limit`` others."""
    entry = seen.get(key)
    if entry is not None:
        entry.count += 1
        return True
    if len(seen) >= limit:
        return False
    seen[key] = _Seen(1, row, raw, verdict[0], verdict[1])
    return True
