"""Responses: source rows grouped into one response each (wide: a row; long: a pivot).

The long layout streams: a response is complete once none of its answers arrived in the
last ``pivot_window`` rows, so memory is bounded by the window, not the export.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from harmonizer.io.cells import Cell, column_index, column_letter
from harmonizer.io.readers import ExportInfo, SourceRow
from harmonizer.issues import Issue, IssueCode, message, preview, quote
from harmonizer.mapping.model import ColumnRef
from harmonizer.values import label_key

BLANK_ROW = "blank row"
SKIPPED_ROW = "listed in source.skip_rows"


@dataclass(frozen=True, slots=True)
class Column:
    """A source column resolved against an export's header."""

    index: int
    header: str | None

    @property
    def letter(self) -> str:
        """Return the spreadsheet letter of the column."""
        return column_letter(self.index)


@dataclass(slots=True)
class Response:
    """One response: its source rows, the cells of its first row, and (long) its answers."""

    row: int
    rows: tuple[int, ...]
    values: tuple[Cell, ...]
    answers: dict[str, tuple[Cell, int]] | None = None
    response_id: str | None = None
    issues: list[Issue] = field(default_factory=list)
    excluded: str | None = None
    # Long layout: the rows of the response's first copy when this is a repeat of it, and
    # where they are as messages show it ('rows 2-4', with the export's name when that is
    # another export of the run).
    repeat_of: tuple[int, ...] | None = None
    first_copy: str | None = None

    def cell(self, column: Column) -> Cell:
        """Return the cell of a resolved column in the response's first row."""
        values = self.values
        return values[column.index] if column.index < len(values) else None


class MissingColumnsError(Exception):
    """Columns the mapping names are not in the export's header."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


class HeaderIndex:
    """Finds source columns by header text (tolerantly), occurrence, or letter."""

    def __init__(self, header: Sequence[str | None]) -> None:
        self.header = tuple(header)
        self._by_key: dict[str, list[int]] = {}
        for index, text in enumerate(header):
            if text is not None:
                self._by_key.setdefault(label_key(text), []).append(index)

    def find(self, ref: ColumnRef) -> Column | None:
        """Return the column a reference names, or None when the header lacks it."""
        if ref.letter is not None:
            index = column_index(ref.letter)
            header = self.header[index] if index < len(self.header) else None
            return Column(index, header)
        if ref.column is None:
            return None
        found = self._by_key.get(label_key(ref.column), [])
        if len(found) < ref.occurrence:
            return None
        index = found[ref.occurrence - 1]
        return Column(index, self.header[index])

    def columns_named(self, ref: ColumnRef) -> list[Column]:
        """Return every column that carries the header text a reference names."""
        if ref.column is None:
            return []
        return [Column(i, self.header[i]) for i in self._by_key.get(label_key(ref.column), [])]

    def duplicates(self, ref: ColumnRef) -> int:
        """Return how many columns carry the header text a reference names."""
        if ref.column is None:
            return 0
        return len(self._by_key.get(label_key(ref.column), []))


def _text(value: Cell) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answer_key(value: Cell) -> str | None:
    """Return what :func:`same_answer` compares of an answer (None: no answer)."""
    text = _text(value)
    return None if text is None else label_key(text)


def same_answer(first: Cell, again: Cell) -> bool:
    """Return True when a repeat's answer is its first copy's, as the converters read it.

    Case, spaces and accents aside, as labels are compared, and a number as its text: an
    xlsx's 10 and a csv's "10" are one answer. Only the texts are compared (an xlsx's
    TRUE is not 1), so that a first copy kept as a digest of its text
    (:func:`answer_digest`) compares the same.

    >>> same_answer("10", 10), same_answer("EOS", "eos"), same_answer(9, "10")
    (True, True, False)
    """
    return answer_key(first) == answer_key(again)


def ragged_issue(values: Sequence[Cell], row: int, info: ExportInfo) -> Issue | None:
    """Return a warning when a row has filled cells right of the header's last column."""
    width = len(info.header)
    if len(values) <= width:
        return None
    extra = [i for i in range(width, len(values)) if values[i] is not None]
    if not extra:
        return None
    first = Column(extra[0], None)
    code = IssueCode.RAGGED_ROW
    return Issue(
        code,
        f"the row has {len(extra)} filled cell(s) right of the header's last column "
        f"({column_letter(width - 1) if width else 'none'}), from column {first.letter} on; "
        + (
            "they are ignored: their column has no header"
            if info.format == "xlsx"
            else "they are ignored: check the delimiter and quoting of the export"
        ),
        code.severity,
        info.name,
        info.sheet,
        row,
        None,
        first.letter,
        None,
        preview(values[extra[0]]),
    )


