"""The transform: responses of one export become national records, or rejects.

:class:`RecordBuilder` is compiled once per export (its header decides the columns);
:func:`apply_mapping` streams :class:`Row` outcomes. Data problems become issues on the
row; nothing here raises for a bad cell.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from harmonizer.converters import (
    MAX_CELL_CHARS,
    Converter,
    LookupProblem,
    MissingValues,
    Result,
    age_converter,
    code_converter,
    convert_or_default,
    lookup_step,
    moment_converter,
    own_item_converter,
    scale_converter,
    text_converter,
)
from harmonizer.engine.responses import (
    Column,
    HeaderIndex,
    MissingColumnsError,
    PivotColumns,
    Response,
    ragged_issue,
)
from harmonizer.engine.row import Row
from harmonizer.io.cells import Cell
from harmonizer.io.readers import ExportInfo
from harmonizer.issues import (
    HEADER_LISTED,
    PERSONAL_ID_FIELD,
    Issue,
    IssueCode,
    Severity,
    column_listing,
    preview,
)
from harmonizer.issues import message as issue_message
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.model import NOT_ASKED, ColumnRef, FieldRule, Filter
from harmonizer.mapping.rules import required_fields
from harmonizer.redaction import REDACTOR, SHORTEST_PERSONAL, Redactor, redact_text
from harmonizer.values import label_key

T = TypeVar("T")

RECORD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:harmonizer:record")
_NAMESPACE_BYTES = RECORD_NAMESPACE.bytes
OPEN_TEXT_FIELDS = frozenset({"open_feedback"})
TEXT_FIELDS = frozenset({"unit_name", "unit_id", "provider_id", "open_feedback"})
# Free text a provider types in: redacted like open text (identifiers are not).
REDACTED_FIELDS = OPEN_TEXT_FIELDS | {"unit_name"}
REDACTED_KINDS = {
    "hetu": "personal identity code(s)",
    "phone": "phone number(s)",
    "email": "e-mail address(es)",
}


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a field's value comes from in a response."""

    column: Column | None = None
    question: str | None = None
    answer_column: Column | None = None

    def get(self, response: Response) -> tuple[Cell, int, Column | None]:
        if self.column is not None:
            return response.cell(self.column), response.row, self.column
        answers = response.answers or {}
        value, row = answers.get(self.question or "", (None, response.row))
        return value, row, self.answer_column


@dataclass(frozen=True)
class _FieldPlan:
    name: str
    source: _Source
    convert: Converter
    lookup: Callable[[Cell], tuple[Cell, LookupProblem | None]] | None
    default: Any
    measure: bool
    open_text: bool


@dataclass(frozen=True)
class _FilterPlan:
    reason: str
    column: Column
    test: Callable[[Cell], bool]


def _filter_test(rule: Filter) -> Callable[[Cell], bool]:
    if rule.matches is not None:
        pattern = re.compile(rule.matches)
        return lambda value: value is not None and pattern.search(str(value)) is not None
    wanted = {label_key(v) for v in rule.equals or ()}
    return lambda value: value is not None and label_key(value) in wanted


