"""The aggregate table, the meeting reports (html, xlsx) and the codebook, read back
with real parsers: csv, openpyxl (charts and their references), html5lib and ElementTree."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import html5lib
import openpyxl
import pytest

from harmonizer import aggregate, codebook, report
from harmonizer.dataset import open_dataset
from harmonizer.errors import DatasetError
from harmonizer.figures import compute_figures
from harmonizer.publish.charts import NPS_COLOUR, SCALE_COLOURS
from harmonizer.publish.content import build_content
from harmonizer.publish.html import render_html
from tests.helpers import ROOT

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def dataset(tmp_path: Path, make_record: Any, run_folder: Any) -> Path:
    """Pirkanmaa (6 answers, one item adapted) and Lappi (2 answers: suppressed)."""
    r = make_record
    records = [
        *(r(nps=v, respect=s) for v, s in [(10, 5), (9, 5), (7, 4), (3, 3), (0, 1), (10, 4)]),
        r(nps=8, timely_help=2, adapted=["timely_help"]),
        r(county="21", nps=10, respect=5),
        r(county="21", nps=4, respect=2),
    ]
    return run_folder(tmp_path / "run", records)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_table_has_a_row_per_group_and_item(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "figures.csv"
    aggregate(dataset, "county", output=out, lang="fi")
    rows = read_csv(out)
    # All + 2 counties, each NPS + 7 statements; Pirkanmaa and All add an adapted row.
    assert len(rows) == 3 * 8 + 2
    nps = {(r["county"], r["item"]): r for r in rows if r["comparability"] == "national"}
    assert nps[("08", "nps")]["county_label"] == "Pirkanmaan hyvinvointialue"
    assert nps[("08", "nps")]["n"] == "7"
    # 10, 9, 10 promote; 7, 8 pass; 3, 0 detract: (3 - 2) / 7.
    assert nps[("08", "nps")]["nps"] == "14.3"
    assert nps[("21", "nps")]["suppressed"] == "True"
    assert nps[("21", "nps")]["nps"] == ""
    assert nps[("21", "nps")]["n"] == "2"
    assert nps[("", "nps")]["county_label"] == "Kaikki"
    adapted = [r for r in rows if r["comparability"] == "adapted"]
    assert [(r["county"], r["item"], r["n"]) for r in adapted] == [
        ("", "timely_help", "1"),
        ("08", "timely_help", "1"),
    ]
    national = nps[("08", "timely_help")]
    assert (national["n"], national["not_asked"]) == ("0", "6")


def test_json_and_xlsx_tables(dataset: Path, tmp_path: Path) -> None:
    aggregate(dataset, "county,year", output=tmp_path / "f.json", min_n=2)
    document = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert document["by"] == ["county", "year"]
    assert document["min_n"] == 2
    assert document["groups"][1]["group"] == {"county": "21", "year": "2026"}
    assert document["groups"][1]["label"] == "Lapland / 2026"
    assert document["groups"][1]["nps"]["nps"] == 0.0
    aggregate(dataset, "county", output=tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    sheet = book["Figures"]
    assert sheet.max_row == 1 + 26
    assert [c.value for c in sheet[1]][:4] == ["county", "county_label", "responses", "item"]


def test_unknown_table_suffix(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"\.csv, \.xlsx, \.json"):
        aggregate(dataset, "county", output=tmp_path / "f.txt")


def parse_html(path: Path) -> Any:
    return html5lib.parse(path.read_text(encoding="utf-8"))


def test_html_report_is_self_contained_and_labelled(dataset: Path, tmp_path: Path) -> None:
    out = report(dataset, "county", tmp_path / "report.html", lang="fi")
    root = parse_html(out)
    assert root.tag == f"{XHTML}html"
    # No scripts and no external resources: one file that opens offline.
    assert root.findall(f".//{XHTML}script") == []
    assert root.findall(f".//{XHTML}link") == []
    for element in root.iter():
        for attribute in ("src", "href"):
            assert not (element.get(attribute) or "").startswith(("http", "//"))
    text = "".join(root.itertext())
    assert "Suositteluindeksi (NPS) ryhmittäin" in text
    assert "Pirkanmaan hyvinvointialue" in text
    assert "n=2, liian vähän vastauksia" in text
    assert "n<5" not in text.replace('"n<5"', "")  # suppression is said in words
    assert "alle 5, jätetään näyttämättä" in text  # the suppression note
    assert "Sovitetut kysymykset (eivät vertailukelpoisia)" in text
    assert "Täysin samaa mieltä" in text  # scale labels from the schema
    svgs = root.findall(f".//{SVG}svg")
    # NPS, overview, the one statement anyone answered nationally (the six others get
    # no chart) and the perspectives' NPS and means (schema 1.0 has no touchpoint or
    # production: no service path, no purchaser's view).
    assert len(svgs) == 2 + 1 + 2
    assert root.find(f".//{XHTML}section[@id='perspectives']") is not None
    assert root.find(f".//{XHTML}section[@id='service-path']") is None


def svg_charts(path: Path) -> list[ET.Element]:
    """Return the report's inline charts, parsed as the SVG they are."""
    source = path.read_text(encoding="utf-8")
    return [ET.fromstring(m.group()) for m in re.finditer(r"<svg\b.*?</svg>", source, re.DOTALL)]


