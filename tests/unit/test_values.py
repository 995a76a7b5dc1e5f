from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonizer.values import (
    DEFAULT_DATE_FORMATS,
    label_key,
    leading_number,
    parse_moment,
    parse_number,
    parse_whole,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Täysin samaa mieltä", "taysin samaa mielta"),
        ("  TÄYSIN\u00a0samaa   mieltä ", "taysin samaa mielta"),
        ("Helt av samma åsikt.", "helt av samma asikt"),
        ("30\u201349", "30-49"),
    ],
)
def test_label_key_is_case_space_accent_and_dash_tolerant(label: str, key: str) -> None:
    assert label_key(label) == key


@given(st.text())
def test_label_key_is_idempotent(text: str) -> None:
    assert label_key(label_key(text)) == label_key(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("5 - täysin samaa mieltä", 5),
        ("10 - Erittäin todennäköisesti", 10),
        ("0 \u2013 en lainkaan", 0),
        ("4) jokseenkin samaa mieltä", 4),
        ("Täysin samaa mieltä", None),
        ("5", None),
        ("2026-11-23", None),
    ],
)
def test_leading_number(text: str, number: int | None) -> None:
    assert leading_number(text) == number


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (5, 5.0),
        (5.0, 5.0),
        ("5", 5.0),
        ("5.0", 5.0),
        ("4,5", 4.5),
        (" 7 ", 7.0),
        ("x", None),
        (True, None),
    ],
)
def test_parse_number_handles_text_numbers_and_decimal_comma(
    cell: object, number: float | None
) -> None:
    assert parse_number(cell) == number  # type: ignore[arg-type]


def test_parse_whole_refuses_fractions() -> None:
    assert parse_whole("5,0") == 5
    assert parse_whole("4,5") is None


@pytest.mark.parametrize(
    ("cell", "iso"),
    [
        ("23.11.2026 14:05", "2026-11-23T14:05:00+02:00"),
        ("23.11.2026 klo 14.05", "2026-11-23T14:05:00+02:00"),
        ("1.6.2026 9:05", "2026-06-01T09:05:00+03:00"),
        ("2026-11-23T14:05:00", "2026-11-23T14:05:00+02:00"),
        ("2026-11-23 14:05", "2026-11-23T14:05:00+02:00"),
        ("2026-06-01T10:00:00Z", "2026-06-01T13:00:00+03:00"),
        ("2026-11-23", "2026-11-23"),
        ("23.11.2026", "2026-11-23"),
        (46349.5, "2026-11-23T12:00:00+02:00"),
        ("46349,25", "2026-11-23T06:00:00+02:00"),
        (dt.datetime(2026, 7, 1, 12, 0), "2026-07-01T12:00:00+03:00"),
        (dt.date(2026, 7, 1), "2026-07-01"),
    ],
)
def test_parse_moment_formats_and_finnish_offsets(cell: object, iso: str) -> None:
    moment = parse_moment(cell, DEFAULT_DATE_FORMATS, HELSINKI)  # type: ignore[arg-type]
    assert moment is not None
    assert moment.iso == iso
    assert moment.period == iso[:7]


def test_parse_moment_marks_daylight_saving_edges() -> None:
    gap = parse_moment("29.3.2026 3:30", DEFAULT_DATE_FORMATS, HELSINKI)
    overlap = parse_moment("25.10.2026 3:30", DEFAULT_DATE_FORMATS, HELSINKI)
    assert gap is not None
    assert gap.nonexistent
    assert not gap.ambiguous
    assert overlap is not None
    assert overlap.ambiguous
    assert overlap.iso == "2026-10-25T03:30:00+03:00"  # the earlier instant


@pytest.mark.parametrize("cell", ["32.13.2026 10:00", "yesterday", 12.0, "", "2026-02-30"])
def test_parse_moment_returns_none_for_non_dates(cell: object) -> None:
    assert parse_moment(cell, DEFAULT_DATE_FORMATS, HELSINKI) is None  # type: ignore[arg-type]


def test_parse_moment_honours_a_custom_strptime_pattern() -> None:
    moment = parse_moment("11/23/2026 14:05", ("%m/%d/%Y %H:%M",), HELSINKI)
    assert moment is not None
    assert moment.iso == "2026-11-23T14:05:00+02:00"
