"""The manifest of a run: provenance, counts that reconcile, issue counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from harmonizer import __version__
from harmonizer.mapping.load import LoadedMapping
from harmonizer.redaction import redact_text
from harmonizer.run_report import Report

OpenText = Literal["redact", "drop"]
"""What a run does with open text: redact it, or leave it out."""


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
            "file": redact_text(loaded.path.name),
            "sha256": loaded.sha256,
            "provider": loaded.model.provider.name,
        },
        "options": {"open_text": open_text},
        # The unit lists and other lookups the records were built with: a file's name and
        # digest (given with --lookup or beside the mapping), or rows in the mapping.
        "lookups": {
            name: {
                "file": table.path.name if table.path is not None else None,
                "sha256": table.sha256,
                "rows": len(table.rows),
            }
            for name, table in sorted(loaded.lookups.items())
        },
        # What each own item is (touchpoint, scale, labels), so figures can be computed
        # from the dataset alone.
        "item_catalogue": {
            name: item.describe_item() for name, item in loaded.model.own_items.items()
        },
        **{k: v for k, v in document.items() if k not in {"mapping", "schema_version"}},
        "outputs": sorted(p.name for p in outputs),
    }