class RecordBuilder:
    """Builds records from the responses of one export; compiled once per export.

    Raises:
        MissingColumnsError: columns the mapping names are not in the header.
    """

    def __init__(
        self,
        loaded: LoadedMapping,
        info: ExportInfo,
        *,
        redactor: Redactor | None,
        keep_open_text: bool = True,
    ) -> None:
        self.loaded = loaded
        self.info = info
        self.schema = loaded.schema
        model = loaded.model
        self.header = HeaderIndex(info.header)
        self._used: set[int] = set()
        self.missing_columns: list[str] = []
        self.header_issues: list[Issue] = []
        self._duplicate_rules: dict[str, list[str]] = {}
        self.constants = dict(model.constants)
        self.required = required_fields(self.schema)
        self.fields = self.schema.fields
        self._field_set = frozenset(self.fields)
        self.measures = self.schema.measures
        self.derived = self._field_set & {
            "schema_version",
            "record_id",
            "period",
            "nps_group",
            "adapted",
            "missing",
            "own_items",
            "source",
        }
        self.source_template: dict[str, Any] = {
            "system": model.provider.system,
            "file": info.name,
            "sheet": info.sheet,
            "sha256": info.sha256,
            "row": None,
            "response_id": None,
            "mapping_id": model.mapping,
            "mapping_version": model.version,
        }
        self.keep_open_text = keep_open_text
        self.pivot_columns: PivotColumns | None = None
        answer = None
        if model.long is not None:
            rid = self._column(model.long.response_id, ("long", "response_id"))
            question = self._column(model.long.question, ("long", "question"))
            answer = self._column(model.long.answer, ("long", "answer"))
            if rid and question and answer:
                self.pivot_columns = PivotColumns(rid, question, answer)
        self.plans: list[_FieldPlan] = []
        self.not_asked = [
            m for m in self.schema.measures if model.fields.get(m, NOT_ASKED) == NOT_ASKED
        ]
        self.adapted = tuple(
            n for n, r in model.fields.items() if isinstance(r, FieldRule) and r.adapted
        )
        self._age: tuple[_Source, Callable[[Cell, int | None], Result]] | None = None
        self.missing_values = MissingValues(model.missing_values)
        for name, entry in model.fields.items():
            if not isinstance(entry, FieldRule):
                continue
            source = self._source(entry, ("fields", name), answer)
            if name == "age_group":
                self._age = (source, age_converter(entry, loaded))
                continue
            self.plans.append(self._plan(name, entry, source, redactor))
        # responded_at first: age from a year of birth needs the response's year.
        self.plans.sort(key=lambda p: p.name != "responded_at")
        self.own = [
            (
                name,
                self._source(item, ("own_items", name), answer),
                own_item_converter(
                    item.value_map,
                    redactor,
                    self.missing_values,
                    self.schema.item_scales.get(item.scale or "", {}).get("points"),
                    item.scale,
                ),
            )
            for name, item in model.own_items.items()
        ]
        self.filters = [
            _FilterPlan(rule.reason, column, _filter_test(rule))
            for index, rule in enumerate(model.filters)
            if (column := self._column(rule, ("filters", index))) is not None
        ]
        self.response_column = (
            self._column(model.response_id, ("response_id",)) if model.response_id else None
        )
        self._raw_columns = self._mapped_columns()
        if self.missing_columns:
            raise MissingColumnsError(self.missing_columns)
        self._unused_columns()

    # -- compiling -----------------------------------------------------------------

    def _column(self, ref: ColumnRef, at: tuple[str | int, ...]) -> Column | None:
        column = self.header.find(ref)
        if column is not None:
            self._used.add(column.index)
        line = self.loaded.line_of(*at)
        where = redact_text(f"{self.loaded.path}:{line}" if line else str(self.loaded.path)) or ""
        if column is None:
            self.missing_columns.append(f"{ref.describe()} ({where}, {'.'.join(map(str, at))})")
        elif "occurrence" not in ref.model_fields_set and self.header.duplicates(ref) > 1:
            self._duplicate_header(ref, column, f"{where}, {'.'.join(map(str, at))}")
        return column

    def _duplicate_header(self, ref: ColumnRef, column: Column, where: str) -> None:
        """Warn once per header text that the mapping took the first of several columns.

        The warning names every rule that takes the header text without ``occurrence``
        (a statement and an own item may both mean another column).
        """
        columns = self.header.columns_named(ref)
        letters = ", ".join(c.letter for c in columns)
        rules = self._duplicate_rules.setdefault(letters, [])
        rules.append(where)
        # Replace the warning given for an earlier rule (compared by letters: the header
        # text in an issue is redacted).
        self.header_issues = [i for i in self.header_issues if i.column_letter != letters]
        shown = " and ".join(f"{c.letter} '{c.header}'" for c in columns)
        code = IssueCode.DUPLICATE_HEADER
        self.header_issues.append(
            Issue(
                code,
                f"the header has {len(columns)} columns named '{column.header}' ({shown}); "
                f"the mapping ({'; '.join(rules)}) takes the first, {column.letter}; add "
                "occurrence: 2 (or a letter) to each rule where another one is meant, or "
                "occurrence: 1 to confirm the first",
                code.severity,
                self.info.name,
                self.info.sheet,
                self.info.header_row + max(self.loaded.model.source.header_rows - 1, 0),
                column.header,
                letters,
                None,
                None,
            )
        )

    def _unused_columns(self) -> None:
        """Note, once per export, the headed columns that no rule of the mapping takes.

        A provider who adds a question to the survey adds a column that would otherwise
        vanish without a word. A column without a header text (empty or only spaces) is
        noted when headed columns lie on both sides of it: a header cell cleared over a
        column of answers; empty columns at the edges (an empty first column, the empty
        cell after a trailing delimiter) are left out.
        """
        header = self.info.header
        headed = [index for index, text in enumerate(header) if text]
        inner = range(headed[0], headed[-1] + 1) if headed else range(0)
        unused = [Column(index, header[index] or "") for index in inner if index not in self._used]
        if not unused:
            return
        code = IssueCode.UNUSED_COLUMN
        shown = column_listing([(c.index, c.header or "") for c in unused])
        letters = ", ".join(c.letter for c in unused[:HEADER_LISTED]) + (
            ", …" if len(unused) > HEADER_LISTED else ""
        )
        self.header_issues.append(
            Issue(
                code,
                issue_message(
                    code,
                    f"{len(unused)} headed {'column is' if len(unused) == 1 else 'columns are'}"
                    f" not used by the mapping: {shown}",
                    mapping=redact_text(self.loaded.path.name) or "",
                ),
                code.severity,
                self.info.name,
                self.info.sheet,
                self.info.header_row + max(self.loaded.model.source.header_rows - 1, 0),
                None,
                letters,
                None,
                preview(", ".join(f"{c.letter} ({c.header})" for c in unused[:HEADER_LISTED])),
            )
        )

    def _source(self, ref: ColumnRef, at: tuple[str | int, ...], answer: Column | None) -> _Source:
        if ref.question is not None:
            return _Source(question=ref.question, answer_column=answer)
        return _Source(column=self._column(ref, at))

    def _plan(
        self, name: str, rule: FieldRule, source: _Source, redactor: Redactor | None
    ) -> _FieldPlan:
        kind = self.schema.measure_kind(name)
        convert: Converter
        if kind is not None:
            convert = scale_converter(name, rule, self.loaded)
        elif name == "responded_at":
            convert = moment_converter(rule, self.missing_values)
        elif name in TEXT_FIELDS:
            convert = text_converter(
                name,
                rule,
                redactor if name in REDACTED_FIELDS else None,
                memoise=name not in OPEN_TEXT_FIELDS,
                missing_values=self.missing_values,
            )
        else:
            convert = code_converter(name, rule, self.loaded)
        lookup = None
        if rule.lookup is not None:
            table = self.loaded.lookups[rule.lookup]
            lookup = lookup_step(
                table,
                rule.take or name,
                rule.default,
                self.missing_values,
                required=name in self.required,
            )
        return _FieldPlan(
            name, source, convert, lookup, rule.default, kind is not None, name in OPEN_TEXT_FIELDS
        )

    def _mapped_columns(self) -> list[tuple[Column, bool]]:
        seen: dict[int, tuple[Column, bool]] = {}
        sources = [(p.source, p.open_text) for p in self.plans]
        sources += [(s, False) for _, s, _ in self.own]
        if self._age:
            sources.append((self._age[0], False))
        for source, open_text in sources:
            if source.column is not None:
                previous = seen.get(source.column.index)
                seen[source.column.index] = (
                    source.column,
                    open_text or bool(previous and previous[1]),
                )
        if self.response_column is not None:
            seen.setdefault(self.response_column.index, (self.response_column, False))
        return [seen[i] for i in sorted(seen)]

    # -- building ------------------------------------------------------------------

    def raw_of(self, response: Response) -> dict[str, Cell]:
        """Return the mapped source cells of a response, open text redacted."""
        raw: dict[str, Cell] = {}
        for column, open_text in self._raw_columns:
            value = None if open_text and not self.keep_open_text else response.cell(column)
            raw[_raw_text(column.header) or column.letter] = _raw_cell(value)
        if response.answers:
            for question, (value, _) in response.answers.items():
                raw[f"question {_raw_text(question)}"] = _raw_cell(value)
        return raw

    def _issue(
        self,
        code: IssueCode,
        message: str,
        row: int,
        column: Column | None,
        field_name: str | None,
        value: Any,
    ) -> Issue:
        return Issue(
            code,
            issue_message(
                code, message, field=field_name, mapping=redact_text(self.loaded.path.name) or ""
            ),
            code.severity,
            self.info.name,
            self.info.sheet,
            row,
            column.header if column else None,
            column.letter if column else None,
            field_name,
            preview(value),
        )

    def build(self, response: Response) -> Row:
        """Build the record of one response; problems become issues on the returned row."""
        row = Row(self.info, response, builder=self)
        if response.excluded is not None:
            row.excluded = response.excluded
            return row
        for rule in self.filters:
            if rule.test(response.cell(rule.column)):
                row.excluded = rule.reason
                return row
        issues = row.issues
        issues.extend(response.issues)
        if response.repeat_of is not None:
            return self._repeat(row, response.repeat_of)
        if response.answers is None:
            ragged = ragged_issue(response.values, response.row, self.info)
            if ragged is not None:
                issues.append(ragged)
        values: dict[str, Any] = dict(self.constants)
        missing: dict[str, str] = dict.fromkeys(self.not_asked, NOT_ASKED)
        year: int | None = None
        failed_lookups: set[int] = set()
        failed_fields: set[str] = set()
        for plan in self.plans:
            if plan.open_text and not self.keep_open_text:
                continue
            raw, source_row, column = plan.source.get(response)
            if type(raw) is str and len(raw) > MAX_CELL_CHARS:
                self._too_long(raw, source_row, column, plan.name, issues)
                continue
            value = raw
            if plan.lookup is not None:
                value, problem = plan.lookup(raw)
                if problem is not None:
                    # Several fields often look up the same cell (unit code -> id, name,
                    # service area): one issue per cell is enough to act on.
                    if column is not None and column.index in failed_lookups:
                        failed_fields.add(plan.name)
                        continue
                    if column is not None:
                        failed_lookups.add(column.index)
                    issues.append(
                        self._issue(problem[0], problem[1], source_row, column, plan.name, raw)
                    )
                    continue
                result = plan.convert(value)
            else:
                result = convert_or_default(plan.convert, value, plan.default)
            if result.error is not None:
                code, message = result.error
                shown = result.value if plan.open_text else raw
                issues.append(self._issue(code, message, source_row, column, plan.name, shown))
                continue
            if result.note is not None:
                issues.append(
                    self._issue(result.note[0], result.note[1], source_row, column, plan.name, raw)
                )
            if result.redactions:
                self._redacted(row, result, source_row, column, plan.name)
            if result.year is not None:
                year = result.year
            if plan.measure and result.value is None:
                missing[plan.name] = result.missing or "no_answer"
            values[plan.name] = result.value
        if self._age is not None:
            age_source, age_convert = self._age
            raw, source_row, column = age_source.get(response)
            if type(raw) is str and len(raw) > MAX_CELL_CHARS:
                self._too_long(raw, source_row, column, "age_group", issues)
                raw = None
            result = age_convert(raw, year)
            if result.error is not None:
                issues.append(
                    self._issue(
                        result.error[0], result.error[1], source_row, column, "age_group", raw
                    )
                )
            values["age_group"] = result.value
        own: dict[str, Any] = {}
        for name, item_source, item_convert in self.own:
            raw, source_row, column = item_source.get(response)
            if type(raw) is str and len(raw) > MAX_CELL_CHARS:
                self._too_long(raw, source_row, column, f"own_items.{name}", issues)
                continue
            result = item_convert(raw)
            if result.error is not None:
                issues.append(
                    self._issue(
                        result.error[0],
                        result.error[1],
                        source_row,
                        column,
                        f"own_items.{name}",
                        raw,
                    )
                )
            else:
                if result.note is not None:
                    issues.append(
                        self._issue(
                            result.note[0],
                            result.note[1],
                            source_row,
                            column,
                            f"own_items.{name}",
                            raw,
                        )
                    )
                if result.redactions:
                    self._redacted(row, result, source_row, column, f"own_items.{name}")
            own[name] = result.value
        for name in self.required:
            if (
                values.get(name) is None
                and name not in failed_fields
                and not any(i.field == name for i in issues)
            ):
                plan_source = self._source_of(name)
                raw, source_row, column = (
                    plan_source.get(response) if plan_source else (None, response.row, None)
                )
                issues.append(
                    self._issue(
                        IssueCode.REQUIRED_MISSING,
                        f"{name} is required but empty",
                        source_row,
                        column,
                        name,
                        raw,
                    )
                )
        if any(i.severity is Severity.ERROR for i in issues):
            return row
        if not self.keep_open_text:
            values["open_feedback"] = None
        response_id, identity = self._identity(response)
        personal = None if response_id is None else personal_id(response_id)
        if personal is not None:
            column = None if response.response_id is not None else self.response_column
            self._redacted(row, personal, response.row, column, PERSONAL_ID_FIELD)
            # An identity code or a phone number as the response id (a paper form keyed
            # by the respondent's code) reaches neither the record nor its record_id: a
            # hash of a code is undone by trying every code. The response is its
            # national values.
            response_id = personal.value
            identity = "\x1f".join(f"{k}={values[k]!r}" for k in sorted(values))
        row.record = self._record(values, missing, own, response, response_id, identity)
        return row

    def _repeat(self, row: Row, first: tuple[int, ...]) -> Row:
        """Finish a repeated response (long layout): a duplicate of its first copy, or a conflict."""
        if row.has_errors:
            return row
        response = row.response
        column = self.pivot_columns.response_id if self.pivot_columns else None
        row.duplicate_of = first[0]
        row.issues.append(
            self._issue(
                IssueCode.DUPLICATE_RESPONSE,
                f"response {response.response_id!r} appears again with the same answers as "
                f"its first copy ({response.first_copy})",
                response.row,
                column,
                None,
                response.response_id,
            )
        )
        return row

    def _redacted(
        self, row: Row, result: Result, source_row: int, column: Column | None, name: str
    ) -> None:
        """Count what was redacted in a cell, and note where, so a provider can look."""
        counts = dict(result.redactions)
        row.count_redactions(counts)
        what = ", ".join(
            f"{n} {REDACTED_KINDS.get(kind, kind)}" for kind, n in sorted(counts.items())
        )
        row.issues.append(
            self._issue(
                IssueCode.REDACTED, f"replaced {what}", source_row, column, name, result.value
            )
        )

    def _too_long(
        self, raw: str, row: int, column: Column | None, name: str, issues: list[Issue]
    ) -> None:
        """Add a located issue for a cell over the length limit."""
        issues.append(
            self._issue(
                IssueCode.VALUE_TOO_LONG,
                f"{len(raw)} characters; at most {MAX_CELL_CHARS} are accepted in a cell",
                row,
                column,
                name,
                raw,
            )
        )

    def locate(self, response: Response, name: str) -> tuple[int, Column | None]:
        """Return the source row and column that fed a national field of a response."""
        source = self._source_of(name)
        if source is None:
            return response.row, None
        _, row, column = source.get(response)
        return row, column

    def _source_of(self, name: str) -> _Source | None:
        for plan in self.plans:
            if plan.name == name:
                return plan.source
        return None

    def _identity(self, response: Response) -> tuple[str | None, str]:
        """Return the response id as written (or None) and the text its record_id hashes."""
        if response.response_id is not None:
            return response.response_id, response.response_id
        return self.cells_identity(response.values)

    def cells_identity(self, cells: tuple[Cell, ...]) -> tuple[str | None, str]:
        """Return the response id and the identity text of a wide row's cells."""
        return self.column_identities([(cell,) for cell in cells], (0,))[0]

    def identity_columns(self) -> set[int]:
        """Return the columns a wide row's identity is read from (see :meth:`cells_identity`)."""
        found = {column.index for column, _ in self._raw_columns}
        if self.response_column is not None:
            found.add(self.response_column.index)
        return found

    def column_identities(
        self, columns: Sequence[Sequence[Cell] | None], places: Iterable[int]
    ) -> list[tuple[str | None, str]]:
        """Return :meth:`cells_identity` of the rows at ``places`` of a batch of columns.

        ``columns`` holds every column of the header (those of :meth:`identity_columns`
        at least; None for a column not read).
        """

        def cell(index: int, place: int) -> Cell:
            column = columns[index] if index < len(columns) else None
            return None if column is None else column[place]

        raw = [column.index for column, _ in self._raw_columns]
        index = self.response_column.index if self.response_column is not None else None
        ids = columns[index] if index is not None and index < len(columns) else None
        missing = self.missing_values
        out: list[tuple[str | None, str]] = []
        for place in places:
            if ids is not None:
                value = ids[place]
                # A missing value ('-', N/A) is no id, as a blank cell is: two responses
                # without an id are not one response repeated.
                if value is not None and value not in missing:
                    text = value if value.__class__ is str else str(value)
                    out.append((text, text))
                    continue
            # Without a response id, the response is its mapped cells: a re-export of
            # the same answers gets the same id.
            out.append((None, "\x1f".join([repr(cell(i, place)) for i in raw])))
        return out

    def record_id(self, provider: Any, identity: str) -> str:
        """Return the ``record_id`` of a response of ``provider`` with this identity text."""
        return record_uuid(f"{provider}\x1f{self.loaded.model.mapping}\x1f{identity}")

    def record_ids(self, provider: Any, identities: Iterable[str]) -> list[str]:
        """Return :meth:`record_id` of each identity text, for one provider."""
        return record_uuids(f"{provider}\x1f{self.loaded.model.mapping}\x1f", identities)

    def _record(
        self,
        values: dict[str, Any],
        missing: dict[str, str],
        own: dict[str, Any],
        response: Response,
        response_id: str | None,
        identity: str,
    ) -> dict[str, Any]:
        record_id = self.record_id(values.get("provider_id"), identity)
        fields = self._field_set
        record = dict.fromkeys(self.fields)
        # Assigning existing keys keeps their places: the order stays the schema's.
        if values.keys() <= fields:
            record.update(values)
        else:
            record.update((k, v) for k, v in values.items() if k in fields)
        derived = self.derived
        if "schema_version" in derived:
            record["schema_version"] = self.schema.version
        if "record_id" in derived:
            record["record_id"] = record_id
        if "period" in derived:
            record["period"] = period_of(values.get("responded_at"))
        if "nps_group" in derived:
            record["nps_group"] = nps_group(values.get("nps"))
        if "adapted" in derived:
            record["adapted"] = answered(self.adapted, [values.get(a) for a in self.adapted])
        if "missing" in derived:
            record["missing"] = {m: missing[m] for m in self.measures if m in missing}
        if "own_items" in derived:
            record["own_items"] = own
        if "source" in derived:
            # The same keys in the same order each time; only two of them change.
            source = dict(self.source_template)
            source["row"] = response.row
            source["response_id"] = response_id
            record["source"] = source
        return record


