"""The report of a run: counts that reconcile, issue counts by code, and capped issues.

Statistics are collected in passing by :meth:`ReportBuilder.wrap`, never by a second
pass over the data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from harmonizer.engine.row import Outcome, Row, RowBatch
from harmonizer.fixes import FixHints
from harmonizer.io.readers import ExportInfo
from harmonizer.issues import Issue, IssueCode, Severity

DEFAULT_MAX_ISSUES = 1000
COUNT_KEYS = ("read", "accepted", "rejected", "excluded", "duplicates")


@dataclass
class Counts:
    """Source-row counts: read = accepted + rejected + excluded + duplicates.

    ``responses`` counts responses read: one per row of a wide export, one per pivoted
    response (or lone row) of a long one.
    """

    read: int = 0
    responses: int = 0
    accepted: int = 0
    rejected: int = 0
    excluded: int = 0
    duplicates: int = 0
    records: int = 0
    rejects: int = 0
    excluded_by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, row: Row) -> None:
        """Count one row's source rows under its outcome."""
        size = len(row.rows)
        self.read += size
        self.responses += 1
        outcome = row.outcome
        if outcome is Outcome.ACCEPTED:
            self.accepted += size
            self.records += 1
        elif outcome is Outcome.REJECTED:
            self.rejected += size
            self.rejects += 1
        elif outcome is Outcome.DUPLICATE:
            self.duplicates += size
            self.rejects += 1
        else:
            self.excluded += size
            self.excluded_by_reason[row.excluded or "excluded"] += size

    def add_accepted(self, count: int) -> None:
        """Count ``count`` accepted rows, each a response of its own (a RowBatch)."""
        self.read += count
        self.responses += count
        self.accepted += count
        self.records += count

    def merge(self, other: Counts) -> None:
        """Add another export's counts to these."""
        for key in (*COUNT_KEYS, "responses", "records", "rejects"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.excluded_by_reason.update(other.excluded_by_reason)

    @property
    def reconciles(self) -> bool:
        """Return True when every read row is accounted for exactly once."""
        return self.read == self.accepted + self.rejected + self.excluded + self.duplicates

    def to_dict(self) -> dict[str, Any]:
        """Return the counts as plain JSON values."""
        out: dict[str, Any] = {key: getattr(self, key) for key in COUNT_KEYS}
        out["responses"] = self.responses
        out["records"] = self.records
        out["rejects"] = self.rejects
        out["excluded_by_reason"] = dict(sorted(self.excluded_by_reason.items()))
        return out


@dataclass
class ExportSummary:
    """One export of a run: what the reader found, and its counts."""

    info: ExportInfo
    counts: Counts = field(default_factory=Counts)
    issue_counts: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain JSON values."""
        return {
            **self.info.to_dict(),
            "counts": self.counts.to_dict(),
            "issue_counts": dict(sorted(self.issue_counts.items())),
        }


@dataclass
class Report:
    """Everything a run found. Counts are never capped; the issue list is, per severity.

    ``issues`` keeps up to ``max_issues`` issues *of each severity*, so that notices can
    never crowd an error out of the list; :meth:`listed` returns them worst first.
    ``hints`` carries what the mapping says about the export (the survey's answers as
    written, the provider's contact) for the provider's fixes; it is not serialised.
    """

    mapping_id: str
    mapping_version: str | None
    schema_version: str | None
    max_issues: int = DEFAULT_MAX_ISSUES
    mapping_file: str | None = None
    rows_checked: int | None = None
    exports: list[ExportSummary] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    issue_counts: Counter[str] = field(default_factory=Counter)
    severity_counts: Counter[str] = field(default_factory=Counter)
    redactions: Counter[str] = field(default_factory=Counter)
    hints: FixHints = field(default_factory=FixHints, repr=False, compare=False)
    _listed: Counter[str] = field(default_factory=Counter, repr=False, compare=False)

    @property
    def counts(self) -> Counts:
        """Return the counts over every export."""
        total = Counts()
        for export in self.exports:
            total.merge(export.counts)
        return total

    @property
    def max_severity(self) -> Severity | None:
        """Return the worst severity seen, or None when there was no issue."""
        seen = [Severity.parse(name) for name, n in self.severity_counts.items() if n]
        return max(seen) if seen else None

    @property
    def issues_truncated(self) -> bool:
        """Return True when more issues were counted than listed."""
        return sum(self.issue_counts.values()) > len(self.issues)

    def add_issue(self, issue: Issue) -> None:
        """Count an issue, and keep it while its severity is under the cap."""
        severity = str(issue.severity)
        self.issue_counts[str(issue.code)] += 1
        self.severity_counts[severity] += 1
        if self._listed[severity] < self.max_issues:
            self._listed[severity] += 1
            self.issues.append(issue)

    def lists(self, severity: Severity) -> bool:
        """Return True while the issue list has room for another issue of ``severity``."""
        return self._listed[str(severity)] < self.max_issues

    def add_count(self, code: IssueCode, n: int = 1, severity: Severity | None = None) -> None:
        """Count ``n`` issues of ``code`` that are summarised, not listed one by one.

        The seam for issues nobody reads one by one (personal data replaced in a cell):
        they count in every total and exit code, as listed issues do.
        """
        self.issue_counts[str(code)] += n
        self.severity_counts[str(severity or code.severity)] += n

    def listed(self, *, show_info: bool = True) -> list[Issue]:
        """Return the listed issues worst first (errors, warnings, then info), in order.

        Without ``show_info``, info issues (nothing to do) are left to the counts.
        """
        chosen = [i for i in self.issues if show_info or i.severity > Severity.INFO]
        return sorted(chosen, key=lambda i: -i.severity)

    @property
    def redacted_cells(self) -> int:
        """Return how many cells had personal data replaced (counted, listed or not)."""
        return self.issue_counts.get(str(IssueCode.REDACTED), 0)

    def to_dict(self, *, show_info: bool = True) -> dict[str, Any]:
        """Return the report as plain JSON values, issues worst first."""
        listed = self.listed(show_info=show_info)
        document: dict[str, Any] = {
            "mapping": {
                "id": self.mapping_id,
                "version": self.mapping_version,
                "file": self.mapping_file,
            },
            "schema_version": self.schema_version,
            "exports": [e.to_dict() for e in self.exports],
            "counts": self.counts.to_dict(),
            "issue_counts": dict(sorted(self.issue_counts.items())),
            "severity_counts": dict(sorted(self.severity_counts.items())),
            "redactions": dict(sorted(self.redactions.items())),
            "issues": [i.to_dict() for i in listed],
            "issues_truncated": sum(self.issue_counts.values()) > len(listed),
        }
        if self.rows_checked is not None:
            # Only `harmonizer check --sample` reads rows without harmonising them.
            document["rows_checked"] = self.rows_checked
        return document


class ReportBuilder:
    """Observes rows as they stream past and fills a :class:`Report`."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def wrap(
        self, rows: Iterable[Row | RowBatch], export: ExportSummary
    ) -> Iterator[Row | RowBatch]:
        """Yield ``rows`` unchanged while counting them into ``export`` and the report."""
        report = self.report
        report.exports.append(export)
        counts = export.counts
        for row in rows:
            if isinstance(row, RowBatch):
                counts.add_accepted(len(row))
                self._note_batch(export, row)
            else:
                counts.add(row)
                self._note(export, row.issues, row.redactions)
            yield row

    def _note_batch(self, export: ExportSummary, batch: RowBatch) -> None:
        """Add a clean batch's notices and redactions to the report, as :meth:`_note` would.

        The notices are listed, moved to their rows, while the list has room for their
        severity; the rest are counted by issue, not moved (most are one `redacted`
        notice at thousands of rows).
        """
        report = self.report
        notices = batch.extras
        templates = notices.templates
        severities = {issue.severity for issue in templates}
        k = 0
        while k < len(notices) and any(report.lists(severity) for severity in severities):
            number = batch.numbers[notices.places[k]]
            for t in notices.issues[k]:
                issue = templates[t]
                if report.lists(issue.severity):
                    report.add_issue(issue.at_row(number))
                else:
                    report.add_count(issue.code, 1, issue.severity)
                export.issue_counts[str(issue.code)] += 1
            k += 1
        rest = Counter(chain.from_iterable(notices.issues[k:]))
        for t, n in rest.items():
            issue = templates[t]
            report.add_count(issue.code, n, issue.severity)
            export.issue_counts[str(issue.code)] += n
        replaced = Counter(notices.redactions)
        replaced.pop(-1, None)
        for kind, n in replaced.items():
            for name, count in notices.kinds[kind].items():
                report.redactions[name] += count * n

    def _note(
        self, export: ExportSummary, issues: Iterable[Issue], redactions: Mapping[str, int] | None
    ) -> None:
        """Add a row's issues and what the redactor replaced in it to the report."""
        report = self.report
        for issue in issues:
            report.add_issue(issue)
            export.issue_counts[str(issue.code)] += 1
        if redactions:
            report.redactions.update(redactions)
