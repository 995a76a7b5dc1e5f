"""Datasets: the records of many runs combined, with re-submitted responses removed.

A *run* folder is what ``harmonizer run`` writes (``manifest.json`` + ``records.jsonl``);
a *dataset* folder is what :func:`combine_runs` writes, with the same two files, so a
county's dataset can itself be combined into a national one.

Inputs are not trusted: a manifest must have the shape harmonizer writes, the records
file must match the manifest's ``output_sha256`` and record count, and every record
must conform to the national schema of its version. Anything else stops with a
:class:`DatasetError` naming the file and line, before anything is written.

Combining streams in two passes over the inputs. The first pass reads only record ids
and keeps an index ``record_id -> input`` (about 100 bytes a record) that says which
input holds the newest copy of each response; the second pass copies the records whose
copy is the newest to the outputs. No pass holds the records themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from harmonizer import __version__
from harmonizer.engine.validation import RecordValidator
from harmonizer.errors import DatasetError, SchemaLoadError
from harmonizer.io.output_folder import folder_lock, stale_outputs
from harmonizer.io.writers import (
    StagedWriter,
    build_writers,
    publish_with_manifest,
)
from harmonizer.records import flatten_record, record_columns
from harmonizer.schema import RecordSchema, load_schema
from harmonizer.schema_values import CUSTOM_FORMATS

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
DATASET_FORMATS = ("jsonl", "csv", "xlsx", "parquet")
# What a run or a combine may have published in a folder; a combine replaces them all.
PUBLISHED_NAMES = (
    *(f"{stem}.{fmt}" for stem in ("records", "rejects") for fmt in DATASET_FORMATS),
    MANIFEST,
)


@dataclass
class DatasetInput:
    """One run or dataset folder given to :func:`combine_runs`, with its counts."""

    path: Path
    kind: str
    run_at: str
    schema_version: str
    mapping: dict[str, Any] | None
    providers: dict[str, str]
    expected: Expected
    item_catalogue: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: int = 0
    kept: int = 0
    superseded: int = 0
    order: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the input as it is listed in the dataset's manifest."""
        return {
            "path": str(self.path),
            "kind": self.kind,
            "run_at": self.run_at,
            "schema_version": self.schema_version,
            "mapping": self.mapping,
            "records": self.records,
            "kept": self.kept,
            "superseded": self.superseded,
        }


@dataclass
class Dataset:
    """A run or dataset folder opened for reading: its manifest and records file."""

    path: Path
    manifest: dict[str, Any]
    records_path: Path
    schema: RecordSchema
    providers: dict[str, str] = field(default_factory=dict)

    @property
    def item_catalogue(self) -> dict[str, dict[str, Any]]:
        """Return own item name -> description (touchpoint, scale, labels) of the dataset."""
        return dict(self.manifest.get("item_catalogue") or {})

    def records(self) -> Iterator[dict[str, Any]]:
        """Yield the records one at a time (the file is read line by line).

        Each record is checked against the national schema as it is read, and the file
        against the manifest once it has been read to its end.

        Raises:
            DatasetError: a record breaks the schema, or the file does not match the
                manifest's sha256 or record count.
        """
        expected = Expected.of(self.manifest, self.path / MANIFEST)
        check = RecordCheck(self.schema)
        for _, record in iter_records(self.records_path, expected=expected, check=check):
            yield record


@dataclass(frozen=True)
class CombineResult:
    """What :func:`combine_runs` wrote: the manifest and the output files."""

    manifest: dict[str, Any]
    outputs: tuple[Path, ...]
    inputs: tuple[DatasetInput, ...]

    @property
    def records(self) -> int:
        """Return the number of records in the combined dataset."""
        return int(self.manifest["counts"]["records"])

    @property
    def superseded(self) -> int:
        """Return the number of re-submitted copies that a newer input replaced."""
        return int(self.manifest["counts"]["superseded"])


