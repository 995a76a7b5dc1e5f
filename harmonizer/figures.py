"""Comparable figures: per-group NPS and statement figures, computed in one streaming pass.

Each group keeps only counters (11 NPS points, 5 scale points and 4 missing reasons per
item), so memory grows with the number of groups, never with the number of records.
The methods (which confidence intervals, and why) are documented in docs/figures.md.

Comparability: a statement listed in a record's ``adapted`` was mapped from a
non-national scale; it is tallied apart and never enters the national figures.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harmonizer.errors import DatasetError
from harmonizer.schema import RecordSchema

DEFAULT_MIN_N = 5
CONFIDENCE = 0.95
MISSING_REASONS = ("dont_know", "not_applicable", "no_answer", "not_asked")
# Group keys: record fields, plus the period at three grains.
GROUP_FIELDS = (
    "county",
    "provider_id",
    "unit_id",
    "service_area",
    "channel",
    "touchpoint",
    "production",
    "respondent",
    "language",
    "age_group",
    "gender",
    "period",
    "month",
    "quarter",
    "year",
)
PERIOD_GRAINS = ("month", "quarter", "year")

Key = tuple[str | None, ...]


def _period(record: Mapping[str, Any]) -> str | None:
    value = record.get("period")
    return value if isinstance(value, str) else None


def _quarter(record: Mapping[str, Any]) -> str | None:
    period = _period(record)
    if period is None:
        return None
    year, month = period.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def _year(record: Mapping[str, Any]) -> str | None:
    period = _period(record)
    return period[:4] if period else None


def key_getter(name: str) -> Callable[[Mapping[str, Any]], str | None]:
    """Return the function that reads grouping field ``name`` (or a period grain) of a record."""
    if name in {"period", "month"}:
        return _period
    if name == "quarter":
        return _quarter
    if name == "year":
        return _year

    def get(record: Mapping[str, Any]) -> str | None:
        value = record.get(name)
        return None if value is None else str(value)

    return get


def parse_by(value: str | Sequence[str]) -> tuple[str, ...]:
    """Return the grouping fields from ``"county,quarter"`` or a sequence, checked.

    Raises:
        DatasetError: a name is not a groupable field.

    >>> parse_by("county, quarter")
    ('county', 'quarter')
    """
    names = value.split(",") if isinstance(value, str) else list(value)
    by = tuple(n.strip() for n in names if n.strip())
    unknown = [n for n in by if n not in GROUP_FIELDS]
    if unknown:
        raise DatasetError(
            f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUP_FIELDS)}"
        )
    return by


@functools.cache
def t_quantile(df: int) -> float:
    """Return the two-sided 95% quantile of Student's t with ``df`` degrees of freedom.

    >>> round(t_quantile(4), 3)
    2.776
    """
    from scipy.stats import t

    return float(t.ppf(0.5 + CONFIDENCE / 2, df))


def z_quantile() -> float:
    """Return the two-sided 95% normal quantile (1.96)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)


def nps_interval(promoters: int, passives: int, detractors: int) -> tuple[float, float]:
    """Return the 95% adjusted-Wald interval of NPS (Rocks 2016), on the -100..100 scale.

    Three pseudo-answers are added: 3/4 promoter, 3/4 detractor, 3/2 passive.

    >>> [round(x, 1) for x in nps_interval(3, 1, 1)]
    [-29.8, 79.8]
    """
    n = promoters + passives + detractors + 3
    p = (promoters + 0.75) / n
    d = (detractors + 0.75) / n
    centre = p - d
    half = z_quantile() * math.sqrt((p + d - centre**2) / n)
    return max(-1.0, centre - half) * 100, min(1.0, centre + half) * 100


def mean_interval(counts: Sequence[int], first: int = 1) -> tuple[float, float, float]:
    """Return mean, lower and upper 95% t-interval bound of answers counted in ``counts``.

    ``counts[i]`` counts the answers ``first + i``. The interval is clipped to the scale
    (1..5 for a statement), as NPS is clipped to -100..100: a mean cannot leave it.

    >>> [round(x, 3) for x in mean_interval([0, 0, 1, 2, 2])]
    [4.2, 3.161, 5.0]
    >>> [round(x, 3) for x in mean_interval([1, 1], first=4)]
    [4.5, 4.0, 5.0]
    """
    n = sum(counts)
    mean = sum(point * c for point, c in enumerate(counts, start=first)) / n
    if n < 2:
        return mean, math.nan, math.nan
    variance = sum(c * (point - mean) ** 2 for point, c in enumerate(counts, start=first)) / (n - 1)
    half = t_quantile(n - 1) * math.sqrt(variance / n)
    return mean, max(float(first), mean - half), min(float(first + len(counts) - 1), mean + half)


