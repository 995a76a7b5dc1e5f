"""Figures of the providers' own items: answer counts, positive share and mean per group.

Own items never enter the national figures (a smiley face is not NPS). They get figures
of their own, from the item catalogue that the run's manifest keeps: an item declared on
a scale (``smiley4``, ``grade4_10``, ...) gets the share of positive answers and, where
it means something, the mean with its 95% interval; any item gets the count of each
answer. Suppression is as for national items: a group's item with fewer than ``min_n``
answers shows its n only. One streaming pass; counters per group, never records.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harmonizer.errors import DatasetError
from harmonizer.figures import DEFAULT_MIN_N, Key, key_getter, mean_interval, parse_by
from harmonizer.schema import RecordSchema

ITEM_PREFIX = "own_items."


def parse_items(value: str | Sequence[str], known: Iterable[str]) -> tuple[str, ...]:
    """Return own item names from ``"own_items.smiley,own_items.parking"``, checked.

    The ``own_items.`` prefix may be left out.

    Raises:
        DatasetError: no item is named, or an item is not in the dataset.

    >>> parse_items("own_items.smiley, parking", ["smiley", "parking"])
    ('smiley', 'parking')
    """
    names = value.split(",") if isinstance(value, str) else list(value)
    items = tuple(
        n.strip().removeprefix(ITEM_PREFIX) for n in names if n.strip().removeprefix(ITEM_PREFIX)
    )
    if not items:
        raise DatasetError("--items names no own item; write --items own_items.<name>")
    available = list(dict.fromkeys(known))
    unknown = [i for i in items if i not in available]
    if unknown:
        listing = ", ".join(ITEM_PREFIX + k for k in available) or "none"
        raise DatasetError(
            f"the dataset has no own item {', '.join(ITEM_PREFIX + u for u in unknown)}; "
            f"its own items are: {listing}"
        )
    return items


@dataclass(frozen=True)
class Scale:
    """An own item's declared scale, as the national schema defines it."""

    name: str | None
    points: tuple[Any, ...] | None
    positive: frozenset[Any] | None
    mean: bool

    @classmethod
    def of(cls, schema: RecordSchema, name: str | None) -> Scale:
        """Return the scale ``name`` of ``schema`` (an undeclared scale when unknown)."""
        spec = schema.item_scales.get(name or "")
        if spec is None:
            return cls(None, None, None, False)
        points = spec.get("points")
        positive = spec.get("positive")
        return cls(
            name,
            tuple(points) if points is not None else None,
            frozenset(positive) if positive is not None else None,
            bool(spec.get("mean")),
        )

    @property
    def counts_answers(self) -> bool:
        """Return False for free text, whose answers are not counted one by one."""
        return self.name != "text"

    def point(self, value: Any) -> Any:
        """Return the scale point ``value`` stands for, or None when it is off the scale."""
        if self.points is None:
            return None
        if isinstance(value, bool):
            value = "yes" if value else "no"
        for point in self.points:
            if value == point or (isinstance(point, int) and str(value).strip() == str(point)):
                return point
            if isinstance(point, str) and isinstance(value, str) and value.strip().lower() == point:
                return point
        return None


