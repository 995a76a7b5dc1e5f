"""The report's views of schema 1.1: service path, three perspectives, purchaser's view.

Each is content (labelled tables) that the html and the xlsx report both draw.

Each view is built from figures computed by :mod:`harmonizer.figures` and
:mod:`harmonizer.item_figures`; suppression is theirs (a figure under ``min_n`` answers
shows its n only), and the pooled positive share of a touchpoint is suppressed likewise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from harmonizer.figures import Figures, GroupFigures, StatementFigure
from harmonizer.item_figures import ItemFigure, ItemFigures
from harmonizer.publish.item_table import own_item_label
from harmonizer.publish.labels import value_label
from harmonizer.publish.texts import Texts
from harmonizer.schema import RecordSchema

DROP_POINTS = 10.0  # a fall of this many percentage points from one touchpoint to the next
PERSPECTIVES = ("customer", "customer_assisted", "close_person")
PRODUCTION_ORDER = ("own", "purchased", "voucher", None)


@dataclass(frozen=True)
class Estimate:
    """One figure with its interval and n; ``value`` is None when suppressed."""

    n: int
    suppressed: bool
    value: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class OwnItemRow:
    """An own item tied to a touchpoint: n, positive share (0-100) and mean."""

    label: str
    scale: str
    n: int
    suppressed: bool
    positive: float | None
    mean: float | None


@dataclass(frozen=True)
class PathStep:
    """One touchpoint of the service path."""

    code: str
    label: str
    hint: str
    responses: int
    nps: Estimate
    positive_n: int
    positive: float | None
    suppressed: bool
    own_items: tuple[OwnItemRow, ...]
    drop: bool


@dataclass(frozen=True)
class ServicePath:
    """The touchpoints with answers in path order; those without are only named."""

    steps: tuple[PathStep, ...]
    empty: tuple[str, ...]
    unplaced: int


@dataclass(frozen=True)
class PerspectiveRow:
    """NPS or one statement across the three perspectives."""

    item: str
    label: str
    cells: tuple[Estimate, ...]


@dataclass(frozen=True)
class Perspectives:
    """Customers, assisted customers and close persons side by side."""

    labels: tuple[str, ...]
    responses: tuple[int, ...]
    rows: tuple[PerspectiveRow, ...]


@dataclass(frozen=True)
class PurchaserRow:
    """One line of a county's view: its own production, or one provider."""

    production: str
    provider: str
    responses: int
    nps: Estimate
    statements: tuple[Estimate, ...]


@dataclass(frozen=True)
class CountyView:
    """A county's own production beside the providers it purchases from."""

    code: str
    label: str
    rows: tuple[PurchaserRow, ...]


@dataclass(frozen=True)
class PurchaserView:
    """Every county of the dataset; ``columns`` label the statement columns."""

    columns: tuple[str, ...]
    counties: tuple[CountyView, ...]


def _nps(group: GroupFigures) -> Estimate:
    f = group.nps
    return Estimate(f.n, f.suppressed, f.nps, f.ci_low, f.ci_high)


def _mean(figure: StatementFigure) -> Estimate:
    return Estimate(figure.n, figure.suppressed, figure.mean, figure.ci_low, figure.ci_high)


def _own_row(
    figure: ItemFigure, catalogue: Mapping[str, Mapping[str, Any]], schema: RecordSchema, lang: str
) -> OwnItemRow:
    scale = schema.item_scales.get(figure.scale or "", {})
    return OwnItemRow(
        own_item_label(catalogue, figure.item, lang),
        str((scale.get("labels") or {}).get(lang, figure.scale or "")),
        figure.n,
        figure.suppressed,
        None if figure.positive_share is None else figure.positive_share * 100,
        figure.mean,
    )


