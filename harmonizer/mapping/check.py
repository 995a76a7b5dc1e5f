"""Checking a mapping file without data.

:func:`check_mapping_file` turns everything :func:`~harmonizer.mapping.load.load_mapping`
finds, plus what it cannot see (keys written twice, value maps that miss a scale point),
into :class:`~harmonizer.issues.Issue` values located in the mapping file: ``export``
is the mapping's path, ``row`` its line and ``field`` the key path. So every reporter
serves ``harmonizer check`` as it serves ``harmonizer validate``.
:mod:`harmonizer.mapping.sample` checks a mapping against a sample export.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from harmonizer.errors import MappingError, SchemaLoadError
from harmonizer.issues import Issue, IssueCode, preview
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.mapping.model import FieldRule, Mapping
from harmonizer.mapping.problems import MappingProblems
from harmonizer.schema import RecordSchema, load_schema
from harmonizer.values import label_key

# Distinct unmapped values kept per source column; further ones are only counted, so
# memory stays flat whatever the export holds.
MAX_VALUES_PER_COLUMN = 200
STATEMENT_POINTS = frozenset(range(1, 6))
# How close a value_map label must be to a national label to count as its respelling.
SPELLING_SIMILARITY = 0.85

KeyPath = tuple[str | int, ...]


@dataclass
class MappingCheck:
    """What :func:`check_mapping_file` found: the issues, and the mapping if it loaded."""

    path: Path
    mapping_id: str
    version: str | None = None
    schema_version: str | None = None
    loaded: LoadedMapping | None = None
    issues: list[Issue] = field(default_factory=list)


def _issue(path: Path, code: IssueCode, message: str, line: int | None, key: str) -> Issue:
    return Issue(code, message, code.severity, str(path), None, line, None, None, key or None, None)


def check_mapping_file(path: Path | str) -> MappingCheck:
    """Check a mapping file without data; every problem becomes an issue.

    Raises:
        MappingError: the file cannot be read at all (missing, a folder, no permission).

    >>> check = check_mapping_file("mappings/pohjola-web.yaml")
    >>> check.mapping_id, check.issues
    ('pohjola-web', [])
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise MappingError(f"{path}: cannot read the mapping file: {err.strerror}") from err
    check = MappingCheck(path, path.stem)
    try:
        text = raw.decode("utf-8-sig")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        check.issues.append(
            _issue(
                path,
                IssueCode.MAPPING_YAML,
                "the mapping file is not UTF-8; save it as UTF-8",
                1,
                "",
            )
        )
        return check
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        check.issues.append(
            _issue(
                path,
                IssueCode.MAPPING_YAML,
                f"not valid YAML: {problem}",
                mark.line + 1 if mark is not None else None,
                "",
            )
        )
        return check
    if node is not None:
        check.issues.extend(_duplicate_keys(path, node))
    if not isinstance(data, dict):
        check.issues.append(
            _issue(
                path,
                IssueCode.MAPPING_YAML,
                "a mapping is a YAML mapping of keys (mapping:, version:, ...)",
                1,
                "",
            )
        )
        return check
    if isinstance(data.get("mapping"), str):
        check.mapping_id = data["mapping"]
    model: Mapping | None
    try:
        model = Mapping.model_validate(data)
    except ValidationError:
        model = None
    else:
        check.version = model.version
        check.schema_version = model.schema_version
    try:
        check.loaded = load_mapping(path)
    except MappingProblems as err:
        lines = _lines(node)
        for problem in err.problems:
            code = problem.code
            line = problem.line
            if code is IssueCode.MISSING_SOURCE:
                # The problem has no key of its own; point at where it would be added.
                line = lines.get(("constants",)) or lines.get(("fields",)) or line
            check.issues.append(_issue(path, code, problem.message, line, _readable(problem.path)))
    if model is not None and (schema := _schema_or_none(model)) is not None:
        check.issues.extend(_scale_coverage(path, model, schema, _lines(node)))
    check.issues.sort(key=lambda i: (i.row or 0, str(i.code)))
    return check


def _schema_or_none(model: Mapping | None) -> RecordSchema | None:
    if model is None:
        return None
    try:
        return load_schema(model.schema_version)
    except SchemaLoadError:
        return None


def _duplicate_keys(path: Path, root: yaml.Node) -> Iterator[Issue]:
    """Yield a key written twice in one YAML mapping (PyYAML silently keeps the last)."""
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    while stack:
        node, at = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                line = key.start_mark.line + 1
                if name in first:
                    where = ".".join(map(str, at)) or "the top level"
                    if at in (("fields",), ("constants",)):
                        yield Issue(
                            IssueCode.DUPLICATE_SOURCE,
                            f"{name} is given twice under {where} (lines {first[name]} and {line}); "
                            "two sources feed one national field and YAML keeps only the last: "
                            "remove one",
                            IssueCode.DUPLICATE_SOURCE.severity,
                            str(path),
                            row=line,
                            field=".".join(map(str, (*at, name))),
                            value=preview(name),
                        )
                    else:
                        yield Issue(
                            IssueCode.DUPLICATE_KEY,
                            f"key {name!r} appears twice under {where} (lines {first[name]} and "
                            f"{line}); YAML keeps only the last: remove one",
                            IssueCode.DUPLICATE_KEY.severity,
                            str(path),
                            row=line,
                            field=".".join(map(str, (*at, name))),
                            value=preview(name),
                        )
                else:
                    first[name] = line
                stack.append((value, (*at, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*at, index)) for index, item in enumerate(node.value))


def _lines(root: yaml.Node | None) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())] if root is not None else []
    while stack:
        node, at = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*at, str(key.value))
                lines.setdefault(child, key.start_mark.line + 1)
                stack.append((value, child))
    return lines


def _scale_coverage(
    path: Path, model: Mapping, schema: RecordSchema, lines: dict[KeyPath, int]
) -> Iterator[Issue]:
    """Yield a statement whose value map reaches some points of 1-5 but not all.

    A label map that skips a point usually means a source scale of another length
    mapped as if it were the national one, which makes the item incomparable. Entries
    that only respell a national label ('Täysin samaa mieltää') fix typos and do not
    count as the provider's own scale.
    """
    variants = schema.document["$defs"]["statement"].get("x-label-variants", {})
    national = {
        point: [*names.values(), *variants.get(point, ())]
        for point, names in schema.scale_labels.items()
    }
    for name, rule in model.fields.items():
        if not isinstance(rule, FieldRule) or schema.measure_kind(name) != "statement":
            continue
        if rule.recode is not None:
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
            key = ("fields", name, "value_map")
            yield _issue(
                path,
                IssueCode.SCALE_NOT_COVERED,
                f"the value_map of {name} maps labels to points {mapped} but none to {lacking}; "
                "map a label to every point of 1-5, or, if the source scale has fewer points, "
                "mark it adapted: true with its scale and a recode",
                lines.get(key) or lines.get(key[:2]),
                ".".join(key),
            )


def _spelling_of(label: str, national: list[str]) -> bool:
    """Return True when ``label`` is a national scale label give or take a typo."""
    key = label_key(label)
    return any(
        difflib.SequenceMatcher(None, key, label_key(name)).ratio() >= SPELLING_SIMILARITY
        for name in national
    )


_UNION_TAG = re.compile(r"^[\w-]+\[.*\]$")


def _readable(key_path: str) -> str:
    """Drop pydantic's validator tags ('function-after[...]') from a key path."""
    return ".".join(part for part in key_path.split(".") if not _UNION_TAG.match(part))
