"""The library's entry points; the only place where pipeline stages are composed.

The pipeline streams: read_table -> responses -> apply_mapping -> validate_records ->
drop_duplicates -> ReportBuilder.wrap -> writers. No stage holds a whole export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harmonizer import __version__
from harmonizer.errors import ReadError
from harmonizer.io.readers import SourceOptions, Table, read_table
from harmonizer.io.writers import CsvWriter, JsonlWriter, StagedWriter, XlsxWriter, prepare_json
from harmonizer.issues import Issue, IssueCode
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.redaction import Redactor
from harmonizer.response import MissingColumnsError, PivotColumns, long_responses, wide_responses
from harmonizer.run_report import DEFAULT_MAX_ISSUES, ExportSummary, Report, ReportBuilder
from harmonizer.tabular import (
    REJECT_COLUMNS,
    flatten_record,
    flatten_reject_line,
    record_columns,
    reject_lines,
)
from harmonizer.transform import Outcome, RecordBuilder, Row, apply_mapping
from harmonizer.validation import RecordValidator

OUTPUT_FORMATS = ("jsonl", "csv", "xlsx")
RECORDS = "records"
REJECTS = "rejects"
MANIFEST = "manifest.json"
PROGRESS_EVERY = 1000

OpenText = Literal["redact", "drop"]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RunResult:
    """What :func:`harmonize` produced: the report and the files it wrote."""

    report: Report
    outputs: tuple[Path, ...]
    manifest: dict[str, Any]


def _source_options(loaded: LoadedMapping) -> SourceOptions:
    source = loaded.model.source
    return SourceOptions(
        format=source.format,
        sheet=source.sheet,
        header_row=source.header_row,
        header_rows=source.header_rows,
        encoding=source.encoding,
        delimiter=source.delimiter,
    )


def _builder(loaded: LoadedMapping, table: Table, keep_open_text: bool) -> RecordBuilder:
    try:
        return RecordBuilder(loaded, table.info, redactor=Redactor(), keep_open_text=keep_open_text)
    except MissingColumnsError as err:
        info = table.info
        shown = (
            ", ".join(
                f"{chr(65 + i) if i < 26 else i + 1} '{h}'" for i, h in enumerate(info.header) if h
            )
            or "nothing"
        )
        where = f"sheet '{info.sheet}', " if info.sheet else ""
        raise ReadError(
            f"{info.name}: {where}the header on row {info.header_row} lacks "
            + "; ".join(err.missing)
            + f". The header has: {shown}. Correct the mapping's column names, or set "
            "source.header_row if the header is on another row."
        ) from err


def _responses(loaded: LoadedMapping, builder: RecordBuilder, table: Table) -> Iterator[Any]:
    model = loaded.model
    skip = frozenset(model.source.skip_rows)
    if model.long is None:
        return wide_responses(table, skip)
    long = model.long
    columns = [builder.header.find(ref) for ref in (long.response_id, long.question, long.answer)]
    if any(c is None for c in columns):
        raise _builder_error(
            table, "long.response_id, long.question and long.answer must name columns of the header"
        )
    known = {r.question for r in model.fields.values() if not isinstance(r, str) and r.question}
    known |= {i.question for i in model.own_items.values() if i.question}
    rid, question, answer = columns
    assert rid is not None
    assert question is not None
    assert answer is not None
    return long_responses(
        table,
        PivotColumns(rid, question, answer),
        skip=skip,
        window=long.pivot_window,
        ignore=frozenset(long.ignore),
        known=frozenset(q for q in known if q),
        info=table.info,
    )


def _builder_error(table: Table, message: str) -> ReadError:
    return ReadError(
        f"{table.info.name}: {message}; the header has: {', '.join(h for h in table.info.header if h)}"
    )


def validate_records(rows: Iterable[Row], validator: RecordValidator) -> Iterator[Row]:
    """Check each built record against the national schema; failures become issues."""
    for row in rows:
        record = row.record
        if record is not None and not validator.is_valid(record):
            builder = row.builder
            for problem in validator.problems(record):
                top = (problem.field or "").split(".")[0]
                source_row, column = (
                    builder.locate(row.response, top) if builder else (row.row, None)
                )
                row.issues.append(
                    Issue(
                        IssueCode.SCHEMA_VIOLATION,
                        f"{problem.field or 'record'}: {problem.message}",
                        IssueCode.SCHEMA_VIOLATION.severity,
                        row.export.name,
                        row.export.sheet,
                        source_row,
                        column.header if column else None,
                        column.letter if column else None,
                        problem.field,
                        None if top == "open_feedback" else _short(problem.value),
                    )
                )
        yield row


def _short(value: Any) -> str | None:
    from harmonizer.issues import preview

    return preview(value) if not isinstance(value, dict | list) else None


def drop_duplicates(rows: Iterable[Row], seen: dict[str, tuple[str, int]]) -> Iterator[Row]:
    """Mark a response whose record_id was already accepted in this run as a duplicate.

    ``seen`` maps record_id to (export name, row) and is shared by every export of a run,
    so a response repeated across files is caught too. It is the one structure that
    grows with the run: about 150 bytes a record.
    """
    for row in rows:
        if row.outcome is Outcome.ACCEPTED:
            assert row.record is not None
            record_id = row.record["record_id"]
            first = seen.get(record_id)
            if first is None:
                seen[record_id] = (row.export.name, row.row)
            else:
                row.duplicate_of = first[1]
                code = IssueCode.DUPLICATE_RESPONSE
                row.issues.append(
                    Issue(
                        code,
                        f"the same response as {first[0]} row {first[1]} (record_id {record_id}); the first is kept",
                        code.severity,
                        row.export.name,
                        row.export.sheet,
                        row.row,
                        None,
                        None,
                        "record_id",
                        record_id,
                    )
                )
        yield row


def _counted(rows: Iterable[Row], progress: Progress | None) -> Iterator[Row]:
    if progress is None:
        yield from rows
        return
    done = 0
    for row in rows:
        done += len(row.rows)
        if done >= PROGRESS_EVERY:
            progress(done)
            done = 0
        yield row
    if done:
        progress(done)


def iter_rows(
    loaded: LoadedMapping,
    exports: Sequence[Path],
    report: Report,
    *,
    keep_open_text: bool = True,
    progress: Progress | None = None,
) -> Iterator[Row]:
    """Stream every row of every export through the pipeline, filling ``report``.

    Raises:
        ReadError: an export cannot be read, or lacks a column the mapping names.
    """
    validator = RecordValidator(loaded.schema)
    builder_report = ReportBuilder(report)
    seen: dict[str, tuple[str, int]] = {}
    for path in exports:
        with read_table(Path(path), _source_options(loaded)) as table:
            builder = _builder(loaded, table, keep_open_text)
            for issue in builder.header_issues:
                report.add_issue(issue)
            rows: Iterable[Row] = apply_mapping(_responses(loaded, builder, table), builder)
            rows = validate_records(rows, validator)
            rows = drop_duplicates(rows, seen)
            rows = builder_report.wrap(rows, ExportSummary(table.info))
            yield from _counted(rows, progress)


def _report_for(loaded: LoadedMapping, max_issues: int) -> Report:
    return Report(loaded.id, loaded.version, loaded.schema.version, max_issues=max_issues)


def validate(
    mapping: LoadedMapping | Path | str,
    exports: Sequence[Path | str],
    *,
    max_issues: int = DEFAULT_MAX_ISSUES,
    progress: Progress | None = None,
) -> Report:
    """Run the full pipeline without writing any dataset; return the report.

    Raises:
        MappingError, SchemaLoadError: the mapping cannot be used.
        ReadError: an export cannot be read.
    """
    loaded = mapping if isinstance(mapping, LoadedMapping) else load_mapping(mapping)
    report = _report_for(loaded, max_issues)
    for _ in iter_rows(loaded, [Path(p) for p in exports], report, progress=progress):
        pass
    return report


def _writers(
    outdir: Path,
    name: str,
    formats: Sequence[str],
    header: Sequence[str],
    flatten: Callable[[dict[str, Any]], Sequence[Any]],
) -> list[StagedWriter]:
    writers: list[StagedWriter] = []
    for fmt in formats:
        path = outdir / f"{name}.{fmt}"
        if fmt == "jsonl":
            writers.append(JsonlWriter(path))
        elif fmt == "csv":
            writers.append(CsvWriter(path, header, flatten))
        elif fmt == "xlsx":
            writers.append(XlsxWriter(path, header, flatten, sheet=name))
        else:
            raise ValueError(f"unknown output format {fmt!r}; use {', '.join(OUTPUT_FORMATS)}")
    return writers


def reject_item(row: Row) -> dict[str, Any]:
    """Return the rejects.jsonl entry of a rejected or duplicate row."""
    return {
        "outcome": str(row.outcome),
        "export": row.export.name,
        "sheet": row.export.sheet,
        "row": row.row,
        "rows": list(row.rows),
        "record_id": row.record["record_id"] if row.record else None,
        "issues": [i.to_dict() for i in row.issues],
        "raw": {k: _plain(v) for k, v in row.raw().items()},
    }


def _plain(value: Any) -> Any:
    """Return a cell as a JSON value (dates and times as ISO text)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def build_manifest(
    loaded: LoadedMapping, report: Report, outputs: Sequence[Path], open_text: OpenText
) -> dict[str, Any]:
    """Return the manifest of a run: provenance, counts that reconcile, issue counts."""
    document = report.to_dict()
    document.pop("issues")
    document.pop("issues_truncated")
    return {
        "tool": {"name": "harmonizer", "version": __version__},
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": loaded.schema.version,
        "mapping": {
            "id": loaded.id,
            "version": loaded.version,
            "file": loaded.path.name,
            "sha256": loaded.sha256,
            "provider": loaded.model.provider.name,
        },
        "options": {"open_text": open_text},
        **{k: v for k, v in document.items() if k not in {"mapping", "schema_version"}},
        "outputs": sorted(p.name for p in outputs),
    }


