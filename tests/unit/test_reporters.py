"""Reporters on in-memory reports: exact text and GitHub output, parsed JUnit, SARIF,
JSON and xlsx validated by real parsers and the published schemas."""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonizer.io.readers import ExportInfo
from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.reporters import REPORTERS_BY_NAME, ReportSet
from harmonizer.reporters.github import escape_data, escape_property
from harmonizer.reporters.json_ import report_document
from harmonizer.reporters.sarif import sarif_document
from harmonizer.reporters.texts import code_remedy, words
from harmonizer.run_report import ExportSummary, Report

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
SARIF_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def issue(code: IssueCode, row: int | None, **kw: str | None) -> Issue:
    return Issue(
        code,
        kw.pop("message", None) or f"{code} happened",
        code.severity,
        kw.pop("export", "pohjola, syksy.csv"),
        row=row,
        **kw,  # type: ignore[arg-type]
    )


def make_report(max_issues: int = 10) -> Report:
    info = ExportInfo(
        path=Path("exports/pohjola, syksy.csv"),
        format="csv",
        sha256="0" * 64,
        size=120,
        header_row=1,
        header=("Vastaus", "Asiointi: sujuvaa, helppoa"),
        encoding="utf-8-sig",
        delimiter=";",
    )
    report = Report(
        "pohjola-web", "2", "1.0", max_issues=max_issues, mapping_file="mappings/pohjola-web.yaml"
    )
    summary = ExportSummary(info)
    summary.counts.read, summary.counts.accepted, summary.counts.rejected = 4, 2, 2
    summary.counts.records, summary.counts.rejects = 2, 2
    report.exports.append(summary)
    for item in (
        issue(
            IssueCode.UNKNOWN_LABEL,
            5,
            message="'50% hyvä' is not a known answer of ease",
            column="Asiointi: sujuvaa, helppoa",
            column_letter="B",
            field="ease",
            value="50% hyvä\nrivi 2",
        ),
        issue(IssueCode.REQUIRED_MISSING, 6, field="unit_name"),
        issue(IssueCode.NONEXISTENT_TIME, 7, field="responded_at", value="29.03.2026 03:30"),
    ):
        report.add_issue(item)
        summary.issue_counts[str(item.code)] += 1
    return report


def render(name: str, results: ReportSet) -> str:
    stream = io.StringIO()
    REPORTERS_BY_NAME[name].write(results, stream)
    return stream.getvalue()


def results(report: Report | None = None, **kw: object) -> ReportSet:
    return ReportSet("validate", (report or make_report(),), **kw)  # type: ignore[arg-type]


def fix(code: IssueCode, field: str) -> str:
    """The catalogue's remedy for a field of the test report's mapping, in English."""
    return code_remedy(code, "en", rule=f"fields.{field}", mapping="pohjola-web.yaml")


def test_text_is_exact() -> None:
    assert render("text", results()) == (
        "pohjola, syksy.csv, row 5, column B “Asiointi: sujuvaa, helppoa”: error unknown-label: "
        "'50% hyvä' is not a known answer of ease\n"
        "    field ease, value '50% hyvä\\nrivi 2'\n"
        f"    fix in the mapping: {fix(IssueCode.UNKNOWN_LABEL, 'ease')}\n"
        "    fix in the export: correct the cell in column “Asiointi: sujuvaa, helppoa”\n"
        "pohjola, syksy.csv, row 6: error required-missing: required-missing happened\n"
        "    field unit_name\n"
        f"    fix in the mapping: {fix(IssueCode.REQUIRED_MISSING, 'unit_name')}\n"
        "    fix in the export: correct row 6 of the export\n"
        "pohjola, syksy.csv, row 7: warning nonexistent-time: nonexistent-time happened\n"
        "    field responded_at, value '29.03.2026 03:30'\n"
        f"    fix in the mapping: {fix(IssueCode.NONEXISTENT_TIME, 'responded_at')}\n"
        "    fix in the export: check the clock of the system that collected the answers\n"
        "mapping pohjola-web version 2 (schema 1.0): pohjola, syksy.csv: rows read 4: "
        "accepted 2, rejected 2, excluded 0, duplicates 0\n"
        "validate: 3 issues (2 errors, 1 warning, 0 info): nonexistent-time 1, "
        "required-missing 1, unknown-label 1\n"
        "result: failed (exit 1)\n"
    )


def test_provider_audience_puts_the_providers_fix_first() -> None:
    text = render("text", results(audience="provider"))
    first = text.index("    fix in the export: correct the cell")
    assert first < text.index("    fix in the mapping: add the label")


