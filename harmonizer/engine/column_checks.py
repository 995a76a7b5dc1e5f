"""The national schema taken apart by record key, so that a batch is checked column by column.

A record is an object with one fixed set of keys per run, and most of its values
repeat from row to row (codes, scale points, unit names). Checking each distinct value
once, instead of each record whole, is exact when the schema is a conjunction of parts
that each look at a known set of keys:

- the keys themselves (``type``, ``required``, ``additionalProperties: false``): one
  check per set of keys;
- ``properties``: each key's value against its own subschema, checked once per distinct
  value (its JSON text);
- each ``allOf`` element that looks only at named keys (``if``/``then``/``else``,
  ``properties``, ``required``, ``not``, ``anyOf``, ``oneOf``, ``allOf``): checked once
  per distinct combination of those keys' values, on a probe record that holds every
  key of the record, those values, and null for the rest (which the element never
  looks at).

The parts are derived from the schema file when it loads, and :meth:`ColumnChecks.derive`
refuses a schema that uses anything else (``patternProperties``, ``unevaluatedProperties``,
a ``$ref`` outside ``#/$defs/``, an ``allOf`` element that looks at every key, ...):
such a schema is checked record by record, as before. Every part is decided by
jsonschema-rs with the run's own format checks, and a differential test holds the
verdicts equal to the whole schema's on generated records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

import jsonschema_rs

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from harmonizer.engine.codes import Codes, Mask

INTERNED_TEXTS = 1 << 20
"""Texts of the allOf elements' keys given ids before the ids start afresh (as they do
when the texts hold CHECK_MEMO_BYTES); must stay below 2 ** _ID_BITS."""
CHECK_MEMO_BYTES = 4 << 20
"""The bytes of JSON text whose verdicts a part keeps before its memo starts afresh
(record ids and row numbers never repeat, open answers run long: memory stays bounded)."""

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default"}
)
_ROOT = _ANNOTATIONS | {"type", "required", "additionalProperties", "properties", "allOf"}
"""The keywords of the record's own level that the split understands."""
_ELEMENT = _ANNOTATIONS - {"$id", "$defs"} | {
    "type",
    "required",
    "properties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
}
"""The keywords an allOf element may use at the record's level (each names its keys)."""
_SUBSCHEMAS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA = ("not", "if", "then", "else")


def _annotation(keyword: str) -> bool:
    return keyword.startswith("x-")


_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
_RESOURCES = ("$id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$schema", "$defs")


def _references(node: Any) -> Iterator[tuple[str, Any]]:
    """Yield every reference, and every keyword that starts a resource, in a subschema."""
    if isinstance(node, dict):
        for keyword, value in node.items():
            if keyword in _REFERENCES or keyword in _RESOURCES:
                yield keyword, value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _local(node: Any) -> bool:
    """Tell whether a subschema resolves the same inside a part's own document.

    A part carries the schema's ``$schema`` and ``$defs``: a reference into ``$defs``
    resolves there as in the whole schema; anything else might resolve elsewhere.
    """
    return all(
        keyword == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
        for keyword, value in _references(node)
    )


def _element_keys(node: Any) -> set[str] | None:
    """Return the record keys an allOf element looks at, or None when it may look at any."""
    if isinstance(node, bool):
        return set()
    if not isinstance(node, dict):
        return None
    names: set[str] = set()
    for keyword, value in node.items():
        if _annotation(keyword):
            continue
        if keyword not in _ELEMENT:
            return None
        if keyword == "properties":
            if not isinstance(value, dict):
                return None
            names.update(value)
        elif keyword in _SUBSCHEMAS:
            if not isinstance(value, list):
                return None
            for item in value:
                inner = _element_keys(item)
                if inner is None:
                    return None
                names |= inner
        elif keyword in _SUBSCHEMA:
            inner = _element_keys(value)
            if inner is None:
                return None
            names |= inner
    return names


