"""Converters: one source cell becomes one national value, a missing reason, or an issue.

A converter is built once per field from the mapping rule and the national schema
(labels, code lists and scales come from the schema, never from code). Converters of
categorical fields memoise their results, since exports repeat the same few labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from harmonizer.io.cells import Cell
from harmonizer.issues import IssueCode
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.model import FieldRule
from harmonizer.mapping.rules import LookupTable
from harmonizer.redaction import Redactor
from harmonizer.schema import RecordSchema
from harmonizer.values import (
    DEFAULT_DATE_FORMATS,
    label_key,
    leading_number,
    parse_moment,
    parse_number,
    parse_whole,
)

MAX_CELL_CHARS = 32_000
MEMO_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of converting one cell."""

    value: Any = None
    missing: str | None = None
    error: tuple[IssueCode, str] | None = None
    note: tuple[IssueCode, str] | None = None
    year: int | None = None
    redactions: tuple[tuple[str, int], ...] = ()


BLANK = Result()


Converter = Callable[[Cell], Result]
"""Turns a raw cell into a :class:`Result`."""


def _memoised(function: Callable[[Cell], Result]) -> Callable[[Cell], Result]:
    memo: dict[Cell, Result] = {}

    def convert(value: Cell) -> Result:
        try:
            return memo[value]
        except KeyError:
            pass
        except TypeError:
            return function(value)
        result = function(value)
        if len(memo) < MEMO_LIMIT:
            memo[value] = result
        return result

    return convert


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Labels:
    """Label key -> ('value', v) or ('missing', reason), in order of precedence."""

    def __init__(self) -> None:
        self.table: dict[str, tuple[str, Any]] = {}

    def add(self, labels: Iterable[object], kind: str, target: Any) -> None:
        for label in labels:
            self.table[label_key(label)] = (kind, target)

    def get(self, value: Cell) -> tuple[str, Any] | None:
        return self.table.get(label_key(_text(value)))


def _missing_labels(schema: RecordSchema, loaded: LoadedMapping, rule: FieldRule | None) -> _Labels:
    labels = _Labels()
    variants = schema.document["$defs"]["missing_reason"].get("x-label-variants", {})
    for reason in ("dont_know", "not_applicable"):
        labels.add(schema.code_labels("missing_reason")[reason].values(), "missing", reason)
        labels.add(variants.get(reason, ()), "missing", reason)
    labels.add(loaded.model.missing_values, "missing", "no_answer")
    if rule is not None:
        for source, reason in rule.missing.items():
            labels.add([source], "missing", reason)
    return labels


def _value_map(labels: _Labels, rule: FieldRule | None) -> None:
    if rule is not None:
        for source, target in rule.value_map.items():
            labels.add(
                [source],
                "value" if target is not None else "missing",
                target if target is not None else "no_answer",
            )


def scale_converter(name: str, rule: FieldRule | None, loaded: LoadedMapping) -> Converter:
    """Build the converter of NPS (0-10) or a statement (1-5, reversed or adapted)."""
    schema = loaded.schema
    nps = schema.measure_kind(name) == "nps"
    low, high = (0, 10) if nps else (1, 5)
    labels = _missing_labels(schema, loaded, rule)
    if not nps:
        variants = schema.document["$defs"]["statement"].get("x-label-variants", {})
        for point, names in schema.scale_labels.items():
            labels.add(names.values(), "value", int(point))
            labels.add(variants.get(point, ()), "value", int(point))
    _value_map(labels, rule)
    reversed_ = bool(rule and rule.reversed)
    recode = {int(k): v for k, v in rule.recode.items()} if rule and rule.recode else None
    bounds = rule.scale_bounds() if rule else None
    src_low, src_high = bounds if bounds and recode else (low, high)
    scale_text = f"{src_low}-{src_high}"

    def from_number(number: int, raw: Cell) -> Result:
        if not src_low <= number <= src_high:
            return Result(
                error=(
                    IssueCode.OUT_OF_RANGE,
                    f"{raw!r} is outside the scale {scale_text} of {name}",
                )
            )
        if recode is not None:
            return Result(recode[number])
        return Result(low + high - number if reversed_ else number)

    def convert(value: Cell) -> Result:
        if value is None:
            return Result(missing="no_answer")
        found = labels.get(value)
        if found is not None:
            kind, target = found
            return Result(missing=target) if kind == "missing" else Result(target)
        number = parse_whole(value)
        if number is not None:
            return from_number(number, value)
        if parse_number(value) is not None:
            return Result(
                error=(
                    IssueCode.BAD_NUMBER,
                    f"{value!r} is not a whole point of the scale {scale_text} of {name}",
                )
            )
        if isinstance(value, str):
            lead = leading_number(value)
            if lead is not None:
                # '5 - täysin samaa mieltä': a known label text wins over its number.
                rest = value.split(maxsplit=1)[-1].lstrip("-\u2013:.) ")
                found = labels.get(rest)
                if found is not None and found[0] == "value":
                    return Result(found[1])
                return from_number(lead, value)
            return Result(
                error=(IssueCode.UNKNOWN_LABEL, f"{value!r} is not a known answer of {name}")
            )
        return Result(
            error=(
                IssueCode.BAD_NUMBER,
                f"{value!r} is not an answer on the scale {scale_text} of {name}",
            )
        )

    return _memoised(convert)