def period_of(responded_at: Any) -> str | None:
    """Return a record's ``period`` (YYYY-MM) from its ``responded_at``."""
    return responded_at[:7] if isinstance(responded_at, str) else None


def nps_group(nps: Any) -> str | None:
    """Return a record's ``nps_group`` from its ``nps``."""
    if nps is None:
        return None
    return "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"


def answered(names: Sequence[str], values: Sequence[Any]) -> list[str]:
    """Return the names whose value is given (a record's ``adapted`` measures)."""
    return [name for name, value in zip(names, values, strict=True) if value is not None]


def missing_reasons(
    builder: RecordBuilder, reasons: Mapping[str, T], none: T
) -> list[tuple[str, T, str | None]]:
    """Return the measures of ``missing`` with their reasons' column and fallback.

    As RecordBuilder.build: a measure not asked is NOT_ASKED unless its rule gave a
    reason (``none`` stands for a column of no reasons); the keys follow the schema's
    order of measures. See :func:`missing_object`.
    """
    not_asked = set(builder.not_asked)
    order: list[tuple[str, T, str | None]] = []
    for measure in builder.measures:
        fallback = NOT_ASKED if measure in not_asked else None
        if measure in reasons:
            order.append((measure, reasons[measure], fallback))
        elif fallback is not None:
            order.append((measure, none, fallback))
    return order


