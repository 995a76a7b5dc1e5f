"""The JSON report: a document described by ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import IO, Any

from harmonizer import __version__
from harmonizer.issues import IssueCode
from harmonizer.reporters.base import ReportSet
from harmonizer.reporters.model import REPORT_FORMAT_VERSION
from harmonizer.reporters.texts import code_remedy


def report_document(results: ReportSet) -> dict[str, Any]:
    """Return the JSON report as plain values; each report is ``Report.to_dict()``."""
    counts = results.issue_counts
    return {
        "report_format": REPORT_FORMAT_VERSION,
        "tool": {"name": "harmonizer", "version": __version__},
        "command": results.command,
        "fail_on": str(results.fail_on),
        "exit_code": results.exit_code,
        "reports": [r.to_dict() for r in results.reports],
        "issue_counts": dict(sorted(counts.items())),
        "severity_counts": dict(sorted(results.severity_counts.items())),
        "codes": {
            code: {
                "title": IssueCode(code).info.title,
                "severity": str(IssueCode(code).severity),
                "remedy": code_remedy(IssueCode(code), "en"),
                "scope": IssueCode(code).info.scope,
            }
            for code in sorted(counts)
        },
    }


class JsonReporter:
    """Writes the machine-readable report (UTF-8 JSON, one document)."""

    name = "json"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the document, indented, with a final newline."""
        json.dump(report_document(results), stream, ensure_ascii=False, indent=2)
        stream.write("\n")