def code_converter(name: str, rule: FieldRule | None, loaded: LoadedMapping) -> Converter:
    """Build the converter of an enumerated field (county, channel, language, ...)."""
    schema = loaded.schema
    codes = schema.codes(name)
    labels = _Labels()
    for code, names in schema.code_labels(name).items():
        labels.add(names.values(), "value", code)
    # Earlier wordings and common synonyms stay readable when a label is reworded.
    for code, variants in schema.properties[name].get("x-label-variants", {}).items():
        labels.add(variants, "value", code)
    labels.add(codes, "value", None)
    labels.table.update({label_key(c): ("value", c) for c in codes})
    excluded = schema.properties[name].get("x-excluded-codes", {})
    for code, spec in excluded.items():
        labels.add([code, *spec.get("labels", {}).values()], "excluded", spec["reason"])
    _value_map(labels, rule)
    width = (
        len(codes[0])
        if codes and all(c.isdigit() and len(c) == len(codes[0]) for c in codes)
        else 0
    )

    def convert(value: Cell) -> Result:
        if value is None:
            return BLANK
        text = _text(value)
        if width and text.isdigit():
            text = text.zfill(width)
        found = labels.get(text)
        if found is None:
            shown = ", ".join(codes)
            return Result(
                error=(IssueCode.BAD_CODE, f"{value!r} is not a code of {name} ({shown})")
            )
        kind, target = found
        if kind == "excluded":
            return Result(error=(IssueCode.OUTSIDE_REFORM, str(target)))
        if kind == "missing":
            return BLANK
        return Result(target)

    return _memoised(convert)


def text_converter(
    name: str, rule: FieldRule | None, redactor: Redactor | None, *, memoise: bool | None = None
) -> Converter:
    """Build the converter of a text field; open text goes through the redactor.

    ``memoise`` (default: only without a redactor) remembers results; right for fields
    that repeat (unit names), wrong for open answers that never do.
    """
    mapped = {label_key(k): v for k, v in rule.value_map.items()} if rule else {}

    def convert(value: Cell) -> Result:
        if value is None:
            return BLANK
        text = _text(value)
        if len(text) > MAX_CELL_CHARS:
            return Result(
                error=(
                    IssueCode.VALUE_TOO_LONG,
                    f"{len(text)} characters in {name}; at most {MAX_CELL_CHARS} are accepted",
                )
            )
        if mapped:
            key = label_key(text)
            if key in mapped:
                return Result(mapped[key])
        if redactor is None:
            return Result(text)
        redacted, counts = redactor.redact(text)
        return Result(redacted, redactions=tuple(counts.items()))

    if memoise is None:
        memoise = redactor is None
    return _memoised(convert) if memoise else convert


def moment_converter(rule: FieldRule | None) -> Converter:
    """Build the converter of responded_at (dates, times, Excel serials, DST)."""
    formats = tuple(rule.formats) if rule and rule.formats else DEFAULT_DATE_FORMATS
    zone = ZoneInfo(rule.timezone if rule else "Europe/Helsinki")
    shown = ", ".join(formats)

    def convert(value: Cell) -> Result:
        if value is None:
            return BLANK
        moment = parse_moment(value, formats, zone)
        if moment is None:
            return Result(
                error=(IssueCode.BAD_DATE, f"{value!r} is not a date in the formats {shown}")
            )
        note = None
        if moment.nonexistent:
            note = (
                IssueCode.NONEXISTENT_TIME,
                f"{value!r} does not exist in {zone.key} (clocks went forward); read as {moment.iso}",
            )
        elif moment.ambiguous:
            note = (
                IssueCode.AMBIGUOUS_TIME,
                f"{value!r} occurs twice in {zone.key} (clocks went back); read as {moment.iso}",
            )
        return Result(moment.iso, note=note, year=moment.year)

    return convert