def wide_responses(rows: Iterable[SourceRow], skip: frozenset[int]) -> Iterator[Response]:
    """Yield one response per source row; blank and skipped rows come out excluded."""
    for source in rows:
        response = Response(source.row, (source.row,), source.values)
        if source.issues:  # what the reader found (a formula without a value, ...)
            response.issues.extend(source.issues)
        if source.row in skip:
            response.excluded = SKIPPED_ROW
        elif source.is_blank:
            response.excluded = BLANK_ROW
        yield response


@dataclass(slots=True)
class _Open:
    response: Response
    rows: list[int]
    last_seen: int
    first: FirstCopy | None = None  # set when this is a repeat of a response seen before


Kept = tuple[bytes | None, str, int]
"""A first copy's answer as kept on disk: its comparison digest (None: no answer), its
text as messages quote it (redacted), and its source row."""


def answer_digest(value: Cell) -> bytes | None:
    """Return what :func:`same_answer` compares of an answer, as a 16-byte digest.

    >>> answer_digest("10") == answer_digest(10) == answer_digest(" 10 "), answer_digest(None)
    (True, None)
    """
    key = answer_key(value)
    if key is None:
        return None
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


@dataclass(slots=True)
class FirstCopy:
    """A response's first copy: its export, rows and answers, to recognise a repeat of it.

    The answers are either as read (``answers``: the cell and its row) or, for a copy
    kept on disk (see :class:`~harmonizer.engine.first_copies.FirstCopies`), as
    :data:`Kept` (``kept``), which holds no personal data.
    """

    export: ExportInfo
    rows: Sequence[int]
    answers: dict[str, tuple[Cell, int]] | None = None
    kept: dict[str, Kept] | None = None

    def answered(self, question: str) -> bool:
        """Return True when the first copy answered ``question``."""
        return question in (self.answers if self.answers is not None else self.kept or {})

    def earlier(self, question: str, again: Cell) -> tuple[bool, str, int] | None:
        """Return (is ``again`` the same answer, the first answer as quoted, its row).

        None when the first copy did not answer ``question``.
        """
        if self.answers is not None:
            found = self.answers.get(question)
            if found is None:
                return None
            return same_answer(found[0], again), quote(found[0]), found[1]
        kept = (self.kept or {}).get(question)
        if kept is None:
            return None
        digest, shown, row = kept
        return digest == answer_digest(again), shown, row

    def where(self, info: ExportInfo, rows: Sequence[int] = ()) -> str:
        """Return its rows (or ``rows`` of it), with its export's name unless ``info``."""
        shown = rows_text(rows or self.rows)
        return shown if self.export is info else f"{self.export.name} {shown}"


class FirstCopyStore(Protocol):
    """Where a run keeps its first copies.

    A dict, or a :class:`~harmonizer.engine.first_copies.FirstCopies` in flat memory.
    """

    def get(self, response_id: str) -> FirstCopy | None:
        """Return the first copy of a response, or None."""

    def __setitem__(self, response_id: str, copy: FirstCopy) -> None:
        """Keep the first copy of a response."""


def rows_text(rows: Sequence[int]) -> str:
    """Return row numbers as messages show them: 'row 4', 'rows 2-4', 'rows 2, 5, 7'.

    >>> rows_text([4]), rows_text([2, 3, 4]), rows_text([2, 5, 7])
    ('row 4', 'rows 2-4', 'rows 2, 5, 7')
    """
    if len(rows) == 1:
        return f"row {rows[0]}"
    if list(rows) == list(range(rows[0], rows[0] + len(rows))):
        return f"rows {rows[0]}-{rows[-1]}"
    return "rows " + ", ".join(map(str, rows))


@dataclass(frozen=True)
class PivotColumns:
    """Resolved columns of a long export."""

    response_id: Column
    question: Column
    answer: Column