@dataclass(frozen=True)
class Expected:
    """What a manifest says its records file holds: its sha256 and its record count."""

    sha256: str
    records: int
    manifest: Path

    @classmethod
    def of(cls, manifest: dict[str, Any], path: Path | None = None) -> Expected:
        """Return the expectation of a manifest that :func:`read_manifest` accepted."""
        return cls(
            manifest["output_sha256"][RECORDS],
            manifest["counts"]["records"],
            path or Path(MANIFEST),
        )


class _SchemaCheck:
    """One schema version's check: jsonschema-rs decides, formats checked once per value.

    The Finnish identifier formats (business ID, unit OID) are Python functions; called
    from the compiled validator they would cost a callback on every record, so the
    compiled validator leaves them to this class, which checks each distinct value of
    the fields that carry them once (the fields are read from the schema, so it stays
    the authority). A failing record is explained by the reference validator.
    """

    MEMO_LIMIT = 100_000

    def __init__(self, schema: RecordSchema) -> None:
        self.schema = schema
        self.fast = jsonschema_rs.validator_for(dict(schema.document), validate_formats=True)
        # (field, format check, memo of its distinct values)
        self.formats: list[tuple[str, Callable[[object], bool], dict[str, bool]]] = [
            (name, CUSTOM_FORMATS[spec["format"]], {})
            for name, spec in schema.properties.items()
            if spec.get("format") in CUSTOM_FORMATS
        ]
        self._reference: RecordValidator | None = None

    def problem(self, record: dict[str, Any]) -> str | None:
        """Return why a record breaks the schema, or None; runs once per record."""
        if self.fast.is_valid(record):
            for name, check, memo in self.formats:
                value = record.get(name)
                if value.__class__ is not str:
                    continue  # null, or a wrong type the compiled validator refused
                known = memo.get(value)
                if known is None:
                    known = check(value)
                    if len(memo) < self.MEMO_LIMIT:
                        memo[value] = known
                if not known:
                    break
            else:
                return None
        if self._reference is None:
            self._reference = RecordValidator(self.schema)
        problems = self._reference.problems(record)
        shown = "; ".join(
            # A required-property message names the property itself.
            p.message if p.keyword == "required" else f"{p.field or 'record'}: {p.message}"
            for p in problems[:3]
        )
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        return f"is not a valid national record ({shown}{more})"


class RecordCheck:
    """Validates records against the national schema of their own version.

    A dataset of version 1.1 may hold 1.0 records; each is checked against its own
    version (same major version only) with a compiled jsonschema-rs validator, built
    once per version.
    """

    def __init__(self, schema: RecordSchema) -> None:
        self.major = _major(schema.version)
        self.dataset_version = schema.version
        self.validators: dict[str, _SchemaCheck] = {schema.version: _SchemaCheck(schema)}

    def problem(self, record: dict[str, Any]) -> str | None:
        """Return why a record is not a valid national record, or None when it is."""
        version = record.get("schema_version")
        if not isinstance(version, str):
            # The dataset's own schema says what is wrong (a required field is missing).
            version = self.dataset_version
        validator = self.validators.get(version)
        if validator is None:
            if _major(version) != self.major:
                return (
                    f"has schema_version {version!r}, but the dataset is version "
                    f"{self.dataset_version}; combine only compatible runs"
                )
            try:
                validator = _SchemaCheck(load_schema(version))
            except SchemaLoadError as err:
                return f"has schema_version {version!r}: {err}"
            self.validators[version] = validator
        return validator.problem(record)