def test_a_message_ending_with_the_remedy_is_cut_before_the_labelled_fixes() -> None:
    report = make_report(max_issues=1)
    report.issues[0] = issue(
        IssueCode.UNKNOWN_LABEL,
        5,
        field="ease",
        message=f"'x' is not a known answer of ease; {fix(IssueCode.UNKNOWN_LABEL, 'ease')}",
    )
    text = render("text", results(report)).split("\n")
    assert text[:4] == [
        "pohjola, syksy.csv, row 5: error unknown-label: 'x' is not a known answer of ease",
        "    field ease",
        f"    fix in the mapping: {fix(IssueCode.UNKNOWN_LABEL, 'ease')}",
        "    fix in the export: correct row 5 of the export",
    ]
    assert "    korjaus mappaukseen: " in render("text", results(report, lang="fi"))


def test_text_in_finnish_and_capped_per_severity() -> None:
    text = render("text", results(make_report(max_issues=1), lang="fi"))
    assert text.startswith(
        "pohjola, syksy.csv, rivi 5, sarake B ”Asiointi: sujuvaa, helppoa”: virhe unknown-label: "
        "”50% hyvä\\nrivi 2” ei ole kyselyn vastausvaihtoehto\n"
        "    kenttä ”Asiointi oli sujuvaa ja helppoa” (ease), arvo ”50% hyvä\\nrivi 2”\n"
        "    korjaus mappaukseen: lisää vastaus säännön fields.ease value_map-kohtaan (tai "
        "missing-kohtaan, jos vastaus on ”en osaa sanoa”) tiedostossa pohjola-web.yaml\n"
    )
    # One of each severity is listed: the warning is not crowded out by the errors.
    assert "rivi 7: varoitus nonexistent-time" in text
    assert "required-missing happened" not in text
    assert "luettelossa 2/3 ongelmaa; --max-issues luettelee useampia\n" in text
    assert text.endswith("tulos: korjattavaa (exit 1)\n")
    assert "error" not in text
    assert "result" not in text


def test_github_is_exact_and_escaped() -> None:
    mapping_fix = "fix in the mapping: "
    assert render("github", results()).splitlines() == [
        "::error file=exports/pohjola%2C syksy.csv,line=5,title=harmonizer unknown-label::"
        "pohjola, syksy.csv, row 5, column B “Asiointi: sujuvaa, helppoa”: "
        "'50%25 hyvä' is not a known answer of ease%0A"
        "field ease, value '50%25 hyvä\\nrivi 2'%0A"
        f"{mapping_fix}{escape_data(fix(IssueCode.UNKNOWN_LABEL, 'ease'))}%0A"
        "fix in the export: correct the cell in column “Asiointi: sujuvaa, helppoa”",
        "::error file=exports/pohjola%2C syksy.csv,line=6,title=harmonizer required-missing::"
        "pohjola, syksy.csv, row 6: required-missing happened%0Afield unit_name%0A"
        f"{mapping_fix}{escape_data(fix(IssueCode.REQUIRED_MISSING, 'unit_name'))}%0A"
        "fix in the export: correct row 6 of the export",
        "::warning file=exports/pohjola%2C syksy.csv,line=7,title=harmonizer nonexistent-time::"
        "pohjola, syksy.csv, row 7: nonexistent-time happened%0A"
        "field responded_at, value '29.03.2026 03:30'%0A"
        f"{mapping_fix}{escape_data(fix(IssueCode.NONEXISTENT_TIME, 'responded_at'))}%0A"
        "fix in the export: check the clock of the system that collected the answers",
    ]


def _unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


@given(st.text())
def test_github_escaping_round_trips(text: str) -> None:
    data = escape_data(text)
    prop = escape_property(text)
    assert "\n" not in data
    assert "\r" not in data
    assert not {":", ",", "\n", "\r"} & set(prop)
    assert _unescape(prop) == text