def long_responses(
    rows: Iterable[SourceRow],
    columns: PivotColumns,
    *,
    skip: frozenset[int],
    window: int,
    ignore: frozenset[str],
    known: frozenset[str],
    info: ExportInfo,
    mapping: str = "the mapping",
    completed: FirstCopyStore | None = None,
    missing_values: Container[object] = (),
) -> Iterator[Response]:
    """Pivot answer rows into responses, streaming within a window of rows.

    A row without a response id comes out as a response of its own carrying an error
    issue, so no row is lost. A response whose answers appear again (a question it has
    already answered, while it is open or after it was completed: an overlap between
    two exports) starts a repeat, which comes out as a response of its own with
    ``repeat_of`` naming the first copy's rows; an answer of the repeat that differs
    from the first copy's is a conflict located at its row. An answer to a new question
    after the response was completed is ``response-not-contiguous``. The first copies
    of completed responses are remembered (their answers) to recognise repeats.

    A response id that is one of ``missing_values`` ('-', N/A) is no id, as a blank
    cell is: the rows of different respondents are not one response. ``completed`` is
    shared by every export of a run, so a response repeated in a later export is a
    repeat too: any answer of it, as an export is contiguous on its own.
    """
    pending: OrderedDict[str, _Open] = OrderedDict()
    if completed is None:
        completed = dict[str, FirstCopy]()

    def issue(code: IssueCode, detail: str, row: int, column: Column, value: Cell) -> Issue:
        return Issue(
            code,
            message(code, detail, mapping=mapping),
            code.severity,
            info.name,
            info.sheet,
            row,
            column.header,
            column.letter,
            None,
            preview(value),
        )

    def flush(entry: _Open) -> Response:
        response = entry.response
        response.rows = tuple(entry.rows)
        assert response.response_id is not None
        assert response.answers is not None
        first = entry.first
        if first is None:
            completed[response.response_id] = FirstCopy(info, response.rows, response.answers)
        else:
            response.repeat_of = tuple(first.rows)
            response.first_copy = first.where(info)
        return response

    def open_entry(rid: str, source: SourceRow, position: int, first: FirstCopy | None) -> _Open:
        entry = _Open(
            Response(source.row, (), source.values, answers={}, response_id=rid),
            [],
            position,
            first,
        )
        pending[rid] = entry
        return entry

    for position, source in enumerate(rows):
        if source.row in skip or source.is_blank:
            reason = SKIPPED_ROW if source.row in skip else BLANK_ROW
            yield Response(source.row, (source.row,), source.values, excluded=reason)
            continue
        values = source.values
        rid = _text(
            values[columns.response_id.index] if columns.response_id.index < len(values) else None
        )
        question = _text(
            values[columns.question.index] if columns.question.index < len(values) else None
        )
        answer = values[columns.answer.index] if columns.answer.index < len(values) else None
        shown_id = None
        if rid is not None and rid in missing_values:
            shown_id, rid = rid, None
        if rid is None:
            lone = Response(source.row, (source.row,), values, answers={}, response_id=rid)
            lone.issues.extend(source.issues)
            lone.issues.append(
                issue(
                    IssueCode.REQUIRED_MISSING,
                    "the row has no response id",
                    source.row,
                    columns.response_id,
                    shown_id,
                )
            )
            yield lone
            continue
        entry = pending.get(rid)
        if (
            entry is not None
            and question is not None
            and question in (entry.response.answers or {})
        ):
            # A question this copy already answered: the response is being repeated.
            pending.pop(rid)
            yield flush(entry)
            first = entry.first or completed.get(rid)
            assert first is not None  # the flush just kept it
            entry = open_entry(rid, source, position, first)
        elif entry is None and (done := completed.get(rid)) is not None:
            if done.export is info and (question is None or not done.answered(question)):
                lone = Response(source.row, (source.row,), values, answers={}, response_id=rid)
                lone.issues.append(
                    issue(
                        IssueCode.RESPONSE_NOT_CONTIGUOUS,
                        f"response {rid!r} was already complete: none of its answers came in the {window} row{'s' if window != 1 else ''} before this one",
                        source.row,
                        columns.response_id,
                        rid,
                    )
                )
                yield lone
                continue
            entry = open_entry(rid, source, position, done)
        elif entry is None:
            entry = open_entry(rid, source, position, None)
        entry.rows.append(source.row)
        entry.last_seen = position
        response = entry.response
        assert response.answers is not None
        response.issues.extend(source.issues)
        ragged = ragged_issue(values, source.row, info)
        if ragged is not None:
            response.issues.append(ragged)
        if question is None:
            response.issues.append(
                issue(
                    IssueCode.REQUIRED_MISSING,
                    "the row has no question id",
                    source.row,
                    columns.question,
                    None,
                )
            )
        elif question in ignore:
            pass
        elif question not in known:
            response.issues.append(
                issue(
                    IssueCode.UNKNOWN_QUESTION,
                    f"question id {question!r} has no rule",
                    source.row,
                    columns.question,
                    question,
                )
            )
        else:
            if entry.first is not None:
                earlier = entry.first.earlier(question, answer)
                shown = entry.first.where(info)
                if earlier is None:
                    response.issues.append(
                        issue(
                            IssueCode.CONFLICTING_ANSWER,
                            f"response {rid!r} appears again, and question {question!r} is answered {answer!r} here but not in its first copy ({shown})",
                            source.row,
                            columns.answer,
                            answer,
                        )
                    )
                elif not earlier[0]:
                    response.issues.append(
                        issue(
                            IssueCode.CONFLICTING_ANSWER,
                            f"response {rid!r} appears again, and question {question!r} is answered {answer!r} here and {earlier[1]} on {entry.first.where(info, (earlier[2],))} (its first copy: {shown})",
                            source.row,
                            columns.answer,
                            answer,
                        )
                    )
            response.answers[question] = (answer, source.row)
        while pending:
            oldest = next(iter(pending.values()))
            if position - oldest.last_seen < window:
                break
            pending.popitem(last=False)
            yield flush(oldest)
    for entry in pending.values():
        yield flush(entry)