class _Part:
    """One part of the split schema and its memo of verdicts."""

    __slots__ = ("_called", "_failed", "_held", "_many", "_memo", "_one")

    def __init__(self, one: Any, many: Any, *, called: bool) -> None:
        self._one = one
        # The same subschema as the items of an array: a batch's values (or its new
        # instances) are checked in one call, and one by one only when some fail.
        self._many = many
        # Whether a check calls back into Python (a format of the run's own): its
        # values are then checked once each, through the memo.
        self._called = called
        self._memo: dict[Any, bool] = {}
        self._failed: set[Any] = set()
        self._held = 0

    def forget(self) -> None:
        """Drop the memo of verdicts."""
        self._memo.clear()
        self._failed.clear()
        self._held = 0

    def failing_places(self, texts: Sequence[Any], values: list[Any]) -> list[int]:
        """Return the places of the values (with their JSON texts) that fail this part."""
        scalars = not values or not isinstance(values[0], dict | list)
        if scalars and not self._called and self._many.is_valid(values):
            # Checked in one call of compiled code, cheaper than a memo's set work
            # (objects and arrays cost more to convert than their texts to look up).
            return []
        failing = self.failing(texts, partial(_pairs, texts, values))
        return [i for i, text in enumerate(texts) if text in failing] if failing else []

    def failing(
        self, keys: Sequence[Any], instances: Callable[[set[Any]], Mapping[Any, Any]]
    ) -> set[Any]:
        """Return the distinct keys (of ``keys``) whose instances fail this part.

        ``instances`` maps the keys new to the memo to the instances they stand for.
        """
        memo, failed = self._memo, self._failed
        distinct = set(keys)
        new = distinct.difference(memo)
        if new:
            weight = _weigh(new)
            if self._held + weight > CHECK_MEMO_BYTES:
                # Afresh: every key of this call is then new, failing ones included.
                self.forget()
                new = distinct
                weight = _weigh(new)
            self._held += weight
            made = instances(new)
            listed = list(new)
            if self._many.is_valid([made[key] for key in listed]):
                memo.update(dict.fromkeys(listed, True))
            else:
                is_valid = self._one.is_valid
                for key in listed:
                    ok = bool(is_valid(made[key]))
                    memo[key] = ok
                    if not ok:
                        failed.add(key)
        return distinct & failed if failed else set()


def _weigh(keys: set[Any]) -> int:
    """Return about the bytes memo keys hold: JSON texts, or tuples of them."""
    key = next(iter(keys))
    if isinstance(key, bytes):
        return sum(map(len, keys)) + 48 * len(keys)
    return sum(_weight(key) for key in keys)


def _weight(key: Any) -> int:
    if isinstance(key, tuple):
        return sum(map(_weight, key)) + 64
    return len(key) + 48 if isinstance(key, bytes | str) else 64


def _calls(schema: Any, formats: Mapping[str, Any], defs: Mapping[str, Any]) -> bool:
    """Tell whether checking a subschema may call one of ``formats`` (in Python)."""
    seen: set[str] = set()
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if node.get("format") in formats:
                return True
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                name = reference.removeprefix("#/$defs/")
                if name not in seen:
                    seen.add(name)
                    todo.append(defs.get(name, True))
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return False


def _pairs(texts: Sequence[Any], values: Sequence[Any], new: set[Any]) -> dict[Any, Any]:
    if len(new) * 4 > len(texts):
        return dict(zip(texts, values, strict=True))
    return {texts[i]: values[i] for i, text in enumerate(texts) if text in new}