def groups(chart: ET.Element, prefix: str) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in chart.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)}


def extent(bar: ET.Element) -> tuple[float, float]:
    """Return a bar's left and right edge, from its path's coordinates."""
    (path,) = bar.iter(f"{SVG}path")
    xs = [float(x) for x, _ in re.findall(r"(-?[\d.]+) (-?[\d.]+)", path.get("d", ""))]
    return min(xs), max(xs)


def fill(bar: ET.Element) -> str:
    (path,) = bar.iter(f"{SVG}path")
    match = re.search(r"fill: (#[0-9a-f]{6})", path.get("style", ""))
    assert match is not None
    return match.group(1)


def texts(element: ET.Element) -> list[str]:
    return [t.text for t in element.iter(f"{SVG}text") if t.text]


def test_html_nps_chart_draws_a_bar_per_shown_group(dataset: Path, tmp_path: Path) -> None:
    out = report(dataset, "county", tmp_path / "report.html", lang="en")
    chart = svg_charts(out)[0]
    assert chart.get("id") == "chart-nps"
    (title,) = groups(chart, "nps-title").values()
    assert texts(title) == ["Recommendation index (NPS) by group"]  # text, not paths
    labels = [t for t in texts(chart) if "(n=" in t]
    assert labels == ["All (n=9)", "Pirkanmaa (n=7)", "Lapland (n=2, too few answers)"]
    # All and Pirkanmaa have an NPS; Lapland (row 2) is suppressed and has no bar.
    bars = groups(chart, "nps-bar-")
    assert sorted(bars) == ["nps-bar-0", "nps-bar-1"]
    assert {fill(b) for b in bars.values()} == {NPS_COLOUR}
    values = {k: texts(v) for k, v in groups(chart, "nps-value-").items()}
    # All: 4 promoters, 3 detractors of 9; Pirkanmaa: 3 and 2 of 7.
    assert values == {"nps-value-0": ["11"], "nps-value-1": ["14"]}
    # Both bars start at 0 and are as long as their NPS: 11.1 and 14.3 of the same scale.
    zero, end_all = extent(bars["nps-bar-0"])
    assert extent(bars["nps-bar-1"])[0] == pytest.approx(zero)
    end_pirkanmaa = extent(bars["nps-bar-1"])[1]
    assert (end_pirkanmaa - zero) / (end_all - zero) == pytest.approx((1 / 7) / (1 / 9), rel=1e-3)


