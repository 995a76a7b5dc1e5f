"""Every fix a message suggests works: follow it, validate again, and the issue is gone.

Table-driven over the issue catalogue (issue 9, item 11): for each data code's trigger
case in ``tests/issue_cases.py``, run ``harmonizer validate --format json``, read the fix
the report gives (the provider's, or the mapping author's where only the mapping can
change), check that it names what the step below does, do exactly that to the export or
the mapping, and validate again: the code must be gone. Notes that need no action
(``ambiguous-time``, ``redacted``) have nothing to follow and say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from harmonizer.issues import IssueCode
from tests.issue_cases import CASES, GOOD, HEADER, Case, data, good_with, run_case

Step = Callable[[Case, str], Case]
QUOTED = re.compile(r"[“”]([^“”]+)[”]")


def _first_answer(fix: str) -> str:
    """Return the first accepted answer a fix spells out (after its colon)."""
    listed = fix.rsplit(": ", 1)[1]
    found = QUOTED.search(listed)
    assert found, fix
    return found.group(1)


def _cell(case: Case, key: str, value: str) -> Case:
    """Return the case with one cell of its (single-row) export replaced."""
    (row,) = case.rows
    names = case.header.split(";")
    cells = dict(zip(names, row.split(";"), strict=True))
    cells[key] = value
    return replace(case, rows=(";".join(cells[n] for n in names),))


@dataclass(frozen=True)
class Follow:
    """How to follow the fix of one code: whose fix, what it must say, and the step."""

    whose: str  # "export" (the provider's fix) or "mapping" (the author's)
    says: str  # a regular expression the fix must match
    step: Step
    case: Case | None = None  # another trigger than the catalogue's, when it says more


FOLLOW: dict[IssueCode, Follow] = {
    IssueCode.UNKNOWN_LABEL: Follow(
        "export",
        r"^write one of the survey's answers in column “Sujuvuus”: “",
        lambda case, fix: _cell(case, "Sujuvuus", _first_answer(fix)),
    ),
    IssueCode.OUT_OF_RANGE: Follow(
        "export",
        r"^write a number from 0 to 10 in column “Suosittelu”",
        lambda case, fix: _cell(
            case,
            "Suosittelu",
            re.search(r"to (\d+)", fix).group(1),  # type: ignore[union-attr]
        ),
    ),
    IssueCode.BAD_NUMBER: Follow(
        "export",
        r"^write a whole number in column “Yksikkö”",
        lambda case, fix: _cell(case, "Yksikkö", "40"),
    ),
    IssueCode.BAD_DATE: Follow(
        "export",
        r"^write the date and time in column “Aika” as the other rows have it, for example "
        r"23\.11\.2026 14:05$",
        lambda case, fix: _cell(case, "Aika", fix.rsplit("for example ", 1)[1]),
    ),
    IssueCode.IMPOSSIBLE_DATE: Follow(
        "export",
        r"^September has 30 days: correct the date in column “Aika”$",
        lambda case, fix: _cell(case, "Aika", "30.9.2026 14:05"),
        data(good_with(time="31.9.2026 14:05")),
    ),
    IssueCode.IMPLAUSIBLE_DATE: Follow(
        "export",
        r"^correct the date in column “Aika”: a response cannot be that old or in the future$",
        lambda case, fix: _cell(case, "Aika", "23.11.2026 14:05"),
    ),
    IssueCode.BAD_CODE: Follow(
        "export",
        r"^write one of the accepted answers in column “Kanava”: “sms”, “web”",
        lambda case, fix: _cell(case, "Kanava", _first_answer(fix)),
    ),
    IssueCode.LOOKUP_MISSING: Follow(
        "export",
        r"^write a value of the agreed list in column “Kanava”: “Tekstiviesti”",
        lambda case, fix: _cell(case, "Kanava", _first_answer(fix)),
    ),
    IssueCode.LOOKUP_INCOMPLETE: Follow(
        "mapping",
        r"^fill in fields\.channel for this value in the lookup table",
        lambda case, fix: replace(
            case, mapping=case.mapping.replace("Verkko: {channel: null}", "Verkko: {channel: web}")
        ),
    ),
    IssueCode.OFF_SCALE: Follow(
        "export",
        r"^write one of the item's answers in column “Palaute”: “1”, “2”, “3”, “4”, or leave "
        r"the cell empty$",
        lambda case, fix: _cell(case, "Palaute", _first_answer(fix)),
    ),
    IssueCode.REQUIRED_MISSING: Follow(
        "export",
        r"^fill in the cell in column “Yksikkö”",
        lambda case, fix: _cell(case, "Yksikkö", "Oulun terveysasema"),
    ),
    IssueCode.OUTSIDE_REFORM: Follow(
        "export",
        r"^leave Åland's responses out of the export$",
        lambda case, fix: replace(case, rows=()),
    ),
    IssueCode.VALUE_TOO_LONG: Follow(
        "export",
        r"^shorten the cell in column “Palaute”",
        lambda case, fix: _cell(case, "Palaute", "x" * 500),
    ),
    IssueCode.DUPLICATE_RESPONSE: Follow(
        "export",
        r"^delete the repeated row",
        lambda case, fix: replace(case, rows=case.rows[:1]),
    ),
    IssueCode.CONFLICTING_ANSWER: Follow(
        "export",
        r"^keep one answer to the question in this response and delete the other",
        lambda case, fix: replace(case, rows=case.rows[:1]),
    ),
    IssueCode.UNKNOWN_QUESTION: Follow(
        "mapping",
        r"or list it under long\.ignore",
        lambda case, fix: replace(
            case,
            mapping=case.mapping.replace(
                "  pivot_window: 1\n", "  pivot_window: 1\n  ignore: [Q9]\n"
            ),
        ),
    ),
    IssueCode.RESPONSE_NOT_CONTIGUOUS: Follow(
        "export",
        r"^sort the export by response id",
        lambda case, fix: replace(case, rows=tuple(sorted(case.rows))),
    ),
    IssueCode.FORMULA_WITHOUT_VALUE: Follow(
        "export",
        r"write a value in the cell instead of the formula$",
        lambda case, fix: _cell(case, "Suosittelu", "9"),
    ),
    IssueCode.FORMULA_ERROR: Follow(
        "export",
        r"write the answer in the cell; the cell shows an error instead of a value$",
        lambda case, fix: _cell(case, "Suosittelu", "9"),
    ),
    IssueCode.CONTROL_CHARACTER: Follow(
        "export",
        r"invisible control characters, which were removed$",
        lambda case, fix: replace(case, rows=tuple(r.replace("\x00\x07", "") for r in case.rows)),
    ),
    IssueCode.SUSPICIOUS_MULTILINE: Follow(
        "export",
        r"a stray quote may have joined the rows after it into one cell$",
        lambda case, fix: replace(case, rows=tuple(r.replace('"', "") for r in case.rows)),
    ),
    IssueCode.UNDECODABLE_LINE: Follow(
        "export",
        r"^save the export again in UTF-8 and send it again",
        lambda case, fix: replace(case, rows=tuple(r.replace("\udce4", "ä") for r in case.rows)),
    ),
    IssueCode.RAGGED_ROW: Follow(
        "export",
        r"in a csv put a cell holding the delimiter in quotes",
        lambda case, fix: replace(case, rows=(GOOD,)),
    ),
    IssueCode.DUPLICATE_HEADER: Follow(
        "export",
        r"^give the columns named “Sujuvuus” different headers$",
        lambda case, fix: replace(case, header=HEADER + ";Sujuvuus (toinen)"),
    ),
    IssueCode.SCHEMA_VIOLATION: Follow(
        "mapping",
        r"the rule of fields\.unit_id in mapping\.yaml",
        lambda case, fix: replace(case, mapping=case.mapping.replace("  unit_id: Yksikkö\n", "")),
    ),
    IssueCode.NONEXISTENT_TIME: Follow(
        "export",
        r"^check the clock of the system that collected the answers$",
        lambda case, fix: _cell(case, "Aika", "29.03.2026 04:30"),
    ),
    IssueCode.UNREADABLE_EXPORT: Follow(
        "export",
        r"^save the export again from the survey tool as csv \(UTF-8\)",
        lambda case, fix: replace(case, header=HEADER),
    ),
    IssueCode.COLUMN_NOT_FOUND: Follow(
        "export",
        r"^restore the column “Sujuvuus” in the header on row 1, with exactly that text$",
        lambda case, fix: replace(case, header=HEADER),
        data(GOOD, header=HEADER.replace("Sujuvuus", "Helppous")),
    ),
}
NOTHING_TO_DO = {IssueCode.AMBIGUOUS_TIME, IssueCode.REDACTED, IssueCode.UNUSED_COLUMN}


def _validate(case: Case, folder: Path) -> dict[str, object]:
    result = run_case(replace(case, show_info=True), folder, "json")
    assert result.exit_code in (0, 1), result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_the_table_covers_every_data_code() -> None:
    data_codes = {c for c in IssueCode if c.info.scope == "data"}
    assert data_codes <= set(FOLLOW) | NOTHING_TO_DO


@pytest.mark.parametrize("code", list(FOLLOW), ids=str)
def test_following_the_fix_removes_the_issue(code: IssueCode, tmp_path: Path) -> None:
    follow = FOLLOW[code]
    case = follow.case or CASES[code]
    if case.command != "validate":
        case = replace(case, command="validate")
    before = _validate(case, tmp_path)
    issues = [
        i
        for r in before["reports"]  # type: ignore[attr-defined]
        for i in r["issues"]
        if i["code"] == str(code)
    ]
    assert issues, before["issue_counts"]
    fix = issues[0][f"fix_{follow.whose}"]
    assert fix is not None
    assert re.search(follow.says, fix), fix
    after = _validate(follow.step(case, fix), tmp_path)
    assert str(code) not in after["issue_counts"], after["issue_counts"]  # type: ignore[operator]


@pytest.mark.parametrize("code", sorted(NOTHING_TO_DO), ids=str)
def test_notes_say_there_is_nothing_to_do(code: IssueCode, tmp_path: Path) -> None:
    document = _validate(CASES[code], tmp_path)
    (issue,) = [
        i
        for r in document["reports"]  # type: ignore[attr-defined]
        for i in r["issues"]
        if i["code"] == str(code)
    ]
    assert issue["fix_export"] is None
    assert issue["fix_mapping"].startswith("nothing to do")
