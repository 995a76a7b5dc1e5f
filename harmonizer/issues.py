"""The catalogue of issue codes, and the :class:`Issue` value that carries a data problem.

Issue codes are an API: people filter, suppress and count by them. A code is never
renamed; a code that is no longer raised is deprecated and kept.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harmonizer.io.cells import column_letter
from harmonizer.redaction import redact_text

VALUE_PREVIEW_CHARS = 80


class Severity(enum.IntEnum):
    """How bad an issue is. Ordered so that ``max()`` picks the worst."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Return the severity named by ``text`` (``error``, ``warning`` or ``info``)."""
        return cls[text.upper()]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """Title, default severity and the two fixes of one issue code.

    ``remedy`` is the fix for the mapping's author (the YAML to edit); ``provider`` is
    the fix for the provider who sent the export (the cells to change), or None when
    the provider has nothing to change. ``scope`` says what the code is about: ``data`` (a source row or cell, raised by
    ``run``, ``validate`` and ``check --sample``) or ``mapping`` (the mapping file,
    raised by ``check``).
    """

    title: str
    severity: Severity
    remedy: str
    scope: str = "data"
    provider: str | None = None
    # False when the export is right and the fix lies with the recipient (a unit list
    # to complete): the provider's fix then says so, and sending the file again helps
    # nothing.
    provider_acts: bool = True