def test_html_distribution_charts_stack_the_shares_of_shown_groups(
    dataset: Path, tmp_path: Path
) -> None:
    out = report(dataset, "county", tmp_path / "report.html", lang="en")
    charts = {c.get("id"): c for c in svg_charts(out)}
    overview = charts["chart-overview"]
    labels = [t for t in texts(overview) if "(n=" in t]
    # Only "respect" has national answers (timely_help was adapted): the items nobody
    # answered are left out of the chart and named in a note below it.
    assert labels == ["I was treated with respect (n=8)"]
    respect = 0
    note = "No answers, so not in the chart: Dealing with the service was smooth and easy"
    assert note in out.read_text(encoding="utf-8")
    bars = groups(overview, "overview-bar-")
    assert sorted(bars) == [f"overview-bar-{respect}-{answer}" for answer in range(1, 6)]
    assert [fill(bars[f"overview-bar-{respect}-{a}"]) for a in range(1, 6)] == list(SCALE_COLOURS)
    # 1, 2 and 3 once each of 8, 4 twice, 5 three times: 12.5, 12.5, 12.5, 25, 37.5 %.
    values = [texts(g) for g in groups(overview, f"overview-value-{respect}-").values()]
    assert values == [["12"], ["12"], ["12"], ["25"], ["38"]]
    edges = [extent(bars[f"overview-bar-{respect}-{a}"]) for a in range(1, 6)]
    for (_, right), (left, _) in itertools.pairwise(edges):
        assert right == pytest.approx(left, abs=0.01)  # stacked: each starts where one ends
    whole = edges[-1][1] - edges[0][0]
    widths = [(b - a) / whole for a, b in edges]
    assert widths == pytest.approx([0.125, 0.125, 0.125, 0.25, 0.375], abs=1e-4)

    section = charts["chart-statement-respect"]
    labels = [t for t in texts(section) if "(n=" in t]
    assert labels == ["All (n=8)", "Pirkanmaa (n=6)", "Lapland (n=2, too few answers)"]
    bars = groups(section, "statement-respect-bar-")
    # Pirkanmaa answered no 2 (no empty segment); suppressed Lapland has no bar at all.
    assert sorted(bars) == [
        *(f"statement-respect-bar-0-{a}" for a in range(1, 6)),
        *(f"statement-respect-bar-1-{a}" for a in (1, 3, 4, 5)),
    ]


def test_html_report_renders_the_same_bytes_twice(dataset: Path) -> None:
    opened = open_dataset(dataset)
    figures = compute_figures(opened.records(), opened.schema, ("county",))
    generated = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    content = build_content(opened.schema, figures, "sv", generated=generated)
    first = render_html(content)
    assert render_html(content) == first
    assert "<?xml" not in first
    assert "<!DOCTYPE svg" not in first
    assert "<metadata" not in first  # no date, creator or version that would change


def test_html_charts_keep_their_ids_and_style_to_themselves(dataset: Path, tmp_path: Path) -> None:
    out = report(dataset, "county", tmp_path / "report.html", lang="fi")
    source = out.read_text(encoding="utf-8")
    ids = re.findall(r'\bid="([^"]*)"', source)
    assert len(ids) == len(set(ids)), "ids repeat between the inline charts"
    references = 0
    for chart in svg_charts(out):
        own = {e.get("id") for e in chart.iter() if e.get("id")}
        # Every reference (clip paths, markers) resolves inside the chart itself.
        markup = ET.tostring(chart, encoding="unicode")
        for reference in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', markup):
            assert "".join(reference) in own
            references += 1
        (style,) = chart.iter(f"{SVG}style")
        assert (style.text or "").startswith(f"#{chart.get('id')} *{{"), style.text
    assert references > 0
    # No style sheet of a chart reaches the page: none selects every element ("*").
    sheets = re.findall(r"<style[^>]*>([^<]*)</style>", source)
    assert len(sheets) == 1 + 5
    assert not [s for s in sheets if s.lstrip().startswith("*")]


def test_xlsx_report_has_native_charts_on_its_tables(dataset: Path, tmp_path: Path) -> None:
    out = report(dataset, "county", tmp_path / "report.xlsx", lang="sv")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Om",
        "Rekommendationsindex",
        "Påståenden",
        "Perspektiv",
        "Anpassade frågor",
    ]
    nps = book["Rekommendationsindex"]
    assert [nps.cell(row=r, column=1).value for r in range(2, 5)] == [
        "Alla (n=9)",
        "Birkalands välfärdsområde (n=7)",
        "Lapplands välfärdsområde (n=2, för få svar)",
    ]
    assert nps.cell(row=3, column=7).value == pytest.approx(14.3)
    assert nps.cell(row=4, column=7).value is None
    (chart,) = nps._charts
    assert chart.type == "bar"
    # Only the value is labelled: LibreOffice shows series and category names too
    # unless they are switched off explicitly.
    labels = chart.dataLabels
    assert (labels.showVal, labels.showSerName, labels.showCatName) == (True, False, False)
    assert chart.x_axis.tickLblPos == "low"
    series = chart.series[0]
    assert series.val.numRef.f == "'Rekommendationsindex'!$G$2:$G$4"
    # openpyxl refers to categories with numRef, which Excel reads as text labels too.
    assert series.cat.numRef.f == "'Rekommendationsindex'!$A$2:$A$4"
    # Whiskers: custom error bars from the distances to the interval's bounds.
    whiskers = series.errBars
    assert whiskers.errValType == "cust"
    assert whiskers.minus.numRef.f == "'Rekommendationsindex'!$L$2:$L$4"
    assert whiskers.plus.numRef.f == "'Rekommendationsindex'!$M$2:$M$4"
    all_row = [nps.cell(row=2, column=c).value for c in (7, 8, 9, 12, 13)]
    assert all_row[3] == pytest.approx(all_row[0] - all_row[1], abs=0.11)
    assert all_row[4] == pytest.approx(all_row[2] - all_row[0], abs=0.11)
    statements = book["Påståenden"]
    charts = statements._charts
    # The overview and the one statement anyone answered; the others have no chart.
    assert len(charts) == 1 + 1
    assert all(c.grouping == "percentStacked" for c in charts)
    assert len(charts[0].series) == 5
    # Answered items first: the chart covers them only (respect), not the other six.
    assert statements["A3"].value.startswith("Jag blev bemött med respekt")
    assert charts[0].series[0].val.numRef.f == "'Påståenden'!$B$3"
    assert statements["B2"].value == "1 Helt av annan åsikt"
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert nps.print_title_rows == "$1:$1"
    assert nps.column_dimensions["A"].width >= len("Lapplands välfärdsområde (n=2, för få svar)")


