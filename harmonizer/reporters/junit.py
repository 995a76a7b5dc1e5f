"""JUnit XML: a test suite per file, a test case per issue code of the catalogue.

Test names come from the catalogue, not from what was found, so CI systems can follow
each check across runs: ``harmonizer.<mapping>.<file>`` / ``unknown-label``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import PurePath
from typing import IO, Any

from harmonizer.issues import Issue, IssueCode
from harmonizer.reporters.base import (
    ReportSet,
    describe_value,
    file_of,
    files_of,
    fix_lines,
    location,
    message_of,
)
from harmonizer.reporters.texts import code_title
from harmonizer.run_report import Report

# Characters XML 1.0 cannot carry at all; a raw cell value may hold them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
LISTED_PER_CASE = 20


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _count(report: Report, path: str, code: IssueCode) -> int:
    """Return the issues of ``code`` in one file (exact: counted, not listed)."""
    for export in report.exports:
        if PurePath(export.info.path).as_posix() == path:
            return export.issue_counts.get(str(code), 0)
    if code.info.scope == "mapping" and path == PurePath(report.mapping_file or "").as_posix():
        return report.issue_counts.get(str(code), 0)
    # An export that could not be read has no summary: count its listed issues.
    return sum(1 for i in report.issues if i.code is code and file_of(report, i) == path)


def _lines(results: ReportSet, report: Report, issue: Issue) -> list[str]:
    lang = results.lang
    text = f"{location(issue, lang)}: {message_of(report, issue, lang)}"
    detail = describe_value(issue, lang, report)
    lines = [f"{text} ({detail})" if detail else text]
    lines += [f"    {label}: {fix}" for label, fix in fix_lines(results, report, issue)]
    return lines


def _codes(scope: str) -> list[IssueCode]:
    """Return the test cases of a suite: the catalogue's codes of its scope.

    An export's suite also has ``column-not-found``: ``validate`` reports a column
    missing from an export at the export's header.
    """
    return [
        c
        for c in IssueCode
        if c.info.scope == scope or (scope == "data" and c is IssueCode.COLUMN_NOT_FOUND)
    ]


class JunitReporter:
    """Writes JUnit XML for CI test dashboards."""

    name = "junit"
    binary = False

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the XML document; failures are issues at or above ``fail_on``."""
        root = ET.Element("testsuites", name=f"harmonizer {results.command}")
        total_tests = total_failures = 0
        for report in results.reports:
            for path in files_of(report):
                is_mapping = path == PurePath(report.mapping_file or "").as_posix()
                scope = "mapping" if is_mapping else "data"
                codes = _codes(scope)
                suite = ET.SubElement(root, "testsuite", name=path)
                failures = 0
                for code in codes:
                    case = ET.SubElement(
                        suite,
                        "testcase",
                        classname=f"harmonizer.{report.mapping_id}.{PurePath(path).name}",
                        name=str(code),
                    )
                    count = _count(report, path, code)
                    if not count:
                        continue
                    listed = [
                        i
                        for r, i in results.issues()
                        if r is report and i.code is code and file_of(report, i) == path
                    ][:LISTED_PER_CASE]
                    lines = [line for i in listed for line in _lines(results, report, i)]
                    if count > len(listed):
                        lines.append(f"... +{count - len(listed)}")
                    body = _xml("\n".join(lines))
                    summary = _xml(f"{code_title(code, results.lang)}: {count}")
                    if code.severity >= results.fail_on:
                        failure = ET.SubElement(case, "failure", message=summary, type=str(code))
                        failure.text = body
                        failures += 1
                    else:
                        ET.SubElement(case, "system-out").text = f"{summary}\n{body}"
                suite.set("tests", str(len(codes)))
                suite.set("failures", str(failures))
                suite.set("errors", "0")
                suite.set("skipped", "0")
                total_tests += len(codes)
                total_failures += failures
        root.set("tests", str(total_tests))
        root.set("failures", str(total_failures))
        root.set("errors", "0")
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode"))
        stream.write("\n")