class ColumnChecks:
    """The parts of a record schema (or of an object in it), each checked once per value.

    Build it with :meth:`derive`, which returns None for a schema it cannot take apart.
    """

    def __init__(
        self,
        node: Mapping[str, Any],
        elements: list[tuple[tuple[str, ...], dict[str, Any]]],
        nested: dict[str, ColumnChecks],
        root: Mapping[str, Any],
        formats: Mapping[str, Callable[[str], bool]],
    ) -> None:
        carried = {k: root[k] for k in ("$schema", "$defs") if k in root}

        def compile_part(schema: Any) -> _Part:
            one: Any = {**carried, **schema} if isinstance(schema, dict) else schema
            many = {**carried, "type": "array", "items": schema}
            return _Part(
                jsonschema_rs.validator_for(one, formats=dict(formats), validate_formats=True),
                jsonschema_rs.validator_for(many, formats=dict(formats), validate_formats=True),
                called=_calls(schema, formats, carried.get("$defs", {})),
            )

        properties: dict[str, Any] = dict(node.get("properties", {}))
        shape = {
            keyword: node[keyword]
            for keyword in ("type", "required", "additionalProperties")
            if keyword in node
        }
        shape["properties"] = dict.fromkeys(properties, True)
        self._shape = compile_part(shape)
        self._properties = {name: compile_part(sub) for name, sub in properties.items()}
        self._open = compile_part(True)
        self._elements = [(names, compile_part(element)) for names, element in elements]
        self._nested = nested
        self._ids: dict[Any, int] = {}
        self._id_bytes = 0

    @classmethod
    def derive(
        cls,
        document: Mapping[str, Any],
        formats: Mapping[str, Callable[[str], bool]],
        *,
        root: Mapping[str, Any] | None = None,
    ) -> ColumnChecks | None:
        """Return the checks of a record schema, or None when it does not split exactly.

        With ``root``, ``document`` is an object schema inside ``root`` (whose ``$defs``
        its parts carry).
        """
        top = root is None
        for keyword, value in document.items():
            if _annotation(keyword) or (top and keyword in ("$schema", "$id", "$defs")):
                continue
            if keyword not in _ROOT or keyword in ("$schema", "$id", "$defs"):
                return None
            if keyword == "additionalProperties" and not isinstance(value, bool):
                return None
        properties = document.get("properties", {})
        all_of = document.get("allOf", [])
        if (
            document.get("type") != "object"
            or not isinstance(properties, dict)
            or not isinstance(all_of, list)
            or not _local(properties)
            or not _local(all_of)
        ):
            return None
        elements: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        for element in all_of:
            names = _element_keys(element)
            if names is None or not isinstance(element, dict):
                return None
            elements.append((tuple(sorted(names)), element))
        looked_at = {name for names, _ in elements for name in names}
        nested: dict[str, ColumnChecks] = {}
        for name, sub in properties.items():
            # An object whose keys an element looks at is checked whole (the element's
            # probe needs its value).
            if isinstance(sub, dict) and sub.get("type") == "object" and name not in looked_at:
                inner = cls.derive(sub, formats, root=root or document)
                if inner is not None:
                    nested[name] = inner
        return cls(document, elements, nested, root or document, formats)

    def nested(self, key: str) -> ColumnChecks | None:
        """Return the checks of the object under ``key``, when it is checked by its keys."""
        return self._nested.get(key)

    def failing(
        self,
        count: int,
        keys: Sequence[str],
        columns: Sequence[CheckColumn],
        nested: Mapping[str, Columns] | None = None,
    ) -> Mask:
        """Return which of ``count`` records (given by columns) fail the schema.

        ``columns[k]`` gives the values of ``keys[k]`` (see :data:`CheckColumn`): their
        JSON texts, which tell distinct values apart (1, 1.0 and true are three), and
        the values themselves, on which a text new to the memo is checked. A key in
        ``nested`` (see :meth:`nested`) is an object given by its own columns; its entry
        in ``columns`` is not looked at.
        """
        # numpy is imported when records are checked: a command that reads no rows
        # (check) does without it.
        import numpy as np

        bad = np.zeros(count, dtype=bool)
        shape = tuple(keys)
        if self._shape.failing([shape], lambda _: {shape: dict.fromkeys(keys)}):
            bad[:] = True
            return bad
        nested = nested or {}
        for key, (texts, values, codes) in zip(keys, columns, strict=True):
            if key in nested:
                bad |= self._nested[key].failing(*nested[key])
                continue
            part = self._properties.get(key, self._open)
            failing = part.failing_places(
                texts, values if isinstance(values, list) else list(values)
            )
            if failing:
                _mark(bad, failing, codes, len(texts))
        if self._elements:
            bad |= self._failing_elements(count, keys, columns)
        return bad

    def _failing_elements(
        self, count: int, keys: Sequence[str], columns: Sequence[CheckColumn]
    ) -> Mask:
        """Return which records fail an allOf element, each checked once per combination."""
        import numpy as np

        from harmonizer.engine.codes import combine, spread

        bad = np.zeros(count, dtype=bool)
        if len(self._ids) > INTERNED_TEXTS or self._id_bytes > CHECK_MEMO_BYTES:
            # Afresh, with the verdicts the old ids stood for.
            self._ids.clear()
            self._id_bytes = 0
            for _, part in self._elements:
                part.forget()
        place = {key: k for k, key in enumerate(keys)}
        coded: dict[int, tuple[Codes, Sequence[int], npt.NDArray[np.int64]]] = {}
        for names, part in self._elements:
            known = [place[name] for name in names if name in place]
            for k in known:
                if k not in coded:
                    codes, picks = _codes(columns[k], count)
                    coded[k] = (codes, picks, self._interned(columns[k][0], picks))
            if known:
                combos, rows = combine(
                    [coded[k][0] for k in known], [len(coded[k][1]) for k in known]
                )
                # A combination is known by its values' texts, as ids (codes differ from
                # batch to batch, ids do not).
                ids = [coded[k][2][combos[:, j]] for j, k in enumerate(known)]
                combined = _combined_ids(ids)
            else:
                combos, rows = np.zeros((1, 0), dtype=np.int64), np.zeros(count, dtype=np.intp)
                combined = [0]

            def probes(
                new: set[Any],
                known: list[int] = known,
                combos: npt.NDArray[np.int64] = combos,
                combined: list[Any] = combined,
            ) -> dict[Any, Any]:
                made: dict[Any, Any] = {}
                for i, key in enumerate(combined):
                    if key in new and key not in made:
                        probe = dict.fromkeys(keys)
                        for j, k in enumerate(known):
                            probe[keys[k]] = columns[k][1][coded[k][1][combos[i, j]]]
                        made[key] = probe
                return made

            failed = part.failing(combined, probes)
            if failed:
                bad |= spread([key in failed for key in combined], rows)
        return bad

    def _interned(self, texts: Sequence[Any], picks: Sequence[int]) -> npt.NDArray[np.int64]:
        """Return the id of each picked text (the same text, the same id, until afresh)."""
        import numpy as np

        ids = self._ids
        before = len(ids)
        found = np.fromiter(
            [ids.setdefault(texts[i], len(ids)) for i in picks], dtype=np.int64, count=len(picks)
        )
        if len(ids) > before:
            self._id_bytes += _weigh({texts[i] for i in picks if ids[texts[i]] >= before})
        return found

    def is_valid(self, record: Mapping[str, Any], encode: Callable[[Any], Any]) -> bool:
        """Return the split's verdict on one record (the differential test's entry)."""
        return not self.failing(*_columns(record, encode, self)).any()


