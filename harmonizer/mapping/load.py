"""Loading a mapping file: YAML with line numbers, the model, and the schema checks.

A broken mapping stops a run before any row is read. Every problem is reported at once,
each with the mapping file, its line, the key path, what is wrong and how to fix it.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from harmonizer.errors import MappingError, SchemaLoadError
from harmonizer.mapping.model import FieldRule, Mapping, Scalar
from harmonizer.schema import RecordSchema, load_schema
from harmonizer.values import DATE_FORMAT_NAMES, label_key

Path_ = tuple[str | int, ...]

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


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """One problem in a mapping file, located by line and key path."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class MappingProblems(MappingError):
    """A mapping file has one or more problems; ``problems`` lists them."""

    def __init__(self, problems: list[MappingProblem]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in mapping"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class LookupTable:
    """A loaded lookup: normalised source value -> row of national values."""

    name: str
    rows: AbcMapping[str, AbcMapping[str, Scalar | None]]
    columns: tuple[str, ...]

    def get(self, value: object) -> AbcMapping[str, Scalar | None] | None:
        """Return the row for a source value, matched label-tolerantly."""
        return self.rows.get(label_key(value))


@dataclass(frozen=True)
class LoadedMapping:
    """A mapping file after every check: the model plus what it refers to."""

    model: Mapping
    path: Path
    sha256: str
    schema: RecordSchema
    lookups: AbcMapping[str, LookupTable]
    lines: AbcMapping[Path_, int] = field(repr=False)

    @property
    def id(self) -> str:
        """Return the mapping id."""
        return self.model.mapping

    @property
    def version(self) -> str:
        """Return the mapping version."""
        return self.model.version

    def line_of(self, *path: str | int) -> int | None:
        """Return the line of a key path in the mapping file (the nearest parent's)."""
        return _line_of(self.lines, path)


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


def _line_of(lines: AbcMapping[Path_, int], path: Path_) -> int | None:
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            lines[child] = key.start_mark.line + 1
            _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def _read_yaml(path: Path) -> tuple[Any, dict[Path_, int], str]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise MappingError(f"{path}: cannot read the mapping file: {err.strerror}") from err
    try:
        text = raw.decode("utf-8-sig")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except UnicodeDecodeError as err:
        raise MappingError(f"{path}: the mapping file is not UTF-8; save it as UTF-8") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise MappingError(
            f"{path}{line}: not valid YAML: {problem}; check indentation and quoting"
        ) from err
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines, hashlib.sha256(raw).hexdigest()


def _pydantic_problems(
    err: ValidationError, file: str, lines: AbcMapping[Path_, int]
) -> list[MappingProblem]:
    details = [(tuple(p for p in d["loc"] if not _is_union_tag(p)), d) for d in err.errors()]
    problems = []
    for loc, detail in details:
        # A field entry is a rule or the word not_asked: when the rule branch has its
        # own errors, the "should be 'not_asked'" alternative is noise.
        if detail["type"] == "literal_error" and any(
            other[: len(loc)] == loc and other_detail is not detail
            for other, other_detail in details
        ):
            continue
        message = detail["msg"]
        if detail["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against docs/mapping.md"
        elif detail["type"] == "missing":
            message = "required key is missing"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(
            MappingProblem(file, _line_of(lines, loc), ".".join(map(str, loc)), message)
        )
    return problems


def _is_union_tag(part: str | int) -> bool:
    # pydantic names union branches and validators in locations
    # ("FieldRule", "literal['not_asked']", "function-after[_one_source(), FieldRule]").
    return isinstance(part, str) and (part == "FieldRule" or "[" in part)


def load_mapping(path: Path | str) -> LoadedMapping:
    """Load and check a mapping file against the national schema it names.

    Raises:
        MappingError: the file is unreadable, not YAML, or has problems; the message
            lists each with its line (a :class:`MappingProblems` carries them as data).
        SchemaLoadError: the schema version the mapping names is not available.

    >>> loaded = load_mapping("mappings/pohjola-web.yaml")
    >>> loaded.id
    'pohjola-web'
    """
    path = Path(path)
    data, lines, digest = _read_yaml(path)
    file = str(path)
    if not isinstance(data, dict):
        raise MappingProblems(
            [
                MappingProblem(
                    file, 1, "", "a mapping is a YAML mapping of keys (mapping:, version:, ...)"
                )
            ]
        )
    try:
        model = Mapping.model_validate(data)
    except ValidationError as err:
        raise MappingProblems(_pydantic_problems(err, file, lines)) from err
    try:
        schema = load_schema(model.schema_version)
    except SchemaLoadError as err:
        line = _line_of(lines, ("schema_version",))
        raise MappingProblems([MappingProblem(file, line, "schema_version", str(err))]) from err
    checker = _Checker(model, schema, path, lines)
    lookups = checker.run()
    return LoadedMapping(model, path, digest, schema, lookups, lines)


class _Checker:
    """The checks that need the national schema; collects every problem."""

    def __init__(
        self, model: Mapping, schema: RecordSchema, path: Path, lines: AbcMapping[Path_, int]
    ) -> None:
        self.model = model
        self.schema = schema
        self.path = path
        self.lines = lines
        self.problems: list[MappingProblem] = []

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(
            MappingProblem(
                str(self.path), _line_of(self.lines, path), ".".join(map(str, path)), message
            )
        )

    def run(self) -> dict[str, LookupTable]:
        lookups = self.load_lookups()
        self.check_targets()
        self.check_constants()
        for name, entry in self.model.fields.items():
            if isinstance(entry, FieldRule):
                self.check_rule(name, entry, lookups)
        self.check_layout()
        if self.problems:
            raise MappingProblems(self.problems)
        return lookups

    # -- what feeds which national field ---------------------------------------

    def check_targets(self) -> None:
        known = set(self.schema.fields)
        for section in ("constants", "fields"):
            for name in getattr(self.model, section):
                if name in DERIVED_FIELDS:
                    self.problem(
                        (section, name),
                        f"{name} is derived by harmonizer; remove it from the mapping",
                    )
                elif name not in known:
                    self.problem(
                        (section, name),
                        f"{name!r} is not a field of national schema {self.schema.version}; fields are: {', '.join(f for f in self.schema.fields if f not in DERIVED_FIELDS)}",
                    )
        for name in set(self.model.constants) & set(self.model.fields):
            self.problem(
                ("fields", name), f"{name} is both a constant and a field; keep one of them"
            )
        for name in self.required_sources():
            if name not in self.model.constants and name not in self.model.fields:
                self.problem(
                    (),
                    f"national field {name} has no source; add it under constants (one value for every record) or fields (from a source column)",
                )

    def required_sources(self) -> list[str]:
        """Fields every record needs whose schema type does not allow null."""
        return required_fields(self.schema)

    def check_constants(self) -> None:
        from harmonizer.validation import field_errors

        for name, value in self.model.constants.items():
            if name not in self.schema.properties or name in DERIVED_FIELDS:
                continue
            for message in field_errors(self.schema, name, value):
                self.problem(("constants", name), message)

    # -- one field rule ----------------------------------------------------------

    def check_rule(self, name: str, rule: FieldRule, lookups: AbcMapping[str, LookupTable]) -> None:
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
                    (*at, "lookup"), f"no lookup named {rule.lookup!r}; define it under lookups"
                )
            elif table is not None:
                take = rule.take or name
                if take not in table.columns:
                    self.problem(
                        (*at, "take"),
                        f"lookup {rule.lookup!r} has no column {take!r}; its columns are: {', '.join(table.columns)}",
                    )
        elif rule.take is not None:
            self.problem((*at, "take"), "take needs a lookup")
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
        try:
            ZoneInfo(rule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                (*at, "timezone"),
                f"unknown time zone {rule.timezone!r}; use an IANA name such as Europe/Helsinki",
            )
        if rule.default is not None and kind is None:
            for message in self.value_errors(name, rule.default):
                self.problem((*at, "default"), message)

    def value_errors(self, name: str, value: object) -> list[str]:
        from harmonizer.validation import field_errors

        return field_errors(self.schema, name, value)

    def check_value_map(self, at: Path_, name: str, rule: FieldRule) -> None:
        for source, target in rule.value_map.items():
            if target is None:
                continue
            for message in self.value_errors(name, target):
                self.problem((*at, "value_map", source), message)

    def check_nps(self, at: Path_, rule: FieldRule) -> None:
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
                    (*at, "value_map", source), f"NPS values are whole numbers 0-10, not {target!r}"
                )

    def check_statement(self, at: Path_, rule: FieldRule) -> None:
        bounds = rule.scale_bounds()
        for source, target in rule.value_map.items():
            if target is not None and (
                not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= 5
            ):
                self.problem(
                    (*at, "value_map", source),
                    f"statement values are points 1-5 of the agreement scale, not {target!r}",
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

    # -- lookups -------------------------------------------------------------------

    def load_lookups(self) -> dict[str, LookupTable]:
        tables = {}
        for name, spec in self.model.lookups.items():
            at: Path_ = ("lookups", name)
            if spec.rows is not None:
                columns = tuple(sorted({c for row in spec.rows.values() for c in row}))
                tables[name] = LookupTable(
                    name, {label_key(k): v for k, v in spec.rows.items()}, columns
                )
                continue
            assert spec.file is not None
            file = self.path.parent / spec.file
            try:
                rows, columns = _read_lookup_csv(file, spec.key)
            except FileNotFoundError:
                self.problem(
                    (*at, "file"), f"lookup file {spec.file} not found beside the mapping ({file})"
                )
                continue
            except (OSError, UnicodeDecodeError, csv.Error) as err:
                self.problem((*at, "file"), f"lookup file {spec.file} cannot be read: {err}")
                continue
            except KeyError:
                self.problem(
                    (*at, "key"),
                    f"lookup file {spec.file} has no column {spec.key!r}; set key to its key column",
                )
                continue
            tables[name] = LookupTable(name, rows, columns)
        return tables


def _read_lookup_csv(
    file: Path, key: str
) -> tuple[dict[str, dict[str, Scalar | None]], tuple[str, ...]]:
    with file.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        columns = tuple(c.strip() for c in reader.fieldnames or ())
        if key not in columns:
            raise KeyError(key)
        rows: dict[str, dict[str, Scalar | None]] = {}
        for record in _stripped(reader):
            rows[label_key(record[key])] = {c: v for c, v in record.items() if c != key}
    return rows, tuple(c for c in columns if c != key)


def _stripped(reader: csv.DictReader[str]) -> Iterator[dict[str, str | None]]:
    for record in reader:
        yield {
            k.strip(): (v.strip() or None) if isinstance(v, str) else None
            for k, v in record.items()
            if k
        }
