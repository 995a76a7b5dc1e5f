"""Converters: one source cell becomes one national value, a missing reason, or an issue.

A converter is built once per field from the mapping rule and the national schema
(labels, code lists and scales come from the schema, never from code). Converters of
categorical fields memoise their results, since exports repeat the same few labels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from harmonizer.io.cells import Cell
from harmonizer.issues import IssueCode, preview, quote
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.model import FieldRule
from harmonizer.mapping.rules import LookupTable
from harmonizer.redaction import Redactor
from harmonizer.schema import RecordSchema
from harmonizer.values import (
    DEFAULT_DATE_FORMATS,
    DEFAULT_DATE_WINDOW,
    QUICK_FORMATS,
    DateWindow,
    Moment,
    QuickTimes,
    label_key,
    leading_number,
    parse_number,
    parse_whole,
    read_moment,
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


def convert_or_default(convert: Converter, value: Cell, default: Any) -> Result:
    """Convert a cell; a blank one, or one that a missing value makes blank, takes ``default``.

    A ``-`` means what a blank cell means, so a rule's ``default`` applies to both. The
    converters return :data:`BLANK` itself for both (a ``value_map`` entry to null is an
    equal but distinct Result, and keeps its null), hence the identity test.
    """
    if default is None:
        return convert(value)
    if value is None:
        return convert(default)
    result = convert(value)
    return convert(default) if result is BLANK else result


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


def normalise_line_breaks(text: str) -> str:
    r"""Return ``text`` with Windows (CR LF) and old Mac (CR) line breaks as LF.

    Exports written on Windows carry CR LF inside multi-line answers; records carry one
    kind of line break whatever wrote the export.

    >>> normalise_line_breaks("Kiitos\r\nhyvästä palvelusta\r")
    'Kiitos\nhyvästä palvelusta\n'
    """
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


class MissingValues:
    """The mapping's ``missing_values``: cell texts that mean "no answer" in any column.

    Compared by label key, as labels are; long texts are never missing values, so they
    are not keyed at all (open answers run to thousands of characters).
    """

    __slots__ = ("firsts", "keys", "longest", "numeric")

    def __init__(self, values: Iterable[object]) -> None:
        self.keys = frozenset(label_key(v) for v in values)
        # The key of an ASCII text starts with its first character that is not a space,
        # in lower case, unless the text is nothing but dots and spaces (its key may then
        # be empty, as the key of "." is): a text that starts otherwise than every key
        # is told apart without building its key (response ids are all distinct).
        firsts = {k[0] for k in self.keys if k}
        if "" in self.keys:
            firsts |= {".", ""}
        self.firsts = frozenset(firsts)
        # A key is never much longer than its text: decomposing a ligature (ﬁ -> fi)
        # is the only way it grows.
        self.longest = 4 * max((len(k) for k in self.keys), default=0) + 8
        # Dates and numbers start with a digit; when no missing value does, they are
        # told apart without building their label key (a date column is all distinct).
        self.numeric = any(k[:1].isdecimal() for k in self.keys)

    def __contains__(self, value: object) -> bool:
        if not self.keys:
            return False
        if isinstance(value, str):
            first = value.lstrip()[:1]
            if not self.numeric and first.isdecimal():
                return False
            if value.isascii() and first.lower() not in self.firsts:
                return False
            return len(value) <= self.longest and label_key(value) in self.keys
        if isinstance(value, int | float) and not isinstance(value, bool):
            # `missing_values: ["99"]` also matches a number cell 99.
            return label_key(_text(value)) in self.keys
        return False  # blank, a date or a time cell is never a missing-value text


NO_MISSING_VALUES = MissingValues(())


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
    # Lowest precedence: a code or a label of the field wins over a missing value.
    labels.add(loaded.model.missing_values, "missing", "no_answer")
    for code, names in schema.code_labels(name).items():
        labels.add(names.values(), "value", code)
    # Earlier wordings and common synonyms stay readable when a label is reworded.
    for code, variants in schema.properties[name].get("x-label-variants", {}).items():
        labels.add(variants, "value", code)
    labels.add(codes, "value", None)
    labels.table.update({label_key(c): ("value", c) for c in codes})
    excluded = schema.excluded_codes(name)
    for code, spec in excluded.items():
        labels.add([code, *spec.get("labels", {}).values()], "excluded", spec["reason"])
    _value_map(labels, rule)
    # A label mapped to an excluded code (Åland: "91") means what the code means.
    for key, (kind, target) in list(labels.table.items()):
        if kind == "value" and isinstance(target, str) and target in excluded:
            labels.table[key] = ("excluded", excluded[target]["reason"])
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
    name: str,
    rule: FieldRule | None,
    redactor: Redactor | None,
    *,
    memoise: bool | None = None,
    missing_values: MissingValues = NO_MISSING_VALUES,
) -> Converter:
    """Build the converter of a text field; open text goes through the redactor.

    A ``value_map`` entry wins; else one of ``missing_values`` is blank; else the text
    is kept, its line breaks as LF. ``memoise`` (default: only without a redactor)
    remembers results; right for fields that repeat (unit names), wrong for open
    answers that never do.
    """
    mapped = {label_key(k): v for k, v in rule.value_map.items()} if rule else {}

    def convert(value: Cell) -> Result:
        if value is None:
            return BLANK
        text = normalise_line_breaks(_text(value))
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
        if text in missing_values:
            return BLANK
        if redactor is None:
            return Result(text)
        redacted, counts = redactor.redact(text)
        return Result(redacted, redactions=tuple(counts.items()))

    if memoise is None:
        memoise = redactor is None
    return _memoised(convert) if memoise else convert


def date_window(rule: FieldRule | None) -> DateWindow:
    """Return the plausible window of response dates: the rule's, else the default."""
    if rule is None:
        return DEFAULT_DATE_WINDOW
    return DateWindow(
        rule.earliest or DEFAULT_DATE_WINDOW.earliest, rule.latest or DEFAULT_DATE_WINDOW.latest
    )


