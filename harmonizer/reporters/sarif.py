"""SARIF 2.1.0: results for code-scanning dashboards (GitHub code scanning and others)."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import IO, Any
from urllib.parse import quote

from harmonizer import __version__
from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.reporters.base import (
    ReportSet,
    describe_value,
    file_of,
    fix_lines,
    location,
    message_of,
)
from harmonizer.reporters.provider import author_fix, provider_fix
from harmonizer.reporters.texts import code_remedy
from harmonizer.run_report import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Results point into the checked-out repository: consumers (GitHub code scanning)
# resolve this base themselves, so the log never carries a path of the runner.
SRCROOT = "%SRCROOT%"


def artifact_uri(path: str) -> str:
    """Return ``path`` as a relative URI from the working folder (the repository root).

    >>> artifact_uri("examples/ä ö.csv")
    'examples/%C3%A4%20%C3%B6.csv'
    """
    candidate = Path(path)
    if candidate.is_absolute():
        candidate = Path(os.path.relpath(candidate.resolve(), Path.cwd().resolve()))
    return quote(PurePath(candidate).as_posix())


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": str(code),
            "name": "".join(part.title() for part in str(code).split("-")),
            "shortDescription": {"text": code.info.title},
            "fullDescription": {"text": f"{code.info.title}. Fix: {code_remedy(code, 'en')}."},
            "help": {"text": code_remedy(code, "en")},
            "defaultConfiguration": {"level": LEVELS[code.severity]},
            "properties": {"scope": code.info.scope},
        }
        for code in IssueCode
    ]


def _result(
    results: ReportSet, report: Report, issue: Issue, rule_index: dict[IssueCode, int]
) -> dict[str, Any]:
    # A region carries lines only; sheet and column go into the text people read.
    lang = results.lang
    text = f"{location(issue, lang)}: {message_of(report, issue, lang)}"
    detail = describe_value(issue, lang, report)
    if detail:
        text += f" ({detail})"
    for label, fix in fix_lines(results, report, issue):
        text += f"\n{label}: {fix}"
    provider = provider_fix(report, issue, lang)
    result: dict[str, Any] = {
        "ruleId": str(issue.code),
        "ruleIndex": rule_index[issue.code],
        "level": LEVELS[issue.severity],
        "message": {"text": text},
        "properties": {
            k: v
            for k, v in issue.to_dict().items()
            if k in ("sheet", "column", "column_letter", "field", "value") and v is not None
        }
        | {"fixMapping": author_fix(report, issue, lang)}
        | ({"fixExport": provider} if provider is not None else {}),
    }
    path = file_of(report, issue)
    if path is not None:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(path), "uriBaseId": SRCROOT}
        }
        if issue.row is not None and issue.row >= 1:
            physical["region"] = {"startLine": issue.row}
        result["locations"] = [{"physicalLocation": physical}]
    return result


def sarif_document(results: ReportSet) -> dict[str, Any]:
    """Return the SARIF log of ``results``: one run, every code as a rule."""
    rule_index = {code: index for index, code in enumerate(IssueCode)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "harmonizer",
                        "version": __version__,
                        "rules": _rules(),
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": results.exit_code,
                        "commandLine": f"harmonizer {results.command}",
                    }
                ],
                "results": [
                    _result(results, report, issue, rule_index)
                    for report, issue in results.issues()
                ],
                "properties": {
                    "command": results.command,
                    "issueCounts": dict(sorted(results.issue_counts.items())),
                    "issuesListed": results.listed,
                    "issuesCounted": results.total,
                },
            }
        ],
    }


class SarifReporter:
    """Writes a SARIF 2.1.0 log."""

    name = "sarif"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the SARIF log as indented JSON."""
        json.dump(sarif_document(results), stream, ensure_ascii=False, indent=2)
        stream.write("\n")
