"""Every issue code is triggered by a real mapping and a real export, through the CLI.

The cases live in ``tests/issue_cases.py`` (docs/issues.md shows their text reports).
Each case writes a mapping and (for data codes) a csv export into a temporary folder,
runs ``harmonizer validate`` or ``harmonizer check`` with ``--format json`` and asserts
the code in the report. ``test_every_code_has_a_case`` keeps the catalogue complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harmonizer.issues import IssueCode
from tests.issue_cases import CASES, GOOD, NOT_RAISED_YET, Case, data, run_case


def run_json(case: Case, folder: Path) -> tuple[int, dict[str, object]]:
    result = run_case(case, folder, "json")
    assert result.exit_code in (0, 1, 2), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_every_code_has_a_case() -> None:
    assert set(CASES) == set(IssueCode)
    assert set(NOT_RAISED_YET) <= set(IssueCode)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(code, marks=pytest.mark.xfail(reason=NOT_RAISED_YET[code], strict=True))
        if code in NOT_RAISED_YET
        else code
        for code in IssueCode
    ],
    ids=str,
)
def test_code_is_triggered(code: IssueCode, tmp_path: Path) -> None:
    exit_code, document = run_json(CASES[code], tmp_path)
    counts = document["issue_counts"]
    assert isinstance(counts, dict)
    assert counts.get(str(code), 0) >= 1, counts
    listed = [i for r in document["reports"] for i in r["issues"] if i["code"] == str(code)]  # type: ignore[index, union-attr]
    assert listed
    assert all(i["severity"] == str(code.severity) for i in listed)
    if code.severity.name == "ERROR":
        # An error found, in the data or in a mapping, fails the check: exit 1; a
        # mapping that cannot be read as YAML at all could not be checked: exit 2.
        assert exit_code == (2 if code is IssueCode.MAPPING_YAML else 1)


def test_good_row_has_no_issue(tmp_path: Path) -> None:
    exit_code, document = run_json(data(GOOD), tmp_path)
    assert document["issue_counts"] == {}
    assert exit_code == 0
