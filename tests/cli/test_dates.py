"""Response times through the real CLI: one plausible window, impossible days, Excel cells.

Every date, whatever its form (ISO or Finnish text, an Excel serial as text or number, a
date cell), either becomes a response time inside the plausible window or a located
reject that says what is wrong; never a traceback, never a silently odd record.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from harmonizer.cli import main
from tests.helpers import read_jsonl, write_csv, write_mapping

HEADER = ["Tunniste", "Aika", "Yksikkö", "Suosittelu"]
FIELDS = """\
response_id: {column: Tunniste}
fields:
  responded_at: Aika
  unit_name: Yksikkö
  nps: Suosittelu
"""


def run(folder: Path, export: Path, fields: str = FIELDS, *extra: str) -> Any:
    mapping = write_mapping(folder / "mapping.yaml", fields)
    result = CliRunner().invoke(
        main,
        ["run", "-m", str(mapping), str(export), "-o", str(folder / "out"), "-q", *extra],
        catch_exceptions=False,
    )
    assert "Traceback" not in result.output + result.stderr
    return result


def rejected(folder: Path) -> dict[int, dict[str, Any]]:
    """Return the first issue of every reject, by source row."""
    return {r["row"]: r["issues"][0] for r in read_jsonl(folder / "out" / "rejects.jsonl")}


def records(folder: Path) -> dict[str, dict[str, Any]]:
    return {r["source"]["response_id"]: r for r in read_jsonl(folder / "out" / "records.jsonl")}


TEXT_DATES = [
    # cell, code, words the message must hold
    ("9999-12-31T23:59", "implausible-date", "31.12.9999, outside the plausible window"),
    ("1800-01-01", "implausible-date", "1.1.1800, outside the plausible window"),
    ("0001-01-01T00:00:00+05:00", "implausible-date", "outside the plausible window"),
    ("2958465", "implausible-date", "31.12.9999"),
    ("29.2.2025", "impossible-date", "February 2025 has 28 days (2025 is not a leap year)"),
    ("31.6.2025", "impossible-date", "June has 30 days"),
    ("2025-04-31T12:03:44", "impossible-date", "April has 30 days"),
    ("24.12.2026 25:00", "impossible-date", "there is no hour 25"),
    ("12", "bad-date", "is not a date"),
    ("eilen", "bad-date", "is not a date in the formats"),
]


def test_every_text_date_is_a_record_or_a_located_reject(tmp_path: Path) -> None:
    rows = [HEADER, ["ok", "23.11.2026 14:05", "Asema", 9]]
    rows += [[f"r{n}", cell, "Asema", 9] for n, (cell, _, _) in enumerate(TEXT_DATES)]
    export = write_csv(tmp_path / "export.csv", rows)
    result = run(tmp_path, export)
    assert result.exit_code == 0, result.stderr
    assert list(records(tmp_path)) == ["ok"]
    issues = rejected(tmp_path)
    for row, (cell, code, words) in enumerate(TEXT_DATES, start=3):
        issue = issues[row]
        assert (issue["code"], issue["column_letter"], issue["field"]) == (
            code,
            "B",
            "responded_at",
        ), cell
        assert words in issue["message"], issue["message"]
    # The message names the fix: the window for implausible dates, the cell otherwise.
    assert (
        "fields.responded_at.earliest or fields.responded_at.latest in mapping.yaml"
        in (issues[3]["message"])
    )
    assert "correct the date in the export" in issues[7]["message"]


def test_following_the_window_fix_accepts_the_dates(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [HEADER, ["old", "1800-01-01", "Asema", 9], ["far", "31.12.2199 10:00", "Asema", 8]],
    )
    assert run(tmp_path, export).exit_code == 0
    assert {i["code"] for i in rejected(tmp_path).values()} == {"implausible-date"}
    fixed = FIELDS.replace(
        "  responded_at: Aika\n",
        "  responded_at: {column: Aika, earliest: 1800-01-01, latest: 2199-12-31}\n",
    )
    assert run(tmp_path, export, fixed).exit_code == 0
    assert rejected(tmp_path) == {}
    kept = records(tmp_path)
    assert kept["old"]["responded_at"] == "1800-01-01"
    assert kept["far"]["responded_at"] == "2199-12-31T10:00:00+02:00"


def test_a_narrower_window_flags_a_typed_wrong_year(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv",
        [HEADER, ["ok", "23.11.2026 14:05", "Asema", 9], ["typo", "23.11.2062 14:05", "Asema", 9]],
    )
    fixed = FIELDS.replace(
        "  responded_at: Aika\n",
        "  responded_at: {column: Aika, earliest: 2023-01-01, latest: 2026-12-31}\n",
    )
    assert run(tmp_path, export, fixed).exit_code == 0
    issue = rejected(tmp_path)[3]
    assert issue["code"] == "implausible-date"
    assert "window of response dates 1.1.2023-31.12.2026" in issue["message"]


def test_check_refuses_a_misplaced_or_backwards_window_and_a_broken_pattern(tmp_path: Path) -> None:
    body = FIELDS.replace(
        "  responded_at: Aika\n",
        "  responded_at: {column: Aika, earliest: 2026-12-31, latest: 2023-01-01, "
        'formats: ["%d.%m.%Y %d", "%d/%m/%Y"]}\n',
    ).replace("  unit_name: Yksikkö\n", "  unit_name: {column: Yksikkö, latest: 2026-01-01}\n")
    mapping = write_mapping(tmp_path / "mapping.yaml", body)
    result = CliRunner().invoke(main, ["check", str(mapping)], catch_exceptions=False)
    assert result.exit_code == 1  # problems found in the mapping (2: could not run)
    assert "latest applies to responded_at only" in result.stdout
    assert "is before earliest" in result.stdout
    assert "the date pattern '%d.%m.%Y %d' cannot be used: it writes a directive twice" in (
        result.stdout
    )
    assert "'%d/%m/%Y'" not in result.stdout


def date_workbook(path: Path, cells: list[tuple[str, object, str]]) -> Path:
    """Write an xlsx export whose Aika cells carry the given values and number formats."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for name, value, number_format in cells:
        sheet.append([name, value, "Asema", 9])
        sheet.cell(sheet.max_row, 2).number_format = number_format
    book.save(path)
    return path