def iter_records(
    path: Path, *, expected: Expected | None = None, check: RecordCheck | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)`` from a records.jsonl file, streaming.

    With ``check``, every record is validated against the national schema as it is
    read. With ``expected``, the file's sha256 and record count are compared with the
    manifest's once the last line has been read, so a consumer that reads to the end
    never finishes on a file that was edited, cut short or appended to.

    Raises:
        DatasetError: the file is missing, a line is not a valid national record, or the
            file does not match the manifest.
    """
    try:
        handle = path.open("rb")
    except OSError as err:
        raise DatasetError(f"{path}: cannot read: {err.strerror}") from err
    digest = hashlib.sha256() if expected is not None else None
    count = 0
    with handle:
        for number, line in enumerate(handle, start=1):
            if digest is not None:
                digest.update(line)
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as err:
                raise DatasetError(
                    f"{path}: line {number} is not JSON ({err.msg}); the file is damaged: "
                    "write it again with harmonizer run or harmonizer combine"
                ) from err
            if not isinstance(record, dict) or not isinstance(record.get("record_id"), str):
                raise DatasetError(
                    f"{path}: line {number} is not a national record (no record_id); "
                    "pass the folders written by harmonizer run or harmonizer combine"
                )
            if check is not None and (problem := check.problem(record)) is not None:
                raise DatasetError(
                    f"{path}: line {number} {problem}; the file was changed after "
                    "harmonizer wrote it: write it again with harmonizer run or harmonizer "
                    "combine"
                )
            count += 1
            yield number, record
    if expected is not None and digest is not None:
        _compare(path, expected, count, digest.hexdigest())


def _compare(path: Path, expected: Expected, count: int, sha256: str) -> None:
    """Refuse a records file that is not the one its manifest describes."""
    if count != expected.records:
        found = f"holds {count} records, but {expected.manifest} lists {expected.records}"
    elif sha256 != expected.sha256:
        found = f"does not match the sha256 that {expected.manifest} lists for it"
    else:
        return
    raise DatasetError(
        f"{path}: {found}; the file was changed after harmonizer wrote it (records edited, "
        "deleted or added): write it again with harmonizer run or harmonizer combine"
    )


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _line_of(text: bytes, *keys: str) -> int | None:
    """Return the line of a (nested) key in a manifest's JSON text, for messages."""
    at = 0
    for depth, key in enumerate(keys, start=1):
        name = orjson.dumps(key)
        # harmonizer indents its manifests by two spaces: prefer the key at its depth,
        # so that a top-level "counts" is not taken for an export's.
        found = text.find(b"\n" + b"  " * depth + name + b":", at)
        if found < 0:
            found = text.find(name, at)
        else:
            found += 1
        if found < 0:
            return None
        at = found
    return text.count(b"\n", 0, at) + 1


