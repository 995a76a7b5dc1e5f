"""Reading a mapping's YAML safely: bounded size, depth and alias expansion.

A mapping is small (a few kilobytes). ``harmonizer check`` runs in CI on mappings
people submit, so a hostile file must be refused at once, before PyYAML builds
anything: a "billion laughs" of nested aliases, an alias that contains itself
(``&r [*r]``), or thousands of nesting levels. The event stream is measured first
(it is produced without recursion and holds nothing), and only a file within the
limits is composed into nodes and constructed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from harmonizer.issues import IssueCode
from harmonizer.mapping.problems import KeyPath, MappingProblem

MAX_MAPPING_BYTES = 2 * 1024 * 1024
"""A mapping with inline lookups stays far below this; a larger file is refused."""
MAX_DEPTH = 40
"""Nesting levels of mappings and lists (a mapping uses about six)."""
MAX_NODES = 200_000
"""Values in the document with every alias expanded (each use counts in full)."""
TOO_COMPLEX = "the mapping is too complex"
# Measuring uses LibYAML's parser when PyYAML was built with it (its wheels are): it is
# fast and refuses more than 1,000 nesting levels itself, where the pure-Python scanner
# spends about a second looking ahead through a line of thousands of '['. The document
# itself is always built by the pure-Python safe loader, so that a mapping means the
# same on every installation (the two parsers disagree on a few writings, such as a
# '?' ending a plain scalar inside {...}).
FAST_PARSER: Any = getattr(yaml, "CSafeLoader", None)


class YamlTooComplex(Exception):
    """The document exceeds a limit; the message says which and how to fix it."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    """A parsed mapping file: the data, its node tree, and the line of every key path."""

    data: Any
    root: yaml.Node | None
    lines: dict[KeyPath, int]


def measure(text: str) -> None:
    """Refuse a document whose depth or expanded size exceeds the limits.

    Raises:
        YamlTooComplex: with the line where the limit was passed.
        yaml.YAMLError: the text is not YAML (found while measuring).
    """
    if FAST_PARSER is not None:
        try:
            _measure(text, FAST_PARSER)
        except yaml.YAMLError:
            pass  # LibYAML refuses it: let the loader that builds the mapping decide
        else:
            return
    _measure(text, yaml.SafeLoader)


def _measure(text: str, loader: Any) -> None:
    sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    # One entry per open collection: [values counted inside it, its anchor].
    stack: list[tuple[list[int], str | None]] = []
    total = 0
    for event in _events(text, loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent):
            anchor = str(event.anchor)
            if anchor in open_anchors:
                raise YamlTooComplex(
                    f"{TOO_COMPLEX}: alias *{anchor} is used inside its own anchor "
                    f"&{anchor}, which would make it endless; write the values out",
                    line,
                )
            size = sizes.get(anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[str(event.anchor)] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(line)
            anchor_name = None if event.anchor is None else str(event.anchor)
            if anchor_name is not None:
                open_anchors.add(anchor_name)
            stack.append(([1], anchor_name))
            total += 1
            _check_total(total, line)
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            (count,), anchor_name = stack.pop()
            if anchor_name is not None:
                sizes[anchor_name] = count
                open_anchors.discard(anchor_name)
            if stack:
                stack[-1][0][0] += count
            continue
        else:
            continue
        total += size
        _check_total(total, line)
        if stack:
            stack[-1][0][0] += size


def _too_deep(line: int | None) -> YamlTooComplex:
    return YamlTooComplex(
        f"{TOO_COMPLEX}: it is nested more than {MAX_DEPTH} levels deep; a mapping needs about six",
        line,
    )


def _events(text: str, loader: Any) -> Iterator[yaml.Event]:
    """Yield the parser's events; LibYAML's own nesting limit is reported as too deep."""
    try:
        yield from yaml.parse(text, Loader=loader)
    except yaml.YAMLError as err:
        if "maximum nesting depth" not in str(err):
            raise
        mark = getattr(err, "problem_mark", None)
        raise _too_deep(mark.line + 1 if mark is not None else None) from err


def _check_total(total: int, line: int | None) -> None:
    if total > MAX_NODES:
        raise YamlTooComplex(
            f"{TOO_COMPLEX}: with its aliases expanded it holds more than {MAX_NODES:,} "
            "values; write the values out instead of repeating aliases",
            line,
        )


def parse_yaml(text: str) -> YamlDocument:
    """Measure, compose and construct a YAML document (the safe loader only).

    Raises:
        YamlTooComplex: a limit is exceeded (nothing was built).
        yaml.YAMLError: the text is not valid YAML.
    """
    measure(text)
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()
    return YamlDocument(data, root, key_lines(root))


def _children(
    node: yaml.Node, at: KeyPath
) -> Iterator[tuple[yaml.Node, yaml.Node | None, KeyPath]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield value, key, (*at, str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield item, None, (*at, index)


def key_lines(root: yaml.Node | None) -> dict[KeyPath, int]:
    """Return the 1-based line of every key path; the first of a key written twice wins.

    Walks without recursion; an alias's node is entered once (its lines are where the
    anchor was written).
    """
    lines: dict[KeyPath, int] = {}
    if root is None:
        return lines
    lines[()] = root.start_mark.line + 1
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    entered: set[int] = set()
    while stack:
        node, at = stack.pop()
        if id(node) in entered:
            continue
        entered.add(id(node))
        for child, key, path in _children(node, at):
            mark = key.start_mark if key is not None else child.start_mark
            lines.setdefault(path, mark.line + 1)
            stack.append((child, path))
    return lines


def duplicate_keys(file: str, root: yaml.Node | None) -> list[MappingProblem]:
    """Return every key written twice in one YAML mapping (YAML silently keeps the last).

    Under ``fields`` and ``constants`` it means two sources feed one national field.
    """
    problems: list[MappingProblem] = []
    if root is None:
        return problems
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    entered: set[int] = set()
    while stack:
        node, at = stack.pop()
        if id(node) in entered:
            continue
        entered.add(id(node))
        first: dict[str, int] = {}
        for child, key, path in _children(node, at):
            if key is not None:
                name = str(key.value)
                line = key.start_mark.line + 1
                if name in first:
                    problems.append(_duplicate(file, at, name, first[name], line))
                else:
                    first[name] = line
            stack.append((child, path))
    problems.sort(key=lambda p: p.line or 0)
    return problems


def _duplicate(file: str, at: KeyPath, name: str, first: int, line: int) -> MappingProblem:
    where = ".".join(map(str, at)) or "the top level"
    path = ".".join(map(str, (*at, name)))
    if at in (("fields",), ("constants",)):
        return MappingProblem(
            file,
            line,
            path,
            f"{name} is given twice under {where} (lines {first} and {line}); two sources "
            "feed one national field and YAML keeps only the last: remove one",
            IssueCode.DUPLICATE_SOURCE,
            name,
        )
    return MappingProblem(
        file,
        line,
        path,
        f"key '{name}' appears twice under {where} (lines {first} and {line}); YAML keeps "
        "only the last: remove one",
        IssueCode.DUPLICATE_KEY,
        name,
    )