class IssueCode(enum.StrEnum):
    """Every issue code the tool raises. Values are kebab-case and stable."""

    # values of one source cell
    UNKNOWN_LABEL = "unknown-label"
    OUT_OF_RANGE = "out-of-range"
    BAD_NUMBER = "bad-number"
    BAD_DATE = "bad-date"
    BAD_CODE = "bad-code"
    LOOKUP_MISSING = "lookup-missing"
    REQUIRED_MISSING = "required-missing"
    OUTSIDE_REFORM = "outside-reform"
    VALUE_TOO_LONG = "value-too-long"
    IMPOSSIBLE_DATE = "impossible-date"
    IMPLAUSIBLE_DATE = "implausible-date"
    FORMULA_WITHOUT_VALUE = "formula-without-value"
    FORMULA_ERROR = "formula-error"
    CONTROL_CHARACTER = "control-character"
    LOOKUP_INCOMPLETE = "lookup-incomplete"
    OFF_SCALE = "off-scale"
    # rows and responses
    DUPLICATE_RESPONSE = "duplicate-response"
    CONFLICTING_ANSWER = "conflicting-answer"
    UNKNOWN_QUESTION = "unknown-question"
    RESPONSE_NOT_CONTIGUOUS = "response-not-contiguous"
    RAGGED_ROW = "ragged-row"
    DUPLICATE_HEADER = "duplicate-header"
    UNUSED_COLUMN = "unused-column"
    SCHEMA_VIOLATION = "schema-violation"
    SUSPICIOUS_MULTILINE = "suspicious-multiline"
    UNDECODABLE_LINE = "undecodable-line"
    # export-level notes
    AMBIGUOUS_TIME = "ambiguous-time"
    NONEXISTENT_TIME = "nonexistent-time"
    REDACTED = "redacted"
    UNREADABLE_EXPORT = "unreadable-export"
    # the mapping file (harmonizer check)
    MAPPING_YAML = "mapping-yaml"
    MAPPING_SCHEMA = "mapping-schema"
    UNKNOWN_SCHEMA_VERSION = "unknown-schema-version"
    UNKNOWN_FIELD = "unknown-field"
    DUPLICATE_SOURCE = "duplicate-source"
    DUPLICATE_KEY = "duplicate-key"
    MISSING_SOURCE = "missing-source"
    BAD_CONSTANT = "bad-constant"
    BAD_TARGET = "bad-target"
    MISSING_LOOKUP = "missing-lookup"
    DUPLICATE_LOOKUP_KEY = "duplicate-lookup-key"
    SCALE_NOT_COVERED = "scale-not-covered"
    MAPPING_RULE = "mapping-rule"
    # the mapping against a sample export (harmonizer check --sample)
    COLUMN_NOT_FOUND = "column-not-found"

    @property
    def info(self) -> CodeInfo:
        """Title, default severity and remedy of this code."""
        return CODE_INFO[self]

    @property
    def severity(self) -> Severity:
        """Default severity of this code."""
        return CODE_INFO[self].severity


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODE_INFO: dict[IssueCode, CodeInfo] = {
    IssueCode.UNKNOWN_LABEL: CodeInfo(
        "Answer label has no rule",
        _E,
        "add the label to value_map (or to missing, for a don't-know answer) of {rule} in "
        "{mapping}",
        provider="write one of the survey's answers in column {column}: {answers}",
    ),
    IssueCode.OUT_OF_RANGE: CodeInfo(
        "Number outside the national scale",
        _E,
        "correct the cell in the export, or map the code in value_map or missing of {rule} "
        "in {mapping}",
        provider="write a number from {low} to {high} in column {column}, or leave the cell empty",
    ),
    IssueCode.BAD_NUMBER: CodeInfo(
        "Not a whole number",
        _E,
        "enter a whole number, or map the text in value_map of {rule} in {mapping} (a null "
        "target means no answer)",
        provider="write a whole number in column {column}, or leave the cell empty",
    ),
    IssueCode.BAD_DATE: CodeInfo(
        "Date or time not understood",
        _E,
        "write the date as 23.11.2026 14:05 or ISO 8601, or list the export's format under "
        "{rule}.formats in {mapping}",
        provider="write the date and time in column {column} as the other rows have it, for example {example}",
    ),
    IssueCode.BAD_CODE: CodeInfo(
        "Value is not a code of the national field",
        _E,
        "map the value to a national code in value_map of {rule} in {mapping}",
        provider="write one of the accepted answers in column {column}: {answers}",
    ),
    IssueCode.LOOKUP_MISSING: CodeInfo(
        "Value missing from a lookup table",
        _E,
        "add the value to the lookup table, or give {rule} a default in {mapping}",
        provider="write a value of the agreed list in column {column}: {answers} (or ask {contact} "
        "to add this one)",
    ),
    IssueCode.REQUIRED_MISSING: CodeInfo(
        "Required value is empty",
        _E,
        "fill the cell in the export, or give {rule} a default in {mapping}",
        provider="fill in the cell in column {column}: every response needs it",
    ),
    IssueCode.OUTSIDE_REFORM: CodeInfo(
        "Åland is outside the wellbeing services reform",
        _E,
        "leave Åland's responses out of the export; they are not national feedback",
        provider="leave Åland's responses out of the export",
    ),
    IssueCode.VALUE_TOO_LONG: CodeInfo(
        "Cell is longer than the tool accepts",
        _E,
        "shorten the cell; a cell that long usually means a broken export",
        provider="shorten the cell in column {column}; check its quotes, as several cells may have run together",
    ),
    IssueCode.IMPOSSIBLE_DATE: CodeInfo(
        "Date does not exist in the calendar",
        _E,
        "correct the date in the export; if the export writes the month before the day, "
        "list its format under {rule}.formats in {mapping}",
        provider="correct the date in column {column}: that day is not in the calendar",
    ),
    IssueCode.IMPLAUSIBLE_DATE: CodeInfo(
        "Date outside the plausible window of response dates",
        _E,
        "correct the date in the export; if such dates are real, widen the window with "
        "{rule}.earliest or {rule}.latest in {mapping}",
        provider="correct the date in column {column}: a response cannot be that old or in "
        "the future",
    ),
    IssueCode.FORMULA_ERROR: CodeInfo(
        "Cell holds a spreadsheet error (#DIV/0!, #N/A, #REF!)",
        _E,
        "correct the formula in the workbook, or write the value in the cell; an error "
        "value is not an answer",
        provider="correct the formula in column {column} or write the answer in the cell; "
        "the cell shows an error instead of a value",
    ),
    IssueCode.FORMULA_WITHOUT_VALUE: CodeInfo(
        "Formula cell has no computed value",
        _E,
        "open and save the workbook in Excel (which computes every formula), or export "
        "values instead of formulas",
        provider="open the workbook in Excel and save it, so that the formula in column "
        "{column} is computed, or write a value in the cell instead of the formula",
    ),
    IssueCode.CONTROL_CHARACTER: CodeInfo(
        "Control characters removed from a cell",
        _W,
        "check the cell in the export; control characters (such as NUL) are not text and "
        "are removed",
        provider="check the cell in column {column}: it held invisible control characters, "
        "which were removed",
    ),
    IssueCode.OFF_SCALE: CodeInfo(
        "Own item's answer is not a point of its scale",
        _W,
        "map the answer to a point of the item's scale in value_map of {rule} in {mapping} "
        "(null when it means no answer); until then it is carried as written and counted "
        "as off the scale in the item's figures",
        provider="write one of the item's answers in column {column}: {answers}, or leave "
        "the cell empty",
    ),
    IssueCode.LOOKUP_INCOMPLETE: CodeInfo(
        "Lookup table leaves a required value empty",
        _E,
        "fill in {rule} for this value in the lookup table (such as the unit list), or give "
        "{rule} a default in {mapping}",
        provider="nothing to change in column {column}: {value} is on the agreed list, which "
        "lacks a detail for it; {contact} completes the list",
        provider_acts=False,
    ),
    IssueCode.DUPLICATE_RESPONSE: CodeInfo(
        "Same response seen twice",
        _E,
        "remove the repeated row (often a re-export); the first one is kept",
        provider="delete the repeated row; the first copy is kept",
    ),
    IssueCode.CONFLICTING_ANSWER: CodeInfo(
        "Two different answers to one question in a response",
        _E,
        "keep one answer per question and response in the export",
        provider="keep one answer to the question in this response and delete the other",
    ),
    IssueCode.UNKNOWN_QUESTION: CodeInfo(
        "Question id has no rule",
        _W,
        "map the question id in fields or own_items of {mapping}, or list it under long.ignore",
        provider="check the question id {value}; if the survey has a new question, tell {contact}",
    ),
    IssueCode.RESPONSE_NOT_CONTIGUOUS: CodeInfo(
        "Answers of one response are too far apart",
        _E,
        "sort the export by response id, or raise long.pivot_window in {mapping}",
        provider="sort the export by response id and send it again",
    ),
    IssueCode.RAGGED_ROW: CodeInfo(
        "Row has more cells than the header",
        _W,
        "extra cells are ignored: give their column a header if its values are wanted "
        "(csv: check the delimiter and quoting of the export)",
        provider="check the row: it has cells right of the header's last column; give "
        "their column a header, or in a csv put a cell holding the delimiter in quotes",
    ),
    IssueCode.DUPLICATE_HEADER: CodeInfo(
        "The mapping names a header text that several columns carry",
        _W,
        "add occurrence (or a letter) to the rule in the mapping to say which column is meant",
        provider="give the columns named {column} different headers",
    ),
    IssueCode.SCHEMA_VIOLATION: CodeInfo(
        "Record breaks the national schema",
        _E,
        "correct the cell in the export, or the rule of {rule} in {mapping}",
        provider="correct the cell in column {column}",
    ),
    IssueCode.SUSPICIOUS_MULTILINE: CodeInfo(
        "A quoted cell holds lines that look like rows",
        _W,
        'check the quotes (") of the export around the row: a stray quote joins the rows '
        "after it into one cell",
        provider="check the quotes in column {column}: a stray quote may have joined the "
        "rows after it into one cell",
    ),
    IssueCode.UNDECODABLE_LINE: CodeInfo(
        "Line is in another encoding than the rest of the export",
        _E,
        "save the export again in one encoding, UTF-8; the line was written in another one "
        "(Windows-1252 or UTF-8) and cannot be trusted",
        provider="save the export again in UTF-8 and send it again: this line is in another "
        "encoding than the others",
    ),
    IssueCode.UNUSED_COLUMN: CodeInfo(
        "Columns the mapping does not use",
        _I,
        "nothing to do if these columns are not wanted: their values are not carried; to "
        "carry one, map it in fields or own_items of {mapping}",
    ),
    IssueCode.AMBIGUOUS_TIME: CodeInfo(
        "Local time occurs twice (end of daylight saving time)",
        _I,
        "nothing to do: the earlier of the two instants is used",
    ),
    IssueCode.NONEXISTENT_TIME: CodeInfo(
        "Local time does not exist (start of daylight saving time)",
        _W,
        "check the clock of the collecting system; the time is read as standard time",
        provider="check the clock of the system that collected the answers",
    ),
    IssueCode.REDACTED: CodeInfo(
        "Personal data in a cell replaced with a marker",
        _I,
        "nothing to do: identity codes, phone numbers and e-mail addresses are replaced",
    ),
    IssueCode.UNREADABLE_EXPORT: CodeInfo(
        "Export cannot be read",
        _E,
        "check that source.format, encoding, delimiter and sheet of {mapping} fit the export",
        provider="save the export again from the survey tool as csv (UTF-8) or xlsx and send it again",
    ),
    IssueCode.MAPPING_YAML: CodeInfo(
        "Mapping file is not valid YAML",
        _E,
        "fix the indentation or quoting at the line shown; save the file as UTF-8",
        "mapping",
    ),
    IssueCode.MAPPING_SCHEMA: CodeInfo(
        "Mapping file breaks the mapping schema",
        _E,
        "correct the key or value as schemas/mapping.schema.json and docs/mapping.md describe",
        "mapping",
    ),
    IssueCode.UNKNOWN_SCHEMA_VERSION: CodeInfo(
        "National schema version is not available",
        _E,
        "set schema_version to a version this installation has",
        "mapping",
    ),
    IssueCode.UNKNOWN_FIELD: CodeInfo(
        "Target is not a national field the mapping can fill",
        _E,
        "use a field name of the national schema version the mapping names; "
        "derived fields are filled by harmonizer",
        "mapping",
    ),
    IssueCode.DUPLICATE_SOURCE: CodeInfo(
        "Two sources feed one national field",
        _E,
        "keep one source for the field: one entry under fields or constants, not two",
        "mapping",
    ),
    IssueCode.DUPLICATE_KEY: CodeInfo(
        "Key appears twice in the mapping file",
        _E,
        "remove one of the two keys; YAML silently keeps only the last one",
        "mapping",
    ),
    IssueCode.MISSING_SOURCE: CodeInfo(
        "Required national field has no source",
        _E,
        "add the field under constants (one value for every record) or under fields",
        "mapping",
    ),
    IssueCode.BAD_CONSTANT: CodeInfo(
        "Constant is not a valid value of its national field",
        _E,
        "write a valid code: a county code 01-21 or 90, a business ID with its check digit",
        "mapping",
    ),
    IssueCode.BAD_TARGET: CodeInfo(
        "Rule maps to a value the national field does not accept",
        _E,
        "map the label to a code or point of the national field (value_map, default)",
        "mapping",
    ),
    IssueCode.MISSING_LOOKUP: CodeInfo(
        "Lookup table, its file or its column does not exist",
        _E,
        "define the lookup under lookups and put its csv file beside the mapping",
        "mapping",
    ),
    IssueCode.DUPLICATE_LOOKUP_KEY: CodeInfo(
        "A key occurs twice in a lookup table",
        _E,
        "keep one row per key; keys are matched ignoring case and spacing, so a second "
        "row would silently replace the first",
        "mapping",
    ),
    IssueCode.SCALE_NOT_COVERED: CodeInfo(
        "Value map does not reach every point of the national scale",
        _W,
        "map a source label to every point 1-5; a source with fewer points needs "
        "adapted: true, its scale and a recode",
        "mapping",
    ),
    IssueCode.MAPPING_RULE: CodeInfo(
        "Rule of a national field is inconsistent",
        _E,
        "correct the rule as the message says; docs/mapping.md describes every key",
        "mapping",
    ),
    IssueCode.COLUMN_NOT_FOUND: CodeInfo(
        "Mapped column is not in the export's header",
        _E,
        "correct the column name in the mapping, or set source.header_row if the header "
        "is on another row",
        "mapping",
        provider="restore the column {column} in the header on row {header_row}, with exactly that text",
    ),
}


