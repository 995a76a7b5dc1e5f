"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from harmonizer.schema import load_schema
from tests.helpers import ROOT


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in an English locale: reports default to the locale's language."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def root() -> Path:
    """Return the repository root."""
    return ROOT


# Records and run folders for the dataset, figures and report tests (issue 4).
RECORD_MEASURES = load_schema().measures


class RecordFactory:
    """Builds schema-valid national records; unspecified measures are 'not_asked'."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, record_id: str | None = None, **fields: object) -> dict[str, object]:
        import uuid

        self.count += 1
        missing = dict(fields.pop("missing", {}))  # type: ignore[call-overload]
        values = {m: fields.pop(m, None) for m in RECORD_MEASURES}
        for measure, value in values.items():
            if value is None:
                missing.setdefault(measure, "not_asked")
            else:
                missing.pop(measure, None)
        nps = values["nps"]
        record: dict[str, object] = {
            "schema_version": "1.0",
            "record_id": record_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-{self.count}")),
            "county": "08",
            "provider_id": "2345671-3",
            "unit_id": None,
            "unit_name": "Testiyksikkö",
            "service_area": "primary_care",
            "channel": "web",
            "responded_at": "2026-03-15",
            "period": "2026-03",
            "language": "fi",
            "respondent": "customer",
            "age_group": None,
            "gender": None,
            **values,
            "nps_group": None
            if nps is None
            else ("promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"),
            "adapted": [],
            "missing": missing,
            "open_feedback": None,
            "own_items": {},
            "source": {
                "system": "test",
                "file": "test.csv",
                "sheet": None,
                "sha256": "0" * 64,
                "row": self.count + 1,
                "response_id": None,
                "mapping_id": "test-mapping",
                "mapping_version": "1",
            },
        }
        record.update(fields)
        return record


@pytest.fixture
def make_record() -> RecordFactory:
    return RecordFactory()


def write_run(
    folder: Path,
    records: list[dict[str, object]],
    *,
    run_at: str = "2026-04-01T10:00:00+00:00",
    schema_version: str = "1.0",
    mapping_id: str = "test-mapping",
    provider: str = "Testin Terveys Oy",
) -> Path:
    """Write a run folder as `harmonizer run` does: manifest.json and records.jsonl.

    The manifest lists the records file's sha256 and record count, as a run's does.
    """
    import hashlib
    import json

    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    (folder / "records.jsonl").write_bytes(text.encode("utf-8"))
    manifest = {
        "run_at": run_at,
        "schema_version": schema_version,
        "mapping": {"id": mapping_id, "version": "1", "provider": provider},
        "counts": {"records": len(records)},
        "output_sha256": {"records.jsonl": hashlib.sha256(text.encode("utf-8")).hexdigest()},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def run_folder() -> object:
    return write_run
