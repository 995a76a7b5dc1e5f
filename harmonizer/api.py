"""The library's entry points; the only place where pipeline stages are composed.

The pipeline streams: read_table -> the engine (a compiled plan's columnar fast path,
in worker processes with ``jobs``, or the exact row path: responses -> apply_mapping)
-> validate_records -> drop_duplicates -> ReportBuilder.wrap -> writers. No stage holds
a whole export.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Any, TypedDict, Unpack

from harmonizer.codebook import write_codebook
from harmonizer.dataset import CombineResult, Dataset, combine_runs, open_dataset
from harmonizer.engine.collection import streaming_pace
from harmonizer.engine.exact import RecordBuilder, apply_mapping
from harmonizer.engine.fast import fast_wide_rows
from harmonizer.engine.first_copies import FirstCopies
from harmonizer.engine.parallel import (
    default_jobs,
    local_wide_rows,
    parallel_wide_rows,
    usable_jobs,
)
from harmonizer.engine.plan import compile_plan
from harmonizer.engine.rejects import (
    REJECT_COLUMNS,
    flatten_reject_line,
    reject_item,
    reject_lines,
)
from harmonizer.engine.responses import (
    FirstCopyStore,
    MissingColumnsError,
    long_responses,
    wide_responses,
)
from harmonizer.engine.row import Outcome, Row, RowBatch
from harmonizer.engine.validation import RecordValidator, validate_records
from harmonizer.errors import DatasetError, OutputError, ReadError
from harmonizer.figures import DEFAULT_MIN_N, Figures, compute_figures, parse_by
from harmonizer.fixes import hints_from
from harmonizer.io.csv_reader import delimiter_hint
from harmonizer.io.output_folder import folder_lock, refuse_overwriting, stale_outputs
from harmonizer.io.readers import SourceOptions, Table, read_table, refuse_repeated
from harmonizer.io.writers import (
    JsonlWriter,
    build_writers,
    publish_with_manifest,
)
from harmonizer.issues import header_listing
from harmonizer.item_figures import ItemFigures, compute_item_figures, parse_items
from harmonizer.manifest import OpenText, build_manifest
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.publish.content import build_content, dataset_facts
from harmonizer.publish.item_table import write_item_table
from harmonizer.publish.table import write_table
from harmonizer.publish.texts import check_lang
from harmonizer.publish.views import (
    build_perspectives,
    build_purchaser_view,
    build_service_path,
)
from harmonizer.records import flatten_record, record_columns
from harmonizer.redaction import Redactor, redact_text
from harmonizer.run_report import DEFAULT_MAX_ISSUES, ExportSummary, Report, ReportBuilder
from harmonizer.schema import DEFAULT_SCHEMA_VERSION, load_schema
from harmonizer.structure import (
    HeaderMismatchError,
    header_found_at,
    header_issues,
    unreadable_issue,
)

OUTPUT_FORMATS = ("jsonl", "csv", "xlsx")
RECORDS = "records"
REJECTS = "rejects"
MANIFEST = "manifest.json"
# Every file a run or a combine may publish in its folder: a new run replaces them all,
# so outputs of formats not asked for this time do not outlive their manifest.
PUBLISHED_NAMES = (
    *(f"{stem}.{fmt}" for stem in (RECORDS, REJECTS) for fmt in (*OUTPUT_FORMATS, "parquet")),
    MANIFEST,
)
PROGRESS_EVERY = 1000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RunResult:
    """What :func:`harmonize` produced: the report and the files it wrote."""

    report: Report
    outputs: tuple[Path, ...]
    manifest: dict[str, Any]


def mapping_files(loaded: LoadedMapping) -> list[Path]:
    """Return the files a mapping reads: the mapping itself and its lookup files."""
    files = [loaded.path]
    files += [loaded.path.parent / spec.file for spec in loaded.model.lookups.values() if spec.file]
    # A lookup given on the command line knows its own path.
    files += [t.path for t in loaded.lookups.values() if t.path is not None]
    return files


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
        shown = header_listing(info.header, letters=True)
        where = f"sheet '{info.sheet}', " if info.sheet else ""
        hint = delimiter_hint(info)
        advice = (
            f"{hint[0].upper()}{hint[1:]}."
            if hint
            else "Correct the mapping's column names, or set source.header_row if the "
            "header is on another row."
        )
        raise HeaderMismatchError(
            f"{info.name}: {where}the header on row {info.header_row} lacks "
            + "; ".join(err.missing)
            + f". The header has: {shown}. {advice}",
            info,
        ) from err


def _built_rows(
    loaded: LoadedMapping,
    builder: RecordBuilder,
    table: Table,
    validator: RecordValidator,
    *,
    exact: bool = False,
    jobs: int | None = None,
    lane: bool = False,
    completed: FirstCopyStore | None = None,
) -> Iterator[Row | RowBatch]:
    """Return the built rows of an export: the fast path where it applies, else exact.

    With ``lane``, clean batches come as one :class:`RowBatch` each. ``completed`` holds
    the first copies of the run's long responses, across exports.
    """
    plan = None if exact else compile_plan(builder)
    if plan is not None:
        skip = frozenset(loaded.model.source.skip_rows)
        workers = (
            default_jobs(table.info.path, xlsx=table.info.sheet is not None)
            if jobs is None
            else usable_jobs(jobs)
        )
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            return parallel_wide_rows(
                table,
                builder,
                plan,
                validator,
                skip=skip,
                jobs=workers,
                encode=lane,
                layout=table.layout,
                sheet=table.sheet,
            )
        if lane:
            return local_wide_rows(
                table,
                builder,
                plan,
                validator,
                skip=skip,
                layout=table.layout,
                sheet=table.sheet,
            )
        return fast_wide_rows(table, builder, plan, skip=skip)
    return apply_mapping(_responses(loaded, builder, table, completed), builder)


def _responses(
    loaded: LoadedMapping,
    builder: RecordBuilder,
    table: Table,
    completed: FirstCopyStore | None = None,
) -> Iterator[Any]:
    model = loaded.model
    skip = frozenset(model.source.skip_rows)
    if model.long is None:
        return wide_responses(table, skip)
    long = model.long
    assert builder.pivot_columns is not None
    known = {r.question for r in model.fields.values() if not isinstance(r, str) and r.question}
    known |= {i.question for i in model.own_items.values() if i.question}
    return long_responses(
        table,
        builder.pivot_columns,
        skip=skip,
        window=long.pivot_window,
        ignore=frozenset(long.ignore),
        known=frozenset(q for q in known if q),
        info=table.info,
        mapping=redact_text(loaded.path.name) or "",
        completed=completed,
        missing_values=builder.missing_values,
    )


def _counted(rows: Iterable[Row | RowBatch], progress: Progress | None) -> Iterator[Row | RowBatch]:
    if progress is None:
        yield from rows
        return
    done = 0
    for row in rows:
        done += len(row) if isinstance(row, RowBatch) else len(row.rows)
        if done >= PROGRESS_EVERY:
            progress(done)
            done = 0
        yield row
    if done:
        progress(done)


class RowOptions(TypedDict, total=False):
    """How :func:`iter_rows` runs the pipeline (every key may be left out)."""

    keep_open_text: bool
    progress: Progress | None
    exact: bool
    jobs: int | None
    on_unreadable: Callable[[Path, ReadError], None] | None


def iter_rows(
    loaded: LoadedMapping,
    exports: Sequence[Path],
    report: Report,
    **options: Unpack[RowOptions],
) -> Iterator[Row]:
    """Stream every row of every export through the pipeline, filling ``report``.

    Options: ``keep_open_text`` (default True) keeps the open answers, redacted;
    ``exact`` turns the columnar fast path off (every row takes the row path); ``jobs``
    is the number of worker processes of the fast path, at most one per core (None: the
    machine's cores, one for a small export). The outputs are the same either way;
    tests check it. With ``on_unreadable``, an export that cannot be read (or lacks a
    mapped column) is handed to it and the next export follows; without, the error
    stops the run. ``progress`` is called with the rows done since its last call.

    Raises:
        ReadError: an export cannot be read, or lacks a column the mapping names.
    """
    for item in _items(loaded, exports, report, **options):
        assert isinstance(item, Row)  # only a run writing jsonl lines takes batches
        yield item


def _items(
    loaded: LoadedMapping,
    exports: Sequence[Path],
    report: Report,
    *,
    keep_open_text: bool = True,
    progress: Progress | None = None,
    exact: bool = False,
    jobs: int | None = None,
    on_unreadable: Callable[[Path, ReadError], None] | None = None,
    lane: bool = False,
) -> Iterator[Row | RowBatch]:
    """Yield what :func:`iter_rows` yields; with ``lane``, batches too.

    With ``lane`` (a run writing jsonl only), a clean batch of accepted rows comes as
    one :class:`RowBatch`.
    """
    # numpy, under the duplicate index, takes a tenth of a second to import: a command
    # that reads no rows (check in CI) is spared it.
    from harmonizer.engine.duplicates import DuplicateIndex, drop_duplicates

    validator = RecordValidator(loaded.schema)
    builder_report = ReportBuilder(report)
    seen = DuplicateIndex()
    # A long response repeated in a later export is a repeat of its first copy, so that a
    # repeat answering differently is a conflict there too, not one more duplicate.
    with FirstCopies() as completed:
        for path in exports:
            try:
                with read_table(Path(path), _source_options(loaded)) as table:
                    builder = _builder(loaded, table, keep_open_text)
                    for issue in builder.header_issues:
                        report.add_issue(issue)
                    rows: Iterable[Row | RowBatch] = _built_rows(
                        loaded,
                        builder,
                        table,
                        validator,
                        exact=exact,
                        jobs=jobs,
                        lane=lane,
                        completed=completed,
                    )
                    rows = validate_records(rows, validator)
                    rows = drop_duplicates(rows, seen)
                    rows = builder_report.wrap(rows, ExportSummary(table.info))
                    yield from _counted(rows, progress)
            except ReadError as err:
                if on_unreadable is None:
                    raise
                on_unreadable(Path(path), err)


def _report_for(loaded: LoadedMapping, max_issues: int) -> Report:
    return Report(
        loaded.id,
        loaded.version,
        loaded.schema.version,
        max_issues=max_issues,
        mapping_file=redact_text(str(loaded.path)),
    )


def validate(
    mapping: LoadedMapping | Path | str,
    exports: Sequence[Path | str],
    *,
    max_issues: int = DEFAULT_MAX_ISSUES,
    progress: Progress | None = None,
) -> Report:
    """Run the full pipeline without writing any dataset; return the report.

    Structural problems of an export are issues like any other, located in that export:
    a mapped column missing from its header (``column-not-found``, "the header seems to
    be on row 2" when it moved), or a file that cannot be read (``unreadable-export``).
    The other exports are validated all the same.

    Raises:
        MappingError, SchemaLoadError: the mapping cannot be used.
    """
    loaded = mapping if isinstance(mapping, LoadedMapping) else load_mapping(mapping)
    report = _report_for(loaded, max_issues)
    report.hints = hints_from(loaded)
    options = _source_options(loaded)

    def unreadable(path: Path, err: ReadError) -> None:
        summary: ExportSummary | None
        if isinstance(err, HeaderMismatchError):
            found = header_found_at(path, options, loaded)
            if found is not None:
                report.hints.header_found[err.info.name] = found
            summary = ExportSummary(err.info)
            report.exports.append(summary)
            issues = header_issues(loaded, err.info, found)
        else:
            issues = [unreadable_issue(path, err)]
            last = report.exports[-1] if report.exports else None
            # A file that broke while being read has its summary (and counts) already.
            summary = last if last is not None and last.info.path == path else None
        for issue in issues:
            report.add_issue(issue)
            if summary is not None:
                summary.issue_counts[str(issue.code)] += 1

    paths = [Path(p) for p in exports]
    refuse_repeated(paths)
    with streaming_pace():
        # Nothing is written, but clean batches counted as one cost less than their rows.
        for _ in _items(
            loaded, paths, report, progress=progress, on_unreadable=unreadable, lane=True
        ):
            pass
    return report


def check_mapping(
    mapping: Path | str,
    *,
    sample: Path | str | None = None,
    rows: int | None = None,
    max_issues: int = DEFAULT_MAX_ISSUES,
    lookups: Mapping[str, Path] | None = None,
) -> Report:
    """Check a mapping file, and with ``sample`` its fit to an export; return the report.

    ``lookups`` gives lookup files from elsewhere than the mapping's folder (lookup
    name -> path), as ``--lookup NAME=PATH`` does.

    Mapping problems are issues located in the mapping file (its line in ``row``, the
    key path in ``field``). With ``sample``, the export's first ``rows`` rows (all when
    None) are read once, streaming: mapped columns missing from its header and every
    distinct value no rule accepts are listed with their counts. Nothing is written.
    The sample is read only when the mapping loads.

    Raises:
        MappingError: the mapping file cannot be read at all.
        ReadError: the sample export cannot be read.

    >>> check_mapping("mappings/pohjola-web.yaml").max_severity is None
    True
    """
    from harmonizer.mapping.check import check_mapping_file
    from harmonizer.mapping.sample import SampleCheck

    checked = check_mapping_file(mapping, lookup_files=lookups)
    report = Report(
        checked.mapping_id,
        checked.version,
        checked.schema_version,
        max_issues=max_issues,
        mapping_file=redact_text(str(checked.path)),
    )
    for issue in checked.issues:
        report.add_issue(issue)
    loaded = checked.loaded
    if loaded is not None:
        report.hints = hints_from(loaded)
    if sample is None or loaded is None:
        return report
    with read_table(Path(sample), _source_options(loaded)) as table:
        summary = ExportSummary(table.info)
        report.exports.append(summary)
        sampler = SampleCheck(loaded, table.info)
        count = 0
        for source in islice(table, rows):
            sampler.observe(source)
            count += 1
    report.rows_checked = count
    for issue in sampler.issues():
        report.add_issue(issue)
        if issue.export == summary.info.name:
            summary.issue_counts[str(issue.code)] += 1
    return report


def harmonize(
    mapping: LoadedMapping | Path | str,
    exports: Sequence[Path | str],
    outdir: Path | str,
    *,
    formats: Sequence[str] = ("jsonl",),
    max_issues: int = DEFAULT_MAX_ISSUES,
    open_text: OpenText = "redact",
    progress: Progress | None = None,
    exact: bool = False,
    jobs: int | None = None,
) -> RunResult:
    """Harmonise exports with a mapping and write the dataset to ``outdir``.

    Writes ``records.<fmt>`` and ``rejects.<fmt>`` for each format (jsonl always) and
    ``manifest.json``; such files of other formats left by an earlier run are removed,
    so the manifest lists exactly the outputs present. Files are published only when the
    whole run succeeds; otherwise the previous outputs stay as they were. The run holds
    an exclusive lock on ``outdir`` throughout.

    Raises:
        MappingError, SchemaLoadError: the mapping cannot be used (nothing is read).
        ReadError: an export cannot be read (nothing is published).
        OutputError: an output cannot be written, would overwrite an input (the export,
            the mapping, a lookup file), or another run is writing to ``outdir``.

    >>> import tempfile
    >>> result = harmonize("mappings/pohjola-web.yaml", ["examples/pohjola-web.csv"],
    ...                    tempfile.mkdtemp())
    >>> result.report.counts.reconciles
    True
    """
    if not str(outdir).strip():
        raise OutputError("the output folder is an empty path; name the folder to write into")
    loaded = mapping if isinstance(mapping, LoadedMapping) else load_mapping(mapping)
    outdir = Path(outdir)
    export_paths = [Path(p) for p in exports]
    refuse_repeated(export_paths)
    wanted = ["jsonl", *(f for f in formats if f != "jsonl")]
    refuse_overwriting(
        [outdir / name for name in PUBLISHED_NAMES],
        [*export_paths, *mapping_files(loaded)],
        what="output folder (-o)",
    )
    report = _report_for(loaded, max_issues)
    columns = record_columns(loaded.schema, list(loaded.model.own_items))
    with folder_lock(outdir), streaming_pace(), ExitStack() as stack:
        records = build_writers(
            outdir, RECORDS, wanted, columns, lambda r: flatten_record(r, columns)
        )
        rejects = build_writers(outdir, REJECTS, wanted, REJECT_COLUMNS, flatten_reject_line)
        writers = [*records, *rejects]
        for writer in writers:
            stack.callback(writer.abort)
        for row in _items(
            loaded,
            export_paths,
            report,
            keep_open_text=open_text == "redact",
            progress=progress,
            exact=exact,
            jobs=jobs,
            lane=wanted == ["jsonl"],
        ):
            if isinstance(row, RowBatch):
                for writer in records:
                    assert isinstance(writer, JsonlWriter)
                    writer.write_line(row.lines)
                continue
            outcome = row.outcome
            if outcome is Outcome.ACCEPTED:
                if row.encoded is not None:
                    for writer in records:
                        assert isinstance(writer, JsonlWriter)
                        writer.write_line(row.encoded)
                    continue
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
        outputs = tuple(w.path for w in writers)

        def manifest_of(digests: dict[str, str]) -> dict[str, Any]:
            document = build_manifest(loaded, report, outputs, open_text)
            document["output_sha256"] = digests
            return document

        published = [w.path.name for w in writers]
        stale = stale_outputs(outdir, PUBLISHED_NAMES, [*published, MANIFEST])
        manifest = publish_with_manifest(writers, outdir / MANIFEST, manifest_of, stale=stale)
        stack.pop_all()
    return RunResult(report, (*outputs, outdir / MANIFEST), manifest)


def combine(
    runs: Sequence[Path | str],
    outdir: Path | str,
    *,
    formats: Sequence[str] = ("jsonl",),
    progress: Progress | None = None,
) -> CombineResult:
    """Combine the outputs of many runs (or datasets) into one dataset in ``outdir``.

    A response re-submitted in several runs (same ``record_id``) is kept once, from the
    newest run, and the older copies are counted in the manifest. Writes
    ``records.jsonl`` (plus ``csv``, ``xlsx``, ``parquet`` when asked) and
    ``manifest.json`` listing every input run with its counts. Streams: only an index
    of record ids is held in memory.

    Raises:
        DatasetError: an input is not a run folder, or the schema versions are incompatible.
        OutputError: an output cannot be written, or another run is writing to ``outdir``
            or to an input.

    >>> import tempfile
    >>> run = harmonize("mappings/pohjola-web.yaml", ["examples/pohjola-web.csv"],
    ...                 tempfile.mkdtemp())
    >>> folder = run.outputs[0].parent
    >>> combine([folder, folder], tempfile.mkdtemp()).superseded == run.report.counts.records
    True
    """
    return combine_runs(runs, outdir, formats=formats, progress=progress)


def aggregate(
    dataset: Path | str,
    by: str | Sequence[str],
    *,
    output: Path | str | None = None,
    min_n: int = DEFAULT_MIN_N,
    lang: str = "en",
    progress: Progress | None = None,
) -> Figures:
    """Compute the comparable figures of a dataset per group; write them if ``output`` is set.

    ``dataset`` is a folder written by :func:`combine` or :func:`harmonize`. ``by`` names
    grouping fields (``"county,quarter"``). Figures with fewer than ``min_n`` valid
    answers are suppressed; adapted items are reported apart. ``output`` ends in
    ``.csv``, ``.xlsx`` or ``.json``; labels are in ``lang``. Streams the records once;
    ``progress`` is called with the number of records read since its last call.

    Raises:
        DatasetError: the dataset cannot be read, or a grouping field is unknown.
        OutputError: the output cannot be written, or is one of the dataset's own files.

    >>> import tempfile
    >>> run = harmonize("mappings/saimaa-codes.yaml", ["examples/saimaa-codes.csv"],
    ...                 tempfile.mkdtemp())
    >>> figures = aggregate(run.outputs[0].parent, "channel")
    >>> figures.total.responses == run.report.counts.records
    True
    """
    check_lang(lang)
    if output is not None:
        _refuse_writing_into(dataset, Path(output))
    with folder_lock(_dataset_folder(dataset), shared=True):
        opened = open_dataset(dataset)
        figures = compute_figures(
            _counted_records(opened, progress),
            opened.schema,
            parse_by(by),
            min_n=min_n,
            providers=opened.providers,
        )
    figures = replace(
        figures, source={"dataset": dataset_name(opened), "manifest": _dataset_summary(opened)}
    )
    if output is not None:
        write_table(Path(output), opened.schema, figures, lang)
    return figures


def aggregate_items(
    dataset: Path | str,
    items: str | Sequence[str],
    by: str | Sequence[str] = (),
    *,
    output: Path | str | None = None,
    min_n: int = DEFAULT_MIN_N,
    lang: str = "en",
    progress: Progress | None = None,
) -> ItemFigures:
    """Compute figures of the providers' own items per group; write them if ``output`` is set.

    ``items`` names own items (``"own_items.smiley"``). Per group and item: the count of
    each answer and, for an item the mapping declared on a scale, the positive share and
    the mean where it means something. Items with fewer than ``min_n`` answers in a group
    are suppressed. Own items never enter the national figures.

    Raises:
        DatasetError: the dataset cannot be read, an item or grouping field is unknown.
        OutputError: the output cannot be written.
    """
    check_lang(lang)
    if output is not None:
        _refuse_writing_into(dataset, Path(output))
    with folder_lock(_dataset_folder(dataset), shared=True):
        opened = open_dataset(dataset)
        catalogue = opened.item_catalogue
        known = [*catalogue, *opened.manifest.get("own_items", [])]
        figures = compute_item_figures(
            _counted_records(opened, progress),
            opened.schema,
            catalogue,
            parse_items(items, known),
            parse_by(by),
            min_n=min_n,
        )
    figures = replace(figures, source={"dataset": dataset_name(opened)})
    if output is not None:
        write_item_table(Path(output), opened.schema, figures, lang)
    return figures


def dataset_name(opened: Dataset) -> str:
    """Return how outputs name a dataset: the path as given, or its folder name if absolute.

    An absolute path says where one machine keeps the files, which is no one's business
    in a figures file that travels.
    """
    return opened.path.name if opened.path.is_absolute() else str(opened.path)


def _dataset_folder(dataset: Path | str) -> Path:
    path = Path(dataset)
    return path.parent if path.suffix == ".jsonl" else path


def _refuse_writing_into(dataset: Path | str, output: Path) -> None:
    """Refuse an output that is one of the dataset's own files (its records, manifest)."""
    folder = _dataset_folder(dataset)
    refuse_overwriting([output], [folder / n for n in PUBLISHED_NAMES], what="-o")