CheckColumn: TypeAlias = "tuple[Sequence[Any], Sequence[Any], Codes | None]"
"""A record key's column: JSON texts and values, and each record's index into them.

Without the index (None), the texts and values hold an entry per record, or one entry
that stands for every record."""

Columns = tuple[int, Sequence[str], Sequence[CheckColumn], Mapping[str, Any]]
"""How many objects, their keys, each key's column, and their nested objects."""


def _mark(bad: Mask, failing: list[int], codes: Codes | None, entries: int) -> None:
    """Mark the records whose entry is among the ``failing`` of a column's ``entries``."""
    import numpy as np

    if codes is not None:
        flags = np.zeros(entries, dtype=bool)
        flags[failing] = True
        bad |= flags[codes]
    elif entries == len(bad):
        bad[failing] = True
    else:  # one entry for every record
        bad[:] = True


_ID_BITS = 21
"""Bits of an interned id (INTERNED_TEXTS fits): three ids make one integer."""


def _combined_ids(ids: Sequence[npt.NDArray[np.int64]]) -> list[Any]:
    """Return one hashable key per combination of ids (an integer for up to three)."""
    import numpy as np

    if len(ids) <= 3:
        key = np.zeros(len(ids[0]), dtype=np.int64)
        for column in ids:
            key = (key << _ID_BITS) | column
        keys: list[Any] = key.tolist()
        return keys
    return [tuple(row) for row in np.stack(ids, axis=1).tolist()]


def _codes(column: CheckColumn, count: int) -> tuple[Codes, Sequence[int]]:
    """Return each record's code in a column, and each code's entry in the column."""
    import numpy as np

    from harmonizer.engine.codes import coded

    texts, _, codes = column
    if codes is not None:
        return codes, range(len(texts))
    if len(texts) != count:  # one entry for every record
        return np.zeros(count, dtype=np.intp), [0]
    return coded(texts)


def _columns(
    record: Mapping[str, Any], encode: Callable[[Any], Any], checks: ColumnChecks
) -> Columns:
    keys = list(record)
    nested: dict[str, Columns] = {}
    for key in keys:
        inner = checks.nested(key)
        if inner is not None and isinstance(record[key], dict):
            nested[key] = _columns(record[key], encode, inner)
    columns: list[CheckColumn] = [([encode(record[key])], [record[key]], None) for key in keys]
    return 1, keys, columns, nested
