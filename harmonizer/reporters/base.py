"""What every reporter renders: the reports of one command, and the exit code rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any, Protocol

from harmonizer.errors import SchemaLoadError
from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.redaction import redact_text
from harmonizer.reporters.provider import (
    author_fix,
    fixes,
    in_mapping_file,
    place,
    problem,
    quoted,
)
from harmonizer.reporters.texts import word
from harmonizer.run_report import Report
from harmonizer.schema import load_schema

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_CANNOT_RUN = 2


@dataclass(frozen=True)
class ReportSet:
    """The reports of one ``check`` or ``validate`` command, and how to judge them.

    ``check`` gives one report per mapping file; ``validate`` gives one report. Issues
    are listed worst first, up to each report's ``max_issues`` per severity, so a notice
    never hides an error; the counts are always complete. Info issues (nothing to do,
    such as personal data replaced) are only counted unless ``show_info``. ``audience``
    says whose fix comes first: the ``provider``'s (cells to change) or the mapping's
    ``author``'s (YAML to edit).
    """

    command: str
    reports: tuple[Report, ...]
    fail_on: Severity = Severity.ERROR
    lang: str = "en"
    show_info: bool = False
    audience: str = "author"

    def issues(self) -> Iterator[tuple[Report, Issue]]:
        """Yield every listed issue with its report: errors, then warnings, then info."""
        listed = [
            (report, issue)
            for report in self.reports
            for issue in report.listed(show_info=self.show_info)
        ]
        listed.sort(key=lambda pair: -pair[1].severity)
        yield from listed

    @property
    def hidden_info(self) -> int:
        """Return how many info issues are counted but not listed (without show_info)."""
        if self.show_info:
            return 0
        return self.severity_counts.get("info", 0)

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
        return sum(len(r.listed(show_info=self.show_info)) for r in self.reports)

    @property
    def capped(self) -> bool:
        """Return True when --max-issues left issues out (beyond the unlisted info)."""
        return self.listed + self.hidden_info < self.total

    @property
    def redacted_cells(self) -> int:
        """Return in how many cells personal data was replaced, over every report."""
        return sum(r.redacted_cells for r in self.reports)

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
    def recipient_fixes(self) -> bool:
        """Return True when the errors found are all the recipient's to fix, not the cells'.

        A workbook then tells the provider that there is nothing to correct or resend.
        """
        errors = [
            IssueCode(code)
            for r in self.reports
            for code, n in r.issue_counts.items()
            if n and IssueCode(code).severity is Severity.ERROR
        ]
        return bool(errors) and not any(
            code.info.provider_acts and code.info.provider is not None for code in errors
        )

    @property
    def broken_mapping(self) -> bool:
        """Return True when ``check`` found an error in a mapping file: nothing can run.

        ``validate`` runs only with a mapping that loads; what it finds (a column
        missing from an export included) is about the exports, and exits 1.
        """
        return self.command == "check" and any(
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
    from. Mapping issues carry the mapping file's path already. Redacted as the file
    names are: a path that holds an identity code loses its link rather than leaks it.
    """
    if issue.export is None:
        return None
    for export in report.exports:
        if export.info.name == issue.export:
            return _shown(export.info.path)
    return _shown(issue.export)


def _shown(path: str | PurePath) -> str:
    return redact_text(PurePath(path).as_posix()) or ""


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
        path = _shown(export.info.path)
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


def location(issue: Issue, lang: str = "en") -> str:
    """Return where an issue is: 'mappings/x.yaml:12' in a mapping, else its cell."""
    return place(issue, lang)


def remedy_for(report: Report, issue: Issue, lang: str) -> str:
    """Return the mapping author's fix of one issue in ``lang``, naming rule and file."""
    return author_fix(report, issue, lang)


def fix_lines(results: ReportSet, report: Report, issue: Issue) -> list[tuple[str, str]]:
    """Return the fixes to print after an issue as (label, text), the audience's first."""
    return fixes(report, issue, results.lang, results.audience)


def message_of(report: Report, issue: Issue, lang: str) -> str:
    """Return what is wrong in ``lang``: the English message, else the code's title.

    A data issue's message ends with the mapping author's fix; it is cut off here, as
    the reports give both fixes on their own labelled lines.
    """
    if lang != "en":
        return problem(report, issue, lang)
    suffix = "; " + author_fix(report, issue, "en")
    return issue.message.removesuffix(suffix)


def details_of(issue: Issue, lang: str) -> str | None:
    """Return the English detail to add in fi and sv when it says more than the title.

    Mapping problems and unreadable exports carry specifics (the key, the reader's
    finding) that only the English message holds.
    """
    if lang == "en":
        return None
    if in_mapping_file(issue) or issue.code in _DETAILED:
        return issue.message
    return None


_DETAILED = frozenset({IssueCode.UNREADABLE_EXPORT, IssueCode.SCHEMA_VIOLATION})


def describe_value(issue: Issue, lang: str = "en", report: Report | None = None) -> str | None:
    """Return 'field ease, value 'x'' for an issue, or None when it has neither.

    In fi and sv the national field is named by its label in the schema, as the
    submitter's survey asks it: 'kenttä ”Asiointi oli sujuvaa ja helppoa” (ease)'.
    """
    parts = []
    if issue.field:
        parts.append(f"{word('at_field', lang)} {_field_name(issue.field, lang, report)}")
    if issue.value is not None:
        value = repr(issue.value) if lang == "en" else quoted(issue.value, lang)
        parts.append(f"{word('at_value', lang)} {value}")
    return ", ".join(parts) or None


def _field_name(field: str, lang: str, report: Report | None) -> str:
    if lang == "en" or report is None or report.schema_version is None:
        return field
    try:
        schema = load_schema(report.schema_version)
    except SchemaLoadError:
        return field
    if field not in schema.properties:
        return field
    return f"{quoted(schema.label(field, lang), lang)} ({field})"


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


def severity_counts_text(counts: Counter[str], lang: str = "en") -> str:
    """Return '2 errors, 1 warning, 0 info' for severity counts."""
    errors, warnings, infos = (counts.get(s, 0) for s in ("error", "warning", "info"))
    if lang != "en":
        return word("severity_summary", lang).format(errors=errors, warnings=warnings, infos=infos)
    return (
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}, {infos} info"
    )


def number(n: int, lang: str) -> str:
    r"""Return a count as its readers write it: 2,857 in English, 2 857 in fi and sv.

    >>> number(2857, "en"), number(2857, "fi")
    ('2,857', '2\xa0857')
    """
    text = f"{n:,}"
    return text if lang == "en" else text.replace(",", "\u00a0")


def issues_text(total: int, lang: str) -> str:
    """Return '1 issue' or 'N issues' in ``lang``."""
    if total == 1:
        return word("issue_count", lang)
    return word("issues_count", lang).format(n=number(total, lang))


def code_counts_text(counts: Counter[str]) -> str:
    """Return 'unknown-label 2, ragged-row 1', most frequent first."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{code} {n}" for code, n in ordered if n)
