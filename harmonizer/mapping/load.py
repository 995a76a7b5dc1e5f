"""Loading a mapping file: YAML with line numbers, the model, then the rule checks.

A broken mapping stops a run before any row is read. Every problem is reported at once,
each with the mapping file, its line, the key path, what is wrong and how to fix it.
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
from harmonizer.issues import IssueCode
from harmonizer.mapping.model import Mapping
from harmonizer.mapping.problems import KeyPath, MappingProblem, MappingProblems, line_of
from harmonizer.mapping.rules import LookupTable, RuleChecker
from harmonizer.schema import RecordSchema, load_schema


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


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            lines[child] = key.start_mark.line + 1
            _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def _read_yaml(path: Path) -> tuple[Any, dict[KeyPath, int], str]:
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
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines, hashlib.sha256(raw).hexdigest()


def _pydantic_problems(
    err: ValidationError, file: str, lines: AbcMapping[KeyPath, int]
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
            MappingProblem(
                file,
                line_of(lines, loc),
                ".".join(map(str, loc)),
                message,
                IssueCode.MAPPING_SCHEMA,
            )
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
                    file,
                    1,
                    "",
                    "a mapping is a YAML mapping of keys (mapping:, version:, ...)",
                    IssueCode.MAPPING_SCHEMA,
                )
            ]
        )
    problems: list[MappingProblem] = []
    try:
        model = Mapping.model_validate(data)
    except ValidationError as err:
        problems = _pydantic_problems(err, file, lines)
        # A misspelt key alone must not hide the other problems until the next run:
        # without the unknown keys, the rest of the mapping is checked too.
        retried = _without_unknown_keys(data, err)
        if retried is None:
            raise MappingProblems(problems) from err
        model = retried
    try:
        schema = load_schema(model.schema_version)
    except SchemaLoadError as err:
        line = line_of(lines, ("schema_version",))
        problem = MappingProblem(
            file, line, "schema_version", str(err), IssueCode.UNKNOWN_SCHEMA_VERSION
        )
        raise MappingProblems([*problems, problem]) from err
    checker = RuleChecker(model, schema, path, lines)
    try:
        lookups = checker.run()
    except MappingProblems as more:
        raise MappingProblems([*problems, *more.problems]) from more
    if problems:
        raise MappingProblems(problems)
    return LoadedMapping(model, path, digest, schema, lookups, lines)


def _without_unknown_keys(data: dict[str, Any], err: ValidationError) -> Mapping | None:
    """Return the mapping validated without its unknown keys, when they were its only fault."""
    details = err.errors()
    if any(d["type"] != "extra_forbidden" for d in details):
        return None
    pruned = copy.deepcopy(data)
    for detail in details:
        *parents, key = (p for p in detail["loc"] if not _is_union_tag(p))
        node: Any = pruned
        for part in parents:
            node = node[part]
        if isinstance(node, dict):
            node.pop(key, None)
    try:
        return Mapping.model_validate(pruned)
    except (ValidationError, KeyError, IndexError, TypeError):
        return None