@dataclass(slots=True)
class Tally:
    """Answers to one item in one group: counts per scale point and per missing reason."""

    points: list[int]
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MISSING_REASONS, 0))

    @property
    def n(self) -> int:
        """Return the number of valid answers (scale points only)."""
        return sum(self.points)

    @property
    def asked(self) -> int:
        """Return how many records had the item on their form."""
        return self.n + sum(v for k, v in self.missing.items() if k != "not_asked")


class GroupTally:
    """The counters of one group; :meth:`add` takes one record."""

    __slots__ = ("adapted", "names", "national", "nps", "responses", "statements")

    def __init__(self, statements: Sequence[str]) -> None:
        self.statements = tuple(statements)
        self.responses = 0
        self.nps = Tally([0] * 11)
        self.national = {s: Tally([0] * 5) for s in statements}
        self.adapted = {s: Tally([0] * 5) for s in statements}
        self.names: dict[str, str] = {}

    def add(self, record: Mapping[str, Any]) -> None:
        """Count one record."""
        self.responses += 1
        missing = record.get("missing") or {}
        adapted = record.get("adapted") or ()
        value = record.get("nps")
        if isinstance(value, int) and 0 <= value <= 10:
            self.nps.points[value] += 1
        else:
            self.nps.missing[missing.get("nps", "no_answer")] += 1
        for item in self.statements:
            tally = self.adapted[item] if item in adapted else self.national[item]
            value = record.get(item)
            if isinstance(value, int) and 1 <= value <= 5:
                tally.points[value - 1] += 1
            else:
                reason = missing.get(item, "no_answer")
                # An adapted item was asked, just not on the national scale.
                tally.missing[reason if reason in tally.missing else "no_answer"] += 1


@dataclass(frozen=True)
class NpsFigure:
    """NPS of one group. Counts and scores are None when suppressed or unanswered."""

    n: int
    asked: int
    coverage: float | None
    missing: Mapping[str, int]
    suppressed: bool
    promoters: int | None
    passives: int | None
    detractors: int | None
    nps: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as plain JSON values."""
        return {
            "item": "nps",
            "n": self.n,
            "asked": self.asked,
            "coverage": self.coverage,
            "missing": dict(self.missing),
            "suppressed": self.suppressed,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "nps": self.nps,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


@dataclass(frozen=True)
class StatementFigure:
    """One statement in one group; ``comparable`` is False for adapted answers."""

    item: str
    comparable: bool
    n: int
    asked: int
    coverage: float | None
    missing: Mapping[str, int]
    suppressed: bool
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    top_two_box: float | None
    distribution: tuple[int, ...] | None

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as plain JSON values."""
        return {
            "item": self.item,
            "comparable": self.comparable,
            "n": self.n,
            "asked": self.asked,
            "coverage": self.coverage,
            "missing": dict(self.missing),
            "suppressed": self.suppressed,
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "top_two_box": self.top_two_box,
            "distribution": list(self.distribution) if self.distribution is not None else None,
        }


def _nps_figure(tally: Tally, responses: int, min_n: int) -> NpsFigure:
    n = tally.n
    coverage = tally.asked / responses if responses else None
    # An item nobody answered (n = 0) is suppressed like any n < min_n.
    if n < min_n:
        return NpsFigure(n, tally.asked, coverage, dict(tally.missing), True, *([None] * 6))
    points = tally.points
    detractors = sum(points[:7])
    passives = points[7] + points[8]
    promoters = points[9] + points[10]
    low, high = nps_interval(promoters, passives, detractors)
    return NpsFigure(
        n,
        tally.asked,
        coverage,
        dict(tally.missing),
        False,
        promoters,
        passives,
        detractors,
        (promoters - detractors) / n * 100,
        low,
        high,
    )


def _statement_figure(
    item: str, tally: Tally, responses: int, min_n: int, comparable: bool
) -> StatementFigure:
    n = tally.n
    coverage = tally.asked / responses if responses else None
    if n < min_n:
        return StatementFigure(
            item, comparable, n, tally.asked, coverage, dict(tally.missing), True, *([None] * 5)
        )
    mean, low, high = mean_interval(tally.points)
    return StatementFigure(
        item,
        comparable,
        n,
        tally.asked,
        coverage,
        dict(tally.missing),
        False,
        mean,
        None if math.isnan(low) else low,
        None if math.isnan(high) else high,
        (tally.points[3] + tally.points[4]) / n,
        tuple(tally.points),
    )