SPECIAL_REMEDIES: dict[str, str] = {
    "no_id_fix": (
        "fill the cell in the export: every row of a response needs it (its response id or "
        "question id)"
    ),
    "age_range_fix": (
        "correct the cell in the export, or map the value in value_map of {rule} in {mapping} "
        "(a null target means no answer)"
    ),
}
"""Remedies that replace a code's own for one kind of issue, by their key among the
reports' words (which hold them in fi, sv and en)."""


PERSONAL_ID_FIELD = "source.response_id"
"""The field of a response id's `redacted` issue, and of its duplicate."""


def special_remedy(code: IssueCode, field: str | None) -> str | None:
    """Return the key of the remedy that replaces ``code``'s own for ``field``, or None.

    >>> special_remedy(IssueCode.OUT_OF_RANGE, "age_group"), special_remedy(IssueCode.OUT_OF_RANGE, "nps")
    ('age_range_fix', None)
    """
    if code is IssueCode.REQUIRED_MISSING and field is None:
        # A long export's response id or question id: there is no rule to give a default.
        return "no_id_fix"
    if code is IssueCode.OUT_OF_RANGE and field == "age_group":
        # check refuses missing: on age_group; a null in value_map is its "no answer".
        return "age_range_fix"
    return None


def remedy(code: IssueCode, *, field: str | None = None, mapping: str = "the mapping") -> str:
    """Return how to fix an issue, naming the mapping file and the rule to edit.

    >>> remedy(IssueCode.BAD_CODE, field="channel", mapping="x.yaml")
    'map the value to a national code in value_map of fields.channel in x.yaml'
    """
    special = special_remedy(code, field)
    if field is None:
        rule = "the field's rule"
    elif field.startswith("own_items."):
        rule = field
    else:
        rule = f"fields.{field.split('.')[0]}"
    template = CODE_INFO[code].remedy if special is None else SPECIAL_REMEDIES[special]
    return template.format(rule=rule, mapping=mapping)


