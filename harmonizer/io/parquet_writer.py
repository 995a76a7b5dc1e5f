"""A Parquet writer for datasets: typed, flat columns, written in batches.

Columns are the same flat columns as the csv and xlsx tables (nested objects become
dotted columns), typed from the national schema: measures are integers, ``adapted`` is
a list of strings, own items are text (providers' own items mix types).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harmonizer.io.writers import AtomicFile, StagedFile, writing
from harmonizer.records import record_columns
from harmonizer.schema import RecordSchema

BATCH_ROWS = 10_000


def _is_integer(node: Any) -> bool:
    kinds = node.get("type", [])
    return "integer" in (kinds if isinstance(kinds, list) else [kinds])


class ParquetWriter(StagedFile):
    """Records to a Parquet file, ``BATCH_ROWS`` at a time; atomic like the other writers."""

    def __init__(self, path: Path, schema: RecordSchema, own_items: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = path
        self._pa = pa
        self._columns = record_columns(schema, own_items)
        self._integers = set(schema.measures)
        self._integers.add("source.row")
        fields = []
        for column in self._columns:
            if column == "adapted":
                kind = pa.list_(pa.string())
            elif column in self._integers or _is_integer(schema.properties.get(column, {})):
                kind = pa.int64()
                self._integers.add(column)
            else:
                kind = pa.string()
            fields.append(pa.field(column, kind))
        self._schema = pa.schema(fields)
        self._batch: list[dict[str, Any]] = []
        self._file = AtomicFile(path, binary=True)
        self._writer = pq.ParquetWriter(self._file.handle, self._schema, compression="zstd")

    def _value(self, record: dict[str, Any], column: str) -> Any:
        head, _, tail = column.partition(".")
        if tail:
            value = record.get("own_items" if head == "own" else head, {}).get(tail)
        else:
            value = record.get(column)
        if value is None or column in self._integers or column == "adapted":
            return value
        if isinstance(value, dict | list):
            import orjson

            return orjson.dumps(value).decode()
        return value if isinstance(value, str) else str(value)

    def write(self, item: dict[str, Any]) -> None:
        """Write one record (buffered; a full batch goes to the file)."""
        self._batch.append(item)
        if len(self._batch) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        arrays = {c: [self._value(r, c) for r in self._batch] for c in self._columns}
        table = self._pa.Table.from_pydict(arrays, schema=self._schema)
        # pyarrow reports a failed write as an OSError, as Python's files do.
        with writing(self.path):
            self._writer.write_table(table)
        self._batch = []

    def finish(self) -> AtomicFile:
        """Write the last batch and the footer to the temporary file."""
        self._flush()
        with writing(self.path):
            self._writer.close()
        return super().finish()

    def abort(self) -> None:
        """Drop the file."""
        try:
            with contextlib.suppress(Exception):  # a writer that failed may fail to close
                self._writer.close()
        finally:
            self._file.abort()
