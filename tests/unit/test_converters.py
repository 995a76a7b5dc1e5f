"""Converters as pure functions of a raw value and its rule: text, missing values, dates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonizer.converters import (
    MissingValues,
    moment_converter,
    normalise_line_breaks,
    own_item_converter,
    text_converter,
)
from harmonizer.issues import IssueCode
from harmonizer.mapping.model import DEFAULT_MISSING_VALUES, FieldRule
from harmonizer.redaction import Redactor
from harmonizer.values import label_key

MISSING = MissingValues(DEFAULT_MISSING_VALUES)


@given(st.lists(st.sampled_from(["a", "ä", " ", "\r", "\n", "\r\n"]), max_size=30).map("".join))
def test_line_breaks_are_lf_and_nothing_else_changes(text: str) -> None:
    result = normalise_line_breaks(text)
    assert "\r" not in result
    assert result.replace("\n", "") == text.replace("\r", "").replace("\n", "")
    # As many line breaks as a reader of the export sees.
    assert result.count("\n") == text.replace("\r\n", "\n").replace("\r", "\n").count("\n")


def test_missing_values_match_like_labels_and_never_long_text() -> None:
    assert "-" in MISSING
    assert " N/A " in MISSING
    assert "n/a" in MISSING
    assert "?" in MISSING
    assert "Kiitos" not in MISSING
    assert "-" * 5000 not in MISSING
    assert None not in MISSING
    assert "-" not in MissingValues(())


def test_text_keeps_a_value_map_before_missing_values() -> None:
    rule = FieldRule(column="x", value_map={"-": "viiva"})
    convert = text_converter("unit_name", rule, None, missing_values=MISSING)
    assert convert("-").value == "viiva"
    assert convert("NA").value is None
    assert convert("Asema\r\nA").value == "Asema\nA"


def test_own_items_drop_missing_values_and_keep_numbers() -> None:
    convert = own_item_converter({}, None, MISSING)
    assert convert("-").value is None
    assert convert(4).value == 4
    assert convert("a\rb").value == "a\nb"


def test_the_date_converter_names_the_code_of_each_problem() -> None:
    convert = moment_converter(FieldRule(column="x"), MISSING)
    assert convert("-").value is None
    assert convert("-").error is None
    codes = {
        cell: (result.error[0] if result.error else None)
        for cell in ("31.6.2025", "9999-12-31T23:59", "eilen", "23.11.2026 14:05")
        for result in [convert(cell)]
    }
    assert codes == {
        "31.6.2025": IssueCode.IMPOSSIBLE_DATE,
        "9999-12-31T23:59": IssueCode.IMPLAUSIBLE_DATE,
        "eilen": IssueCode.BAD_DATE,
        "23.11.2026 14:05": None,
    }


def test_the_rules_window_replaces_the_default() -> None:
    import datetime as dt

    rule = FieldRule(column="x", earliest=dt.date(1800, 1, 1))
    assert moment_converter(rule)("1800-01-01").value == "1800-01-01"
    assert moment_converter(rule)("2101-01-01").error is not None


def test_a_number_cell_matches_a_numeric_missing_value() -> None:
    import datetime as dt

    codes = MissingValues(["99", "-"])
    assert 99 in codes
    assert 99.0 in codes
    assert "99" in codes
    assert 98 not in codes
    assert True not in codes
    assert dt.date(2026, 1, 1) not in codes


@pytest.mark.parametrize(
    ("missing", "cell", "found"),
    [
        (["EOS", "-"], "eos", True),
        (["EOS", "-"], "12.3.2026 10:00", False),  # told apart without a label key
        (["EOS", "-"], "\uff19", False),
        (["99", "EOS"], " 99", True),  # a missing value that starts with a digit
        (["99", "EOS"], "\uff19\uff19", True),  # full-width digits are the same label
        (["99"], 99, True),
        (["0 - ei vastausta"], "0 \u2013 ei vastausta", True),
    ],
)
def test_missing_values_that_start_with_a_digit(
    missing: list[str], cell: object, found: bool
) -> None:
    assert (cell in MissingValues(missing)) is found


def test_an_own_item_on_a_scale_takes_its_points_and_notes_any_other_answer() -> None:
    convert = own_item_converter({"Kiva": 4}, None, MISSING, [1, 2, 3, 4], "smiley4")
    assert [convert(v).value for v in ("3", 3.0, "3,0", 2, "kiva", "-")] == [3, 3, 3, 2, 4, None]
    for answer in ("7", 0, "2.5", "hyvä", True):
        result = convert(answer)
        assert result.error is None
        assert result.value == answer  # carried as written, so figures count it off the scale
        assert result.note is not None
        assert result.note[0] is IssueCode.OFF_SCALE
        assert "smiley4 (1, 2, 3, 4)" in result.note[1]


def test_an_off_scale_note_names_no_personal_data() -> None:
    convert = own_item_converter({}, Redactor(), MISSING, ["yes", "no"], "yes_no")
    result = convert("soita 040 765 4321")
    assert result.value == "soita [PUHELIN]"
    assert result.note is not None
    assert "765" not in result.note[1]
    assert "[PUHELIN]" in result.note[1]


def test_an_own_item_without_a_scale_has_no_note() -> None:
    convert = own_item_converter({}, None, MISSING, None, "categories")
    assert convert("mikä tahansa").note is None


_LABEL_TEXT = st.text(alphabet=" \t\x1c.-\u2013aAbB9ÄäE", max_size=6)


@settings(max_examples=300, deadline=None)
@given(missing=st.lists(_LABEL_TEXT, max_size=4), cell=_LABEL_TEXT)
def test_missing_values_match_by_label_key_however_told_apart(
    missing: list[str], cell: str
) -> None:
    """The quick tests that spare most cells their label key never change the answer."""
    assert (cell in MissingValues(missing)) is (label_key(cell) in {label_key(m) for m in missing})


@pytest.mark.parametrize(
    ("missing", "blank"),
    [(["1.1.2026 12:00"], True), (["1.1.2026  klo 12.00"], False), (["-"], False)],
)
def test_a_time_listed_as_a_missing_value_is_blank_on_both_readings(
    missing: list[str], blank: bool
) -> None:
    # The quick reading looks at missing values only when one starts with a digit.
    convert = moment_converter(None, MissingValues(missing))
    text = "1.1.2026 12:00"
    assert (convert(text).value is None) is blank
    assert (convert.read_quickly(text) is None) is blank
