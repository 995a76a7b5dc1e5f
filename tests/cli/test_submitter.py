"""What the person who must act sees, through the real CLI (issue 10, sections 1-5).

1. An error is never crowded out by notices, in any format; personal data replaced is a
   count, listed one by one only with --show-info.
2. A missing column, a moved header and an unreadable export are located issues of
   ``validate`` in the chosen format; the other exports are still validated; exit 1.
3. Each issue has the provider's fix in their words and the mapping author's fix.
4. Every text in fi, sv and en, one default from the locale, --lang to choose.
5. The submitter's workbook can be read and printed, and says what to do next.
"""

from __future__ import annotations

import contextlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from harmonizer.cli import main
from tests.issue_cases import GOOD, HEADER, MAPPING

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("text", "json", "junit", "github", "sarif", "xlsx")


def invoke(folder: Path, *args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """Run the CLI in ``folder``, as a provider or CI job runs it beside the files."""
    runner = CliRunner(env=env)
    with contextlib.chdir(folder):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(folder: Path, name: str, header: str, rows: list[str]) -> Path:
    (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return Path(name)


def mapping(folder: Path, text: str = MAPPING) -> Path:
    (folder / "mapping.yaml").write_text(text, encoding="utf-8")
    return Path("mapping.yaml")


def phone_rows(count: int, bad_at: int) -> list[str]:
    """Rows with a phone number in every open answer, and NPS 12 on physical row bad_at."""
    rows = []
    for index in range(count):
        physical = index + 2
        nps = "12" if physical == bad_at else "9"
        rows.append(
            f"r{index};23.11.2026 14:05;Oulun terveysasema;{nps};Täysin samaa mieltä;web;"
            f"Soittakaa 040 123 {index:04d}"
        )
    return rows


def report_of(fmt: str, result: Result, output: Path) -> str:
    if fmt != "xlsx":
        return result.stdout
    book = openpyxl.load_workbook(output, read_only=True)
    rows = [r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    book.close()
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


# -- 1. errors are never crowded out -------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_error_is_listed_above_a_thousand_notices(fmt: str, tmp_path: Path) -> None:
    export = write(tmp_path, "export.csv", HEADER, phone_rows(1200, bad_at=1101))
    output = tmp_path / "report.xlsx"
    args = ["validate", "-m", mapping(tmp_path), export, "--format", fmt, "--max-issues", "1000"]
    result = invoke(tmp_path, *args, *(["-o", output] if fmt == "xlsx" else []))
    assert result.exit_code == 1, result.output
    text = report_of(fmt, result, output)
    assert "out-of-range" in text
    assert "1101" in text
    if fmt == "json":
        document = json.loads(text)
        (issue,) = document["reports"][0]["issues"]
        assert (issue["code"], issue["row"]) == ("out-of-range", 1101)
        assert document["issue_counts"] == {"out-of-range": 1, "redacted": 1200}
    elif fmt == "github":
        assert text.startswith("::error file=export.csv,line=1101,")
        assert "::notice" not in text
    elif fmt == "sarif":
        (found,) = json.loads(text)["runs"][0]["results"]
        assert found["level"] == "error"
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert root.get("failures") == "1"
    elif fmt == "text":
        assert text.startswith("export.csv, row 1101, column D “Suosittelu”: error out-of-range")
        assert "personal data replaced in 1,200 cells\n" in text
        assert "1,200 info issues not listed (nothing to do); --show-info lists them\n" in text
    else:
        assert "virhe" not in text  # the locale is English
        assert "personal data replaced in 1,200 cells" in text


def test_max_issues_caps_each_severity_and_show_info_lists_notices(tmp_path: Path) -> None:
    rows = phone_rows(30, bad_at=2)
    rows[5] = rows[5].replace(";9;", ";13;")
    rows[6] += ";extra"
    export = write(tmp_path, "export.csv", HEADER, rows)
    args = ["validate", "-m", mapping(tmp_path), export, "--format", "json", "--show-info"]
    document = json.loads(invoke(tmp_path, *args, "--max-issues", "1").stdout)
    listed = [(i["severity"], i["code"]) for i in document["reports"][0]["issues"]]
    assert listed == [("error", "out-of-range"), ("warning", "ragged-row"), ("info", "redacted")]
    counts = document["severity_counts"]
    assert (counts["error"], counts["warning"]) == (2, 1)
    assert counts["info"] >= 28
    assert document["reports"][0]["issues_truncated"] is True
    full = json.loads(invoke(tmp_path, *args).stdout)
    severities = [i["severity"] for i in full["reports"][0]["issues"]]
    assert severities == ["error"] * 2 + ["warning"] + ["info"] * counts["info"]


# -- 2. structural problems are issues of the report ------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_column_is_reported_and_the_other_export_still_validated(
    fmt: str, tmp_path: Path
) -> None:
    renamed = write(tmp_path, "renamed.csv", HEADER.replace("Sujuvuus", "Helppous"), [GOOD])
    good = write(tmp_path, "good.csv", HEADER, [GOOD.replace(";9;", ";11;")])
    output = tmp_path / "report.xlsx"
    args = ["validate", "-m", mapping(tmp_path), renamed, good, "--format", fmt]
    result = invoke(tmp_path, *args, *(["-o", output] if fmt == "xlsx" else []))
    assert result.exit_code == 1, result.output
    text = report_of(fmt, result, output)
    assert "column-not-found" in text
    assert "out-of-range" in text  # the good export's issue is not lost
    assert "Sujuvuus" in text
    if fmt == "json":
        document = json.loads(text)
        missing = next(
            i for i in document["reports"][0]["issues"] if i["code"] == "column-not-found"
        )
        assert (missing["export"], missing["row"], missing["column"]) == (
            "renamed.csv",
            1,
            "Sujuvuus",
        )
        assert missing["fix_export"] == (
            "restore the column “Sujuvuus” in the header on row 1, with exactly that text"
        )
    if fmt == "github":
        assert re.search(
            r"^::error file=[^,]*renamed\.csv,line=1,title=harmonizer column-not-found::",
            text,
            re.M,
        )
    if fmt == "junit":
        suites = {s.get("name"): s for s in ET.fromstring(text).iter("testsuite")}
        (renamed_suite,) = [s for n, s in suites.items() if n and n.endswith("renamed.csv")]
        case = next(c for c in renamed_suite if c.get("name") == "column-not-found")
        assert case.find("failure") is not None


def test_a_header_moved_down_by_a_title_row_is_found(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(f"Asiakaspalaute syksy 2026\n{HEADER}\n{GOOD}\n", encoding="utf-8")
    args = ["validate", "-m", mapping(tmp_path), export, "--format", "json"]
    result = invoke(tmp_path, *args)
    assert result.exit_code == 1
    (issue,) = json.loads(result.stdout)["reports"][0]["issues"]
    assert (issue["code"], issue["row"]) == ("column-not-found", 2)
    assert issue["message"].startswith("the header seems to be on row 2 of export.csv")
    assert issue["fix_mapping"] == (
        "set source.header_row: 2 in mapping.yaml if the export always has rows above its header"
    )
    assert issue["fix_export"] == (
        "the header seems to be on row 2: move it back to row 1 (delete any rows added above it)"
    )
    fi = invoke(tmp_path, *args[:-2], "--lang", "fi").stdout
    assert "otsikkorivi näyttää olevan rivillä 2: palauta se riville 1" in fi
    # Either fix works: the mapping reads row 2, or the export loses its title row.
    with_header_row = MAPPING.replace("source: {", "source: {header_row: 2, ")
    followed = invoke(tmp_path, "validate", "-m", mapping(tmp_path, with_header_row), export)
    assert followed.exit_code == 0, followed.stdout
    export.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    assert invoke(tmp_path, "validate", "-m", mapping(tmp_path), export).exit_code == 0


def test_an_unreadable_export_is_an_issue_and_run_still_stops(tmp_path: Path) -> None:
    legacy = ROOT / "tests" / "corpus" / "legacy.xls"
    good = write(tmp_path, "good.csv", HEADER, [GOOD])
    result = invoke(
        tmp_path, "validate", "-m", mapping(tmp_path), legacy, good, "--format", "sarif"
    )
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.stdout)["runs"][0]["results"]
    assert found["ruleId"] == "unreadable-export"
    assert "legacy.xls" in found["message"]["text"]
    assert "save the export again" in found["properties"]["fixExport"]
    # UTF-8 but for one row: read as UTF-8, that row alone is an issue; nothing garbled.
    text = "\n".join([HEADER, GOOD]) + "\n"
    (tmp_path / "mixed.csv").write_bytes(text.encode() + b"r2;23.11.2026 14:05;Oulu\xff;9;;web;x\n")
    args = ["validate", "-m", mapping(tmp_path), "mixed.csv", "--format", "json"]
    (issue,) = json.loads(invoke(tmp_path, *args).stdout)["reports"][0]["issues"]
    assert (issue["code"], issue["export"], issue["row"]) == ("undecodable-line", "mixed.csv", 3)
    assert "Ã" not in json.dumps(issue, ensure_ascii=False)
    assert issue["fix_export"].startswith("save the export again in UTF-8")
    renamed = write(tmp_path, "renamed.csv", HEADER.replace("Sujuvuus", "Helppous"), [GOOD])
    run = invoke(tmp_path, "run", "-m", mapping(tmp_path), renamed, "-o", tmp_path / "out")
    assert run.exit_code == 2


# -- 3. fixes for the provider ----------------------------------------------------------

KESKI = (
    MAPPING.replace(
        "  ease: Sujuvuus\n",
        "  ease:\n    column: Sujuvuus\n    value_map:\n"
        "      Täysin samaa mieltä: 5\n      Jokseenkin samaa mieltä: 4\n"
        "      Ei samaa eikä eri mieltä: 3\n      Jokseenkin eri mieltä: 2\n"
        "      Täysin eri mieltä: 1\n",
    )
    .replace("  respondent: customer\n", "")
    .replace(
        "  channel: Kanava\n",
        "  channel: Kanava\n  respondent:\n    column: Vastaaja\n    value_map:\n"
        "      asiakas: customer\n      omainen: close_person\n",
    )
    .replace("provider: {name: Testi Oy}", "provider: {name: Testi Oy, contact: palaute@hyvaks.fi}")
)


def test_the_provider_is_told_what_their_survey_says(tmp_path: Path) -> None:
    header = HEADER + ";Vastaaja"
    rows = [
        good_row("r1", ease="Jokseekin samaa mieltä") + ";asiakas",
        good_row("r2") + ";omanen",
        good_row("r3", time="31.9.2026 14:05") + ";asiakas",
    ]
    export = write(tmp_path, "export.csv", header, rows)
    args = ["validate", "-m", mapping(tmp_path, KESKI), export, "--audience", "provider"]
    text = invoke(tmp_path, *args).stdout
    assert (
        "    fix in the export: did you mean “Jokseenkin samaa mieltä”? Write one of the survey's "
        "answers in column “Sujuvuus”: “Täysin samaa mieltä”, “Jokseenkin samaa mieltä”"
    ) in text
    assert (
        "    fix in the export: did you mean “omainen”? Write one of the accepted answers" in text
    )
    assert (
        "customer, customer_assisted"
        not in text.split("fix in the export: did you mean “omainen”")[1].split("\n")[0]
    )
    assert (
        "    fix in the export: September has 30 days: correct the date in column “Aika”\n" in text
    )
    # The provider's fix comes first; the mapping author's follows.
    block = text.split("row 4,")[1]
    assert block.index("fix in the export") < block.index("fix in the mapping")
    fi = invoke(tmp_path, *args, "--lang", "fi").stdout
    assert "korjaus aineistoon: syyskuussa on 30 päivää: korjaa sarakkeen ”Aika” päivämäärä" in fi
    assert "korjaus aineistoon: tarkoititko ”Jokseenkin samaa mieltä”? Kirjoita" in fi
    sv = invoke(tmp_path, *args, "--lang", "sv").stdout
    assert "rättelse i exportfilen: september har 30 dagar: rätta datumet i kolumnen ”Aika”" in sv


def good_row(rid: str, **cells: str) -> str:
    names = HEADER.split(";")
    values = dict(zip(names, GOOD.split(";"), strict=True))
    values["Vastaus"] = rid
    for key, value in cells.items():
        values[{"ease": "Sujuvuus", "time": "Aika"}[key]] = value
    return ";".join(values[n] for n in names)


def test_ci_formats_carry_both_fixes(tmp_path: Path) -> None:
    export = write(tmp_path, "export.csv", HEADER + ";Vastaaja", [good_row("r1") + ";omanen"])
    base = ["validate", "-m", mapping(tmp_path, KESKI), export, "--format"]
    github = invoke(tmp_path, *base, "github").stdout
    assert "fix in the export: did you mean “omainen”?" in github
    assert "value_map of fields.respondent in mapping.yaml" in github
    sarif = json.loads(invoke(tmp_path, *base, "sarif").stdout)
    properties = sarif["runs"][0]["results"][0]["properties"]
    assert properties["fixExport"].startswith("did you mean “omainen”?")
    assert "mapping.yaml" in properties["fixMapping"]
    junit = invoke(tmp_path, *base, "junit").stdout
    assert "fix in the export: did you mean “omainen”?" in junit


# -- 4. their language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("fi_FI.UTF-8", ("rivi 2", "virhe out-of-range", "tulos: korjattavaa (exit 1)")),
        ("sv_FI.UTF-8", ("rad 2", "fel out-of-range", "resultat: behöver rättas (exit 1)")),
        ("C.UTF-8", ("row 2", "error out-of-range", "result: failed (exit 1)")),
    ],
)
def test_the_locale_chooses_the_language_of_every_format(
    locale: str, words: tuple[str, ...], tmp_path: Path
) -> None:
    export = write(tmp_path, "export.csv", HEADER, [GOOD.replace(";9;", ";12;")])
    env: dict[str, str | None] = {"LANG": locale, "LC_ALL": None, "LC_MESSAGES": None}
    text = invoke(tmp_path, "validate", "-m", mapping(tmp_path), export, env=env).stdout
    for expected in words:
        assert expected in text
    output = tmp_path / "r.xlsx"
    args = ["validate", "-m", mapping(tmp_path), export, "--format", "xlsx", "-o", output]
    invoke(tmp_path, *args, env=env)
    book = openpyxl.load_workbook(output, read_only=True)
    expected_sheet = {"fi_FI.UTF-8": "Yhteenveto", "sv_FI.UTF-8": "Sammanfattning"}
    assert book.sheetnames[0] == expected_sheet.get(locale, "Summary")
    book.close()
    english = invoke(tmp_path, "validate", "-m", mapping(tmp_path), export, "--lang", "en", env=env)
    assert "result: failed (exit 1)" in english.stdout


