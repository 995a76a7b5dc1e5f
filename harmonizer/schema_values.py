"""The national schema's value checks: formats, and whether a value fits one field.

Shared by the mapping checks (constants and value maps are checked before any row is
read) and by the engine's record validation, so that both judge a value alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from harmonizer.identifiers import is_business_id, is_sote_oid
from harmonizer.schema import RecordSchema

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


CUSTOM_FORMATS: dict[str, Callable[[object], bool]] = {
    "fi-business-id": is_business_id,
    "sote-oid": is_sote_oid,
}


def build_format_checker() -> jsonschema.FormatChecker:
    """Return a format checker with the registered Finnish identifier formats.

    date-time and date are checked by our own strict RFC 3339 functions, so the result
    does not depend on which optional packages python-jsonschema finds installed.
    """
    checker = jsonschema.FormatChecker(formats=("uuid",))
    for name, function in {**CUSTOM_FORMATS, "date-time": _is_date_time, "date": _is_date}.items():
        checker.checks(name)(function)
    return checker


FORMAT_CHECKER = build_format_checker()


def schema_message(error: ValidationError) -> str:
    """Return a schema error as a message a person can act on."""
    if error.validator == "enum":
        allowed: list[object] = list(error.validator_value)  # type: ignore[arg-type]
        codes = ", ".join("null" if c is None else str(c) for c in allowed)
        return f"{error.instance!r} is not a code of this field; codes are: {codes}"
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}"
    return str(error.message)


def field_errors(schema: RecordSchema, field: str, value: object) -> list[str]:
    """Return messages for a value that does not fit one national field ([] if it fits).

    Used to check a mapping's constants and value maps before any row is read.
    """
    excluded = schema.excluded_codes(field)
    if isinstance(value, str) and value in excluded:
        return [str(excluded[value]["reason"])]
    document = {"$defs": schema.document.get("$defs", {}), **schema.properties[field]}
    validator = jsonschema.Draft202012Validator(document, format_checker=FORMAT_CHECKER)
    return [schema_message(best_match([e]) or e) for e in validator.iter_errors(value)]
