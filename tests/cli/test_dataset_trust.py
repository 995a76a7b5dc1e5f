"""combine, aggregate and report trust no input, through the real CLI.

A records file must match its manifest (sha256 and record count), every record must be
a valid national record, and a manifest must have the shape harmonizer writes. Anything
else is exit 2 with the file and line, never a traceback and never a figure.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from harmonizer import harmonize
from harmonizer.cli import main
from tests.helpers import ROOT

Lines = list[dict[str, Any]]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trust") / "run"
    harmonize(ROOT / "mappings" / "pohjola-web.yaml", [ROOT / "examples" / "pohjola-web.csv"], out)
    return out


@pytest.fixture
def run(pristine: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    shutil.copytree(pristine, folder)
    return folder


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output + result.stderr
    return result


def every_command(folder: Path, tmp_path: Path, by: str = "provider_id") -> list[Any]:
    """Run combine, aggregate and report on a folder; return their results."""
    return [
        invoke("combine", str(folder), "-o", str(tmp_path / "combined")),
        invoke("aggregate", str(folder), "--by", by, "-o", str(tmp_path / "figures.csv")),
        invoke("report", str(folder), "--by", by, "-o", str(tmp_path / "report.html")),
    ]


def assert_refused(results: list[Any], tmp_path: Path, *words: str) -> None:
    for result in results:
        assert result.exit_code == 2, result.output
        for word in words:
            assert word in result.stderr, result.stderr
    # Nothing was written.
    assert not (tmp_path / "combined").exists()
    assert not (tmp_path / "figures.csv").exists()
    assert not (tmp_path / "report.html").exists()


def edit(folder: Path, change: Callable[[Lines], Lines], *, fix_manifest: bool = False) -> None:
    """Rewrite a run's records; with ``fix_manifest`` also its sha256 and count.

    Fixing the manifest is what a careful forger does; the schema check still holds.
    """
    path = folder / "records.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records = change(records)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")
    if fix_manifest:
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["output_sha256"]["records.jsonl"] = hashlib.sha256(text.encode()).hexdigest()
        manifest["counts"]["records"] = len(records)
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def promoted(record: dict[str, Any]) -> dict[str, Any]:
    if record["nps"] is None:
        return record
    return {**record, "nps": 10, "nps_group": "promoter"}


def test_the_untouched_run_is_accepted(run: Path, tmp_path: Path) -> None:
    for result in every_command(run, tmp_path):
        assert result.exit_code == 0, result.stderr


def test_edited_answers_are_refused(run: Path, tmp_path: Path) -> None:
    # Edited with care: each answered NPS to 10 and its group to promoter, so that every
    # record is still valid; only the digest tells.
    edit(run, lambda records: [promoted(r) for r in records])
    results = every_command(run, tmp_path)
    assert_refused(results, tmp_path, "records.jsonl", "does not match the sha256")


def test_a_deleted_record_is_refused(run: Path, tmp_path: Path) -> None:
    edit(run, lambda records: records[1:])
    count = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["counts"]["records"]
    results = every_command(run, tmp_path)
    assert_refused(results, tmp_path, f"holds {count - 1} records", f"lists {count}")


def test_a_bare_record_id_is_not_a_response(run: Path, tmp_path: Path) -> None:
    rid = "00000000-0000-5000-8000-000000000001"
    edit(run, lambda records: [*records, {"record_id": rid}], fix_manifest=True)
    line = len((run / "records.jsonl").read_text(encoding="utf-8").splitlines())
    results = every_command(run, tmp_path)
    assert_refused(results, tmp_path, f"records.jsonl: line {line} ", "not a valid national record")


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"period": "2026"}, "period: '2026' does not match"),
        ({"missing": ["nps"]}, "missing: ['nps'] is not of type 'object'"),
        ({"missing": {"nps": "forgot"}}, "missing.nps: 'forgot' is not a code"),
        ({"unit_id": ["1.2.246.10.1"]}, "unit_id:"),
        ({"own_items": ["parking"]}, "own_items: ['parking'] is not of type 'object'"),
        ({"nps": 11}, "nps: 11 is greater than the maximum of 10"),
        ({"schema_version": "2.0"}, "has schema_version '2.0'"),
        ({"provider_id": "2345671-4"}, "provider_id: '2345671-4' is not a valid fi-business-id"),
        ({"unit_id": "1.2.3"}, "unit_id: '1.2.3' is not a valid sote-oid"),
    ],
)
def test_a_malformed_record_is_named_by_file_and_line(
    run: Path, tmp_path: Path, change: dict[str, Any], shown: str
) -> None:
    edit(
        run,
        lambda records: [records[0], {**records[1], **change}, *records[2:]],
        fix_manifest=True,
    )
    results = every_command(run, tmp_path, by="provider_id,quarter")
    assert_refused(results, tmp_path, "records.jsonl: line 2 ", shown)


def rewrite_manifest(folder: Path, **changes: Any) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            manifest.pop(key)
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def line_of(folder: Path, key: str, inner: str | None = None) -> int:
    """Return the line of a top-level key of a manifest (or of a key inside it)."""
    lines = (folder / "manifest.json").read_text(encoding="utf-8").splitlines()
    at = next(n for n, text in enumerate(lines) if text.startswith(f'  "{key}"'))
    if inner is not None:
        at = next(n for n in range(at, len(lines)) if f'"{inner}"' in lines[n])
    return at + 1


@pytest.mark.parametrize(
    ("changes", "key", "inner", "shown"),
    [
        ({"mapping": ["pohjola-web"]}, "mapping", None, "mapping is a list"),
        ({"counts": {"records": "58"}}, "counts", "records", "counts.records is text"),
        (
            {"output_sha256": {"records.jsonl": "abc"}},
            "output_sha256",
            "records.jsonl",
            "a sha256 digest",
        ),
        ({"kind": "folder"}, "kind", None, "kind is text, but a harmonizer manifest has 'run'"),
    ],
)
def test_a_malformed_run_manifest_is_named_by_file_and_line(
    run: Path, tmp_path: Path, changes: dict[str, Any], key: str, inner: str | None, shown: str
) -> None:
    rewrite_manifest(run, **changes)
    where = f"manifest.json:{line_of(run, key, inner)}: "
    assert_refused(every_command(run, tmp_path), tmp_path, where, shown)


def test_a_manifest_without_digests_is_refused(run: Path, tmp_path: Path) -> None:
    rewrite_manifest(run, output_sha256=None)
    assert_refused(every_command(run, tmp_path), tmp_path, "output_sha256 is null")


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("providers", ["Pohjolan Terveyspalvelut Oy"], "providers is a list"),
        ("inputs", 3, "inputs is a number"),
    ],
)
def test_a_dataset_manifest_of_the_wrong_shape_is_refused(
    run: Path, tmp_path: Path, key: str, value: object, shown: str
) -> None:
    dataset = tmp_path / "dataset"
    assert invoke("combine", str(run), "-o", str(dataset)).exit_code == 0
    rewrite_manifest(dataset, **{key: value})
    out = tmp_path / "again"
    results = every_command(dataset, out)
    assert_refused(results, out, f"manifest.json:{line_of(dataset, key)}: {shown}")


def test_a_dataset_that_was_edited_is_refused_when_combined_again(
    run: Path, tmp_path: Path
) -> None:
    dataset = tmp_path / "dataset"
    assert invoke("combine", str(run), "-o", str(dataset)).exit_code == 0
    edit(dataset, lambda records: [promoted(r) for r in records])
    out = tmp_path / "national"
    assert_refused(every_command(dataset, out), out, "dataset/records.jsonl")