def test_junit_parses_with_stable_names() -> None:
    root = ET.fromstring(render("junit", results()))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "exports/pohjola, syksy.csv"
    names = [case.get("name") for case in suite.findall("testcase")]
    assert names == [
        str(c) for c in IssueCode if c.info.scope == "data" or c is IssueCode.COLUMN_NOT_FOUND
    ]
    assert {case.get("classname") for case in suite.findall("testcase")} == {
        "harmonizer.pohjola-web.pohjola, syksy.csv"
    }
    failed = {
        case.get("name"): case.find("failure")
        for case in suite.findall("testcase")
        if case.find("failure") is not None
    }
    assert set(failed) == {"unknown-label", "required-missing"}
    failure = failed["unknown-label"]
    assert failure is not None
    assert failure.get("message") == "Answer label has no rule: 1"
    assert "row 5" in (failure.text or "")
    assert suite.get("failures") == "2"
    assert root.get("failures") == "2"
    warned = next(c for c in suite.findall("testcase") if c.get("name") == "nonexistent-time")
    assert warned.find("failure") is None
    assert "row 7" in (warned.findtext("system-out") or "")


def test_junit_fails_warnings_on_request_and_survives_control_characters() -> None:
    report = make_report()
    report.add_issue(issue(IssueCode.UNKNOWN_LABEL, 9, value="bad\x0bcell\x00"))
    root = ET.fromstring(render("junit", results(report, fail_on=Severity.WARNING)))
    assert root.get("failures") == "3"


def test_sarif_validates_against_the_official_schema() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert hashlib.sha256(SARIF_SCHEMA.read_bytes()).hexdigest() == SARIF_SHA256
    document = json.loads(render("sarif", results()))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document == sarif_document(results())
    run = document["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == [
        "unknown-label",
        "required-missing",
        "nonexistent-time",
    ]
    first = run["results"][0]
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "exports/pohjola%2C%20syksy.csv"
    assert location["region"] == {"startLine": 5}
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "unknown-label"
    assert run["results"][2]["level"] == "warning"


def test_json_follows_the_published_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    document = json.loads(render("json", results()))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document == report_document(results())
    listed = document["reports"][0].pop("issues")
    assert document["reports"][0] == {
        k: v for k, v in make_report().to_dict().items() if k != "issues"
    }
    assert [i["code"] for i in listed] == ["unknown-label", "required-missing", "nonexistent-time"]
    assert listed[0]["fix_mapping"] == fix(IssueCode.UNKNOWN_LABEL, "ease")
    assert listed[0]["fix_export"] == "correct the cell in column “Asiointi: sujuvaa, helppoa”"
    assert document["exit_code"] == 1
    assert document["codes"]["unknown-label"]["remedy"] == code_remedy(
        IssueCode.UNKNOWN_LABEL, "en"
    )


def test_report_to_dict_validates_against_the_report_definition() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    definition = {"$defs": schema["$defs"], "$ref": "#/$defs/ReportModel"}
    jsonschema.Draft202012Validator(definition).validate(make_report().to_dict())
    broken = make_report().to_dict()
    broken["issues"][0]["code"] = "no-such-code"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(definition).validate(broken)


@pytest.mark.parametrize(
    ("lang", "sheets", "header"),
    [
        ("fi", ["Yhteenveto", "Ongelmat"], "Rivi"),
        ("sv", ["Sammanfattning", "Problem"], "Rad"),
        ("en", ["Summary", "Issues"], "Row"),
    ],
)
def test_xlsx_lists_issues_in_the_submitters_language(
    lang: str, sheets: list[str], header: str
) -> None:
    stream = io.BytesIO()
    report = make_report()
    report.add_issue(issue(IssueCode.UNKNOWN_LABEL, 8, value="=HYPERLINK(1)", field="ease"))
    REPORTERS_BY_NAME["xlsx"].write(results(report, lang=lang, audience="provider"), stream)
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    assert book.sheetnames == sheets
    sheet = book[sheets[1]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == header
    assert len(rows) == 1 + 4
    first = rows[1]
    # What a provider needs first: row, column, header, value, what is wrong, how to fix.
    assert first[:4] == (5, "B", "Asiointi: sujuvaa, helppoa", "50% hyvä\nrivi 2")
    assert first[8:11] == (
        "pohjola, syksy.csv",
        first[9],
        "unknown-label",
    )
    assert [r[0] for r in rows[1:]] == [5, 6, 8, 7]  # errors first, then the warning
    assert rows[3][3] == "'=HYPERLINK(1)"
    # Made to be read and printed.
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:M5"
    assert sheet["F2"].alignment.wrap_text
    assert sheet["G2"].fill.start_color.rgb.endswith("FFC7CE")
    assert sheet["G5"].fill.start_color.rgb.endswith("FFEB9C")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    summary = [r for r in book[sheets[0]].iter_rows(values_only=True) if r and r[0]]
    flat = {r[0]: r[1] for r in summary if len(r) > 1}
    codes = {r[1]: r[2] for r in summary if len(r) > 2 and r[2] is not None}
    assert codes["unknown-label"] == 2
    book.close()
    if lang == "fi":
        assert first[4] == "”50% hyvä\\nrivi 2” ei ole kyselyn vastausvaihtoehto"
        assert first[5] == "Korjaa sarakkeen ”Asiointi: sujuvaa, helppoa” solu"
        assert first[9] == "Asiointi oli sujuvaa ja helppoa (ease)"
        assert first[11].startswith("Lisää vastaus säännön fields.ease value_map-kohtaan")
        assert flat["Virheitä"] == 3
        assert flat["Tulos"] == "korjattavaa"
        assert flat["Mitä seuraavaksi"].startswith("Korjaa virheelliset solut")
        assert "aineiston vastaanottaja" in flat["Mitä seuraavaksi"]


def test_xlsx_for_the_mappings_author_puts_their_fix_in_the_main_column() -> None:
    stream = io.BytesIO()
    REPORTERS_BY_NAME["xlsx"].write(results(lang="en", audience="author"), stream)
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()), read_only=True)
    rows = list(book["Issues"].iter_rows(values_only=True))
    book.close()
    assert (rows[0][5], rows[0][11]) == ("Fix in the mapping", "Fix in the export")
    assert rows[1][5] == "A" + fix(IssueCode.UNKNOWN_LABEL, "ease")[1:]
    assert rows[1][11] == "Correct the cell in column “Asiointi: sujuvaa, helppoa”"