def missing_object(
    order: Sequence[tuple[str, Any, str | None]], reasons: Sequence[str | None]
) -> dict[str, str]:
    """Return a record's ``missing`` from one reason (or None) per measure of ``order``."""
    made: dict[str, str] = {}
    for (measure, _, fallback), reason in zip(order, reasons, strict=True):
        if reason is not None:
            made[measure] = reason
        elif fallback is not None:
            made[measure] = fallback
    return made


# An identity code has nine digits and a phone number at least seven; an e-mail address
# has an at sign in one of its writings. An id without either is read no further.
_SEVEN_DIGITS = re.compile(r"(?:\D*\d){7}")
_AT_SIGN = re.compile(r"[@\uff20\ufe6b]|[(\[]at?[)\]]", re.IGNORECASE)


def personal_id(text: str) -> Result | None:
    """Return a response id with its personal data redacted, or None when it has none.

    >>> personal_id("R-1042") is None, personal_id("131052-308T").value
    (True, '[HETU]')
    """
    if len(text) < SHORTEST_PERSONAL or (
        _SEVEN_DIGITS.match(text) is None and _AT_SIGN.search(text) is None
    ):
        return None
    shown, counts = REDACTOR.redact(text)
    return Result(shown, redactions=tuple(counts.items())) if counts else None


