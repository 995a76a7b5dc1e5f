"""The checks of a mapping's rules against the national schema, and its lookup tables.

Every problem is collected, so a broken mapping is reported whole at once.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
from collections.abc import Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from harmonizer.issues import IssueCode
from harmonizer.mapping.files import (
    MAX_LOOKUP_BYTES,
    LookupFiles,
    UnreadableFile,
    inside,
    read_limited,
)
from harmonizer.mapping.model import FieldRule, Mapping, Scalar
from harmonizer.mapping.problems import KeyPath, MappingProblem, line_of
from harmonizer.schema import RecordSchema
from harmonizer.schema_values import field_errors
from harmonizer.values import DATE_FORMAT_NAMES, label_key, pattern_problem

DERIVED_FIELDS = (
    "schema_version",
    "record_id",
    "period",
    "nps_group",
    "missing",
    "adapted",
    "own_items",
    "source",
)
STATEMENT_POINTS = frozenset(range(1, 6))
# How close a value_map label must be to a national label to count as its respelling.
SPELLING_SIMILARITY = 0.85


@dataclass(frozen=True)
class LookupTable:
    """A loaded lookup: normalised source value -> row of national values."""

    name: str
    rows: AbcMapping[str, AbcMapping[str, Scalar | None]]
    columns: tuple[str, ...]
    # The file the rows came from and its digest, for the run's manifest; None for
    # rows written in the mapping.
    path: Path | None = None
    sha256: str | None = None
    # Each key as the table writes it (the rows are keyed label-tolerantly), for messages.
    written: AbcMapping[str, str] = field(default_factory=dict)

    def get(self, value: object) -> AbcMapping[str, Scalar | None] | None:
        """Return the row for a source value, matched label-tolerantly."""
        return self.rows.get(label_key(value))


def required_fields(schema: RecordSchema) -> list[str]:
    """Return the national fields a mapping must fill: required and never null."""
    required = []
    for name in schema.required():
        if name in DERIVED_FIELDS:
            continue
        types = schema.properties[name].get("type")
        nullable = isinstance(types, list) and "null" in types
        if not nullable and schema.measure_kind(name) is None:
            required.append(name)
    return required


class RuleChecker:
    """The checks that need the national schema; collects every problem."""

    def __init__(
        self,
        model: Mapping,
        schema: RecordSchema,
        path: Path,
        lines: AbcMapping[KeyPath, int],
        *,
        lookup_files: LookupFiles | None = None,
        set_aside: frozenset[KeyPath] = frozenset(),
    ) -> None:
        self.model = model
        self.schema = schema
        self.path = path
        self.lines = lines
        self.lookup_files = dict(lookup_files or {})
        # What the model refused and the loader set aside (key paths): a required
        # field it may hold is not reported missing a second time.
        self.set_aside = set_aside
        self.problems: list[MappingProblem] = []

    def problem(
        self, path: KeyPath, message: str, code: IssueCode = IssueCode.MAPPING_RULE
    ) -> None:
        """Record a problem at a key path of the mapping file."""
        self.problems.append(
            MappingProblem(
                str(self.path),
                line_of(self.lines, path),
                ".".join(map(str, path)),
                message,
                code,
            )
        )

    def run(self) -> dict[str, LookupTable]:
        """Run every check; return the lookup tables. ``problems`` lists what was found."""
        lookups = self.load_lookups()
        self.check_targets()
        self.check_constants()
        for name, entry in self.model.fields.items():
            if isinstance(entry, FieldRule):
                self.check_rule(name, entry, lookups)
        self.check_layout()
        self.check_scale_coverage()
        self.check_own_items()
        return lookups

    # -- what feeds which national field ---------------------------------------

    def check_targets(self) -> None:
        """Check that constants and fields name national fields, once each, and cover the required ones."""
        known = set(self.schema.fields)
        for section in ("constants", "fields"):
            for name in getattr(self.model, section):
                if name in DERIVED_FIELDS:
                    self.problem(
                        (section, name),
                        f"{name} is derived by harmonizer; remove it from the mapping",
                        IssueCode.UNKNOWN_FIELD,
                    )
                elif name not in known:
                    self.problem(
                        (section, name),
                        f"{name!r} is not a field of national schema {self.schema.version}; fields are: {', '.join(f for f in self.schema.fields if f not in DERIVED_FIELDS)}",
                        IssueCode.UNKNOWN_FIELD,
                    )
        for name in set(self.model.constants) & set(self.model.fields):
            self.problem(
                ("fields", name),
                f"{name} is both a constant and a field; keep one of them",
                IssueCode.DUPLICATE_SOURCE,
            )
        if any(len(path) == 1 for path in self.set_aside):
            return  # a whole section was refused: it may hold any field
        for name in self.required_sources():
            if ("fields", name) in self.set_aside or ("constants", name) in self.set_aside:
                continue
            if name not in self.model.constants and name not in self.model.fields:
                # The problem has no key of its own; point at where it would be added.
                self.problems.append(
                    MappingProblem(
                        str(self.path),
                        self.lines.get(("constants",)) or self.lines.get(("fields",)),
                        "",
                        f"national field {name} has no source; add it under constants (one "
                        "value for every record) or fields (from a source column)",
                        IssueCode.MISSING_SOURCE,
                    )
                )

    def required_sources(self) -> list[str]:
        """Fields every record needs whose schema type does not allow null."""
        return required_fields(self.schema)

    def check_constants(self) -> None:
        """Check every constant against its national field in the schema."""
        for name, value in self.model.constants.items():
            if name not in self.schema.properties or name in DERIVED_FIELDS:
                continue
            for message in field_errors(self.schema, name, value):
                self.problem(("constants", name), message, IssueCode.BAD_CONSTANT)

    # -- one field rule ----------------------------------------------------------

    def check_rule(self, name: str, rule: FieldRule, lookups: AbcMapping[str, LookupTable]) -> None:
        """Check one field rule: its source, scale, value maps, lookup and options."""
        at = ("fields", name)
        if name not in self.schema.properties or name in DERIVED_FIELDS:
            return
        kind = self.schema.measure_kind(name)
        if not rule.has_source:
            self.problem(
                at,
                "the rule names no source: give column, letter or question (or move a fixed value to constants)",
            )
        if rule.question is not None and self.model.layout != "long":
            self.problem((*at, "question"), "question is for layout: long; use column or letter")
        if kind == "nps":
            self.check_nps(at, rule)
        elif kind == "statement":
            self.check_statement(at, rule)
        else:
            for key in ("reversed", "recode", "adapted", "scale"):
                if getattr(rule, key) not in (None, False):
                    self.problem((*at, key), f"{key} applies to NPS and statements only")
            self.check_value_map(at, name, rule)
        if rule.missing and kind is None:
            self.problem(
                (*at, "missing"),
                "missing reasons apply to NPS and statements only; other fields are null when blank",
            )
        if rule.lookup is not None:
            table = lookups.get(rule.lookup)
            if table is None and rule.lookup not in self.model.lookups:
                self.problem(
                    (*at, "lookup"),
                    f"no lookup named {rule.lookup!r}; define it under lookups",
                    IssueCode.MISSING_LOOKUP,
                )
            elif table is not None:
                take = rule.take or name
                if take not in table.columns:
                    self.problem(
                        (*at, "take"),
                        f"lookup {rule.lookup!r} has no column {take!r}; its columns are: {', '.join(table.columns)}",
                        IssueCode.MISSING_LOOKUP,
                    )
                else:
                    self.check_looked_up(at, name, rule, table, take)
        elif rule.take is not None:
            self.problem((*at, "take"), "take needs a lookup", IssueCode.MISSING_LOOKUP)
        if rule.derive is not None and name != "age_group":
            self.problem((*at, "derive"), "derive applies to age_group only")
        if rule.formats is not None:
            if name != "responded_at":
                self.problem((*at, "formats"), "formats apply to responded_at only")
            for index, fmt in enumerate(rule.formats):
                if fmt not in DATE_FORMAT_NAMES and "%" not in fmt:
                    self.problem(
                        (*at, "formats", index),
                        f"unknown date format {fmt!r}; use {', '.join(DATE_FORMAT_NAMES)} or a strptime pattern with %",
                    )
                elif fmt not in DATE_FORMAT_NAMES and (problem := pattern_problem(fmt)):
                    self.problem(
                        (*at, "formats", index),
                        f"the date pattern {fmt!r} cannot be used: {problem}; write it "
                        "with %d %m %Y %H %M %S as Python's strptime reads them",
                    )
        for key in ("earliest", "latest"):
            if getattr(rule, key) is not None and name != "responded_at":
                self.problem((*at, key), f"{key} applies to responded_at only")
        if rule.earliest and rule.latest and rule.earliest > rule.latest:
            self.problem(
                (*at, "latest"),
                f"latest ({rule.latest}) is before earliest ({rule.earliest}); swap them",
            )
        try:
            ZoneInfo(rule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                (*at, "timezone"),
                f"unknown time zone {rule.timezone!r}; use an IANA name such as Europe/Helsinki",
            )
        if rule.default is not None and kind is None:
            for message in self.value_errors(name, rule.default):
                self.problem((*at, "default"), message, IssueCode.BAD_TARGET)

    def check_looked_up(
        self, at: KeyPath, name: str, rule: FieldRule, table: LookupTable, take: str
    ) -> None:
        """Check the values a lookup gives a national field, as constants are checked.

        A wrong code or unit OID in a unit list would otherwise reject every row of its
        unit at run time, with a message that sends the provider to cells that are
        right. Empty values are left to the run (a unit list drafted to be filled in).
        A value_map of the rule applies to the looked-up value first. A code the schema
        excludes (Åland's county 91) is accepted, as in a value_map: its rows are kept
        out as outside the reform.
        """
        mapped = {label_key(k): v for k, v in rule.value_map.items()}
        excluded = self.schema.excluded_codes(name)
        found: dict[str, tuple[list[str], list[str]]] = {}
        for key, row in table.rows.items():
            value = row.get(take)
            if value is None or value == "":
                continue
            value = mapped.get(label_key(value), value)
            if value is None or (isinstance(value, str) and value in excluded):
                continue
            shown = str(value)
            if shown not in found:
                found[shown] = ([], self.value_errors(name, value))
            found[shown][0].append(key)
        where = (
            f"file {table.path.name}" if table.path is not None else f"lookups.{table.name}.rows"
        )
        for value, (keys, errors) in found.items():
            if not errors:
                continue
            rows = ", ".join(repr(table.written.get(k, k)) for k in keys[:3]) + (
                f" and {len(keys) - 3} more" if len(keys) > 3 else ""
            )
            self.problem(
                (*at, "lookup"),
                f"lookup {table.name!r} gives {name} the value {value!r} (column {take!r}, "
                f"for {rows}): {errors[0]}; correct it in {where}, or map it with value_map "
                f"of fields.{name}",
                IssueCode.BAD_TARGET,
            )

    def value_errors(self, name: str, value: object) -> list[str]:
        """Return why a value does not fit a national field ([] when it fits)."""
        return field_errors(self.schema, name, value)

    def check_value_map(self, at: KeyPath, name: str, rule: FieldRule) -> None:
        """Check that every value_map target is a valid value of the field.

        A code the schema excludes (Åland's county 91) is a valid target: the label is
        mapped to what it means, and its rows are kept out as outside the reform, as
        when the export carries the code itself.
        """
        excluded = self.schema.excluded_codes(name)
        for source, target in rule.value_map.items():
            if target is None or (isinstance(target, str) and target in excluded):
                continue
            for message in self.value_errors(name, target):
                self.problem((*at, "value_map", source), message, IssueCode.BAD_TARGET)

    def check_nps(self, at: KeyPath, rule: FieldRule) -> None:
        """Refuse NPS from anything but a 0-10 question."""
        not_nps = (
            "NPS comes only from a 0-10 recommendation question; a 1-5 'would you "
            "recommend', a smiley or a school grade is not NPS: carry it under own_items"
        )
        if rule.scale is not None and rule.scale != "0-10":
            self.problem((*at, "scale"), not_nps)
        if rule.adapted or rule.recode is not None:
            self.problem((*at, "adapted" if rule.adapted else "recode"), not_nps)
        if rule.reversed:
            self.problem((*at, "reversed"), "NPS is never reversed; map its labels with value_map")
        for source, target in rule.value_map.items():
            if target is not None and (
                not isinstance(target, int) or isinstance(target, bool) or not 0 <= target <= 10
            ):
                self.problem(
                    (*at, "value_map", source),
                    f"NPS values are whole numbers 0-10, not {target!r}",
                    IssueCode.BAD_TARGET,
                )

    def check_statement(self, at: KeyPath, rule: FieldRule) -> None:
        """Allow a non-five-point statement only through an explicit adapted recode."""
        bounds = rule.scale_bounds()
        for source, target in rule.value_map.items():
            if target is not None and (
                not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= 5
            ):
                self.problem(
                    (*at, "value_map", source),
                    f"statement values are points 1-5 of the agreement scale, not {target!r}",
                    IssueCode.BAD_TARGET,
                )
        if bounds is None or bounds == (1, 5):
            if rule.adapted:
                self.problem(
                    (*at, "adapted"),
                    "adapted marks a non-five-point source; give its scale (for example scale: '1-4') and a recode",
                )
            if rule.recode is not None:
                self.problem(
                    (*at, "recode"),
                    "recode is for adapted statements from a non-five-point scale; use value_map or reversed for a five-point source",
                )
            return
        low, high = bounds
        if not rule.adapted:
            self.problem(
                (*at, "scale"),
                f"a {high - low + 1}-point source can feed a national statement only through an explicit rule: add adapted: true and a recode from each of its points to 1-5, or carry it under own_items",
            )
        if rule.recode is None:
            self.problem(
                (*at, "scale"), f"give a recode from each point {low}-{high} to a point 1-5"
            )
            return
        points = {str(p) for p in range(low, high + 1)}
        if set(rule.recode) != points:
            self.problem(
                (*at, "recode"),
                f"recode must cover exactly the points {low}-{high}; it has {', '.join(sorted(rule.recode, key=lambda p: (len(p), p)))}",
            )
        for source, target in rule.recode.items():
            if not 1 <= target <= 5:
                self.problem(
                    (*at, "recode", source), f"recode targets are points 1-5, not {target}"
                )
        if rule.reversed:
            self.problem((*at, "reversed"), "reverse an adapted scale inside its recode")

    def check_layout(self) -> None:
        """Check the rules that depend on the wide or long layout."""
        model = self.model
        if model.layout == "long":
            assert model.long is not None
            for name, entry in model.fields.items():
                if (
                    isinstance(entry, FieldRule)
                    and self.schema.measure_kind(name)
                    and entry.question is None
                ):
                    self.problem(
                        ("fields", name),
                        "in the long layout a measure comes from a question: write question: <id>",
                    )
            if model.response_id is not None:
                self.problem(
                    ("response_id",), "in the long layout the response id is long.response_id"
                )
            return
        for name, item in model.own_items.items():
            if item.question is not None:
                self.problem(
                    ("own_items", name, "question"),
                    "question is for layout: long; use column or letter",
                )
        for index, rule in enumerate(model.filters):
            if rule.question is not None:
                self.problem(("filters", index), "filters test a column or letter")

    def check_own_items(self) -> None:
        """Check own items' descriptions: a touchpoint and a scale the schema knows."""
        touchpoints = self.schema.touchpoints
        scales = self.schema.item_scales
        for name, item in self.model.own_items.items():
            at: KeyPath = ("own_items", name)
            if item.touchpoint is not None and item.touchpoint not in touchpoints:
                self.problem(
                    (*at, "touchpoint"),
                    f"{item.touchpoint!r} is not a touchpoint of national schema "
                    f"{self.schema.version}; use one of {', '.join(touchpoints)}"
                    if touchpoints
                    else f"national schema {self.schema.version} has no touchpoints; set "
                    "schema_version: '1.1' to describe own items",
                    IssueCode.BAD_TARGET,
                )
            if item.scale is None:
                continue
            scale = scales.get(item.scale)
            if scale is None:
                self.problem(
                    (*at, "scale"),
                    f"national schema {self.schema.version} has no item scales; set "
                    "schema_version: '1.1' to describe own items",
                    IssueCode.BAD_TARGET,
                )
                continue
            points = scale.get("points")
            if points is None:
                continue
            for source, target in item.value_map.items():
                if target is not None and target not in points:
                    shown = ", ".join(map(str, points))
                    self.problem(
                        (*at, "value_map", source),
                        f"{target!r} is not a point of scale {item.scale} ({shown}); map "
                        "each answer to one of them",
                        IssueCode.BAD_TARGET,
                    )

    # -- lookups -------------------------------------------------------------------

    def load_lookups(self) -> dict[str, LookupTable]:
        """Load every lookup table: inline, from a file beside the mapping, or given.

        A file given on the command line (``--lookup NAME=PATH``) replaces the file the
        mapping names; only such a file may lie outside the mapping's folder.
        """
        tables = {}
        for name in sorted(set(self.lookup_files) - set(self.model.lookups)):
            self.problem(
                ("lookups",),
                f"--lookup {name}=... names no lookup of the mapping; define {name} under "
                "lookups (with its key), or correct the name",
                IssueCode.MISSING_LOOKUP,
            )
        for name, spec in self.model.lookups.items():
            at: KeyPath = ("lookups", name)
            given = self.lookup_files.get(name)
            if spec.rows is not None:
                if given is not None:
                    self.problem(
                        at,
                        f"lookup {name} has inline rows; --lookup {name}=... replaces a "
                        "lookup file: write file: instead of rows:, or leave the option out",
                        IssueCode.MISSING_LOOKUP,
                    )
                seen: dict[str, str] = {}
                for spelt in spec.rows:
                    earlier = seen.setdefault(label_key(spelt), spelt)
                    if earlier != spelt:
                        self.problem(
                            (*at, "rows", spelt),
                            f"lookup {name}: the key {spelt!r} is the same as {earlier!r} "
                            "(keys are matched ignoring case and spacing), so one row would "
                            "silently replace the other; keep one of them",
                            IssueCode.DUPLICATE_LOOKUP_KEY,
                        )
                columns = tuple(sorted({c for row in spec.rows.values() for c in row}))
                tables[name] = LookupTable(
                    name,
                    {label_key(k): v for k, v in spec.rows.items()},
                    columns,
                    written={label_key(k): k for k in spec.rows},
                )
                continue
            assert spec.file is not None
            if given is not None:
                file, shown = given, str(given)
            else:
                resolved = inside(self.path.parent, spec.file)
                shown = spec.file
                if resolved is None:
                    self.problem(
                        (*at, "file"),
                        f"lookup file {spec.file} is outside the mapping's folder; put it "
                        f"beside the mapping (file: {Path(spec.file).name}), or give it on the "
                        f"command line: --lookup {name}=PATH",
                        IssueCode.MISSING_LOOKUP,
                    )
                    continue
                file = resolved
            try:
                raw = read_limited(file, MAX_LOOKUP_BYTES, f"lookup file of {name}")
                rows, columns, written, repeated = _read_lookup_csv(raw, spec.key)
            except UnreadableFile as err:
                missing = given is None and not file.exists() and not file.is_symlink()
                message = (
                    f"lookup file {shown} not found beside the mapping "
                    f"({self.path.parent / spec.file}); put it there, "
                    f"or give it on the command line: --lookup {name}=PATH"
                    if missing
                    else str(err)
                )
                self.problem((*at, "file"), message, IssueCode.MISSING_LOOKUP)
                continue
            except UnicodeDecodeError:
                self.problem(
                    (*at, "file"),
                    f"lookup file {shown} is not UTF-8; save it as UTF-8 (csv UTF-8 in Excel)",
                    IssueCode.MISSING_LOOKUP,
                )
                continue
            except csv.Error as err:
                self.problem(
                    (*at, "file"),
                    f"lookup file {shown} cannot be read as csv: {err}",
                    IssueCode.MISSING_LOOKUP,
                )
                continue
            except KeyError:
                self.problem(
                    (*at, "key"),
                    f"lookup file {shown} has no column {spec.key!r}; set key to its key column",
                    IssueCode.MISSING_LOOKUP,
                )
                continue
            for again, first_line, line in repeated:
                self.problem(
                    (*at, "file"),
                    f"lookup file {shown}, line {line}: the key {again!r} is already on line "
                    f"{first_line} (keys are matched ignoring case and spacing), so one row "
                    "would silently replace the other; keep one row per key",
                    IssueCode.DUPLICATE_LOOKUP_KEY,
                )
            tables[name] = LookupTable(
                name, rows, columns, file, hashlib.sha256(raw).hexdigest(), written
            )
        return tables

    # -- scale coverage ------------------------------------------------------------

    def check_scale_coverage(self) -> None:
        """Warn of a statement whose value map reaches some points of 1-5 but not all.

        A label map that skips a point usually means a source scale of another length
        mapped as if it were the national one, which makes the item incomparable. Entries
        that only respell a national label ('Täysin samaa mieltää') fix typos and do not
        count as the provider's own scale.
        """
        schema = self.schema
        variants = schema.document["$defs"]["statement"].get("x-label-variants", {})
        national = {
            point: [*names.values(), *variants.get(point, ())]
            for point, names in schema.scale_labels.items()
        }
        for name, rule in self.model.fields.items():
            if not isinstance(rule, FieldRule) or name not in schema.properties:
                continue
            if schema.measure_kind(name) != "statement" or rule.recode is not None:
                continue
            targets = {
                target
                for label, target in rule.value_map.items()
                if isinstance(target, int)
                and not isinstance(target, bool)
                and target in STATEMENT_POINTS
                and not _spelling_of(label, national[str(target)])
            }
            if targets and targets != STATEMENT_POINTS:
                lacking = ", ".join(str(p) for p in sorted(STATEMENT_POINTS - targets))
                mapped = ", ".join(str(p) for p in sorted(targets))
                self.problem(
                    ("fields", name, "value_map"),
                    f"the value_map of {name} maps labels to points {mapped} but none to "
                    f"{lacking}; map a label to every point of 1-5, or, if the source scale "
                    "has fewer points, mark it adapted: true with its scale and a recode",
                    IssueCode.SCALE_NOT_COVERED,
                )


def _spelling_of(label: str, national: list[str]) -> bool:
    """Return True when ``label`` is a national scale label give or take a typo."""
    key = label_key(label)
    return any(
        difflib.SequenceMatcher(None, key, label_key(name)).ratio() >= SPELLING_SIMILARITY
        for name in national
    )


def _read_lookup_csv(
    raw: bytes, key: str
) -> tuple[
    dict[str, dict[str, Scalar | None]],
    tuple[str, ...],
    dict[str, str],
    list[tuple[str, int, int]],
]:
    """Parse a lookup csv (UTF-8 with or without BOM, ',' or ';'); KeyError without ``key``.

    Returns the rows by label key, the value columns, each key as written, and each key
    met again with the lines of its first and its repeated row.
    """
    with io.StringIO(raw.decode("utf-8-sig"), newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        columns = tuple(c.strip() for c in reader.fieldnames or ())
        if key not in columns:
            raise KeyError(key)
        rows: dict[str, dict[str, Scalar | None]] = {}
        written: dict[str, str] = {}
        lines: dict[str, int] = {}
        repeated: list[tuple[str, int, int]] = []
        for record in _stripped(reader):
            normalised = label_key(record[key])
            if normalised in lines:
                repeated.append((str(record[key]), lines[normalised], reader.line_num))
                continue
            lines[normalised] = reader.line_num
            rows[normalised] = {c: v for c, v in record.items() if c != key}
            written[normalised] = str(record[key])
    return rows, tuple(c for c in columns if c != key), written, repeated


def _stripped(reader: csv.DictReader[str]) -> Iterator[dict[str, str | None]]:
    for record in reader:
        yield {
            k.strip(): (v.strip() or None) if isinstance(v, str) else None
            for k, v in record.items()
            if k
        }
