"""Figures by touchpoint, production and respondent, and the own items' figures, against
hand-computed values (suppression included); the report's three views built from them."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonizer import aggregate_items, report
from harmonizer.cli import main
from harmonizer.errors import DatasetError
from harmonizer.figures import compute_figures, t_quantile
from harmonizer.item_figures import Scale, compute_item_figures, item_figure, parse_items
from harmonizer.publish.views import (
    build_perspectives,
    build_purchaser_view,
    build_service_path,
)
from harmonizer.schema import load_schema

SCHEMA = load_schema("1.1")
CATALOGUE = {
    "face": {"touchpoint": "arrival", "scale": "smiley4", "labels": {"fi": "Hymiö"}},
    "grade": {"touchpoint": "whole_service", "scale": "grade4_10", "labels": {}},
    "parking": {"touchpoint": "arrival", "scale": "yes_no", "labels": {}},
    "agree": {"touchpoint": "encounter", "scale": "agree5", "labels": {}},
    "which": {"touchpoint": None, "scale": "categories", "labels": {}},
    "words": {"touchpoint": None, "scale": "text", "labels": {}},
}


@pytest.fixture
def records(make_record: Any) -> list[dict[str, Any]]:
    """A county (08) with its own kiosk, a purchased and a voucher provider (see below)."""
    r = make_record

    def v11(**fields: Any) -> dict[str, Any]:
        fields.setdefault("touchpoint", "whole_service")
        fields.setdefault("production", "purchased")
        return {**r(**fields), "schema_version": "1.1"}

    kiosk = [
        v11(touchpoint="arrival", production="own", provider_id="1112223-0", own_items={"face": f})
        for f in (4, 4, 3, 3, 3, 2, 1, 4)
    ]
    purchased = [
        v11(nps=n, respect=s, respondent=who, own_items={"grade": g, "parking": p})
        for n, s, who, g, p in [
            (10, 5, "customer", 9, "yes"),
            (9, 4, "customer", 8, "no"),
            (8, 4, "customer", 10, "yes"),
            (6, 2, "customer", 6, "yes"),
            (10, 5, "customer", 7, None),
            (9, 5, "close_person", 9, "no"),
            (3, 1, "close_person", 4, "no"),
        ]
    ]
    voucher = [
        v11(nps=n, respect=s, production="voucher", provider_id="7890126-3", respondent=who)
        for n, s, who in [(10, 5, "customer_assisted"), (7, 3, "customer_assisted")]
    ]
    old = [r(nps=5, respect=4, respondent="customer")]  # a 1.0 record: no touchpoint
    return [*kiosk, *purchased, *voucher, *old]


def test_figures_by_touchpoint_production_and_respondent(records: list[dict[str, Any]]) -> None:
    by_touchpoint = compute_figures(records, SCHEMA, ["touchpoint"])
    groups = {g.key: g for g in by_touchpoint.groups}
    # Path order of the code list is the groups' sort order only by name; the keys:
    assert set(groups) == {("arrival",), ("whole_service",), (None,)}
    whole = groups[("whole_service",)]
    # 10, 9, 8, 6, 10, 9, 3, 10, 7: promoters 5, passives 2, detractors 2 of 9.
    assert (whole.nps.n, whole.nps.promoters, whole.nps.detractors) == (9, 5, 2)
    assert whole.nps.nps == pytest.approx((5 - 2) / 9 * 100)
    assert groups[("arrival",)].nps.n == 0
    assert groups[("arrival",)].nps.suppressed  # nobody answered: suppressed, not blank
    assert groups[(None,)].responses == 1
    assert groups[(None,)].nps.suppressed

    by_production = {g.key: g for g in compute_figures(records, SCHEMA, ["production"]).groups}
    assert by_production[("own",)].responses == 8
    assert by_production[("purchased",)].nps.nps == pytest.approx((4 - 2) / 7 * 100)
    assert by_production[("voucher",)].nps.suppressed  # n = 2 < 5
    assert by_production[("voucher",)].nps.nps is None

    by_respondent = {g.key: g for g in compute_figures(records, SCHEMA, ["respondent"]).groups}
    customer = by_respondent[("customer",)]
    # 10, 9, 8, 6, 10 and the 1.0 record's 5 (plus 8 kiosk records without NPS).
    assert (customer.nps.n, customer.nps.promoters, customer.nps.detractors) == (6, 3, 2)
    respect = next(s for s in customer.statements if s.item == "respect")
    # 5, 4, 4, 2, 5, 4: mean 4.0, s^2 = 6/5, clipped to 1..5.
    assert respect.mean == pytest.approx(4.0)
    half = t_quantile(5) * math.sqrt(1.2 / 6)
    assert respect.ci_low == pytest.approx(4.0 - half)
    assert respect.ci_high == pytest.approx(min(5.0, 4.0 + half))
    assert by_respondent[("close_person",)].nps.suppressed

    both = compute_figures(records, SCHEMA, ["production", "respondent"])
    keys = [g.key for g in both.groups]
    assert ("purchased", "close_person") in keys
    assert ("voucher", "customer_assisted") in keys


@pytest.mark.parametrize(
    ("scale", "answers", "positive", "share", "mean"),
    [
        # smiley4: the two happy faces (3, 4) of four; mean of 1..4.
        ("smiley4", [4, 4, 3, 3, 3, 2, 1, 4], 6, 6 / 8, 24 / 8),
        # grade4_10: 8-10 positive.
        ("grade4_10", [9, 8, 10, 6, 7, 9, 4], 4, 4 / 7, 53 / 7),
        # agree5 and satisfaction5: 4-5 of five.
        ("agree5", [5, 4, 3, 2, 1, 5], 3, 3 / 6, 20 / 6),
        ("satisfaction5", ["5", "4", "4", "1", "2"], 3, 3 / 5, 16 / 5),
        # yes_no: "yes"; no mean.
        ("yes_no", ["yes", "no", "yes", "yes", "no", True], 4, 4 / 6, None),
    ],
)
def test_positive_share_and_mean_of_each_scale(
    scale: str, answers: list[Any], positive: int, share: float, mean: float | None
) -> None:
    figure = item_figure("x", Scale.of(SCHEMA, scale), Counter(answers), 5)
    assert figure.n == len(answers)
    assert not figure.suppressed
    assert figure.positive == positive
    assert figure.positive_share == pytest.approx(share)
    if mean is None:
        assert figure.mean is None
    else:
        assert figure.mean == pytest.approx(mean)
        points = SCHEMA.item_scales[scale]["points"]
        assert points[0] <= figure.ci_low <= figure.mean <= figure.ci_high <= points[-1]
    assert sum(count for _, count in figure.counts or ()) == len(answers)


def test_counts_suppression_and_answers_off_the_scale() -> None:
    smiley = Scale.of(SCHEMA, "smiley4")
    shown = item_figure("face", smiley, Counter([4, 4, 3, 9, 1, "hymy"]), 5)
    assert dict(shown.counts or ()) == {"1": 1, "2": 0, "3": 1, "4": 2}
    assert shown.off_scale == 2  # 9 and "hymy" are no faces: counted apart
    assert shown.positive_share == pytest.approx(3 / 4)
    hidden = item_figure("face", smiley, Counter([4, 4, 3, 1]), 5)
    assert (hidden.n, hidden.suppressed, hidden.counts, hidden.positive_share) == (
        4,
        True,
        None,
        None,
    )
    nobody = item_figure("face", smiley, Counter(), 5)
    assert nobody.suppressed
    assert nobody.n == 0
    categories = item_figure("which", Scale.of(SCHEMA, "categories"), Counter("aabbbc"), 5)
    assert categories.counts == (("b", 3), ("a", 2), ("c", 1))
    assert categories.positive_share is None
    assert categories.mean is None
    text = item_figure("words", Scale.of(SCHEMA, "text"), Counter(["hyvä", "huono"] * 3), 5)
    assert (text.n, text.counts) == (6, None)
    undeclared = item_figure("x", Scale.of(SCHEMA, None), Counter([1, 1, 2, 2, 2]), 5)
    assert undeclared.counts == (("2", 3), ("1", 2))
    assert undeclared.positive is None


def test_own_items_per_group_leave_out_groups_that_never_asked(
    records: list[dict[str, Any]],
) -> None:
    figures = compute_item_figures(records, SCHEMA, CATALOGUE, ["face"], ["provider_id"], min_n=5)
    # Only the kiosk's provider answered the face: other providers are not listed.
    assert [g.key for g in figures.groups] == [("1112223-0",)]
    (face,) = figures.groups[0].items
    assert (face.n, face.positive, face.positive_share) == (8, 6, 0.75)
    assert figures.total.responses == len(records)
    by_touchpoint = compute_item_figures(
        records, SCHEMA, CATALOGUE, ["grade", "parking"], ["respondent"], min_n=5
    )
    groups = {g.key: g for g in by_touchpoint.groups}
    grade, parking = groups[("customer",)].items
    assert (grade.n, grade.positive) == (5, 3)  # 9, 8, 10 of 9, 8, 10, 6, 7
    assert parking.suppressed  # one customer left it blank
    assert parking.n == 4
    assert groups[("close_person",)].items[0].suppressed


def test_parse_items() -> None:
    assert parse_items("own_items.face,grade", CATALOGUE) == ("face", "grade")
    with pytest.raises(DatasetError, match=r"no own item own_items\.smile; its own items are"):
        parse_items("own_items.smile", CATALOGUE)
    with pytest.raises(DatasetError, match="names no own item"):
        parse_items(" , ", CATALOGUE)


def _dataset(tmp_path: Path, records: list[dict[str, Any]], run_folder: Any) -> Path:
    folder = run_folder(tmp_path / "run", records, schema_version="1.1")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["item_catalogue"] = CATALOGUE
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_aggregate_items_command(
    tmp_path: Path, records: list[dict[str, Any]], run_folder: Any
) -> None:
    folder = _dataset(tmp_path, records, run_folder)
    out = tmp_path / "faces.csv"
    result = CliRunner().invoke(
        main,
        [
            "aggregate",
            str(folder),
            *("--items", "own_items.face", "--by", "unit_id,month"),
            *("-o", str(out), "--lang", "fi"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    total, group = rows
    assert total["unit_id_label"] == "Kaikki"
    assert group["month"] == "2026-03"
    assert (group["item"], group["item_label"], group["scale"]) == (
        "own_items.face",
        "Hymiö",
        "smiley4",
    )
    assert (group["n"], group["positive"], group["positive_pct"]) == ("8", "6", "75.0")
    assert group["mean"] == "3.0"
    assert [group[f"answer:{p}"] for p in range(1, 5)] == ["1", "1", "3", "3"]
    json_out = tmp_path / "faces.json"
    figures = aggregate_items(folder, "own_items.face", "unit_id", output=json_out, min_n=9)
    assert figures.groups[0].items[0].suppressed  # 8 answers < 9
    document = json.loads(json_out.read_text(encoding="utf-8"))
    assert document["items"]["own_items.face"]["label"] == "face"
    assert document["groups"][0]["items"]["own_items.face"]["counts"] is None
    bad = CliRunner().invoke(
        main,
        ["aggregate", str(folder), "--items", "own_items.nope", "--by", "county", "-o", "x.csv"],
    )
    assert bad.exit_code == 2
    assert "no own item own_items.nope" in bad.output


def test_service_path_pools_answers_and_marks_the_drop(records: list[dict[str, Any]]) -> None:
    items = compute_item_figures(
        records, SCHEMA, CATALOGUE, ["face", "grade", "parking", "agree"], (), min_n=1
    )
    path = build_service_path(
        SCHEMA,
        compute_figures(records, SCHEMA, ["touchpoint"]),
        compute_figures(records, SCHEMA, ["touchpoint"], min_n=1),
        items,
        "en",
        5,
    )
    # Encounter has an own item tied to it that nobody answered: named, not drawn.
    assert [s.code for s in path.steps] == ["arrival", "whole_service"]
    arrival, whole = path.steps
    # Arrival: faces 6 of 8 and parking yes 3 of 6: (6 + 3) / (8 + 6).
    assert (arrival.positive_n, arrival.positive) == (14, pytest.approx(9 / 14 * 100))
    assert "The encounter" in path.empty
    # Whole service: respect 4-5 in 6 of 9, and grades 8-10 in 4 of 7: 10 / 16.
    assert (whole.positive_n, whole.positive) == (16, pytest.approx(10 / 16 * 100))
    assert [o.label for o in whole.own_items] == ["grade"]
    assert not arrival.drop  # 64 % and 62 %: no 10-point gap
    assert not whole.drop
    assert path.unplaced == 1  # the 1.0 record
    assert "Information and instructions" in path.empty

    low = [
        dict(r, own_items={"face": 1}) if r.get("touchpoint") == "arrival" else r for r in records
    ]
    dropped = build_service_path(
        SCHEMA,
        compute_figures(low, SCHEMA, ["touchpoint"]),
        compute_figures(low, SCHEMA, ["touchpoint"], min_n=1),
        compute_item_figures(low, SCHEMA, CATALOGUE, ["face", "parking"], (), min_n=1),
        "fi",
        5,
    )
    assert [s.drop for s in dropped.steps if s.positive is not None] == [True, False]


def test_perspectives_and_purchaser_view(records: list[dict[str, Any]]) -> None:
    views = build_perspectives(SCHEMA, compute_figures(records, SCHEMA, ["respondent"]), "fi")
    assert views.labels == ("Asiakas", "Asiakas avustettuna", "Omainen tai muu läheinen")
    assert views.responses == (14, 2, 2)
    nps = views.rows[0]
    assert nps.item == "nps"
    assert nps.cells[0].n == 6
    assert nps.cells[0].value == pytest.approx(1 / 6 * 100)
    assert [c.suppressed for c in nps.cells] == [False, True, True]

    names = {"test-mapping": "Testin Terveys Oy"}
    purchaser = build_purchaser_view(
        SCHEMA,
        compute_figures(records, SCHEMA, ["county", "production", "provider_id"], providers=names),
        compute_figures(records, SCHEMA, ["county", "production"]),
        "en",
    )
    (county,) = purchaser.counties
    assert county.label == "Pirkanmaa"
    lines = [(r.production, r.provider, r.responses, r.nps.n) for r in county.rows]
    assert lines == [
        ("Own production", "all units", 8, 0),
        ("Purchased service", "Testin Terveys Oy", 7, 7),
        ("Service voucher", "Testin Terveys Oy", 2, 2),
        ("(not given)", "Testin Terveys Oy", 1, 1),
    ]
    purchased = county.rows[1]
    assert purchased.nps.value == pytest.approx(2 / 7 * 100)
    assert county.rows[2].nps.suppressed
    assert county.rows[2].nps.value is None
    assert len(purchased.statements) == len(purchaser.columns) == 7
    assert purchaser.columns[2] == "Respect"


def test_report_of_a_1_1_dataset_has_the_three_sections(
    tmp_path: Path, records: list[dict[str, Any]], run_folder: Any
) -> None:
    folder = _dataset(tmp_path, records, run_folder)
    html = report(folder, "provider_id", tmp_path / "r.html", lang="sv").read_text("utf-8")
    for section in ("service-path", "perspectives", "purchaser"):
        assert f'<section id="{section}">' in html
    for heading in ("Servicekedjan", "Beställarens vy", "Tre perspektiv"):
        assert heading in html
    assert "chart-path" in html
    assert "chart-perspective-means" in html
    import openpyxl

    book = openpyxl.load_workbook(report(folder, "provider_id", tmp_path / "r.xlsx", lang="en"))
    assert book.sheetnames == [
        "About",
        "Recommendation index",
        "Statements",
        "Service path",
        "Perspectives",
        "Purchaser's view",
    ]
    path = book["Service path"]
    labels = [path.cell(row=r, column=1).value for r in range(1, path.max_row + 1)]
    assert "Arrival" in labels
    assert "The service as a whole" in labels
    assert len(path._charts) == 1


def test_aggregate_by_touchpoint_production_and_respondent_command(
    tmp_path: Path, records: list[dict[str, Any]], run_folder: Any
) -> None:
    folder = _dataset(tmp_path, records, run_folder)
    out = tmp_path / "groups.csv"
    result = CliRunner().invoke(
        main,
        ["aggregate", str(folder), "--by", "touchpoint,production,respondent", "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["item"] == "nps"]
    keyed = {(r["touchpoint"], r["production"], r["respondent"]): r for r in rows}
    purchased = keyed[("whole_service", "purchased", "customer")]
    assert purchased["touchpoint_label"] == "The service as a whole"
    assert purchased["production_label"] == "Purchased service"
    # 10, 9, 8, 6, 10: promoters 3, detractors 1 of 5.
    assert (purchased["n"], purchased["nps"]) == ("5", "40.0")
    close = keyed[("whole_service", "purchased", "close_person")]
    assert (close["n"], close["suppressed"], close["nps"]) == ("2", "True", "")
    kiosk = keyed[("arrival", "own", "customer")]
    assert (kiosk["n"], kiosk["suppressed"]) == ("0", "True")
    assert keyed[("", "", "customer")]["touchpoint_label"] == "(not given)"


@settings(max_examples=150, deadline=None)
@given(
    scale=st.sampled_from(["agree5", "satisfaction5", "smiley4", "grade4_10", "yes_no"]),
    answers=st.lists(
        st.one_of(st.integers(-2, 12), st.sampled_from(["yes", "no", "4", "kyllä", True])),
        max_size=40,
    ),
    min_n=st.integers(1, 8),
)
def test_item_figures_always_reconcile(scale: str, answers: list[Any], min_n: int) -> None:
    figure = item_figure("x", Scale.of(SCHEMA, scale), Counter(answers), min_n)
    assert figure.n == len(answers)
    assert figure.suppressed == (len(answers) < min_n)
    if figure.suppressed:
        assert figure.counts is None
        assert figure.positive_share is None
        return
    assert figure.off_scale is not None
    on_scale = sum(count for _, count in figure.counts or ())
    assert on_scale + figure.off_scale == figure.n
    points = SCHEMA.item_scales[scale]["points"]
    assert [answer for answer, _ in figure.counts or ()] == [str(p) for p in points]
    if on_scale:
        assert figure.positive is not None
        assert 0 <= figure.positive <= on_scale
        assert figure.positive_share == pytest.approx(figure.positive / on_scale)
    if figure.mean is not None:
        assert points[0] <= figure.mean <= points[-1]
        if figure.ci_low is not None:
            assert points[0] <= figure.ci_low <= figure.mean <= figure.ci_high <= points[-1]