def _kind_of(value: object) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _check_manifest(path: Path, text: bytes, manifest: object) -> dict[str, Any]:
    """Return the manifest when it has the shape harmonizer writes; else raise.

    Raises:
        DatasetError: naming the manifest, the line and the key that is wrong.
    """

    def fail(keys: tuple[str, ...], wanted: str, value: object) -> DatasetError:
        line = _line_of(text, *keys)
        where = f"{path}:{line}" if line else str(path)
        return DatasetError(
            f"{where}: {'.'.join(keys)} is {_kind_of(value)}, but a harmonizer manifest "
            f"has {wanted} there; the manifest is damaged: write the folder again with "
            "harmonizer run or harmonizer combine"
        )

    if not isinstance(manifest, dict):
        raise DatasetError(f"{path}: is not a JSON object; it is not a harmonizer manifest")
    version = manifest.get("schema_version")
    if not isinstance(version, str):
        raise DatasetError(f"{path}: has no schema_version; it is not a harmonizer manifest")
    kind = manifest.get("kind", "run")
    if kind not in ("run", "dataset"):
        raise fail(("kind",), "'run' or 'dataset'", kind)
    for key in ("run_at", "newest_run_at"):
        if not isinstance(manifest.get(key), str | None):
            raise fail((key,), "a time as text", manifest.get(key))
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        raise fail(("counts",), "an object of counts", counts)
    records = counts.get("records")
    if not isinstance(records, int) or isinstance(records, bool) or records < 0:
        raise fail(("counts", "records"), "the number of records", records)
    digests = manifest.get("output_sha256")
    if not isinstance(digests, dict):
        raise fail(("output_sha256",), "an object of sha256 digests", digests)
    digest = digests.get(RECORDS)
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise fail(("output_sha256", RECORDS), "a sha256 digest (64 hex digits)", digest)
    if kind == "dataset":
        providers = manifest.get("providers", {})
        if not isinstance(providers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in providers.items()
        ):
            raise fail(("providers",), "an object of mapping id: provider name", providers)
        inputs = manifest.get("inputs", [])
        if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
            raise fail(("inputs",), "a list of the inputs combined", inputs)
    else:
        mapping = manifest.get("mapping")
        if not isinstance(mapping, dict):
            raise fail(("mapping",), "an object (id, version, provider)", mapping)
        for key in ("id", "provider"):
            if not isinstance(mapping.get(key), str | None):
                raise fail(("mapping", key), "text", mapping.get(key))
    return manifest


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise DatasetError(
            f"{folder}: not a folder; pass the output folders of harmonizer run or harmonizer combine"
        )
    if not path.is_file():
        raise DatasetError(
            f"{folder}: has no {MANIFEST}, so it is not the output of harmonizer run or "
            "harmonizer combine; pass such folders"
        )
    try:
        text = path.read_bytes()
        manifest = orjson.loads(text)
    except (OSError, orjson.JSONDecodeError) as err:
        raise DatasetError(f"{path}: cannot read: {err}") from err
    manifest = _check_manifest(path, text, manifest)
    if not (folder / RECORDS).is_file():
        raise DatasetError(f"{folder}: has {MANIFEST} but no {RECORDS}; run it again")
    return manifest


def _providers(manifest: dict[str, Any]) -> dict[str, str]:
    """Return mapping id -> provider name, as far as the manifest tells."""
    if manifest.get("kind") == "dataset":
        return dict(manifest.get("providers", {}))
    mapping = manifest.get("mapping") or {}
    if mapping.get("id") and mapping.get("provider"):
        return {str(mapping["id"]): str(mapping["provider"])}
    return {}


def _schema(version: str, where: Path) -> RecordSchema:
    try:
        return load_schema(version)
    except SchemaLoadError as err:
        raise DatasetError(f"{where}: {err}") from err


def open_dataset(path: Path | str) -> Dataset:
    """Open a run or dataset folder (or a records.jsonl file inside one) for reading.

    The manifest is checked here; the records as :meth:`Dataset.records` reads them.

    Raises:
        DatasetError: the folder has no manifest or records, the manifest is damaged,
            or its schema is unknown.
    """
    path = Path(path)
    folder = path.parent if path.suffix == ".jsonl" else path
    manifest = _read_manifest(folder)
    schema = _schema(manifest["schema_version"], folder / MANIFEST)
    return Dataset(folder, manifest, folder / RECORDS, schema, _providers(manifest))


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _input(folder: Path, order: int) -> DatasetInput:
    manifest = _read_manifest(folder)
    kind = "dataset" if manifest.get("kind") == "dataset" else "run"
    # A dataset counts as one input, as new as the newest run in it.
    run_at = str(manifest.get("newest_run_at") or manifest.get("run_at") or "")
    return DatasetInput(
        path=folder,
        kind=kind,
        run_at=run_at,
        schema_version=manifest["schema_version"],
        mapping=manifest.get("mapping") if kind == "run" else None,
        providers=_providers(manifest),
        expected=Expected.of(manifest, folder / MANIFEST),
        item_catalogue=dict(manifest.get("item_catalogue") or {}),
        order=order,
    )