def message(
    code: IssueCode, detail: str, *, field: str | None = None, mapping: str = "the mapping"
) -> str:
    """Return an issue's message: what is wrong, then how to fix it."""
    return f"{detail}; {remedy(code, field=field, mapping=mapping)}"


def quote(value: Any) -> str:
    r"""Return ``value`` quoted for a message, personal data redacted before it is quoted.

    Redacting first matters: ``repr()`` writes a tab as ``\t``, which a pattern run over
    the finished message would have to read back.

    >>> quote("soita 040\t765 4321")
    "'soita [PUHELIN]'"
    >>> quote(358401112223)
    '[PUHELIN]'
    """
    if isinstance(value, str):
        return repr(redact_text(value))
    return redact_text(repr(value)) or ""


HEADER_LISTED = 40
"""Header texts a message lists before it says how many more there are."""


def header_listing(header: Sequence[str | None], *, letters: bool = False) -> str:
    """Return an export's header texts for a message: each previewed, at most 40.

    >>> header_listing(["id", None, "x" * 100], letters=True)[:20]
    "A 'id', C 'xxxxxxxxx"
    """
    return column_listing([(i, h) for i, h in enumerate(header) if h], letters=letters)


def column_listing(columns: Sequence[tuple[int, str]], *, letters: bool = True) -> str:
    """Return columns (index, header text) for a message: each previewed, at most 40."""
    shown = [
        f"{column_letter(i)} '{preview(h)}'" if letters else f"'{preview(h)}'"
        for i, h in columns[:HEADER_LISTED]
    ]
    if len(columns) > HEADER_LISTED:
        shown.append(f"and {len(columns) - HEADER_LISTED} more")
    return ", ".join(shown) or "nothing"


