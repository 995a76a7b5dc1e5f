"""Reporters: the report of ``check`` and ``validate`` in every output format.

``REPORTERS_BY_NAME`` maps a ``--format`` name to its :class:`Reporter`. Each reporter
writes a :class:`ReportSet` to a stream its caller owns; none opens files itself.
"""

from __future__ import annotations

from typing import IO, Any

from harmonizer.reporters.base import EXIT_ERRORS, EXIT_OK, Reporter, ReportSet
from harmonizer.reporters.github import GithubReporter
from harmonizer.reporters.json_ import JsonReporter
from harmonizer.reporters.junit import JunitReporter
from harmonizer.reporters.sarif import SarifReporter
from harmonizer.reporters.text import TextReporter


class XlsxReporter:
    """The submitter's workbook (:mod:`harmonizer.reporters.xlsx_`), imported when used.

    openpyxl takes a tenth of a second to import: every command that writes no workbook
    (``check`` in CI, above all) is spared it.
    """

    name = "xlsx"
    binary = True

    def write(self, results: ReportSet, stream: IO[Any]) -> None:
        """Write the summary sheet and the issues sheet."""
        from harmonizer.reporters import xlsx_

        xlsx_.XlsxReporter().write(results, stream)


REPORTERS_BY_NAME: dict[str, Reporter] = {
    reporter.name: reporter
    for reporter in (
        TextReporter(),
        JsonReporter(),
        JunitReporter(),
        GithubReporter(),
        SarifReporter(),
        XlsxReporter(),
    )
}

__all__ = ["EXIT_ERRORS", "EXIT_OK", "REPORTERS_BY_NAME", "ReportSet", "Reporter"]
