"""What every reporter renders: the reports of one command, and the exit code rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any, Protocol

from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.reporters.texts import code_remedy
from harmonizer.run_report import Report

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_CANNOT_RUN = 2


@dataclass(frozen=True)
class ReportSet:
    """The reports of one ``check`` or ``validate`` command, and how to judge them.

    ``check`` gives one report per mapping file; ``validate`` gives one report. Issues
    are listed up to each report's ``max_issues``; the counts are always complete.
    """

    command: str
    reports: tuple[Report, ...]
    fail_on: Severity = Severity.ERROR
    lang: str = "en"

    def issues(self) -> Iterator[tuple[Report, Issue]]:
        """Yield every listed issue with the report it belongs to."""
        for report in self.reports:
            for issue in report.issues:
                yield report, issue

    @property
    def issue_counts(self) -> Counter[str]:
        """Return the number of issues by code over every report (never capped)."""
        total: Counter[str] = Counter()
        for report in self.reports:
            total.update(report.issue_counts)
        return total

    @property
    def severity_counts(self) -> Counter[str]:
        """Return the number of issues by severity over every report (never capped)."""
        total: Counter[str] = Counter()
        for report in self.reports:
            total.update(report.severity_counts)
        return total

    @property
    def listed(self) -> int:
        """Return how many issues the reports list."""
        return sum(len(r.issues) for r in self.reports)

    @property
    def total(self) -> int:
        """Return how many issues were counted."""
        return sum(self.issue_counts.values())

    @property
    def failed(self) -> bool:
        """Return True when an issue is at least as severe as ``fail_on``."""
        return any(
            r.max_severity is not None and r.max_severity >= self.fail_on for r in self.reports
        )

    @property
    def broken_mapping(self) -> bool:
        """Return True when a mapping file has an error: no export could be harmonised."""
        return any(
            n
            and IssueCode(code).info.scope == "mapping"
            and IssueCode(code).severity is Severity.ERROR
            for code, n in self.issue_counts.items()
        )

    @property
    def exit_code(self) -> int:
        """Return 2 (unreadable YAML), 1 (an issue reached ``fail_on``) or 0.

        A mapping with problems is a finding (1); exit 2 means the command could not run at all; a mapping with problems is a
        finding, as a failed check is for check-jsonschema and frictionless.
        """
        if any(r.issue_counts.get("mapping-yaml") for r in self.reports):
            # Not YAML at all, or too complex to read safely: nothing could be checked.
            return EXIT_CANNOT_RUN
        return EXIT_ERRORS if self.failed else EXIT_OK

    def fails(self, issue: Issue) -> bool:
        """Return True when this issue alone would fail the command."""
        return issue.severity >= self.fail_on


def file_of(report: Report, issue: Issue) -> str | None:
    """Return the path of the file an issue points into, as the user gave it.

    Data issues name their export by file name; the report knows the path it was read
    from. Mapping issues carry the mapping file's path already.
    """
    if issue.export is None:
        return None
    for export in report.exports:
        if export.info.name == issue.export:
            return PurePath(export.info.path).as_posix()
    return PurePath(issue.export).as_posix()


def files_of(report: Report) -> list[str]:
    """Return every file a report covers: the mapping (for check) and the exports."""
    files: list[str] = []
    if report.mapping_file is not None and report.rows_checked is not None:
        files.append(PurePath(report.mapping_file).as_posix())
    for issue in report.issues:
        path = file_of(report, issue)
        if path is not None and path not in files:
            files.append(path)
    for export in report.exports:
        path = PurePath(export.info.path).as_posix()
        if path not in files:
            files.append(path)
    return files


def relative(path: str) -> str:
    """Return ``path`` relative to the working folder when it lies inside it.

    CI annotations and SARIF results are matched against repository paths.
    """
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix()


def location(issue: Issue) -> str:
    """Return where an issue is: 'mappings/x.yaml:12' in a mapping, else Issue.location()."""
    if issue.code.info.scope == "mapping" and issue.export is not None:
        return f"{issue.export}:{issue.row}" if issue.row is not None else issue.export
    return issue.location() or "(no location)"


def remedy_for(report: Report, issue: Issue, lang: str) -> str:
    """Return how to fix one issue in ``lang``, naming its rule and mapping file."""
    field = issue.field
    if field is None or issue.code.info.scope == "mapping":
        rule = "the field's rule"
    elif field.startswith("own_items."):
        rule = field
    else:
        rule = f"fields.{field.split('.')[0]}"
    mapping = PurePath(report.mapping_file).name if report.mapping_file else "the mapping"
    return code_remedy(issue.code, lang, rule=rule, mapping=mapping)


def fix_line(report: Report, issue: Issue, lang: str) -> str | None:
    """Return the remedy to print after an issue, or None when its message ends with it."""
    text = remedy_for(report, issue, lang)
    return None if text in issue.message else text


def describe_value(issue: Issue) -> str | None:
    """Return 'field ease, value 'x'' for an issue, or None when it has neither."""
    parts = []
    if issue.field:
        parts.append(f"field {issue.field}")
    if issue.value is not None:
        parts.append(f"value {issue.value!r}")
    return ", ".join(parts) or None


class Reporter(Protocol):
    """Renders a :class:`ReportSet` to a stream the caller owns and closes.

    ``binary`` reporters (xlsx) need a binary stream opened on a file; the others
    write text, usually to stdout.
    """

    name: str
    binary: bool

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the report of ``results`` to ``stream``."""
        ...


def severity_counts_text(counts: Counter[str]) -> str:
    """Return '2 errors, 1 warning, 0 info' for severity counts."""
    errors, warnings, infos = (counts.get(s, 0) for s in ("error", "warning", "info"))
    return (
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}, {infos} info"
    )


def code_counts_text(counts: Counter[str]) -> str:
    """Return 'unknown-label 2, ragged-row 1', most frequent first."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{code} {n}" for code, n in ordered if n)