def preview(value: Any) -> str | None:
    """Return ``value`` as short text for an issue, or None when there is no value.

    Personal data is redacted before the text is cut, so that no half of a phone
    number survives the cut.
    """
    if value is None:
        return None
    text = str(value)
    # Only the start is shown: redacting all of a cell of megabytes would take seconds.
    # A marker is never less than half the text it replaces, so four times the preview
    # still fills it after redaction, and what is cut off there is cut off anyway.
    text = redact_text(text[: 4 * VALUE_PREVIEW_CHARS]) or ""
    if len(text) > VALUE_PREVIEW_CHARS:
        return text[: VALUE_PREVIEW_CHARS - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class Issue:
    """One data problem, located in the export (``row``/``column``) and the record (``field``).

    ``row`` is the 1-based physical row as a spreadsheet shows it (the header row is
    row 1 unless the export has a title above it). ``column`` is the source column's
    header text and ``column_letter`` its spreadsheet letter. ``value`` is the raw
    cell, truncated. Personal data (identity codes, phone numbers, e-mail addresses)
    is redacted from ``message``, ``value`` and ``column`` on creation, whatever cell
    they came from, so no issue can carry it into a reject or a report.
    """

    code: IssueCode
    message: str
    severity: Severity
    export: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    column_letter: str | None = None
    field: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        # A frozen dataclass is set through object.__setattr__; this runs once per issue.
        for name in ("message", "value", "column"):
            text = getattr(self, name)
            if text is not None:
                object.__setattr__(self, name, redact_text(text))

    def at_row(self, row: int | None) -> Issue:
        """Return the same issue at another source row.

        Its texts were redacted when it was made, so the copy skips that work: a value
        redacted in many rows builds its issue once.
        """
        moved = object.__new__(Issue)
        for name in Issue.__slots__:
            object.__setattr__(moved, name, getattr(self, name))
        object.__setattr__(moved, "row", row)
        return moved

    def location(self) -> str:
        """Return 'file, sheet 'S', row N, column C 'header'' for messages."""
        parts: list[str] = []
        if self.export:
            parts.append(self.export)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column_letter or self.column:
            col = "column"
            if self.column_letter:
                col += f" {self.column_letter}"
            if self.column:
                col += f" '{self.column}'"
            parts.append(col)
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return the issue as plain JSON values."""
        return {
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
            "export": self.export,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "column_letter": self.column_letter,
            "field": self.field,
            "value": self.value,
        }