def personal_ids(values: Sequence[Cell]) -> list[bool]:
    """Return, per value, whether it is a response id with personal data in it.

    As ``[v is not None and personal_id(str(v)) is not None for v in values]``, with
    the ids that cannot hold any told apart in numpy first, when all are ASCII: one of
    six characters or more with seven digits, an at sign or a bracket is looked at
    closer; the rest (most ids) is not.
    """
    import numpy as np

    texts = [None if v is None else str(v) for v in values]
    joined = "".join(t for t in texts if t is not None)
    if len(texts) < _PERSONAL_BATCH or not joined.isascii():
        return [t is not None and personal_id(t) is not None for t in texts]
    sizes = np.fromiter((0 if t is None else len(t) for t in texts), np.int64, len(texts))
    filled = np.flatnonzero(sizes)
    look = np.zeros(len(texts), dtype=bool)
    if len(filled):
        data = np.frombuffer(joined.encode("ascii"), np.uint8)
        # Each filled id's characters run from its start to the next filled id's.
        at = (np.cumsum(sizes) - sizes)[filled]
        digits = np.add.reduceat((data >= 0x30) & (data <= 0x39), at)
        marks = np.logical_or.reduceat((data == 0x40) | (data == 0x28) | (data == 0x5B), at)
        look[filled] = (sizes[filled] >= SHORTEST_PERSONAL) & ((digits >= 7) | marks)
    flags = [False] * len(texts)
    for i in np.flatnonzero(look).tolist():
        text = texts[i]
        flags[i] = text is not None and personal_id(text) is not None
    return flags