def test_finnish_text_report_has_no_english_words(tmp_path: Path) -> None:
    rows = [good_row("r1", ease="Erittäin hyvä"), good_row("r2", time="32.13.2026 14:05")]
    export = write(tmp_path, "export.csv", HEADER, rows)
    text = invoke(tmp_path, "validate", "-m", mapping(tmp_path), export, "--lang", "fi").stdout
    for english in ("row", "column", "error", "fix", "issues", "result", "rows read", "value"):
        assert not re.search(rf"\b{english}\b", text), english
    assert "virhe unknown-label: ”Erittäin hyvä” ei ole kyselyn vastausvaihtoehto\n" in text


def test_codebook_descriptions_follow_the_language(tmp_path: Path) -> None:
    target = tmp_path / "codebook.md"
    result = invoke(tmp_path, "schema", "codebook", "--lang", "fi", "-o", target)
    assert result.exit_code == 0, result.output
    text = target.read_text("utf-8")
    assert "Yksikön nimi palveluntuottajan käyttämässä muodossa." in text
    assert "Unit as named by the provider." not in text


# -- 5. a workbook a provider can use and print ----------------------------------------


@pytest.mark.parametrize(
    ("lang", "next_step"),
    [
        (
            "fi",
            "Korjaa virheelliset solut omaan tiedostoosi ja lähetä korjattu tiedosto uudelleen: palaute@hyvaks.fi.",
        ),
        (
            "sv",
            "Rätta de felaktiga cellerna i din egen fil och skicka den rättade filen på nytt: palaute@hyvaks.fi.",
        ),
        (
            "en",
            "Correct the cells in your own file and send the corrected file again: palaute@hyvaks.fi.",
        ),
    ],
)
def test_the_workbook_says_what_to_do_next(lang: str, next_step: str, tmp_path: Path) -> None:
    export = write(tmp_path, "export.csv", HEADER + ";Vastaaja", [good_row("r1") + ";omanen"])
    output = tmp_path / "palaute.xlsx"
    args = ["validate", "-m", mapping(tmp_path, KESKI), export, "--format", "xlsx", "-o", output]
    assert invoke(tmp_path, *args, "--lang", lang).exit_code == 1
    book = openpyxl.load_workbook(output)
    summary, issues = book.worksheets
    values = [c.value for row in summary.iter_rows() for c in row if c.value is not None]
    assert any(str(v).startswith(next_step) for v in values), values
    assert issues.freeze_panes == "B2"
    assert issues.page_setup.orientation == "landscape"
    assert issues["F2"].value.startswith(
        {"fi": "Tarkoititko", "sv": "Menade du", "en": "Did you mean"}[lang]
    )
    book.close()


def test_mapping_schema_documents_the_contact() -> None:
    schema = json.loads((ROOT / "schemas" / "mapping.schema.json").read_text("utf-8"))
    provider = schema["$defs"]["Provider"]["properties"]
    assert "contact" in provider