def test_report_refuses_an_unknown_suffix(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"\.html or \.xlsx"):
        report(dataset, "county", tmp_path / "report.pdf")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_codebook_lists_fields_and_codes_in_three_languages(tmp_path: Path, lang: str) -> None:
    out = codebook(tmp_path / "codebook.xlsx", lang=lang)
    book = openpyxl.load_workbook(out)
    fields, codes = book.worksheets
    names = [row[0] for row in fields.iter_rows(min_row=2, values_only=True)]
    assert names[:3] == ["schema_version", "record_id", "county"]
    assert "useful" in names
    county = next(r for r in fields.iter_rows(min_row=2, values_only=True) if r[0] == "county")
    assert county[3] == "1.0, 1.1"  # the versions that have the field
    assert county[4:7] == ("Hyvinvointialue", "Välfärdsområde", "Wellbeing services county")
    touchpoint = next(
        r for r in fields.iter_rows(min_row=2, values_only=True) if r[0] == "touchpoint"
    )
    assert touchpoint[3] == "1.1"
    rows = {(r[0], r[1]): r[2:] for r in codes.iter_rows(min_row=2, values_only=True)}
    assert rows[("county", "90")] == ("Helsingin kaupunki", "Helsingfors stad", "City of Helsinki")
    assert rows[("missing_reason", "dont_know")] == ("En osaa sanoa", "Kan inte säga", "Don't know")
    assert rows[("statement", "5")][2] == "Strongly agree"


def test_codebook_markdown(tmp_path: Path) -> None:
    text = codebook(tmp_path / "codebook.md", lang="fi").read_text(encoding="utf-8")
    assert text.startswith("# Kansallisen palautetietueen tietosisältö")
    assert (
        "| ease | integer 1-5 or null | kyllä | 1.0, 1.1 | Asiointi oli sujuvaa ja helppoa |"
        in text
    )
    assert "## Puuttumisen syyt" in text
    with pytest.raises(DatasetError):
        codebook(tmp_path / "codebook.pdf")


def test_charts_leave_the_import_system_and_matplotlib_settings_alone() -> None:
    # In a fresh interpreter: this one has imported the charts already.
    program = """
import sys
before = list(sys.meta_path)
import harmonizer.publish.charts as charts
assert "matplotlib" not in sys.modules, "matplotlib loads only when a chart is drawn"
from harmonizer.publish.content import NpsRow
import matplotlib
settings = matplotlib.rcParams.copy()
row = NpsRow("All", 9, 9, False, 50.0, 30.0, 20.0, 30.0, 0.0, 60.0, 100.0)
assert charts.nps_chart([row], "NPS", 5).startswith("<svg")
assert sys.meta_path == before, sys.meta_path
assert "matplotlib.pyplot" not in sys.modules
# Not "backend": reading it makes matplotlib choose one, with pyplot.
keys = [k for k in settings if k != "backend"]
assert [matplotlib.rcParams[k] for k in keys] == [settings[k] for k in keys]
"""
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-c", program],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
