"""The fast path's records written as jsonl lines column by column, and checked so.

A record's jsonl line is its keys' JSON texts in the schema's order. Most values
repeat from row to row, so each record key keeps a memo from value to its text (with
the key in front), and a line is the row's texts joined: no record dict is built, and
orjson runs once per distinct value. The lines are byte-identical to
``orjson.dumps(record)``, as a differential test holds on every bundled export.

The same texts tell the schema's :class:`~harmonizer.engine.column_checks.ColumnChecks`
the distinct values of each key, so a batch is checked with the national schema once
per distinct value, not once per record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import orjson

from harmonizer.engine.column_checks import CheckColumn, ColumnChecks, Columns
from harmonizer.engine.fast import Coded, FastBatch, Filled, Keyed, Same
from harmonizer.io.arrow import memory_pool

if TYPE_CHECKING:
    import pyarrow as pa

    from harmonizer.engine.coded import CodedBatch
    from harmonizer.engine.codes import Codes, Mask

Part: TypeAlias = "bytes | list[bytes] | pa.Array | tuple[list[bytes], Codes]"
"""A key's texts in a batch's lines: one for every row, one per row (a list, or an Arrow
array joined there), or one per distinct value with each row's code."""

TEXT_MEMO_LIMIT = 16_384
"""Distinct values whose texts a key keeps before its memo starts afresh: at most
about 16,384 texts of MEMO_CHARS characters, a few MiB, per record key."""
MEMO_CHARS = 256
"""Longer texts (open answers, which rarely repeat) are encoded without a memo."""

_PLAIN = frozenset({str, int, type(None)})
_UNHASHABLE = frozenset({dict, list})