_DATE_CODES = {
    "bad": IssueCode.BAD_DATE,
    "impossible": IssueCode.IMPOSSIBLE_DATE,
    "implausible": IssueCode.IMPLAUSIBLE_DATE,
}


class MomentConverter:
    """The converter of responded_at (dates, times, Excel serials, DST).

    A cell gives a date-time with the local offset, a date, or one issue: ``bad-date``
    (not a date), ``impossible-date`` (31.6.2025) or ``implausible-date`` (outside the
    window of :func:`date_window`).
    """

    def __init__(self, rule: FieldRule | None, missing_values: MissingValues) -> None:
        self.formats = tuple(rule.formats) if rule and rule.formats else DEFAULT_DATE_FORMATS
        self.zone = ZoneInfo(rule.timezone if rule else "Europe/Helsinki")
        self.window = date_window(rule)
        self.missing_values = missing_values
        self.quick = (
            QuickTimes(self.formats, self.zone, self.window)
            if QUICK_FORMATS.issuperset(self.formats)
            else None
        )

    def read_quickly(self, value: str) -> tuple[str, str, int] | None:
        """Return the ISO time, period and year of a common time text, else None.

        None means: call the converter, which reads every other text and words its
        issues. The fast path uses this to skip building a :class:`Result` per row.
        """
        if self.quick is None:
            return None
        found = self.quick.read(value)
        # A text read quickly starts with a digit: a missing value only when one does.
        if found is not None and self.missing_values.numeric and value in self.missing_values:
            return None
        return found

    def __call__(self, value: Cell) -> Result:
        """Convert one cell."""
        if value is None or value in self.missing_values:
            return BLANK
        if self.quick is not None and type(value) is str:
            found = self.quick.read(value)
            if found is not None:
                return Result(found[0], year=found[2])
        zone = self.zone
        moment = read_moment(value, self.formats, zone, self.window)
        if not isinstance(moment, Moment):
            return Result(error=(_DATE_CODES[moment.kind], moment.detail))
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