def _counted_records(opened: Dataset, progress: Progress | None) -> Iterator[dict[str, Any]]:
    if progress is None:
        yield from opened.records()
        return
    done = 0
    for record in opened.records():
        done += 1
        if done == PROGRESS_EVERY:
            progress(done)
            done = 0
        yield record
    if done:
        progress(done)


def _dataset_summary(opened: Dataset) -> dict[str, Any]:
    manifest = opened.manifest
    return {
        "kind": manifest.get("kind", "run"),
        "run_at": manifest.get("run_at"),
        "schema_version": manifest.get("schema_version"),
        "counts": manifest.get("counts", {}),
    }


REPORT_SUFFIXES = (".html", ".xlsx")


def report(
    dataset: Path | str,
    by: str | Sequence[str],
    output: Path | str,
    *,
    lang: str = "en",
    min_n: int = DEFAULT_MIN_N,
    progress: Progress | None = None,
) -> Path:
    """Write the meeting report of a dataset: ``report.html`` or ``report.xlsx``.

    The html is one self-contained file (inline SVG charts, no network); the xlsx has
    native Excel charts beside the figure tables. Both show NPS per group with its n,
    the statements' distributions, suppression and comparability notes, labelled from
    the schema in ``lang`` (fi, sv, en).

    Raises:
        DatasetError: the dataset cannot be read, or the suffix is not .html or .xlsx.
        OutputError: the report cannot be written, or is one of the dataset's own files.
    """
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise DatasetError(f"{output}: write the report as {' or '.join(REPORT_SUFFIXES)}")
    check_lang(lang)
    _refuse_writing_into(dataset, output)
    with folder_lock(_dataset_folder(dataset), shared=True):
        opened = open_dataset(dataset)
        figures = compute_figures(
            _counted_records(opened, progress),
            opened.schema,
            parse_by(by),
            min_n=min_n,
            providers=opened.providers,
        )
    content = build_content(
        opened.schema,
        figures,
        lang,
        facts=dataset_facts(opened.manifest, lang),
        **_report_views(opened, min_n, lang),
    )
    # The chart and template libraries load only when a report is written.
    if suffix == ".html":
        from harmonizer.publish.html import write_html

        return write_html(output, content)
    from harmonizer.publish.xlsx import write_xlsx

    return write_xlsx(output, content)


