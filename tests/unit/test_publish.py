"""The aggregate table, the meeting reports (html, xlsx) and the codebook, read back
with real parsers: csv, openpyxl (charts and their references), html5lib and ElementTree."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import html5lib
import openpyxl
import pytest

from harmonizer import aggregate, codebook, report
from harmonizer.errors import DatasetError

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
    assert "Lapin hyvinvointialue (n=2, n<5)" in text
    assert "alle 5, on salattu" in text  # the suppression note
    assert "Sovitetut kysymykset (eivät vertailukelpoisia)" in text
    assert "Täysin samaa mieltä" in text  # scale labels from the schema
    svgs = root.findall(f".//{SVG}svg")
    assert len(svgs) == 2 + 7  # NPS, overview, one per statement


def test_html_nps_chart_draws_a_bar_per_shown_group(dataset: Path, tmp_path: Path) -> None:
    out = report(dataset, "county", tmp_path / "report.html", lang="en")
    source = out.read_text(encoding="utf-8")
    start = source.index("<svg")
    chart = ET.fromstring(source[start : source.index("</svg>", start) + len("</svg>")])
    bars = [e for e in chart.iter(f"{SVG}rect") if "rect" in (e.get("class") or "").split()]
    # All and Pirkanmaa have an NPS; Lapland is suppressed and has no bar.
    assert len(bars) == 2
    labels = [t.text for t in chart.iter(f"{SVG}text") if t.text and "(n=" in t.text]
    assert sorted(labels) == ["All (n=9)", "Lapland (n=2, n<5)", "Pirkanmaa (n=7)"]


def test_xlsx_report_has_native_charts_on_its_tables(dataset: Path, tmp_path: Path) -> None:
    out = report(dataset, "county", tmp_path / "report.xlsx", lang="sv")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Om", "NPS", "Grundpåståenden", "anpassad"]
    nps = book["NPS"]
    assert [nps.cell(row=r, column=1).value for r in range(2, 5)] == [
        "Alla (n=9)",
        "Birkalands välfärdsområde (n=7)",
        "Lapplands välfärdsområde (n=2, n<5)",
    ]
    assert nps.cell(row=3, column=7).value == pytest.approx(14.3)
    assert nps.cell(row=4, column=7).value is None
    (chart,) = nps._charts
    assert chart.type == "bar"
    series = chart.series[0]
    assert series.val.numRef.f == "'NPS'!$G$2:$G$4"
    # openpyxl refers to categories with numRef, which Excel reads as text labels too.
    assert series.cat.numRef.f == "'NPS'!$A$2:$A$4"
    statements = book["Grundpåståenden"]
    charts = statements._charts
    assert len(charts) == 1 + 7
    assert all(c.grouping == "percentStacked" for c in charts)
    assert len(charts[0].series) == 5
    assert charts[0].series[0].val.numRef.f == "'Grundpåståenden'!$B$3:$B$9"
    assert statements["B2"].value == "1 Helt av annan åsikt"


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
    assert county[3:6] == ("Hyvinvointialue", "Välfärdsområde", "Wellbeing services county")
    rows = {(r[0], r[1]): r[2:] for r in codes.iter_rows(min_row=2, values_only=True)}
    assert rows[("county", "90")] == ("Helsingin kaupunki", "Helsingfors stad", "City of Helsinki")
    assert rows[("missing_reason", "dont_know")] == ("En osaa sanoa", "Kan inte säga", "Don't know")
    assert rows[("statement", "5")][2] == "Fully agree"


def test_codebook_markdown(tmp_path: Path) -> None:
    text = codebook(tmp_path / "codebook.md", lang="fi").read_text(encoding="utf-8")
    assert text.startswith("# Kansallisen palautetietueen tietosisältö")
    assert "| ease | integer 1-5 or null | kyllä | Asiointi oli sujuvaa ja helppoa |" in text
    assert "## Puuttumisen syyt" in text
    with pytest.raises(DatasetError):
        codebook(tmp_path / "codebook.pdf")


def test_importing_the_charts_leaves_the_import_system_alone() -> None:
    import sys

    import harmonizer.publish.charts  # noqa: F401

    assert not [f for f in sys.meta_path if type(f).__name__ == "PluginImportFixer"]
