"""Regenerate the committed generated files, or check they have not drifted.

    python tools/generate.py          # write them
    python tools/generate.py --check  # exit 1 and name the stale files (CI)

Generated files: schemas/mapping.schema.json (from the pydantic mapping model),
schemas/report.schema.json (from the pydantic model of the JSON report) and
docs/issues.md (from the issue catalogue and the real text reports of the cases in
tests/issue_cases.py; see tools/issues_doc.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def mapping_schema() -> str:
    from harmonizer.mapping.model import mapping_json_schema

    return json.dumps(mapping_json_schema(), ensure_ascii=False, indent=2) + "\n"


def report_schema() -> str:
    from harmonizer.reporters.model import ReportDocument

    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:harmonizer:schema:report:1",
        **ReportDocument.model_json_schema(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def issues_doc() -> str:
    from tools.issues_doc import render

    return render()


GENERATED: dict[str, Callable[[], str]] = {
    "schemas/mapping.schema.json": mapping_schema,
    "schemas/report.schema.json": report_schema,
    "docs/issues.md": issues_doc,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args()
    stale = []
    for name, produce in GENERATED.items():
        path = ROOT / name
        text = produce()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {name}")
    if stale:
        print("stale generated files (run: python tools/generate.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