def _report_views(opened: Dataset, min_n: int, lang: str) -> dict[str, Any]:
    """Return the report's views: the perspectives; from 1.1 the path and the purchaser's.

    Each grouping streams the records once more: memory stays flat, time grows.
    """
    schema = opened.schema

    def grouped(by: Sequence[str], least: int = min_n) -> Figures:
        return compute_figures(
            opened.records(), schema, by, min_n=least, providers=opened.providers
        )

    views: dict[str, Any] = {
        "perspectives": build_perspectives(schema, grouped(["respondent"]), lang)
    }
    if schema.has("touchpoint"):
        catalogue = opened.item_catalogue
        tied = [name for name, item in catalogue.items() if item.get("touchpoint")]
        # min_n=1: the answers are pooled per touchpoint first, then suppressed.
        items = (
            compute_item_figures(opened.records(), schema, catalogue, tied, (), min_n=1)
            if tied
            else None
        )
        views["path"] = build_service_path(
            schema, grouped(["touchpoint"]), grouped(["touchpoint"], 1), items, lang, min_n
        )
    if schema.has("production"):
        views["purchaser"] = build_purchaser_view(
            schema,
            grouped(["county", "production", "provider_id"]),
            grouped(["county", "production"]),
            lang,
        )
    return views


def codebook(
    output: Path | str, *, lang: str = "en", schema_version: str = DEFAULT_SCHEMA_VERSION
) -> Path:
    """Write the codebook (data dictionary) of the national record as .xlsx or .md.

    Raises:
        SchemaLoadError: the schema version is not available.
        DatasetError: the suffix is neither .xlsx nor .md.
        OutputError: ``output`` is the schema file itself, or cannot be written.
    """
    check_lang(lang)
    schema = load_schema(schema_version)
    refuse_overwriting([Path(output)], [schema.path], what="-o")
    return write_codebook(output, schema, lang)