class LineEncoder:
    """Encodes a run's fast rows as jsonl lines and checks them with the schema's parts."""

    def __init__(self, keys: Sequence[str], checks: ColumnChecks) -> None:
        self.keys = tuple(keys)
        self._checks = checks
        last = len(self.keys) - 1
        # The braces and the line break travel with the first and last key's texts, so
        # that a line is one join.
        self._around = [
            (
                (b"{" if k == 0 else b"") + orjson.dumps(key) + b":",
                b"}\n" if k == last else b"",
            )
            for k, key in enumerate(self.keys)
        ]
        self._memos: dict[Any, dict[Any, bytes]] = {}

    def encode(self, made: FastBatch) -> tuple[list[bytes], set[int]]:
        """Return the jsonl line of every fast row, and the fast rows that fail the schema.

        The failing rows are given by their place among the fast rows; they take the
        exact path, which explains the failure.
        """
        count = len(made.places)
        if not count:
            return [], set()
        parts, failing = self._parts(made.columns, count)
        joined = [
            [part] * count
            if isinstance(part, bytes)
            else list(map(part[0].__getitem__, part[1].tolist()))
            if isinstance(part, tuple)
            else part
            for part in parts
        ]
        lines = [b",".join(row) for row in zip(*joined, strict=True)]
        return lines, set(failing.nonzero()[0].tolist())

    def encode_coded(self, made: CodedBatch) -> tuple[pa.Array, Mask]:
        """Return the jsonl lines of a coded batch's fast rows, and which fail the schema.

        The lines are an Arrow binary array, joined there from each key's texts: a coded
        column's texts are made once per distinct value and taken by the rows' codes.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        count = len(made.places)
        if not count:
            return pa.array([], pa.binary()), np.zeros(0, dtype=bool)
        pool = memory_pool()
        parts, failing = self._parts(made.columns, count, arrow=True)
        joined: list[Any] = []
        for part in parts:
            if isinstance(part, pa.Array):
                joined.append(part)
            elif isinstance(part, bytes):
                joined.append(pa.scalar(part, pa.binary()))
            elif isinstance(part, tuple):
                texts = pa.array(part[0], pa.binary(), memory_pool=pool)
                joined.append(pc.take(texts, part[1], memory_pool=pool))
            else:
                joined.append(pa.array(part, pa.binary(), memory_pool=pool))
        if not any(isinstance(part, pa.Array) for part in joined):
            joined[0] = pa.array([parts[0]] * count, pa.binary(), memory_pool=pool)
        return pc.binary_join_element_wise(*joined, b",", memory_pool=pool), failing

    def _parts(
        self, columns: Sequence[Any], count: int, *, arrow: bool = False
    ) -> tuple[list[Part], Mask]:
        """Return the texts of ``count`` records' keys in line order, and the failing ones.

        The records are checked with the schema's parts by the same texts. With
        ``arrow``, the texts of a column whose values rarely repeat may be an Arrow
        array (see :func:`_arrow_texts`).
        """
        parts: list[Part] = []
        checked: list[CheckColumn] = []
        nested: dict[str, Columns] = {}
        for key, column, (before, after) in zip(self.keys, columns, self._around, strict=True):
            if isinstance(column, Filled) and self._checks.nested(key) is not None:
                runs, nested[key] = self._filled(key, column, count, before, after, arrow)
                parts.extend(runs)
                checked.append(_UNSEEN)  # the object is checked by its own columns
                continue
            if isinstance(column, Same):
                # One entry stands for every row (see ColumnChecks.failing).
                text = before + orjson.dumps(column.value) + after
                checked.append(([text], [column.value], None))
                parts.append(text)
                continue
            if isinstance(column, Keyed):
                texts = _keyed_texts(column, self._memo((key, Keyed)), before, after)
                checked.append((texts, column.values, None))
                parts.append(texts)
                continue
            if isinstance(column, Coded):
                texts = _texts(column.values, self._memo(key), before, after)
                checked.append((texts, column.values, column.codes))
                parts.append((texts, column.codes))
                continue
            plain = column.objects() if isinstance(column, Filled) else column
            texts = _texts(plain, self._memo(key), before, after, arrow)
            checked.append((_listed(texts), plain, None))
            parts.append(texts)
        return parts, self._checks.failing(count, self.keys, checked, nested)

    def _memo(self, key: Any) -> dict[Any, bytes]:
        memo = self._memos.get(key)
        if memo is None:
            memo = self._memos[key] = {}
        return memo

    def _filled(
        self, key: str, column: Filled, count: int, before: bytes, after: bytes, arrow: bool
    ) -> tuple[list[bytes | list[bytes] | pa.Array], Columns]:
        """Return the texts of an object column, as runs joined by commas, and its columns.

        The template's keys between two filled keys are one text for every row (a run of
        bytes); each filled key's values go through their memo (a text per row). Joined
        with the rest of the line by commas, the runs make the object's JSON text.
        """
        template = column.template
        order = list(template) + [name for name in column.columns if name not in template]
        keys: list[str] = []
        checked: list[CheckColumn] = []
        runs: list[tuple[str, bytes]] = []  # (filled key, or "" for the template's, text)
        for name in order:
            pair = orjson.dumps(name) + b":"
            if name in column.columns:
                runs.append((name, pair))
            else:
                value = template[name]
                text = pair + orjson.dumps(value)
                if runs and not runs[-1][0]:
                    runs[-1] = ("", runs[-1][1] + b"," + text)
                else:
                    runs.append(("", text))
                keys.append(name)
                checked.append(([text], [value], None))
        out: list[bytes | list[bytes] | pa.Array] = []
        last = len(runs) - 1
        for k, (name, text) in enumerate(runs):
            start = before + b"{" if k == 0 else b""
            end = b"}" + after if k == last else b""
            if not name:
                out.append(start + text + end)
                continue
            values = column.columns[name]
            filled = _texts(values, self._memo((key, name, start, end)), start + text, end, arrow)
            out.append(filled)
            keys.append(name)
            checked.append((_listed(filled), values, None))
        if not runs:
            out.append(before + b"{}" + after)
        return out, (count, keys, checked, {})


_UNSEEN: CheckColumn = ((), (), None)
"""The entry of a key checked by its object's own columns (not looked at)."""


