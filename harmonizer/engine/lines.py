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

from collections.abc import Sequence
from typing import Any

import orjson

from harmonizer.engine.column_checks import ColumnChecks, Columns
from harmonizer.engine.fast import FastBatch, Filled, Keyed, Same

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
        joined: list[list[bytes]] = []
        texts: list[list[bytes]] = []
        values: list[Sequence[Any]] = []
        nested: dict[str, Columns] = {}
        for key, column, (before, after) in zip(self.keys, made.columns, self._around, strict=True):
            if isinstance(column, Filled) and self._checks.nested(key) is not None:
                parts, nested[key] = self._filled(key, column, count, before, after)
                joined.extend(parts)
                # The object is checked by its own columns: these two are not looked at.
                texts.append(parts[0])
                values.append(parts[0])
                continue
            if isinstance(column, Same):
                # One entry stands for every row (see ColumnChecks.failing_rows).
                text = before + orjson.dumps(column.value) + after
                texts.append([text])
                values.append([column.value])
                joined.append([text] * count)
                continue
            if isinstance(column, Keyed):
                texts.append(_keyed_texts(column, self._memo((key, Keyed)), before, after))
                values.append(column.values)
                joined.append(texts[-1])
                continue
            plain = column.objects() if isinstance(column, Filled) else column
            texts.append(_texts(plain, self._memo(key), before, after))
            values.append(plain)
            joined.append(texts[-1])
        failing = self._checks.failing_rows(count, self.keys, texts, values, nested)
        return [b",".join(row) for row in zip(*joined, strict=True)], failing

    def _memo(self, key: Any) -> dict[Any, bytes]:
        memo = self._memos.get(key)
        if memo is None:
            memo = self._memos[key] = {}
        return memo

    def _filled(
        self, key: str, column: Filled, count: int, before: bytes, after: bytes
    ) -> tuple[list[list[bytes]], Columns]:
        """Return the texts of an object column, as runs joined by commas, and its columns.

        The template's keys between two filled keys are one text for every row; each
        filled key's values go through their memo. Joined with the rest of the line by
        commas, the runs make the object's JSON text.
        """
        template = column.template
        order = list(template) + [name for name in column.columns if name not in template]
        keys: list[str] = []
        texts: list[list[bytes]] = []
        values: list[Sequence[Any]] = []
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
                texts.append([text])
                values.append([value])
        parts: list[list[bytes]] = []
        last = len(runs) - 1
        for k, (name, text) in enumerate(runs):
            start = before + b"{" if k == 0 else b""
            end = b"}" + after if k == last else b""
            if not name:
                parts.append([start + text + end] * count)
                continue
            filled = _texts(
                column.columns[name], self._memo((key, name, start, end)), start + text, end
            )
            parts.append(filled)
            keys.append(name)
            texts.append(filled)
            values.append(column.columns[name])
        if not runs:
            parts.append([before + b"{}" + after] * count)
        return parts, (count, keys, texts, values, {})


def _texts(column: list[Any], memo: dict[Any, bytes], before: bytes, after: bytes) -> list[bytes]:
    """Return each value's text with the key in front, through the key's memo."""
    kinds = set(map(type, column))
    dumps = orjson.dumps
    if not kinds <= _PLAIN:
        if kinds & _UNHASHABLE:  # missing reasons, own items, provenance
            return [before + dumps(value) + after for value in column]
        return _texts_by_kind(column, memo, before, after)
    # Texts, integers and None are their own keys (1 and "1" differ): looked up in C.
    out: list[bytes | None] = list(map(memo.get, column))
    if None not in out:
        return out  # type: ignore[return-value]
    # A column of values that rarely repeat (record ids, row numbers) is not memoised.
    if len(set(column)) * 2 > len(column):
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
    return out  # type: ignore[return-value]


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