_PERSONAL_BATCH = 64
"""Fewer response ids than this are looked at one by one."""


def record_uuid(name: str) -> str:
    """Return ``str(uuid.uuid5(RECORD_NAMESPACE, name))``, without the UUID objects.

    >>> record_uuid("x") == str(uuid.uuid5(RECORD_NAMESPACE, "x"))
    True
    """
    return _uuid5_text(hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest())


def _uuid5_text(sha1: bytes) -> str:
    # The version nibble becomes 5 and the variant's two top bits 10, in the hex text.
    text = sha1[:16].hex()
    return f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:]}"


_VARIANT = {digit: "89ab"[int(digit, 16) & 0x3] for digit in "0123456789abcdef"}


def record_uuids(prefix: str, names: Iterable[str]) -> list[str]:
    """Return :func:`record_uuid` of ``prefix + name`` for each name, hashing the prefix once.

    >>> record_uuids("p/", ["a", "b"]) == [record_uuid("p/a"), record_uuid("p/b")]
    True
    """
    start = hashlib.sha1(_NAMESPACE_BYTES + prefix.encode())
    digests = []
    for name in names:
        hashed = start.copy()
        hashed.update(name.encode())
        digests.append(hashed.digest())
    if len(digests) < _TEXTS_AT_ONCE:
        return list(map(_uuid5_text, digests))
    return _uuid5_texts(digests)