@given(
    st.lists(st.sampled_from([IssueCode.OUT_OF_RANGE, IssueCode.RAGGED_ROW, IssueCode.REDACTED])),
    st.integers(min_value=0, max_value=5),
    st.booleans(),
)
def test_errors_are_never_crowded_out(codes: list[IssueCode], cap: int, show_info: bool) -> None:
    """Whatever arrives in whatever order, each severity keeps its own cap, worst first."""
    report = Report("m", "1", "1.0", max_issues=cap)
    for row, code in enumerate(codes, start=2):
        report.add_issue(issue(code, row))
    listed = [i for _, i in ReportSet("validate", (report,), show_info=show_info).issues()]
    severities = [i.severity for i in listed]
    assert severities == sorted(severities, reverse=True)
    for severity in Severity:
        arrived = [c for c in codes if c.severity is severity]
        shown = [i for i in listed if i.severity is severity]
        if severity is Severity.INFO and not show_info:
            assert shown == []
        else:
            assert len(shown) == min(cap, len(arrived))
            # The first ones to arrive are the ones kept, in their order.
            assert [i.row for i in shown] == sorted(i.row for i in shown)
    assert sum(report.issue_counts.values()) == len(codes)


def test_english_counts_read_right_for_one_and_many() -> None:
    from harmonizer.api import validate

    root = Path(__file__).resolve().parents[2]
    report = validate(
        root / "mappings" / "pohjola-web.yaml", [root / "examples" / "pohjola-web.csv"]
    )
    text = render("text", results(report, lang="en"))
    [line] = [line for line in text.splitlines() if "rows read" in line]
    # Label, then count, as in fi and sv: right for one and for many.
    assert line.endswith("rows read 62: accepted 58, rejected 2, excluded 1, duplicates 1")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_workbook_tells_the_provider_when_the_recipient_fixes_the_errors(lang: str) -> None:
    """A unit list still to be completed is not the provider's to fix: no resending."""

    def next_step(report: Report) -> str:
        stream = io.BytesIO()
        REPORTERS_BY_NAME["xlsx"].write(results(report, lang=lang, audience="provider"), stream)
        summary = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).worksheets[0]
        rows = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}
        return str(rows[words(lang)["next_step"]])

    theirs = Report(mapping_id="pohjola-web", mapping_version="2", schema_version="1.1")
    theirs.add_issue(issue(IssueCode.LOOKUP_INCOMPLETE, 4, field="service_area", value="K-01"))
    ours = Report(mapping_id="pohjola-web", mapping_version="2", schema_version="1.1")
    ours.add_issue(issue(IssueCode.LOOKUP_INCOMPLETE, 4, field="service_area", value="K-01"))
    ours.add_issue(issue(IssueCode.UNKNOWN_LABEL, 5, field="ease", value="Ehkä"))
    assert next_step(theirs) == words(lang)["next_recipient"].format(
        contact=words(lang)["the_recipient"]
    )
    assert next_step(ours) == words(lang)["next_failed"].format(
        contact=words(lang)["the_recipient"]
    )