def age_group_of(age: int, codes: Iterable[str]) -> str | None:
    """Return the age group code ('30-49', '75+') that holds ``age``; None if none does.

    The groups are read from the schema's codes, so a new schema version can change them.

    >>> age_group_of(42, ["13-17", "18-29", "30-49", "50-64", "65-74", "75+"])
    '30-49'
    """
    for code in codes:
        low, _, high = code.rstrip("+").partition("-")
        if int(low) <= age and (code.endswith("+") or (high and age <= int(high))):
            return code
    return None


def age_converter(
    rule: FieldRule | None, loaded: LoadedMapping
) -> Callable[[Cell, int | None], Result]:
    """Build the converter of age_group: codes, an age, or a year of birth."""
    codes = code_converter("age_group", rule, loaded)
    derive = rule.derive if rule else None
    groups = loaded.schema.codes("age_group")

    def convert(value: Cell, year: int | None) -> Result:
        if value is None or derive is None:
            return codes(value)
        number = parse_whole(value)
        if number is None:
            return Result(
                error=(
                    IssueCode.BAD_NUMBER,
                    f"{value!r} is not a {'year of birth' if derive == 'birth_year' else 'whole number of years'}",
                )
            )
        if derive == "birth_year":
            if year is None:
                return BLANK
            if not 1890 <= number <= year:
                return Result(
                    error=(IssueCode.OUT_OF_RANGE, f"{value!r} is not a plausible year of birth")
                )
            number = year - number
        group = age_group_of(number, groups)
        if group is None:
            return Result(
                error=(
                    IssueCode.OUT_OF_RANGE,
                    f"age {number} is outside the age groups of the instrument ({', '.join(groups)})",
                )
            )
        return Result(group)

    return convert


def own_item_converter(
    rule_map: Mapping[str, Any],
    redactor: Redactor | None,
    points: Sequence[object] | None = None,
) -> Converter:
    """Build the converter of a provider's own item: recoded if asked, else carried.

    ``points`` are the points of the item's declared scale: an answer written as one of
    them ("3", 3.0) is carried as that point (3), so that figures can count it.
    """
    mapped = {label_key(k): v for k, v in rule_map.items()}
    by_text = {label_key(p): p for p in points or ()}

    def convert(value: Cell) -> Result:
        if value is None:
            return BLANK
        if mapped:
            key = label_key(_text(value))
            if key in mapped:
                return Result(mapped[key])
        if by_text:
            point = by_text.get(label_key(_text(value)))
            if point is not None:
                return Result(point)
        if isinstance(value, bool | int | float):
            return Result(value)
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        if len(text) > MAX_CELL_CHARS:
            return Result(
                error=(
                    IssueCode.VALUE_TOO_LONG,
                    f"{len(text)} characters; at most {MAX_CELL_CHARS} are accepted",
                )
            )
        if redactor is None:
            return Result(text)
        redacted, counts = redactor.redact(text)
        return Result(redacted, redactions=tuple(counts.items()))

    return convert


def lookup_step(
    table: LookupTable, take: str, default: Any
) -> Callable[[Cell], tuple[Cell, str | None]]:
    """Return a function that turns a source value into the lookup's ``take`` column.

    It returns ``(value, error message)``; a value missing from the table falls back to
    the default, and without one it is an error.
    """
    memo: dict[Cell, tuple[Cell, str | None]] = {}

    def step(value: Cell) -> tuple[Cell, str | None]:
        if value is None:
            return default, None
        found = memo.get(value)
        if found is not None:
            return found
        row = table.get(_text(value))
        if row is None:
            found = (
                (default, None)
                if default is not None
                else (None, f"{value!r} is not in lookup table {table.name!r}")
            )
        else:
            found = (row.get(take), None)
        if len(memo) < MEMO_LIMIT:
            memo[value] = found
        return found

    return step