def check_compatible(inputs: Sequence[DatasetInput]) -> RecordSchema:
    """Return the schema of the combined dataset: the newest of the inputs' versions.

    Versions are compatible when they share the major version (1.0 and 1.1); the
    dataset declares the highest, and each record keeps its own ``schema_version``.

    Raises:
        DatasetError: the inputs target different major versions, or an unknown one.
    """
    majors = {_major(i.schema_version) for i in inputs}
    if len(majors) > 1:
        listing = "; ".join(f"{i.path}: {i.schema_version}" for i in inputs)
        raise DatasetError(
            "the inputs target incompatible national schema versions "
            f"({listing}); combine only runs of one major version, or re-run the older "
            "exports with a mapping for the newer schema"
        )
    schemas = [_schema(i.schema_version, i.path / MANIFEST) for i in inputs]
    return max(schemas, key=lambda s: tuple(int(x) for x in s.version.split(".")))


def _index(
    inputs: Sequence[DatasetInput], schema: RecordSchema, progress: Progress | None = None
) -> tuple[dict[str, int], list[str]]:
    """First pass: record_id -> position of the newest input holding it; own item names."""
    tick = _ticker(progress)
    newest: dict[str, int] = {}
    own_items: dict[str, None] = {}
    check = RecordCheck(schema)
    for position, item in enumerate(inputs):
        records_path = item.path / RECORDS
        for _, record in iter_records(records_path, expected=item.expected, check=check):
            item.records += 1
            tick()
            newest[record["record_id"]] = position
            for name in record.get("own_items") or {}:
                own_items.setdefault(name, None)
    tick(flush=True)
    return newest, list(own_items)


def _writers(
    outdir: Path, formats: Sequence[str], schema: RecordSchema, own_items: Sequence[str]
) -> list[StagedWriter]:
    columns = record_columns(schema, own_items)

    def parquet(path: Path) -> StagedWriter:
        from harmonizer.io.parquet_writer import ParquetWriter

        return ParquetWriter(path, schema, own_items)

    try:
        return build_writers(
            outdir,
            "records",
            formats,
            columns,
            lambda record: flatten_record(record, columns),
            more={"parquet": parquet},
        )
    except ValueError as err:
        raise DatasetError(f"{err}; choose from {', '.join(DATASET_FORMATS)}") from err


Progress = Callable[[int], None]
PROGRESS_EVERY = 1000


def _ticker(progress: Progress | None) -> Callable[..., None]:
    """Return a function to call once a record: it reports to ``progress`` in batches."""
    pending = 0

    def tick(*, flush: bool = False) -> None:
        nonlocal pending
        if progress is None:
            return
        if not flush:
            pending += 1
        if pending and (flush or pending >= PROGRESS_EVERY):
            progress(pending)
            pending = 0

    return tick


def combine_runs(
    folders: Sequence[Path | str],
    outdir: Path | str,
    *,
    formats: Sequence[str] = ("jsonl",),
    progress: Progress | None = None,
) -> CombineResult:
    """Combine run (or dataset) folders into one dataset in ``outdir``.

    A response submitted again (the same ``record_id`` in several inputs) is kept once:
    the copy from the newest input (by the manifest's ``run_at``; on a tie, the later
    folder on the command line) wins, and the older copies are counted as superseded.
    The records keep the inputs' order, oldest input first.

    Writes ``records.jsonl`` (plus csv, xlsx, parquet when asked) and ``manifest.json``
    listing every input with its counts. Outputs are published only when all went well.

    Every input is verified in the first pass, before anything is written: its
    manifest's shape, its records file against the manifest's ``output_sha256`` and
    ``counts.records``, and every record against the national schema.

    Raises:
        DatasetError: an input is not a run or dataset folder, its records are damaged,
            edited or invalid, or the inputs target incompatible schema versions.
        OutputError: an output cannot be written.
    """
    if not folders:
        raise DatasetError("no runs to combine; pass one or more run folders")
    outdir = Path(outdir)
    paths = [Path(f) for f in folders]
    if outdir.resolve() in {p.resolve() for p in paths}:
        raise DatasetError(f"{outdir}: the output folder is also an input; choose another -o")
    with ExitStack() as locks:
        # Inputs are read under a shared lock: a run still writing one is refused.
        for path in paths:
            if path.is_dir():
                locks.enter_context(folder_lock(path, shared=True))
        locks.enter_context(folder_lock(outdir))
        return _combine(paths, outdir, formats, progress)


