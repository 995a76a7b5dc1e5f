"""The JSON report: a document described by ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import IO, Any

from harmonizer import __version__
from harmonizer.issues import IssueCode
from harmonizer.reporters.base import ReportSet
from harmonizer.reporters.model import REPORT_FORMAT_VERSION
from harmonizer.reporters.provider import author_fix, provider_fix
from harmonizer.reporters.texts import code_provider_fix, code_remedy, code_title
from harmonizer.run_report import Report


def _report(results: ReportSet, report: Report) -> dict[str, Any]:
    """Return ``Report.to_dict()`` with both fixes of every listed issue, errors first."""
    document = report.to_dict(show_info=results.show_info)
    lang = results.lang
    document["issues"] = [
        {
            **issue.to_dict(),
            "fix_export": provider_fix(report, issue, lang),
            "fix_mapping": author_fix(report, issue, lang),
        }
        for issue in report.listed(show_info=results.show_info)
    ]
    return document


def report_document(results: ReportSet) -> dict[str, Any]:
    """Return the JSON report as plain values; each report is ``Report.to_dict()``."""
    counts = results.issue_counts
    lang = results.lang
    return {
        "report_format": REPORT_FORMAT_VERSION,
        "tool": {"name": "harmonizer", "version": __version__},
        "command": results.command,
        "fail_on": str(results.fail_on),
        "exit_code": results.exit_code,
        "lang": lang,
        "reports": [_report(results, r) for r in results.reports],
        "issue_counts": dict(sorted(counts.items())),
        "severity_counts": dict(sorted(results.severity_counts.items())),
        "codes": {
            code: {
                "title": code_title(IssueCode(code), lang),
                "severity": str(IssueCode(code).severity),
                "remedy": code_remedy(IssueCode(code), lang),
                "provider_fix": code_provider_fix(IssueCode(code), lang),
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