def _texts(
    column: list[Any], memo: dict[Any, bytes], before: bytes, after: bytes, arrow: bool = False
) -> list[bytes] | pa.Array:
    """Return each value's text with the key in front, through the key's memo.

    With ``arrow``, a column whose values rarely repeat may come as an Arrow array.
    """
    kinds = set(map(type, column))
    dumps = orjson.dumps
    if not kinds <= _PLAIN:
        if kinds & _UNHASHABLE:  # missing reasons, own items, provenance
            return [before + dumps(value) + after for value in column]
        return _texts_by_kind(column, memo, before, after)
    # Texts, integers and None are their own keys (1 and "1" differ): looked up in C.
    out: list[bytes | None] = list(map(memo.get, column))
    if None not in out:
        return cast("list[bytes]", out)  # no None left
    # A column of values that rarely repeat (record ids, row numbers) is not memoised.
    if len(set(column)) * 2 > len(column):
        joined = _arrow_texts(column, kinds, before, after) if arrow else None
        if joined is not None:
            return joined
        return [before + text + after for text in map(dumps, column)]
    misses = [i for i, found in enumerate(out) if found is None]
    for i in misses:
        value = column[i]
        text = memo.get(value)
        if text is None:
            text = before + dumps(value) + after
            if not (value.__class__ is str and len(value) > MEMO_CHARS):
                if len(memo) >= TEXT_MEMO_LIMIT:
                    memo.clear()
                memo[value] = text
        out[i] = text
    return cast("list[bytes]", out)  # every miss filled


_ESCAPED = r'["\\\x00-\x1f]'
"""What orjson writes otherwise than as it stands in a text (checked over every code
point by a test): a quote, a backslash and the control characters."""


def _arrow_texts(
    column: list[Any], kinds: set[type], before: bytes, after: bytes
) -> pa.Array | None:
    """Return each value's text with the key in front, made in Arrow, or None.

    For a column of texts none of which JSON escapes, or of integers (with or
    without None): a text's JSON is the text in quotes, an integer's its digits, as
    orjson writes them. None for anything else, which takes orjson value by value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pool = memory_pool()
    kind = kinds - {type(None)}
    try:
        if kind == {str}:
            array = pa.array(column, pa.string(), memory_pool=pool)
            if pc.any(pc.match_substring_regex(array, _ESCAPED, memory_pool=pool)).as_py():
                return None
            texts = pc.binary_join_element_wise(
                '"', array, '"', "", null_handling="emit_null", memory_pool=pool
            )
        elif kind == {int}:
            texts = pc.cast(pa.array(column, pa.int64(), memory_pool=pool), pa.string())
        else:
            return None
    except (pa.ArrowException, OverflowError, UnicodeError):
        return None  # a lone surrogate, an integer beyond 64 bits
    texts = pc.fill_null(texts, "null").cast(pa.binary())
    return pc.binary_join_element_wise(before, texts, after, b"", memory_pool=pool)


class _Listed(Sequence[bytes]):
    """An Arrow array's texts as a list, made when first looked at.

    The schema's checks look at a column's texts only when a value fails, or when an
    allOf element looks at its key.
    """

    def __init__(self, array: pa.Array) -> None:
        self._array = array
        self._list: list[bytes] | None = None

    def _texts(self) -> list[bytes]:
        if self._list is None:
            self._list = self._array.to_pylist()
        return self._list

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, index: Any) -> Any:
        return self._texts()[index]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._texts())


def _listed(texts: list[bytes] | pa.Array) -> Sequence[bytes]:
    return texts if isinstance(texts, list) else _Listed(texts)


def _keyed_texts(column: Keyed, memo: dict[Any, bytes], before: bytes, after: bytes) -> list[bytes]:
    """Return each object's text with the key in front, through a memo by its key."""
    out: list[bytes | None] = list(map(memo.get, column.keys))
    if None in out:
        for i, found in enumerate(out):
            if found is None:
                key = column.keys[i]
                text = memo.get(key)
                if text is None:
                    text = before + orjson.dumps(column.values[i]) + after
                    if len(memo) >= TEXT_MEMO_LIMIT:
                        memo.clear()
                    memo[key] = text
                out[i] = text
    return out  # type: ignore[return-value]


def _texts_by_kind(
    column: list[Any], memo: dict[Any, bytes], before: bytes, after: bytes
) -> list[bytes]:
    # 1, 1.0 and True are equal as dict keys but have three texts: keyed with their kind.
    out: list[bytes] = []
    for value in column:
        key = (value.__class__, value)
        text = memo.get(key)
        if text is None:
            text = before + orjson.dumps(value) + after
            if len(memo) >= TEXT_MEMO_LIMIT:
                memo.clear()
            memo[key] = text
        out.append(text)
    return out
