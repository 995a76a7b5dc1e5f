"""Validating records against the national JSON Schema (the authority).

One compiled validator (jsonschema-rs) decides valid or invalid in the hot loop; the
reference implementation (python-jsonschema) explains a failing record, field by field.
Both are built once per run with the same format checks, and a test proves they agree.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError, best_match

from harmonizer.engine.column_checks import ColumnChecks
from harmonizer.engine.row import Row, RowBatch
from harmonizer.issues import Issue, IssueCode, message, preview
from harmonizer.redaction import redact_text
from harmonizer.schema import RecordSchema
from harmonizer.schema_values import CUSTOM_FORMATS, FORMAT_CHECKER, schema_message

FORMAT_MEMO_LIMIT = 65_536


def split_custom_formats(
    document: Mapping[str, Any],
) -> tuple[dict[str, Any], list[tuple[str, Callable[[object], bool]]]]:
    """Return the schema without the custom formats of its top-level properties.

    ``format`` applies only to a string, and is one conjunct of its node: a record is
    valid against the whole schema exactly when it is valid against the rest and each
    such property's string value passes its format check. Custom formats anywhere else
    in the schema stay where they are (checked by callback).
    """
    hot = copy.deepcopy(dict(document))
    checks: list[tuple[str, Callable[[object], bool]]] = []
    for name, node in hot.get("properties", {}).items():
        fmt = node.get("format") if isinstance(node, dict) else None
        if fmt in CUSTOM_FORMATS:
            del node["format"]
            checks.append((name, CUSTOM_FORMATS[fmt]))
    return hot, checks


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema failure of a record: the national field, the keyword and a message."""

    field: str | None
    keyword: str
    message: str
    value: Any


def _field_of(error: ValidationError) -> str | None:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [r for r in required if r not in error.instance]
        path.extend(missing[:1])
    return ".".join(path) or None


class RecordValidator:
    """Validates records with the national schema; built once per run.

    >>> from harmonizer.schema import load_schema
    >>> RecordValidator(load_schema("1.0")).is_valid({})
    False
    """

    def __init__(self, schema: RecordSchema) -> None:
        self.schema = schema
        document = dict(schema.document)
        hot, self._format_checks = split_custom_formats(document)
        # No Python callback in the hot loop: the custom formats of top-level fields are
        # checked once per distinct value (cached) beside a validator without them.
        self._fast = jsonschema_rs.validator_for(
            hot,
            formats={name: _rs_format(fn) for name, fn in CUSTOM_FORMATS.items()},
            validate_formats=True,
        )
        self._format_memo: dict[tuple[str, str], bool] = {}
        self.columns = ColumnChecks.derive(
            document, {name: _rs_format(fn) for name, fn in CUSTOM_FORMATS.items()}
        )
        """The schema taken apart by record key, or None when it does not split exactly."""
        self._reference = jsonschema.Draft202012Validator(document, format_checker=FORMAT_CHECKER)

    def is_valid(self, record: Mapping[str, Any]) -> bool:
        """Return True when the record conforms (the compiled validator decides)."""
        for name, check in self._format_checks:
            value = record.get(name)
            if isinstance(value, str):
                key = (name, value)
                ok = self._format_memo.get(key)
                if ok is None:
                    ok = check(value)
                    if len(self._format_memo) >= FORMAT_MEMO_LIMIT:
                        self._format_memo.clear()
                    self._format_memo[key] = ok
                if not ok:
                    return False
        return bool(self._fast.is_valid(record))

    def is_valid_reference(self, record: Mapping[str, Any]) -> bool:
        """Return the reference implementation's verdict (used to prove agreement)."""
        return bool(self._reference.is_valid(record))

    def problems(self, record: Mapping[str, Any]) -> list[SchemaProblem]:
        """Return why a record fails; empty when it conforms.

        For anyOf/oneOf failures only the best matching sub-error is reported, so the
        message stays short and points at the real cause.
        """
        if self.is_valid(record):
            return []
        return list(self._explain(record))

    def _explain(self, record: Mapping[str, Any]) -> Iterator[SchemaProblem]:
        for error in self._reference.iter_errors(record):
            chosen = best_match(error.context) if error.context else error
            if chosen is None:
                chosen = error
            yield SchemaProblem(
                _field_of(error), str(chosen.validator), schema_message(chosen), chosen.instance
            )


def _rs_format(function: Callable[[object], bool]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return function(value)

    return check


def validate_records(
    rows: Iterable[Row | RowBatch], validator: RecordValidator
) -> Iterator[Row | RowBatch]:
    """Check each built record against the national schema; failures become issues.

    A :class:`RowBatch` was validated where its lines were encoded.
    """
    for row in rows:
        if isinstance(row, RowBatch):
            yield row
            continue
        record = row.record
        if record is not None and not row.validated and not validator.is_valid(record):
            builder = row.builder
            for problem in validator.problems(record):
                top = (problem.field or "").split(".")[0]
                source_row, column = (
                    builder.locate(row.response, top) if builder else (row.row, None)
                )
                row.issues.append(
                    Issue(
                        IssueCode.SCHEMA_VIOLATION,
                        message(
                            IssueCode.SCHEMA_VIOLATION,
                            f"{problem.field or 'record'}: {problem.message}",
                            field=problem.field,
                            mapping=(redact_text(builder.loaded.path.name) or "")
                            if builder
                            else "the mapping",
                        ),
                        IssueCode.SCHEMA_VIOLATION.severity,
                        row.export.name,
                        row.export.sheet,
                        source_row,
                        column.header if column else None,
                        column.letter if column else None,
                        problem.field,
                        None if top == "open_feedback" else _short(problem.value),
                    )
                )
        yield row


def _short(value: Any) -> str | None:
    return preview(value) if not isinstance(value, dict | list) else None