def build_service_path(
    schema: RecordSchema,
    by_touchpoint: Figures,
    pooled: Figures,
    items: ItemFigures | None,
    lang: str,
    min_n: int,
) -> ServicePath:
    """Return the service path: each touchpoint's n, NPS, positive share and own items.

    ``by_touchpoint`` gives NPS (suppressed under ``min_n``); ``pooled`` is the same
    grouping computed with ``min_n=1`` so that the statement answers can be pooled
    before the pooled share is itself suppressed under ``min_n``.
    """
    groups = {g.key[0] if g.key else None: g for g in by_touchpoint.groups}
    raw = {g.key[0] if g.key else None: g for g in pooled.groups}
    own: dict[str, list[ItemFigure]] = {}
    catalogue: Mapping[str, Mapping[str, Any]] = {}
    if items is not None:
        catalogue = items.catalogue
        for figure in items.total.items:
            touchpoint = (catalogue.get(figure.item) or {}).get("touchpoint")
            scale = schema.item_scales.get(str((catalogue.get(figure.item) or {}).get("scale")))
            # Only items whose answers can be positive or averaged say how a step went.
            if touchpoint and scale and (scale.get("positive") or scale.get("mean")):
                own.setdefault(str(touchpoint), []).append(figure)
    hints = schema.properties["touchpoint"].get("x-code-descriptions", {})
    steps: list[PathStep] = []
    empty: list[str] = []
    for code in schema.touchpoints:
        label = value_label(schema, "touchpoint", code, lang, {})
        group, counts = groups.get(code), raw.get(code)
        tied = own.get(code, [])
        answered = [f for f in tied if f.n]
        if group is None and not answered:
            empty.append(label)
            continue
        positive = total = 0
        if counts is not None:
            for statement in counts.statements:
                if statement.distribution is not None:
                    positive += statement.distribution[3] + statement.distribution[4]
                    total += statement.n
        for figure in tied:
            # Items computed with min_n=1: every answer is counted before suppression.
            if figure.positive is not None:
                positive += figure.positive
                total += figure.n - (figure.off_scale or 0)
        share = positive / total * 100 if total >= min_n else None
        steps.append(
            PathStep(
                code,
                label,
                str((hints.get(code) or {}).get(lang, "")),
                group.responses if group is not None else 0,
                _nps(group) if group is not None else Estimate(0, True, None, None, None),
                total,
                share,
                share is None,
                tuple(_own_row(_suppress(f, min_n), catalogue, schema, lang) for f in tied),
                False,
            )
        )
    # Where the path drops: a touchpoint this far below the path's best one.
    shares = [s.positive for s in steps if s.positive is not None]
    if len(shares) > 1:
        best = max(shares)
        steps = [
            replace(s, drop=s.positive is not None and best - s.positive >= DROP_POINTS)
            for s in steps
        ]
    unplaced = next((g.responses for g in by_touchpoint.groups if g.key == (None,)), 0)
    return ServicePath(tuple(steps), tuple(empty), unplaced)


def _suppress(figure: ItemFigure, min_n: int) -> ItemFigure:
    """Return ``figure`` as it is shown: everything but n hidden under ``min_n``."""
    if figure.n >= min_n:
        return figure
    return ItemFigure(figure.item, figure.scale, figure.n, True, *([None] * 7))


def build_perspectives(schema: RecordSchema, by_respondent: Figures, lang: str) -> Perspectives:
    """Return NPS and the statements for customers, assisted customers and close persons."""
    groups = {g.key[0] if g.key else None: g for g in by_respondent.groups}
    present = [p for p in PERSPECTIVES if p in groups]
    rows = [
        PerspectiveRow(
            "nps",
            schema.label("nps", lang, short=True),
            tuple(_nps(groups[p]) for p in present),
        )
    ]
    for position, item in enumerate(by_respondent.statements):
        rows.append(
            PerspectiveRow(
                item,
                schema.label(item, lang, short=True),
                tuple(_mean(groups[p].statements[position]) for p in present),
            )
        )
    return Perspectives(
        tuple(value_label(schema, "respondent", p, lang, {}) for p in present),
        tuple(groups[p].responses for p in present),
        tuple(rows),
    )


def build_purchaser_view(
    schema: RecordSchema,
    by_provider: Figures,
    by_production: Figures,
    lang: str,
) -> PurchaserView:
    """Return each county's own production beside its purchased and voucher providers.

    ``by_provider`` is grouped by county, production and provider_id; ``by_production``
    by county and production (its ``own`` line pools the county's own units).
    """
    t = Texts(lang)
    counties: dict[str, list[PurchaserRow]] = {}
    own = {(g.key[0], g.key[1]): g for g in by_production.groups if g.key is not None}

    def statements(group: GroupFigures) -> tuple[Estimate, ...]:
        return tuple(_mean(s) for s in group.statements)

    def order(group: GroupFigures) -> tuple[str, int, str]:
        county, production, provider = group.key or (None, None, None)
        rank = PRODUCTION_ORDER.index(production) if production in PRODUCTION_ORDER else 9
        return county or "", rank, group.names.get(provider or "", provider or "")

    ordered = sorted((g for g in by_provider.groups if g.key is not None), key=order)
    done: set[tuple[Any, Any]] = set()
    for group in ordered:
        county, production, provider = group.key or (None, None, None)
        rows = counties.setdefault(county or "", [])
        production_label = value_label(schema, "production", production, lang, {})
        if production == "own":
            if (county, production) in done:
                continue
            done.add((county, production))
            pooled = own[(county, production)]
            rows.append(
                PurchaserRow(
                    production_label, t.all_own, pooled.responses, _nps(pooled), statements(pooled)
                )
            )
            continue
        name = group.names.get(provider or "") or str(provider)
        rows.append(
            PurchaserRow(production_label, name, group.responses, _nps(group), statements(group))
        )
    return PurchaserView(
        tuple(schema.column_label(s, lang) for s in by_provider.statements),
        tuple(
            CountyView(code, value_label(schema, "county", code or None, lang, {}), tuple(rows))
            for code, rows in sorted(counties.items())
        ),
    )