def moment_converter(
    rule: FieldRule | None, missing_values: MissingValues = NO_MISSING_VALUES
) -> MomentConverter:
    """Build the converter of responded_at (see :class:`MomentConverter`)."""
    return MomentConverter(rule, missing_values)


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
    mapped = {label_key(k): v for k, v in rule.value_map.items()} if rule else {}
    missing_values = MissingValues(loaded.model.missing_values)

    def convert(value: Cell, year: int | None) -> Result:
        if value is None or derive is None:
            result = codes(value)
            if result.error is not None and result.error[0] is IssueCode.BAD_CODE:
                number = parse_whole(value)
                if number is not None and 1890 <= number <= 2100:
                    hint = "years of birth: write derive: birth_year on fields.age_group"
                elif number is not None and 0 <= number <= 120:
                    hint = "ages in years: write derive: age on fields.age_group"
                else:
                    return result
                # A column of numbers is ages or years of birth, not codes to map one by one.
                return Result(
                    error=(
                        IssueCode.BAD_CODE,
                        f"{result.error[1]}; the column seems to hold {hint}",
                    )
                )
            return result
        # A label the mapping names ("ei halua kertoa": null) or a missing value wins
        # over reading the cell as a number.
        if mapped and (key := label_key(_text(value))) in mapped:
            target = mapped[key]
            return BLANK if target is None else codes(target)
        if value in missing_values:
            return BLANK
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
    missing_values: MissingValues = NO_MISSING_VALUES,
    points: Sequence[object] | None = None,
    scale: str | None = None,
) -> Converter:
    """Build the converter of a provider's own item: recoded if asked, else carried.

    A ``value_map`` entry wins; else one of ``missing_values`` is blank; text keeps its
    line breaks as LF. ``points`` are the points of the item's declared ``scale``: an
    answer written as one of them ("3", 3.0, "3,0") is carried as that point (3), so
    that figures can count it. Any other answer is carried as written with an
    ``off-scale`` note, so that nobody learns of it only from the figures.
    """
    mapped = {label_key(k): v for k, v in rule_map.items()}
    by_text = {label_key(p): p for p in points or ()}
    by_number: dict[object, object] = {
        p: p for p in points or () if isinstance(p, int) and not isinstance(p, bool)
    }
    shown_points = ", ".join(map(str, points or ()))
    off_scale = f"is not a point of the scale {scale or ''} ({shown_points})".replace("  ", " ")

    def convert(value: Cell) -> Result:
        if value is None:
            return BLANK
        if mapped:
            key = label_key(_text(value))
            if key in mapped:
                return Result(mapped[key])
        if value in missing_values:
            return BLANK
        if not by_text:
            return carry(value)
        point = by_text.get(label_key(_text(value)))
        if point is None and by_number:
            point = by_number.get(parse_whole(value))
        if point is not None:
            return Result(point)
        carried = carry(value)
        if carried.error is not None:
            return carried
        return dataclasses.replace(
            carried,
            note=(
                IssueCode.OFF_SCALE,
                f"{quote(preview(_text(value)))} {off_scale}; it is carried as written",
            ),
        )

    def carry(value: Cell) -> Result:
        if value is None:
            return BLANK
        if isinstance(value, bool | int | float):
            return Result(value)
        text = (
            value.isoformat() if hasattr(value, "isoformat") else normalise_line_breaks(str(value))
        )
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


LookupProblem = tuple[IssueCode, str]
"""Why a lookup gives no value: ``lookup-missing`` (the value is not in the table) or
``lookup-incomplete`` (the table's row leaves a required column empty), with a message."""


def lookup_step(
    table: LookupTable,
    take: str,
    default: Any,
    missing_values: MissingValues = NO_MISSING_VALUES,
    *,
    required: bool = False,
) -> Callable[[Cell], tuple[Cell, LookupProblem | None]]:
    """Return a function that turns a source value into the lookup's ``take`` column.

    It returns ``(value, (issue code, message) or None)``; a blank cell or one of ``missing_values``
    gives the default, and so does a value missing from the table; without a default
    a missing value is an error. For a ``required`` field, a value the table holds
    with an empty ``take`` column is an error too: the table, not the export, is to be
    filled (a unit list drafted with its service areas left empty).
    """
    where = f" ({table.path.name})" if table.path is not None else ""
    memo: dict[Cell, tuple[Cell, LookupProblem | None]] = {}

    def step(value: Cell) -> tuple[Cell, LookupProblem | None]:
        if value is None or (value in missing_values and table.get(_text(value)) is None):
            return default, None
        found = memo.get(value)
        if found is not None:
            return found
        row = table.get(_text(value))
        if row is None:
            found = (
                (default, None)
                if default is not None
                else (
                    None,
                    (IssueCode.LOOKUP_MISSING, f"{value!r} is not in lookup table {table.name!r}"),
                )
            )
        else:
            taken = row.get(take)
            if required and (taken is None or taken == "") and default is None:
                found = (
                    None,
                    (
                        IssueCode.LOOKUP_INCOMPLETE,
                        f"{value!r} is in lookup table {table.name!r}{where}, but its {take} "
                        "is empty; fill it in the table",
                    ),
                )
            else:
                found = (taken, None)
        if len(memo) < MEMO_LIMIT:
            memo[value] = found
        return found

    return step
