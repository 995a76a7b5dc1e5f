"""Figures against hand-computed values: NPS and its interval, means, suppression,
adapted items, don't-know answers and coverage."""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonizer.errors import DatasetError
from harmonizer.figures import (
    compute_figures,
    mean_interval,
    nps_interval,
    parse_by,
    t_quantile,
)
from harmonizer.schema import load_schema

SCHEMA = load_schema("1.0")


@pytest.fixture
def county_records(make_record: Any) -> list[dict[str, Any]]:
    """Six records in Pirkanmaa (08) and two in Lappi (21); see the hand computations."""
    r = make_record
    return [
        r(nps=10, ease=5, respect=5, timely_help=4, adapted=["timely_help"]),
        r(nps=9, ease=4, respect=5, timely_help=5, adapted=["timely_help"]),
        r(nps=7, ease=4, respect=4, timely_help=5),
        r(nps=3, ease=2, respect=3, timely_help=4),
        r(nps=0, ease=None, respect=1, timely_help=3, missing={"ease": "dont_know"}),
        r(
            nps=None,
            ease=None,
            respect=None,
            missing={"nps": "dont_know", "ease": "not_applicable", "respect": "no_answer"},
        ),
        r(county="21", nps=10, period="2026-11"),
        r(county="21", nps=10, period="2026-12"),
    ]


def by_item(group: Any) -> dict[str, Any]:
    return {s.item: s for s in group.statements}


def test_nps_per_group_and_total(county_records: list[dict[str, Any]]) -> None:
    figures = compute_figures(county_records, SCHEMA, ["county"])
    pirkanmaa, lappi = figures.groups
    assert pirkanmaa.key == ("08",)
    assert pirkanmaa.responses == 6
    nps = pirkanmaa.nps
    # 10, 9 promoters; 7 passive; 3, 0 detractors; one don't-know is not an answer.
    assert (nps.n, nps.promoters, nps.passives, nps.detractors) == (5, 2, 1, 2)
    assert nps.nps == pytest.approx(0.0)
    assert nps.missing["dont_know"] == 1
    # Adjusted Wald: n~=8, p~=d~=2.75/8; half width 1.96*sqrt(0.6875/8) = 0.5746.
    assert nps.ci_low == pytest.approx(-57.457, abs=1e-3)
    assert nps.ci_high == pytest.approx(57.457, abs=1e-3)
    assert nps.coverage == pytest.approx(1.0)
    # Lappi: two promoters, fewer than 5 answers: suppressed, n kept.
    assert lappi.responses == 2
    assert lappi.nps.n == 2
    assert lappi.nps.suppressed
    assert lappi.nps.nps is None
    assert lappi.nps.promoters is None
    # Whole dataset: 4 promoters, 1 passive, 2 detractors of 7.
    total = figures.total.nps
    assert (total.n, total.promoters, total.detractors) == (7, 4, 2)
    assert total.nps == pytest.approx(200 / 7)


def test_statement_mean_interval_and_distribution(county_records: list[dict[str, Any]]) -> None:
    respect = by_item(compute_figures(county_records, SCHEMA, ["county"]).groups[0])["respect"]
    # 5, 5, 4, 3, 1: mean 3.6, s^2 = 11.2/4 = 2.8, half = t(4) * sqrt(2.8/5).
    assert respect.n == 5
    assert respect.mean == pytest.approx(3.6)
    half = 2.776445105 * math.sqrt(2.8 / 5)
    assert respect.ci_low == pytest.approx(3.6 - half, abs=1e-6)
    # 3.6 + half = 5.68 lies beyond the scale: the interval is clipped to 1..5.
    assert 3.6 + half > 5
    assert respect.ci_high == 5.0
    assert respect.top_two_box == pytest.approx(3 / 5)
    assert respect.distribution == (1, 0, 1, 1, 2)
    assert respect.missing["no_answer"] == 1
    assert respect.asked == 6
    assert respect.coverage == pytest.approx(1.0)


def test_dont_know_is_missing_and_small_n_is_suppressed(
    county_records: list[dict[str, Any]],
) -> None:
    ease = by_item(compute_figures(county_records, SCHEMA, ["county"]).groups[0])["ease"]
    # 5, 4, 4, 2 are answers; don't-know and not-applicable are not scale points.
    assert ease.n == 4
    assert ease.missing["dont_know"] == 1
    assert ease.missing["not_applicable"] == 1
    assert ease.suppressed
    assert ease.mean is None
    assert ease.distribution is None
    assert ease.top_two_box is None
    shown = by_item(compute_figures(county_records, SCHEMA, ["county"], min_n=4).groups[0])["ease"]
    assert not shown.suppressed
    assert shown.mean == pytest.approx(15 / 4)