@dataclass(frozen=True)
class ItemFigure:
    """One own item in one group. Everything but n is None when suppressed."""

    item: str
    scale: str | None
    n: int
    suppressed: bool
    counts: tuple[tuple[str, int], ...] | None
    off_scale: int | None
    positive: int | None
    positive_share: float | None
    mean: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as plain JSON values."""
        return {
            "item": ITEM_PREFIX + self.item,
            "scale": self.scale,
            "n": self.n,
            "suppressed": self.suppressed,
            "counts": dict(self.counts) if self.counts is not None else None,
            "off_scale": self.off_scale,
            "positive": self.positive,
            "positive_share": self.positive_share,
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def item_figure(name: str, scale: Scale, answers: Counter[Any], min_n: int) -> ItemFigure:
    """Turn one item's answer counter into its figure, suppressed under ``min_n``.

    >>> scale = Scale("smiley4", (1, 2, 3, 4), frozenset({3, 4}), True)
    >>> figure = item_figure("smiley", scale, Counter({4: 3, 3: 1, 1: 1}), 5)
    >>> figure.positive_share, figure.mean, dict(figure.counts or ())
    (0.8, 3.2, {'1': 1, '2': 0, '3': 1, '4': 3})
    """
    n = sum(answers.values())
    if n < min_n:
        return ItemFigure(name, scale.name, n, True, *([None] * 7))
    if scale.points is None:
        counts = (
            tuple(sorted(((_text(v), c) for v, c in answers.items()), key=lambda p: (-p[1], p[0])))
            if scale.counts_answers
            else None
        )
        return ItemFigure(name, scale.name, n, False, counts, None, *([None] * 5))
    on_scale: Counter[Any] = Counter()
    off = 0
    for value, count in answers.items():
        point = scale.point(value)
        if point is None:
            off += count
        else:
            on_scale[point] += count
    valid = sum(on_scale.values())
    counts = tuple((_text(p), on_scale[p]) for p in scale.points)
    positive = sum(on_scale[p] for p in scale.positive or ())
    share = positive / valid if valid and scale.positive is not None else None
    mean = low = high = None
    if scale.mean and valid:
        first = int(scale.points[0])
        tally = [on_scale[p] for p in range(first, int(scale.points[-1]) + 1)]
        mean, low, high = mean_interval(tally, first)
        low, high = (None, None) if math.isnan(low) else (low, high)
    return ItemFigure(
        name,
        scale.name,
        n,
        False,
        counts,
        off,
        positive if scale.positive is not None else None,
        share,
        mean,
        low,
        high,
    )


@dataclass(frozen=True)
class ItemGroup:
    """The own-item figures of one group; ``key`` is None for the whole dataset."""

    key: Key | None
    responses: int
    items: tuple[ItemFigure, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self, by: Sequence[str]) -> dict[str, Any]:
        """Return the group as plain JSON values."""
        return {
            "group": None if self.key is None else dict(zip(by, self.key, strict=True)),
            "names": dict(self.names),
            "responses": self.responses,
            "items": {ITEM_PREFIX + f.item: f.to_dict() for f in self.items},
        }


@dataclass(frozen=True)
class ItemFigures:
    """Own-item figures of a dataset, per group and for the whole dataset."""

    by: tuple[str, ...]
    min_n: int
    items: tuple[str, ...]
    catalogue: Mapping[str, Mapping[str, Any]]
    total: ItemGroup
    groups: tuple[ItemGroup, ...]
    source: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as plain JSON values (the aggregate json output)."""
        return {
            "by": list(self.by),
            "min_n": self.min_n,
            "items": {ITEM_PREFIX + i: dict(self.catalogue.get(i, {})) for i in self.items},
            "source": dict(self.source),
            "total": self.total.to_dict(self.by),
            "groups": [g.to_dict(self.by) for g in self.groups],
        }


class _Tally:
    __slots__ = ("answers", "names", "responses")

    def __init__(self, items: Sequence[str]) -> None:
        self.responses = 0
        self.answers: dict[str, Counter[Any]] = {i: Counter() for i in items}
        self.names: dict[str, str] = {}

    def add(self, record: Mapping[str, Any]) -> None:
        self.responses += 1
        own = record.get("own_items") or {}
        for item, counter in self.answers.items():
            value = own.get(item)
            if value is not None and value != "":
                counter[value] += 1


def _group(key: Key | None, tally: _Tally, scales: Mapping[str, Scale], min_n: int) -> ItemGroup:
    return ItemGroup(
        key,
        tally.responses,
        tuple(item_figure(i, scales[i], tally.answers[i], min_n) for i, _ in scales.items()),
        dict(tally.names),
    )


def compute_item_figures(
    records: Iterable[Mapping[str, Any]],
    schema: RecordSchema,
    catalogue: Mapping[str, Mapping[str, Any]],
    items: Sequence[str],
    by: Sequence[str],
    *,
    min_n: int = DEFAULT_MIN_N,
) -> ItemFigures:
    """Aggregate own ``items`` of ``records`` (streamed once) per group.

    ``catalogue`` describes the items (their ``scale``); an item without a declared
    scale gets its answer counts only.

    >>> from harmonizer.schema import load_schema
    >>> records = [{"unit_id": "a", "own_items": {"face": v}} for v in (4, 4, 3, 1, 2)]
    >>> figures = compute_item_figures(
    ...     records, load_schema("1.1"), {"face": {"scale": "smiley4"}}, ["face"], ["unit_id"]
    ... )
    >>> figures.groups[0].items[0].positive_share
    0.6
    """
    by = parse_by(by)
    if min_n < 1:
        raise DatasetError(f"min_n must be 1 or more, not {min_n}")
    scales = {i: Scale.of(schema, (catalogue.get(i) or {}).get("scale")) for i in items}
    getters = [key_getter(name) for name in by]
    total = _Tally(items)
    groups: dict[Key, _Tally] = {}
    named = "unit_id" in by
    for record in records:
        key = tuple(g(record) for g in getters)
        tally = groups.get(key)
        if tally is None:
            tally = groups[key] = _Tally(items)
        tally.add(record)
        total.add(record)
        unit = record.get("unit_id")
        if named and unit and unit not in tally.names and record.get("unit_name"):
            tally.names[unit] = str(record["unit_name"])
    # A group where none of the items was answered (another provider's units) has
    # nothing to say about them: it is left out, as the items were never on its forms.
    answered = [k for k, t in groups.items() if any(t.answers[i] for i in items)]
    ordered = sorted(answered, key=lambda k: tuple((1, "") if v is None else (0, v) for v in k))
    return ItemFigures(
        by=by,
        min_n=min_n,
        items=tuple(items),
        catalogue={i: dict(catalogue.get(i) or {}) for i in items},
        total=_group(None, total, scales, min_n),
        groups=tuple(_group(k, groups[k], scales, min_n) for k in ordered),
    )