NOT_DATES = [("zero", 0), ("one", 1), ("sixty", 60), ("sixty-one", 61), ("minus", -1)]


def test_excel_cells_that_are_not_dates_say_so_plainly(tmp_path: Path) -> None:
    cells = [(name, value, "d.m.yyyy") for name, value in NOT_DATES]
    cells += [
        ("noon", 0.5, "d.m.yyyy"),
        ("last-day", 2958465, "d.m.yyyy"),
        ("ok", dt.datetime(2026, 11, 23, 14, 5), "d.m.yyyy h:mm"),
    ]
    export = date_workbook(tmp_path / "export.xlsx", cells)
    assert run(tmp_path, export).exit_code == 0
    assert list(records(tmp_path)) == ["ok"]
    issues = rejected(tmp_path)
    for row in range(2, 2 + len(NOT_DATES) + 1):
        assert issues[row]["code"] == "bad-date"
        assert issues[row]["message"].startswith("the cell is not a date: it holds")
        # Nothing from the inside of Python or of the time zone database.
        assert "datetime" not in issues[row]["message"]
        assert "+01:39" not in issues[row]["message"]
    last = issues[2 + len(NOT_DATES) + 1]
    assert last["code"] == "implausible-date"
    assert "the cell's date, 31.12.9999, is outside the plausible window" in last["message"]


def test_time_is_kept_from_a_date_time_cell(tmp_path: Path) -> None:
    export = date_workbook(
        tmp_path / "export.xlsx", [("ok", dt.datetime(2026, 7, 1, 9, 30), "d.m.yyyy h:mm")]
    )
    assert run(tmp_path, export).exit_code == 0
    assert records(tmp_path)["ok"]["responded_at"] == "2026-07-01T09:30:00+03:00"


def test_strict_run_fails_on_an_implausible_date(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "export.csv", [HEADER, ["x", "0001-01-01T00:00:00+05:00", "A", 9]]
    )
    result = run(tmp_path, export, FIELDS, "--strict")
    assert result.exit_code == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["issue_counts"] == {"implausible-date": 1}
    assert manifest["counts"]["rejected"] == 1