def test_adapted_items_are_reported_apart(county_records: list[dict[str, Any]]) -> None:
    group = compute_figures(county_records, SCHEMA, ["county"], min_n=2).groups[0]
    national = by_item(group)["timely_help"]
    # Nationally comparable answers only: 5, 4, 3 (mixing in 4, 5 would give 4.2).
    assert national.n == 3
    assert national.mean == pytest.approx(4.0)
    assert national.comparable
    # Asked nationally in 3 of 6 records (2 adapted, 1 not asked).
    assert national.coverage == pytest.approx(3 / 6)
    (adapted,) = group.adapted
    assert adapted.item == "timely_help"
    assert not adapted.comparable
    assert adapted.n == 2
    assert adapted.mean == pytest.approx(4.5)
    assert adapted.coverage == pytest.approx(2 / 6)
    # The group without adapted answers lists none.
    assert compute_figures(county_records, SCHEMA, ["county"]).groups[1].adapted == ()


def test_not_asked_items_have_no_figure_and_zero_coverage(
    county_records: list[dict[str, Any]],
) -> None:
    safety = by_item(compute_figures(county_records, SCHEMA, ["county"]).groups[0])["safety"]
    assert safety.n == 0
    assert safety.suppressed  # n = 0 is suppressed like any n < min_n
    assert safety.coverage == 0.0
    assert safety.mean is None


@pytest.mark.parametrize(
    ("by", "keys"),
    [
        (["period"], [("2026-03",), ("2026-11",), ("2026-12",)]),
        (["quarter"], [("2026-Q1",), ("2026-Q4",)]),
        (["year"], [("2026",)]),
        (["county", "quarter"], [("08", "2026-Q1"), ("21", "2026-Q4")]),
    ],
)
def test_grouping_by_period_grains(
    county_records: list[dict[str, Any]], by: list[str], keys: list[tuple[str, ...]]
) -> None:
    figures = compute_figures(county_records, SCHEMA, by)
    assert [g.key for g in figures.groups] == keys
    assert sum(g.responses for g in figures.groups) == 8
    assert figures.periods == ("2026-03", "2026-12")


def test_groups_without_a_value_sort_last(make_record: Any) -> None:
    records = [make_record(unit_id=None), make_record(unit_id="1.2.246.10.23456713.10.1")]
    figures = compute_figures(records, SCHEMA, ["unit_id"])
    assert [g.key for g in figures.groups] == [("1.2.246.10.23456713.10.1",), (None,)]
    assert figures.groups[0].names == {"1.2.246.10.23456713.10.1": "Testiyksikkö"}


def test_unknown_grouping_field_is_refused() -> None:
    with pytest.raises(DatasetError, match="cannot group by nps; choose from county"):
        parse_by("county,nps")


def test_intervals_match_reference_values() -> None:
    assert t_quantile(4) == pytest.approx(2.776445, abs=1e-6)
    assert t_quantile(29) == pytest.approx(2.045230, abs=1e-6)
    low, high = nps_interval(100, 0, 0)
    assert high == 100.0  # clipped at the top of the scale
    assert low < 100.0
    mean, low, high = mean_interval([0, 0, 0, 0, 1])
    assert (mean, math.isnan(low), math.isnan(high)) == (5.0, True, True)


answers = st.lists(
    st.tuples(st.integers(0, 10), st.integers(1, 5), st.sampled_from(["08", "21", "90"])),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(answers=answers, seed=st.randoms(use_true_random=False))
def test_figures_follow_their_definitions_in_any_order(answers: Any, seed: Any) -> None:
    records = [
        {"county": c, "nps": nps, "ease": ease, "missing": {}, "adapted": []}
        for nps, ease, c in answers
    ]
    figures = compute_figures(records, SCHEMA, ["county"], min_n=1)
    shuffled = records[:]
    seed.shuffle(shuffled)
    assert compute_figures(shuffled, SCHEMA, ["county"], min_n=1) == figures
    for group in figures.groups:
        mine = [(n, e) for n, e, c in answers if (c,) == group.key]
        nps = group.nps
        assert nps.n == len(mine)
        promoters = sum(n >= 9 for n, _ in mine)
        detractors = sum(n <= 6 for n, _ in mine)
        assert nps.nps == pytest.approx((promoters - detractors) / len(mine) * 100)
        assert nps.ci_low is not None
        assert nps.ci_high is not None
        assert -100 <= nps.ci_low <= nps.ci_high <= 100
        ease = by_item(group)["ease"]
        assert ease.mean == pytest.approx(statistics.fmean(e for _, e in mine))
        assert ease.distribution is not None
        assert sum(ease.distribution) == len(mine)
    assert sum(g.responses for g in figures.groups) == figures.total.responses == len(answers)