def _combine(
    paths: Sequence[Path], outdir: Path, formats: Sequence[str], progress: Progress | None
) -> CombineResult:
    inputs = [_input(path, order) for order, path in enumerate(paths)]
    schema = check_compatible(inputs)
    # Oldest first, so that a later position in the index means a newer input.
    inputs.sort(key=lambda i: (i.run_at, i.order))
    newest, own_items = _index(inputs, schema, progress)
    wanted = ["jsonl", *(f for f in formats if f != "jsonl")]
    providers: dict[str, str] = {}
    with ExitStack() as stack:
        writers = _writers(outdir, wanted, schema, own_items)
        for writer in writers:
            stack.callback(writer.abort)
        tick = _ticker(progress)
        for position, item in enumerate(inputs):
            providers.update(item.providers)
            # The first pass checked every record; the digest proves the file is the
            # same one now.
            for _, record in iter_records(item.path / RECORDS, expected=item.expected):
                tick()
                record_id = record["record_id"]
                if newest.get(record_id) != position:
                    item.superseded += 1
                    continue
                # Within one input the first copy wins; later copies count as superseded.
                newest[record_id] = -1
                item.kept += 1
                for writer in writers:
                    writer.write(record)
        tick(flush=True)

        def manifest_of(digests: dict[str, str]) -> dict[str, Any]:
            document = _manifest(inputs, schema, own_items, providers, [w.path for w in writers])
            document["output_sha256"] = digests
            return document

        stale = stale_outputs(outdir, PUBLISHED_NAMES, [*(w.path.name for w in writers), MANIFEST])
        manifest = publish_with_manifest(writers, outdir / MANIFEST, manifest_of, stale=stale)
        stack.pop_all()
    outputs = (*(w.path for w in writers), outdir / MANIFEST)
    return CombineResult(manifest, outputs, tuple(inputs))


def _manifest(
    inputs: Sequence[DatasetInput],
    schema: RecordSchema,
    own_items: Sequence[str],
    providers: dict[str, str],
    outputs: Sequence[Path],
) -> dict[str, Any]:
    read = sum(i.records for i in inputs)
    kept = sum(i.kept for i in inputs)
    return {
        "tool": {"name": "harmonizer", "version": __version__},
        "kind": "dataset",
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "newest_run_at": max((i.run_at for i in inputs), default=None),
        "schema_version": schema.version,
        "inputs": [i.to_dict() for i in inputs],
        "counts": {"read": read, "records": kept, "superseded": read - kept},
        "providers": dict(sorted(providers.items())),
        "own_items": list(own_items),
        "item_catalogue": merge_catalogues(inputs),
        "outputs": sorted(p.name for p in outputs),
    }


def merge_catalogues(inputs: Sequence[DatasetInput]) -> dict[str, dict[str, Any]]:
    """Return the item catalogue of a dataset: every input's own item descriptions.

    Two inputs that describe one item name differently (two providers' "smiley" on
    different scales) cannot share its figures: the item keeps only what they agree on,
    and its scale becomes None, so that only its answer counts are computed.
    """
    merged: dict[str, dict[str, Any]] = {}
    for item in inputs:
        for name, description in sorted(item.item_catalogue.items()):
            known = merged.get(name)
            if known is None:
                merged[name] = dict(description)
                continue
            for key in ("touchpoint", "scale"):
                if known.get(key) != description.get(key):
                    known[key] = None
            known["labels"] = {**(description.get("labels") or {}), **(known.get("labels") or {})}
    return dict(sorted(merged.items()))