@pytest.mark.parametrize(
    ("formats", "cell", "words"),
    [
        ('["%d/%m/%Y"]', "31/06/2025", "June has 30 days"),
        ('["%m/%d/%Y %H:%M"]', "23/11/2026 14:05", "there is no month 23"),
        ('["%d %B %Y"]', "31 June 2025", "the day is past the end of its month"),
        ("[iso]", "2025-13-01", "there is no month 13"),
        ("[fi_klo]", "1.1.2026 klo 24.61", "there is no hour 24"),
    ],
)
def test_impossible_dates_in_any_listed_format(
    tmp_path: Path, formats: str, cell: str, words: str
) -> None:
    export = write_csv(tmp_path / "export.csv", [HEADER, ["x", cell, "Asema", 9]])
    fields = FIELDS.replace(
        "  responded_at: Aika\n", f"  responded_at: {{column: Aika, formats: {formats}}}\n"
    )
    assert run(tmp_path, export, fields).exit_code == 0
    issue = rejected(tmp_path)[2]
    assert issue["code"] == "impossible-date"
    assert words in issue["message"]


def test_the_documented_impossible_date_message_is_real(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from tests.helpers import ROOT

    doc = (ROOT / "docs" / "mapping.md").read_text(encoding="utf-8")

    def block_after(marker: str, language: str) -> str:
        match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(doc, doc.index(marker))
        assert match is not None
        return match.group(1)

    export = (
        block_after("The export `palaute.csv`", "text") + "31.6.2026 14:05;Oulun terveysasema;10\n"
    )
    (tmp_path / "palaute.csv").write_text(export, encoding="utf-8")
    (tmp_path / "palaute.yaml").write_text(
        block_after("The mapping `palaute.yaml`", "yaml"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main,
        ["run", "-m", "palaute.yaml", "palaute.csv", "-o", "out", "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    issue = rejected(tmp_path)[5]
    shown = (
        f"row 5, column A '{issue['column']}', value '{issue['value']}', {issue['code']}:\n"
        f"{issue['message']}"
    )
    assert shown in block_after("**A day that does not exist**", "text")


def test_a_date_only_excel_cell_stays_a_date_like_a_text_date(tmp_path: Path) -> None:
    export = date_workbook(
        tmp_path / "export.xlsx",
        [("cell", dt.datetime(2026, 11, 23), "d.m.yyyy"), ("text", "24.11.2026", "General")],
    )
    assert run(tmp_path, export).exit_code == 0
    kept = records(tmp_path)
    assert kept["text"]["responded_at"] == "2026-11-24"
    assert kept["cell"]["responded_at"] == "2026-11-23"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_date_formats_with_locale_tags_literals_or_capitals_stay_dates(
    tmp_path: Path, jobs: str
) -> None:
    # Excel's "Long Date" button writes [$-x-sysdate]; LibreOffice writes capitals; a
    # quoted literal may hold an h. None of them shows a time.
    midnight = dt.datetime(2026, 11, 23)
    cells = [
        ("sysdate", midnight, "[$-x-sysdate]dddd, mmmm dd, yyyy"),
        ("fi-long", midnight, '[$-x-sysdate]dddd", "d". "mmmm"ta "yyyy'),
        ("capitals", midnight, "DD.MM.YYYY"),
        ("literal", midnight, 'd.m.yyyy "vastaus"'),
        ("locale", midnight, "[$-40B]d.m.yyyy"),
        ("capitals-time", dt.datetime(2026, 11, 23, 14, 5), "YYYY-MM-DD HH:MM:SS"),
        ("klo", dt.datetime(2026, 11, 23, 14, 5), 'd.m.yyyy "klo" h.mm'),
    ]
    export = date_workbook(tmp_path / "export.xlsx", cells)
    assert run(tmp_path, export, FIELDS, "--jobs", jobs).exit_code == 0
    assert {k: r["responded_at"] for k, r in records(tmp_path).items()} == {
        "sysdate": "2026-11-23",
        "fi-long": "2026-11-23",
        "capitals": "2026-11-23",
        "literal": "2026-11-23",
        "locale": "2026-11-23",
        "capitals-time": "2026-11-23T14:05:00+02:00",
        "klo": "2026-11-23T14:05:00+02:00",
    }
