"""Helpers that write real exports and mappings, and read a run's outputs back.

Exports are written as real files (csv in the providers' encodings, xlsx with openpyxl)
in ``tmp_path``; nothing is mocked.
"""

from __future__ import annotations

import csv
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent

# A valid synthetic business ID (check digit verified) for fixtures.
PROVIDER_ID = "2345671-3"
UNIT_OID = "1.2.246.10.23456713.10.1"

# The smallest wide export most tests start from, and its rules.
HEADER = ["Aika", "Yksikkö", "Suosittelu", "Helppous"]
FIELDS = """\
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
  ease: Helppous
"""

BASE_MAPPING = f"""\
mapping: fixture
version: "1"
schema_version: "1.0"
provider: {{name: Fixture Oy, system: fixture}}
constants:
  county: "19"
  provider_id: "{PROVIDER_ID}"
  channel: web
  language: fi
  respondent: customer
  service_area: primary_care
"""


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> Path:
    """Write rows as a csv export in the given encoding."""
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    merge: Sequence[str] = (),
) -> Path:
    """Write rows as an xlsx export with openpyxl, optionally merging cell ranges."""
    book = Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    for cells in merge:
        worksheet.merge_cells(cells)
    book.save(path)
    return path


def write_mapping(path: Path, body: str, *, base: str = BASE_MAPPING) -> Path:
    """Write a mapping file: the base mapping followed by ``body`` (dedented YAML)."""
    path.write_text(base + textwrap.dedent(body), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return every JSON object of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def run_export(
    tmp_path: Path,
    rows: Sequence[Sequence[Any]],
    mapping_body: str,
    *,
    suffix: str = ".csv",
    base: str = BASE_MAPPING,
    **writer_options: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    """Write an export and a mapping, harmonise them, return (records, rejects, report)."""
    from harmonizer import harmonize

    tmp_path.mkdir(parents=True, exist_ok=True)
    export = tmp_path / f"export{suffix}"
    if suffix == ".xlsx":
        write_xlsx(export, rows, **writer_options)
    else:
        write_csv(export, rows, **writer_options)
    mapping = write_mapping(tmp_path / "mapping.yaml", mapping_body, base=base)
    out = tmp_path / "out"
    result = harmonize(mapping, [export], out)
    assert result.report.counts.reconciles
    return read_jsonl(out / "records.jsonl"), read_jsonl(out / "rejects.jsonl"), result.report


def issue_codes(rejects: list[dict[str, Any]]) -> list[str]:
    """Return the issue codes of rejects, in order."""
    return [issue["code"] for reject in rejects for issue in reject["issues"]]
