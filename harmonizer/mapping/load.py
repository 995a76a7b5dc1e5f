"""Loading a mapping file: YAML with line numbers, the model, then the rule checks.

One reader, :func:`read_mapping`, decides for ``harmonizer run``, ``validate`` and
``check``: it collects every problem of a mapping in one pass (a misspelt key does not
hide the others), each with the mapping file, its line, the key path, what is wrong and
how to fix it. :func:`load_mapping` refuses a mapping with any error, so a mapping that
``check`` refuses never runs; ``check`` turns the same problems into issues.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from harmonizer.errors import MappingError, SchemaLoadError
from harmonizer.issues import IssueCode, Severity
from harmonizer.mapping.files import LookupFiles, read_limited
from harmonizer.mapping.model import Mapping
from harmonizer.mapping.problems import KeyPath, MappingProblem, MappingProblems, line_of
from harmonizer.mapping.rules import LookupTable, RuleChecker
from harmonizer.mapping.yamlfile import (
    MAX_MAPPING_BYTES,
    TOO_COMPLEX,
    YamlTooComplex,
    duplicate_keys,
    parse_yaml,
)
from harmonizer.schema import DEFAULT_SCHEMA_VERSION, RecordSchema, load_schema

# Placeholders for required top-level keys, so that the rules can still be checked
# when one is missing (the missing key itself is reported).
_PLACEHOLDERS: dict[str, Any] = {
    "mapping": "unnamed",
    "version": "0",
    "schema_version": DEFAULT_SCHEMA_VERSION,
    "provider": {"name": "unnamed"},
}
# Rounds of setting aside what the model refuses before giving up on the rule checks.
_SALVAGE_ROUNDS = 5


@dataclass(frozen=True)
class LoadedMapping:
    """A mapping file after every check: the model plus what it refers to."""

    model: Mapping
    path: Path
    sha256: str
    schema: RecordSchema
    lookups: AbcMapping[str, LookupTable]
    lines: AbcMapping[KeyPath, int] = field(repr=False)

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
        return line_of(self.lines, path)


@dataclass
class MappingReading:
    """Everything :func:`read_mapping` found: the problems, and the mapping if it is usable.

    ``loaded`` is None when any problem is an error. ``model`` is the mapping as
    written when it fits the model (None otherwise, even when the rules could be
    checked on what remained).
    """

    path: Path
    problems: list[MappingProblem] = field(default_factory=list)
    data: Any = None
    model: Mapping | None = None
    loaded: LoadedMapping | None = None

    @property
    def errors(self) -> list[MappingProblem]:
        """Return the problems that make the mapping unusable."""
        return [p for p in self.problems if p.code.severity >= Severity.ERROR]


def _details(err: ValidationError) -> list[tuple[KeyPath, Any]]:
    """Return (key path, error) for each error of the model that says something."""
    details = [(tuple(p for p in d["loc"] if not _is_union_tag(p)), d) for d in err.errors()]
    # A field entry is a rule or the word not_asked: when the rule branch has its own
    # errors, the "should be 'not_asked'" alternative is noise.
    return [
        (loc, detail)
        for loc, detail in details
        if not (
            detail["type"] == "literal_error"
            and any(
                other[: len(loc)] == loc and other_detail is not detail
                for other, other_detail in details
            )
        )
    ]


def _pydantic_problems(
    err: ValidationError, file: str, lines: AbcMapping[KeyPath, int]
) -> list[tuple[KeyPath, str, MappingProblem]]:
    """Return (key path, pydantic error type, problem) for each error of the model."""
    problems = []
    for loc, detail in _details(err):
        message = detail["msg"]
        if detail["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against docs/mapping.md"
        elif detail["type"] == "missing":
            message = "required key is missing"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problem = MappingProblem(
            file, line_of(lines, loc), ".".join(map(str, loc)), message, IssueCode.MAPPING_SCHEMA
        )
        problems.append((loc, str(detail["type"]), problem))
    return problems


def _is_union_tag(part: str | int) -> bool:
    # pydantic names union branches and validators in locations
    # ("FieldRule", "literal['not_asked']", "function-after[_one_source(), FieldRule]").
    return isinstance(part, str) and (part == "FieldRule" or "[" in part)


def _set_aside(data: dict[str, Any], loc: KeyPath, kind: str) -> KeyPath | None:
    """Remove what the model refused from ``data``; return the path removed (None: cannot).

    A missing required key at the top gets a placeholder; deeper, the entry that lacks
    it is removed. Anything else is removed where the model points, or at the nearest
    parent the data has.
    """
    if kind == "missing":
        if len(loc) == 1 and str(loc[0]) in _PLACEHOLDERS:
            data[str(loc[0])] = copy.deepcopy(_PLACEHOLDERS[str(loc[0])])
            return ()
        loc = loc[:-1]
    if not loc:
        return None
    node: Any = data
    parents: list[tuple[Any, str | int]] = []
    for part in loc:
        key: str | int | None = part
        if isinstance(node, dict) and part in node:
            pass
        elif isinstance(node, dict) and str(part) in node:
            key = str(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            pass
        else:
            key = None
        if key is None:
            break
        parents.append((node, key))
        node = node[key]
    if not parents:
        return None
    container, key = parents[-1]
    del container[key]
    return tuple(loc[: len(parents)])


def _salvage(
    data: dict[str, Any], first: ValidationError, file: str, lines: AbcMapping[KeyPath, int]
) -> tuple[list[MappingProblem], Mapping | None, list[KeyPath]]:
    """Report the model's problems; return a model of what remains, for the rule checks.

    So a misspelt key (or any value the model refuses) does not hide the problems the
    rule checks would find in the rest of the file.
    """
    reported = _pydantic_problems(first, file, lines)
    problems = [p for _, _, p in reported]
    working = copy.deepcopy(data)
    removed: list[KeyPath] = []
    err = first
    for _ in range(_SALVAGE_ROUNDS):
        # Deepest and last first, so that removing a list item leaves the indices of
        # the others valid.
        details = sorted(
            ((loc, str(detail["type"])) for loc, detail in _details(err)),
            key=lambda item: [
                (0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in item[0]
            ],
            reverse=True,
        )
        progressed = False
        for loc, kind in details:
            gone = _set_aside(working, loc, kind)
            if gone is not None:
                removed.append(gone)
                progressed = True
        if not progressed:
            return problems, None, removed
        try:
            return problems, Mapping.model_validate(working), removed
        except ValidationError as again:
            err = again
    return problems, None, removed


def _within(path: str, removed: list[KeyPath]) -> bool:
    """Return True when a key path lies inside (or holds) something set aside."""
    for gone in removed:
        if not gone:
            continue
        text = ".".join(map(str, gone))
        if path == text or path.startswith(text + ".") or (path and text.startswith(path + ".")):
            return True
    return False


def read_mapping(path: Path | str, *, lookup_files: LookupFiles | None = None) -> MappingReading:
    """Read a mapping file and check everything about it; collect every problem.

    ``lookup_files`` gives lookup files from the command line (``--lookup NAME=PATH``)
    for lookups whose file comes with each export.

    Raises:
        MappingError: the file cannot be read at all (missing, a folder, no permission,
            a device, or larger than a mapping can be).
    """
    path = Path(path)
    file = str(path)
    raw = read_limited(path, MAX_MAPPING_BYTES, "the mapping file", MappingError)
    reading = MappingReading(path)
    problems = reading.problems
    try:
        text = raw.decode("utf-8-sig")
        document = parse_yaml(text)
    except UnicodeDecodeError:
        problems.append(
            MappingProblem(
                file,
                1,
                "",
                "the mapping file is not UTF-8; save it as UTF-8",
                IssueCode.MAPPING_YAML,
            )
        )
        return reading
    except YamlTooComplex as err:
        problems.append(MappingProblem(file, err.line, "", str(err), IssueCode.MAPPING_YAML))
        return reading
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        problems.append(
            MappingProblem(
                file,
                mark.line + 1 if mark is not None else None,
                "",
                f"not valid YAML: {problem}; check indentation and quoting (a header text "
                "with ': ', '#', '?' or ',' inside {...} needs quotes)",
                IssueCode.MAPPING_YAML,
            )
        )
        return reading
    except RecursionError:  # pragma: no cover - measure() bounds the depth first
        problems.append(MappingProblem(file, None, "", TOO_COMPLEX, IssueCode.MAPPING_YAML))
        return reading
    lines = document.lines
    data = reading.data = document.data
    problems.extend(duplicate_keys(file, document.root))
    if not isinstance(data, dict):
        problems.append(
            MappingProblem(
                file,
                1,
                "",
                "a mapping is a YAML mapping of keys (mapping:, version:, ...)",
                IssueCode.MAPPING_SCHEMA,
            )
        )
        return reading
    removed: list[KeyPath] = []
    model: Mapping | None
    try:
        model = reading.model = Mapping.model_validate(data)
    except ValidationError as err:
        found, model, removed = _salvage(data, err, file, lines)
        problems.extend(found)
    if model is None:
        return _finish(reading)
    try:
        schema = load_schema(model.schema_version)
    except SchemaLoadError as err:
        line = line_of(lines, ("schema_version",))
        problems.append(
            MappingProblem(file, line, "schema_version", str(err), IssueCode.UNKNOWN_SCHEMA_VERSION)
        )
        return _finish(reading)
    checker = RuleChecker(
        model,
        schema,
        path,
        lines,
        lookup_files=lookup_files,
        set_aside=frozenset(removed),
    )
    lookups = checker.run()
    problems.extend(p for p in checker.problems if not _within(p.path, removed))
    if reading.model is not None and not reading.errors and not removed:
        digest = hashlib.sha256(raw).hexdigest()
        reading.loaded = LoadedMapping(reading.model, path, digest, schema, lookups, lines)
    return _finish(reading)


def _finish(reading: MappingReading) -> MappingReading:
    reading.problems.sort(key=lambda p: (p.line or 0, str(p.code)))
    if reading.errors:
        reading.loaded = None
    return reading


def load_mapping(path: Path | str, *, lookup_files: LookupFiles | None = None) -> LoadedMapping:
    """Load and check a mapping file against the national schema it names.

    The same checks as ``harmonizer check``: a mapping with any error is refused with
    every error listed; warnings (a value map that misses a scale point) do not stop it.

    Raises:
        MappingError: the file is unreadable, not YAML, or has problems; the message
            lists each with its line (a :class:`MappingProblems` carries them as data).

    >>> loaded = load_mapping("mappings/pohjola-web.yaml")
    >>> loaded.id
    'pohjola-web'
    """
    reading = read_mapping(path, lookup_files=lookup_files)
    if reading.loaded is None:
        raise MappingProblems(reading.errors)
    return reading.loaded