@dataclass(frozen=True)
class GroupFigures:
    """Every figure of one group; ``key`` is None for the whole dataset."""

    key: Key | None
    responses: int
    nps: NpsFigure
    statements: tuple[StatementFigure, ...]
    adapted: tuple[StatementFigure, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self, by: Sequence[str]) -> dict[str, Any]:
        """Return the group as plain JSON values."""
        return {
            "group": None if self.key is None else dict(zip(by, self.key, strict=True)),
            "names": dict(self.names),
            "responses": self.responses,
            "nps": self.nps.to_dict(),
            "statements": {s.item: s.to_dict() for s in self.statements},
            "adapted": {s.item: s.to_dict() for s in self.adapted},
        }


def group_figures(key: Key | None, tally: GroupTally, min_n: int = DEFAULT_MIN_N) -> GroupFigures:
    """Turn a group's counters into its figures, suppressing those under ``min_n``."""
    responses = tally.responses
    return GroupFigures(
        key,
        responses,
        _nps_figure(tally.nps, responses, min_n),
        tuple(
            _statement_figure(s, tally.national[s], responses, min_n, True)
            for s in tally.statements
        ),
        # Only items that some record answered on an adapted scale are listed apart.
        tuple(
            _statement_figure(s, tally.adapted[s], responses, min_n, False)
            for s in tally.statements
            if tally.adapted[s].asked
        ),
        dict(tally.names),
    )


@dataclass(frozen=True)
class Figures:
    """The comparable figures of a dataset, per group and for the whole dataset."""

    by: tuple[str, ...]
    min_n: int
    schema_version: str
    statements: tuple[str, ...]
    total: GroupFigures
    groups: tuple[GroupFigures, ...]
    periods: tuple[str, str] | None = None
    source: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as plain JSON values (the aggregate json output)."""
        return {
            "schema_version": self.schema_version,
            "by": list(self.by),
            "min_n": self.min_n,
            "confidence": CONFIDENCE,
            "periods": list(self.periods) if self.periods else None,
            "source": dict(self.source),
            "total": self.total.to_dict(self.by),
            "groups": [g.to_dict(self.by) for g in self.groups],
        }


def _sort_key(key: Key) -> tuple[tuple[int, str], ...]:
    # Groups without a value (no unit_id, say) sort last.
    return tuple((1, "") if v is None else (0, v) for v in key)


def compute_figures(
    records: Iterable[Mapping[str, Any]],
    schema: RecordSchema,
    by: Sequence[str],
    *,
    min_n: int = DEFAULT_MIN_N,
    providers: Mapping[str, str] | None = None,
) -> Figures:
    """Aggregate ``records`` (streamed once) into per-group comparable figures.

    Args:
        records: national records, read one at a time.
        schema: the record schema (its statements are the items).
        by: grouping fields (see :data:`GROUP_FIELDS`); empty for the whole dataset only.
        min_n: figures with fewer valid answers are suppressed (n stays visible).
        providers: mapping id -> provider name, to name provider_id groups.

    >>> from harmonizer.schema import load_schema
    >>> records = [{"county": "08", "nps": v, "missing": {}} for v in (10, 9, 8, 3, 10)]
    >>> figures = compute_figures(records, load_schema("1.0"), ["county"])
    >>> figures.groups[0].nps.nps
    40.0
    """
    by = parse_by(by)
    if min_n < 1:
        raise DatasetError(f"min_n must be 1 or more, not {min_n}")
    statements = schema.statements
    getters = [key_getter(name) for name in by]
    total = GroupTally(statements)
    groups: dict[Key, GroupTally] = {}
    named = tuple(n for n in ("unit_id", "provider_id") if n in by)
    providers = providers or {}
    first = last = None
    for record in records:
        period = record.get("period")
        if isinstance(period, str):
            if first is None or period < first:
                first = period
            if last is None or period > last:
                last = period
        key = tuple(g(record) for g in getters)
        tally = groups.get(key)
        if tally is None:
            tally = groups[key] = GroupTally(statements)
        tally.add(record)
        total.add(record)
        if named:
            _remember_names(tally, record, named, providers)
    ordered = sorted(groups, key=_sort_key)
    return Figures(
        by=by,
        min_n=min_n,
        schema_version=schema.version,
        statements=statements,
        total=group_figures(None, total, min_n),
        groups=tuple(group_figures(k, groups[k], min_n) for k in ordered),
        periods=(first, last) if first is not None and last is not None else None,
    )


def _remember_names(
    tally: GroupTally,
    record: Mapping[str, Any],
    named: Sequence[str],
    providers: Mapping[str, str],
) -> None:
    """Remember how the group's unit or provider is called, for its label."""
    names = tally.names
    unit = record.get("unit_id")
    if "unit_id" in named and unit and unit not in names and record.get("unit_name"):
        names[unit] = str(record["unit_name"])
    provider = record.get("provider_id")
    if "provider_id" in named and provider and provider not in names:
        mapping_id = str((record.get("source") or {}).get("mapping_id"))
        if mapping_id in providers:
            names[provider] = providers[mapping_id]
