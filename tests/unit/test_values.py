from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonizer.values import (
    DEFAULT_DATE_FORMATS,
    DEFAULT_DATE_WINDOW,
    DateProblem,
    DateWindow,
    Moment,
    label_key,
    leading_number,
    parse_moment,
    parse_number,
    parse_whole,
    read_moment,
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


# --- the plausible window, impossible days, cells that are not dates (issue 8, 9) ---

WINDOW = DateWindow(dt.date(2023, 1, 1), dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("cell", "kind", "words"),
    [
        ("9999-12-31T23:59", "implausible", "31.12.9999"),
        ("1800-01-01", "implausible", "1.1.1800"),
        ("0001-01-01T00:00:00+05:00", "implausible", "1.1.1"),
        ("9999-12-31T23:59:59-12:00", "implausible", "31.12.9999"),
        (2958465, "implausible", "2958465 read as an Excel day number is 31.12.9999"),
        ("2026", "implausible", "'2026' read as an Excel day number is 18.7.1905"),
        (dt.datetime(9999, 12, 31), "implausible", "the cell's date, 31.12.9999, is outside"),
        ("29.2.2025", "impossible", "February 2025 has 28 days (2025 is not a leap year)"),
        ("31.6.2025", "impossible", "June has 30 days"),
        ("2025-04-31T12:03:44", "impossible", "April has 30 days"),
        ("0.1.2026", "impossible", "there is no day 0"),
        ("1.1.2026 14:60", "impossible", "there is no minute 60"),
        ("0000-01-01", "impossible", "there is no year 0"),
        (0, "bad", "in 1900 or before"),
        (-1, "bad", "in 1900 or before"),
        (10**9, "bad", "after 31.12.9999"),
        (dt.time(0, 0), "bad", "the cell is not a date: it holds only a time of day (00:00)"),
        (dt.datetime(1900, 1, 1), "bad", "which Excel shows as 1.1.1900"),
        (dt.datetime(1899, 12, 29), "bad", "before Excel's first day"),
        ("eilen", "bad", "is not a date in the formats iso, fi_datetime"),
    ],
)
def test_read_moment_says_why_a_cell_gives_no_time(cell: object, kind: str, words: str) -> None:
    problem = read_moment(cell, DEFAULT_DATE_FORMATS, HELSINKI)  # type: ignore[arg-type]
    assert isinstance(problem, DateProblem)
    assert problem.kind == kind
    assert words in problem.detail


def test_29_february_of_a_leap_year_exists() -> None:
    moment = read_moment("29.2.2024", DEFAULT_DATE_FORMATS, HELSINKI)
    assert isinstance(moment, Moment)
    assert moment.iso == "2024-02-29"


def test_the_window_is_inclusive_and_checked_in_local_time() -> None:
    assert isinstance(read_moment("1.1.2023", DEFAULT_DATE_FORMATS, HELSINKI, WINDOW), Moment)
    assert isinstance(
        read_moment("31.12.2026 23:59", DEFAULT_DATE_FORMATS, HELSINKI, WINDOW), Moment
    )
    # 22:30 UTC on 31.12.2026 is already 1.1.2027 in Helsinki.
    late = read_moment("2026-12-31T22:30:00Z", DEFAULT_DATE_FORMATS, HELSINKI, WINDOW)
    assert isinstance(late, DateProblem)
    assert "1.1.2027" in late.detail
    assert WINDOW.describe() == "1.1.2023-31.12.2026"


def test_excel_serials_follow_the_same_window() -> None:
    assert isinstance(read_moment(46349, DEFAULT_DATE_FORMATS, HELSINKI), Moment)
    early = read_moment(367, DEFAULT_DATE_FORMATS, HELSINKI)  # 1.1.1901
    assert isinstance(early, DateProblem)
    assert early.kind == "implausible"


def test_a_date_cell_stays_a_date() -> None:
    moment = read_moment(dt.date(2026, 11, 23), DEFAULT_DATE_FORMATS, HELSINKI)
    assert isinstance(moment, Moment)
    assert moment.iso == "2026-11-23"


DATE_TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.:-+TZ klo/", max_size=30),
    st.builds(
        "{}.{}.{}{}".format,
        st.integers(0, 40),
        st.integers(0, 14),
        st.integers(0, 9999).map(lambda y: f"{y:04d}"),
        st.sampled_from(["", " 14:05", " klo 25.61", " 00:00:60"]),
    ),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:00{}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from(["", "Z", "+05:00", "-12:00", "+14:00"]),
    ),
)
CELLS = st.one_of(
    DATE_TEXTS,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)),
    st.datetimes(timezones=st.timezones()),
    st.dates(),
    st.times(),
)


@given(CELLS, st.sampled_from([DEFAULT_DATE_WINDOW, WINDOW, DateWindow(dt.date.min, dt.date.max)]))
def test_every_cell_is_a_plausible_time_or_a_problem_never_an_exception(
    cell: object, window: DateWindow
) -> None:
    result = read_moment(cell, DEFAULT_DATE_FORMATS, HELSINKI, window)  # type: ignore[arg-type]
    if isinstance(result, Moment):
        day = dt.date.fromisoformat(result.iso[:10])
        assert day in window
        assert result.period == result.iso[:7]
        # What the national schema accepts: a date, or a date-time with a +HH:MM offset.
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?", result.iso)
    else:
        assert result.kind in ("bad", "impossible", "implausible")
        assert result.detail


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["{d}.{m}.{y}", "{y}-{m:02d}-{d:02d}"]),
)
def test_every_real_day_in_the_window_is_read(day: dt.date, pattern: str) -> None:
    text = pattern.format(d=day.day, m=day.month, y=day.year)
    moment = read_moment(text, DEFAULT_DATE_FORMATS, HELSINKI)
    assert isinstance(moment, Moment)
    assert moment.iso == day.isoformat()


@given(st.integers(1990, 2100), st.integers(1, 12), st.integers(29, 31))
def test_a_day_past_the_months_end_is_impossible_and_named(year: int, month: int, day: int) -> None:
    import calendar

    text = f"{day}.{month}.{year}"
    result = read_moment(text, DEFAULT_DATE_FORMATS, HELSINKI)
    if day <= calendar.monthrange(year, month)[1]:
        assert isinstance(result, Moment)
    else:
        assert isinstance(result, DateProblem)
        assert result.kind == "impossible"
        assert f"has {calendar.monthrange(year, month)[1]} days" in result.detail


def test_the_widest_window_reads_every_representable_day() -> None:
    widest = DateWindow(dt.date.min, dt.date.max)
    assert isinstance(read_moment("0001-01-01", DEFAULT_DATE_FORMATS, HELSINKI, widest), Moment)
    # Year 1 at 00:00 Helsinki time is before the first representable instant in UTC.
    early = read_moment("0001-01-01T00:00:00", DEFAULT_DATE_FORMATS, HELSINKI, widest)
    assert isinstance(early, DateProblem)
    assert early.kind == "implausible"
    late = read_moment("9999-12-31T23:59:00Z", DEFAULT_DATE_FORMATS, HELSINKI, widest)
    assert isinstance(late, DateProblem)


def test_the_window_holds_dates_and_date_times() -> None:
    assert dt.datetime(2026, 12, 31, 23, 59) in WINDOW
    assert dt.date(2027, 1, 1) not in WINDOW
    assert "2026-01-01" not in WINDOW
