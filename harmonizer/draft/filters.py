"""Filters a draft proposes: staff test responses and totals rows."""

from __future__ import annotations

import re

from harmonizer.draft.model import Plan, column_ref
from harmonizer.draft.profile import ColumnProfile, ExportProfile, cell_text
from harmonizer.draft.vocabulary import load_vocabulary, phrase, words


def _is_marker(value: str, key: str) -> bool:
    markers = {phrase(m) for m in load_vocabulary()[key]}
    first = words(value)
    return phrase(value) in markers or bool(first and first[0] in markers)


def _drop_rows(profile: ExportProfile, rows: list[int]) -> None:
    """Take rows that a filter excludes out of the columns' value counts."""
    for source in profile.tail:
        if source.row not in rows:
            continue
        for index, value in enumerate(source.values):
            column = profile.column(index)
            if column is None or value is None:
                continue
            text = cell_text(value)
            if column.stats.counts.get(text):
                column.stats.counts[text] -= 1
                if not column.stats.counts[text]:
                    del column.stats.counts[text]
                column.stats.filled -= 1
                column.stats.refresh()


def add_filters(plan: Plan, unit_column: ColumnProfile | None) -> None:
    """Propose filters for totals rows at the end and staff test responses.

    The rows they exclude are taken out of the value counts, so that a totals row's
    sums are not proposed as answers.
    """
    profile = plan.profile
    totals: list[int] = []
    for source in profile.tail:
        for index, value in enumerate(source.values):
            if isinstance(value, str) and _is_marker(value, "totals_markers"):
                column = profile.column(index)
                if column is None:
                    continue
                if not any(
                    f.get("column") == column.header and "matches" in f for f, _ in plan.filters
                ):
                    pattern = "|".join(sorted({re.escape(value.split()[0])}))
                    plan.filters.append(
                        (
                            {
                                **column_ref(column),
                                "matches": f"^({pattern})",
                                "reason": "totals row",
                            },
                            f"row {source.row} is a totals row ('{value}' in {column.name}); high confidence",
                        )
                    )
                totals.append(source.row)
                break
    _drop_rows(profile, totals)
    candidates = [unit_column] if unit_column is not None else []
    candidates += [c for c in profile.columns if c is not unit_column]
    for column in candidates:
        stats = column.stats
        free_text = stats.share(stats.multiword) >= 0.5 and stats.distinct_share >= 0.3
        if column is not unit_column and (free_text or len(stats.counts) > 100):
            continue  # free text may say "testi" without being a test response
        tests = sorted(v for v in column.stats.counts if _is_marker(v, "test_markers"))
        if tests and len(tests) < len(column.stats.counts):
            rows = sum(column.stats.counts[v] for v in tests)
            plan.filters.append(
                (
                    {**column_ref(column), "equals": tests, "reason": "staff test response"},
                    f"{rows} row(s) with {', '.join(tests)} in {column.name}; high confidence",
                )
            )
            for value in tests:
                column.stats.filled -= column.stats.counts.pop(value)
            column.stats.refresh()
            break