_TEXTS_AT_ONCE = 64
"""From this many ids on, their texts are made in numpy (a batch's ids)."""
_HEX_DIGITS = b"0123456789abcdef"
_DIGIT_PLACES = [i for i in range(36) if i not in (8, 13, 18, 23)]
"""Where the 32 hex digits of a UUID's text go; dashes between them."""


def _uuid5_texts(digests: list[bytes]) -> list[str]:
    """Return :func:`_uuid5_text` of each SHA-1 digest, made for all of them at once."""
    import numpy as np

    count = len(digests)
    raw = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(count, 20)[:, :16].copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x50  # version 5
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # the RFC 4122 variant
    nibbles = np.empty((count, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0x0F
    texts = np.full((count, 36), ord("-"), dtype=np.uint8)
    texts[:, _DIGIT_PLACES] = np.frombuffer(_HEX_DIGITS, dtype=np.uint8)[nibbles]
    joined = texts.tobytes().decode("ascii")
    return [joined[i : i + 36] for i in range(0, 36 * count, 36)]


def _raw_text(text: str | None) -> str | None:
    return None if text is None else REDACTOR.clean(text)


def _raw_cell(value: Cell) -> Cell:
    """Return a cell as a reject shows it: text redacted and cut to the length limit."""
    if not isinstance(value, str):
        return value
    text = REDACTOR.clean(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def apply_mapping(responses: Iterable[Response], builder: RecordBuilder) -> Iterator[Row]:
    """Build a :class:`Row` for every response, streaming (one response at a time)."""
    for response in responses:
        yield builder.build(response)
