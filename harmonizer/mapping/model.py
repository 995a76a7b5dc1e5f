"""Pydantic models of a provider mapping file (YAML).

The models check the file's shape; :mod:`harmonizer.mapping.load` adds the checks that
need the national schema (field names, code lists, scales) and points every error at
its line. ``schemas/mapping.schema.json`` is generated from these models.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Scalar = str | int | float | bool
MissingReason = Literal["dont_know", "not_applicable", "no_answer"]
NOT_ASKED = "not_asked"
ItemScale = Literal[
    "agree5", "satisfaction5", "smiley4", "grade4_10", "yes_no", "categories", "text"
]
"""The answer scales an own item may declare (their points live in the national schema)."""
DEFAULT_MISSING_VALUES = ("-", "--", "NA", "N/A", "n/a", ".", "?")
_SCALE = re.compile(r"^(\d{1,2})-(\d{1,2})$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _keys_as_text(value: Any) -> Any:
    """YAML reads `5:` as an int key; labels and codes are compared as text."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return value


class ColumnRef(_Model):
    """Where a value comes from: a source column by header text or letter, or a question."""

    column: str | None = Field(
        None, description="Header text of the source column, as in the export."
    )
    letter: str | None = Field(
        None,
        pattern=r"^[A-Z]{1,3}$",
        description="Spreadsheet letter of the source column (A, B, ... AA), for "
        "exports whose header text is missing or changes.",
    )
    occurrence: int = Field(
        1,
        ge=1,
        description="Which of several columns with the same header text (1 = first).",
    )
    question: str | None = Field(
        None,
        description="Long layout: the question id whose answer feeds this field.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ColumnRef:
        given = [k for k in ("column", "letter", "question") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of column, letter, question (got {given})")
        return self

    @property
    def has_source(self) -> bool:
        """Return True when the reference names a column or a question."""
        return any(v is not None for v in (self.column, self.letter, self.question))

    def describe(self) -> str:
        """Return the reference as a user reads it in messages."""
        if self.question is not None:
            return f"question '{self.question}'"
        if self.letter is not None:
            return f"column {self.letter}"
        suffix = f" (occurrence {self.occurrence})" if self.occurrence > 1 else ""
        return f"column '{self.column}'{suffix}"


class FieldRule(ColumnRef):
    """How one national field is filled from the export."""

    value_map: dict[str, Scalar | None] = Field(
        default_factory=dict,
        description="Source label or code -> national value. Labels match case-, space- "
        "and accent-tolerantly.",
    )
    missing: dict[str, MissingReason] = Field(
        default_factory=dict,
        description="Source label or code -> why the answer is missing (dont_know, "
        "not_applicable, no_answer). Such answers are never scale points.",
    )
    reversed: bool = Field(
        False, description="Statements: the source scale runs 1 = fully agree ... 5."
    )
    scale: str | None = Field(
        None,
        description="The source scale as 'low-high': '1-5' (default for statements), "
        "'0-10' (the only scale NPS accepts), or another scale with adapted and recode.",
    )
    recode: dict[str, int] | None = Field(
        None,
        description="Adapted statements: every source point -> a point 1-5 of the national scale.",
    )
    adapted: bool = Field(
        False,
        description="Marks a statement mapped from a non-national scale; it is reported "
        "apart from comparable items.",
    )
    lookup: str | None = Field(None, description="Name of a lookup table in `lookups`.")
    take: str | None = Field(
        None,
        description="Column of the lookup table to take (default: the national field's name).",
    )
    default: Scalar | None = Field(
        None,
        description="Value used when the cell is blank or missing from the lookup table.",
    )
    formats: list[str] | None = Field(
        None,
        description="Date formats to try: iso, fi_datetime, fi_klo, fi_date, excel, or a "
        "strptime pattern such as '%d/%m/%Y %H:%M'.",
    )
    timezone: str = Field(
        "Europe/Helsinki", description="Zone of local times that carry no offset."
    )
    earliest: dt.date | None = Field(
        None,
        description="responded_at: the earliest plausible response date (default "
        "1990-01-01); an earlier date is an implausible-date issue.",
    )
    latest: dt.date | None = Field(
        None,
        description="responded_at: the latest plausible response date (default "
        "2100-12-31); a later date is an implausible-date issue.",
    )
    derive: Literal["birth_year", "age"] | None = Field(
        None,
        description="age_group: the cell holds a year of birth or an age in years.",
    )

    _keys = field_validator("value_map", "missing", "recode", mode="before")(_keys_as_text)

    @field_validator("scale")
    @classmethod
    def _scale_shape(cls, value: str | None) -> str | None:
        if value is not None:
            match = _SCALE.match(value)
            if match is None or int(match.group(1)) >= int(match.group(2)):
                raise ValueError("write the scale as 'low-high', for example '1-5'")
        return value

    def scale_bounds(self) -> tuple[int, int] | None:
        """Return (low, high) of the declared source scale, if any."""
        if self.scale is None:
            return None
        low, high = self.scale.split("-")
        return int(low), int(high)


class Provider(_Model):
    """Who the mapping is for."""

    name: str = Field(description="Provider's name as people know it.")
    system: str | None = Field(None, description="The collection system the exports come from.")
    contact: str | None = Field(
        None,
        description="Where the provider sends a corrected export (an e-mail address or a "
        "team's name); the submitter's report names it.",
    )


class Source(_Model):
    """How to read the provider's exports."""

    format: Literal["csv", "xlsx"] | None = Field(
        None, description="Export format; by default from the file's suffix."
    )
    sheet: str | int | None = Field(
        None,
        description="xlsx: sheet name or 1-based number; default the first sheet. A name "
        "that differs from one sheet's only in case or spacing (a trailing or no-break "
        "space) selects that sheet, noted in the manifest's guesses.",
    )
    header_row: int = Field(
        1, ge=1, description="Physical row of the header (2 when a title row is above it)."
    )
    header_rows: int = Field(
        1, ge=1, le=5, description="How many rows the header spans (merged headers)."
    )
    skip_rows: list[int] = Field(
        default_factory=list,
        description="Physical rows after the header to exclude (counted as excluded).",
    )
    encoding: str | None = Field(
        None,
        description="csv: text encoding (utf-8, utf-8-sig, cp1252, utf-16); detected when absent.",
    )
    delimiter: str | None = Field(
        None,
        min_length=1,
        max_length=1,
        description="csv: delimiter; detected from the header line when absent.",
    )


class Lookup(_Model):
    """A table that turns a source value (for example a unit code) into national values."""

    file: str | None = Field(
        None, description="csv file beside the mapping (utf-8, ',' or ';' delimited)."
    )
    key: str = Field("key", description="Column of the csv file holding the source value.")
    rows: dict[str, dict[str, Scalar | None]] | None = Field(
        None, description="Inline table: source value -> {national field: value}."
    )

    _keys = field_validator("rows", mode="before")(_keys_as_text)

    @model_validator(mode="after")
    def _one_table(self) -> Lookup:
        if (self.file is None) == (self.rows is None):
            raise ValueError("give a lookup either a file or inline rows, not both")
        return self


class LongLayout(_Model):
    """Long exports: one row per answer, pivoted to one record per response."""

    response_id: ColumnRef = Field(description="Column holding the response id.")
    question: ColumnRef = Field(description="Column holding the question id.")
    answer: ColumnRef = Field(description="Column holding the answer.")
    ignore: list[str] = Field(
        default_factory=list, description="Question ids to leave out without a warning."
    )
    pivot_window: int = Field(
        10_000,
        ge=1,
        description="A response is complete when no answer of it came in this many rows. "
        "Bounds memory; raise it for exports that interleave responses widely.",
    )

    @field_validator("ignore", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else value


def nested_repeat(pattern: str) -> bool:
    r"""Return True when a repeat can backtrack exponentially: ``(a+)+``, ``(\w+\s?)*``, ``(a|aa)+``.

    Such patterns backtrack exponentially on a cell that almost matches; a filter is
    tried on every row of an export, so one hostile cell would stall a run. A group
    with a fixed character of its own between its repeats (``(, [a-z]+)*``) is not
    refused: the character tells the iterations apart. A repeated group whose alternatives
    can start with the same character (``(a|aa)+``, ``(x|)*``) is refused too; Python
    factors a shared prefix out first, so ``(ab|ac)+`` is read as ``(a[bc])+`` and kept.

    >>> nested_repeat(r"^(a+)+$"), nested_repeat(r"^TESTI\d*$"), nested_repeat(r"[a-z]+(, [a-z]+)*")
    (True, False, False)
    >>> nested_repeat(r"^(a|aa)+$"), nested_repeat(r"^(test|demo)+$"), nested_repeat(r"^(TESTI|x+)$")
    (True, False, False)
    """
    from re import _parser  # type: ignore[attr-defined]

    repeats = {_parser.MAX_REPEAT, _parser.MIN_REPEAT}
    fixed = {_parser.LITERAL, _parser.NOT_LITERAL}

    def repeating(items: Any) -> bool:
        """Whether ``items`` hold an unbounded repeat (in groups and branches too)."""
        for op, arg in items:
            if op in repeats and (arg[1] is _parser.MAXREPEAT or arg[1] > 1):
                return True
            if op in repeats and repeating(arg[2]):
                return True
            if op is _parser.SUBPATTERN and repeating(arg[-1]):
                return True
            if op is _parser.BRANCH and any(repeating(b) for b in arg[1]):
                return True
        return False

    def first(items: Any) -> set[int] | None:
        """Return the characters a sequence can start with; None for any (or none at all)."""
        for op, arg in items:
            if op is _parser.LITERAL:
                return {arg}
            if op is _parser.SUBPATTERN:
                return first(arg[-1])
            if op is _parser.IN and all(o in (_parser.LITERAL, _parser.RANGE) for o, _ in arg):
                chars: set[int] = set()
                for o, a in arg:
                    chars |= {a} if o is _parser.LITERAL else set(range(a[0], a[1] + 1))
                return chars
            if op in (_parser.AT,):
                continue  # an anchor takes no character
            return None
        return None  # an empty alternative: it overlaps every other one

    def ambiguous(items: Any) -> bool:
        """Return whether a branch in ``items`` has alternatives that can start alike."""
        for op, arg in items:
            if op is _parser.BRANCH:
                starts = [first(b) for b in arg[1]]
                for i, one in enumerate(starts):
                    for other in starts[i + 1 :]:
                        if one is None or other is None or one & other:
                            return True
                if any(ambiguous(b) for b in arg[1]):
                    return True
            elif op is _parser.SUBPATTERN and ambiguous(arg[-1]):
                return True
        return False

    def walk(items: Any) -> bool:
        for op, arg in items:
            if op in repeats:
                _, high, body = arg
                flat = body
                while len(flat) == 1 and flat[0][0] is _parser.SUBPATTERN:
                    flat = flat[0][1][-1]
                own = any(o in fixed for o, _ in flat)
                several = high is _parser.MAXREPEAT or high > 1
                if several and not own and repeating(body):
                    return True
                # (a|aa)+: alternatives that can match the same text let each repeat
                # split a run of it in exponentially many ways before failing.
                if several and ambiguous(body):
                    return True
                if walk(body):
                    return True
            elif (op is _parser.SUBPATTERN and walk(arg[-1])) or (
                op is _parser.BRANCH and any(walk(b) for b in arg[1])
            ):
                return True
        return False

    return walk(_parser.parse(pattern))


class Filter(ColumnRef):
    """Excludes rows (staff test responses, totals rows) with a counted reason."""

    reason: str = Field(description="Why such rows are excluded; counted in the manifest.")
    equals: list[Scalar] | None = Field(
        None, description="Exclude when the cell equals one of these (label-tolerant)."
    )
    matches: str | None = Field(
        None,
        description="Exclude when the cell matches this regular expression. A repeated "
        "group of nothing but repeats, such as (a+)+ or (\\w+\\s?)*, or of alternatives that "
        "start alike, such as (a|aa)+, is refused: on one long cell it can backtrack for "
        "hours.",
    )

    @field_validator("matches")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"not a valid regular expression: {err}") from err
            if nested_repeat(value):
                raise ValueError(
                    "a repeat that can split the same text in many ways (a repeat inside a "
                    "repeat such as (a+)+ or (\\w*)*, or alternatives that start alike such "
                    "as (a|aa)+) can take hours on one long cell; write the pattern without "
                    "it, for example a+ for (a|aa)+"
                )
        return value

    @model_validator(mode="after")
    def _one_test(self) -> Filter:
        if (self.equals is None) == (self.matches is None):
            raise ValueError("a filter needs exactly one of equals or matches")
        if not self.has_source:
            raise ValueError("a filter needs a column or letter")
        return self


class OwnItem(ColumnRef):
    """A provider's own question, carried through unharmonised."""

    value_map: dict[str, Scalar | None] = Field(
        default_factory=dict, description="Optional recoding of labels or codes."
    )
    touchpoint: str | None = Field(
        None,
        description="Schema 1.1+: the touchpoint of the service path the item concerns "
        "(information, contact, arrival, premises, encounter, follow_up, whole_service).",
    )
    scale: ItemScale | None = Field(
        None,
        description="Schema 1.1+: the item's answer scale, which decides its figures "
        "(positive share, mean): agree5, satisfaction5, smiley4, grade4_10, yes_no, "
        "categories or text. Map answers to the scale's points with value_map.",
    )
    labels: dict[Literal["fi", "sv", "en"], str] = Field(
        default_factory=dict,
        description="The item's wording in reports, by language (fi, sv, en).",
    )

    _keys = field_validator("value_map", mode="before")(_keys_as_text)

    def describe_item(self) -> dict[str, Any]:
        """Return the item's entry in the item catalogue of the run's manifest."""
        return {
            "touchpoint": self.touchpoint,
            "scale": self.scale,
            "labels": dict(self.labels),
        }


def _shorthand(value: Any) -> Any:
    """`field: Header text` is short for `field: {column: Header text}`."""
    if isinstance(value, str) and value != NOT_ASKED:
        return {"column": value}
    return value


FieldEntry = Annotated[FieldRule | Literal["not_asked"], Field(union_mode="left_to_right")]


class Mapping(_Model):
    """A provider mapping: how one provider's exports become national records."""

    mapping: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Mapping id (kebab-case); part of every record_id.",
    )
    version: str = Field(description="Version of this mapping, recorded in provenance.")
    schema_version: str = Field(description="National record schema version targeted.")
    description: str | None = Field(None, description="Free text for people.")
    provider: Provider
    source: Source = Field(default_factory=Source)
    layout: Literal["wide", "long"] = Field(
        "wide", description="wide: a row per response; long: a row per answer."
    )
    long: LongLayout | None = Field(None, description="Settings of the long layout.")
    response_id: ColumnRef | None = Field(
        None,
        description="Wide layout: column holding the source response id. Without it the "
        "response is identified by its mapped cells.",
    )
    missing_values: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MISSING_VALUES),
        description="Cell texts that mean 'no answer' in every column.",
    )
    constants: dict[str, Scalar] = Field(
        default_factory=dict, description="National field -> value for every record."
    )
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    fields: dict[str, FieldEntry] = Field(
        default_factory=dict,
        description="National field -> rule, or not_asked for items the form lacks.",
    )
    own_items: dict[str, OwnItem] = Field(default_factory=dict)
    filters: list[Filter] = Field(default_factory=list)

    @field_validator("version", "schema_version", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @field_validator("fields", mode="before")
    @classmethod
    def _expand_shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _shorthand(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _layout_settings(self) -> Mapping:
        if self.layout == "long" and self.long is None:
            raise ValueError("layout: long needs a `long:` section")
        if self.layout == "wide" and self.long is not None:
            raise ValueError("a `long:` section needs layout: long")
        return self


def mapping_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of mapping files (``schemas/mapping.schema.json``).

    It is pydantic's schema of :class:`Mapping`, adjusted to accept what the loader
    accepts and to refuse NPS from anything but a 0-10 question, as the loader does:
    editors validate mapping files with it before harmonizer ever runs.
    """
    schema = Mapping.model_json_schema()
    shorthand = {
        "type": "string",
        "description": "Header text of the source column (short for {column: ...}), or "
        "not_asked for an item the form lacks.",
    }
    fields = schema["properties"]["fields"]
    fields["additionalProperties"] = {"anyOf": [{"$ref": "#/$defs/FieldRule"}, shorthand]}
    fields["properties"] = {
        "nps": {
            "description": "NPS comes only from a 0-10 recommendation question: no other "
            "scale, no recode, never adapted or reversed.",
            "anyOf": [
                shorthand,
                {
                    "allOf": [
                        {"$ref": "#/$defs/FieldRule"},
                        {
                            "properties": {
                                "scale": {"enum": ["0-10", None]},
                                "recode": {"type": "null"},
                                "adapted": {"const": False},
                                "reversed": {"const": False},
                            }
                        },
                    ]
                },
            ],
        }
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:harmonizer:schema:mapping:1",
        **schema,
    }