def harmonize(
    mapping: LoadedMapping | Path | str,
    exports: Sequence[Path | str],
    outdir: Path | str,
    *,
    formats: Sequence[str] = ("jsonl",),
    max_issues: int = DEFAULT_MAX_ISSUES,
    open_text: OpenText = "redact",
    progress: Progress | None = None,
) -> RunResult:
    """Harmonise exports with a mapping and write the dataset to ``outdir``.

    Writes ``records.<fmt>`` and ``rejects.<fmt>`` for each format (jsonl always) and
    ``manifest.json``. Files are published only when the whole run succeeds; otherwise
    the previous outputs stay as they were.

    Raises:
        MappingError, SchemaLoadError: the mapping cannot be used (nothing is read).
        ReadError: an export cannot be read (nothing is published).
        OutputError: an output cannot be written.

    >>> import tempfile
    >>> result = harmonize("mappings/pohjola-web.yaml", ["examples/pohjola-web.csv"],
    ...                    tempfile.mkdtemp())
    >>> result.report.counts.reconciles
    True
    """
    loaded = mapping if isinstance(mapping, LoadedMapping) else load_mapping(mapping)
    outdir = Path(outdir)
    wanted = ["jsonl", *(f for f in formats if f != "jsonl")]
    report = _report_for(loaded, max_issues)
    columns = record_columns(loaded.schema, list(loaded.model.own_items))
    with ExitStack() as stack:
        records = _writers(outdir, RECORDS, wanted, columns, lambda r: flatten_record(r, columns))
        rejects = _writers(outdir, REJECTS, wanted, REJECT_COLUMNS, flatten_reject_line)
        writers = [*records, *rejects]
        for writer in writers:
            stack.callback(writer.abort)
        for row in iter_rows(
            loaded,
            [Path(p) for p in exports],
            report,
            keep_open_text=open_text == "redact",
            progress=progress,
        ):
            outcome = row.outcome
            if outcome is Outcome.ACCEPTED:
                assert row.record is not None
                for writer in records:
                    writer.write(row.record)
            elif outcome is not Outcome.EXCLUDED:
                item = reject_item(row)
                for writer in rejects:
                    if isinstance(writer, JsonlWriter):
                        writer.write(item)
                    else:
                        for line in reject_lines(item):
                            writer.write(line)
        # Everything is on disk under temporary names before anything is renamed, and
        # the manifest is renamed last: the renames take microseconds, and a manifest
        # always describes outputs that are complete.
        finished = [writer.finish() for writer in writers]
        outputs = tuple(w.path for w in writers)
        manifest = build_manifest(loaded, report, outputs, open_text)
        manifest["output_sha256"] = {f.target.name: f.sha256 for f in finished}
        manifest_file = prepare_json(outdir / MANIFEST, manifest)
        stack.callback(manifest_file.abort)
        for writer in writers:
            writer.publish(sync=False)
        manifest_file.publish()
        stack.pop_all()
    return RunResult(report, (*outputs, outdir / MANIFEST), manifest)
