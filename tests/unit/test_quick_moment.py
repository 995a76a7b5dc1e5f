"""Property: the quick reading of a response time agrees with the exact one, or defers.

``quick_moment`` skips ``read_moment``'s general path for the commonest time texts; it
must never give a different Moment, whatever the text, zone, format list or window.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from harmonizer.values import (
    DEFAULT_DATE_FORMATS,
    DEFAULT_DATE_WINDOW,
    QUICK_FORMATS,
    DateWindow,
    Moment,
    QuickTimes,
    quick_moment,
    read_moment,
)

ZONES = st.sampled_from(
    [ZoneInfo(z) for z in ("Europe/Helsinki", "Europe/Stockholm", "America/New_York", "UTC")]
)
FORMATS = st.lists(st.sampled_from(sorted(QUICK_FORMATS)), min_size=1, unique=True).map(tuple)
# Around the clock changes of 2025-2026 as well as anywhere in the window.
TEXTS = st.one_of(
    st.builds(
        "{}.{}.{:04d}{}{}{}{:02d}{}".format,
        st.integers(0, 32),
        st.integers(0, 13),
        st.sampled_from([1899, 1990, 2025, 2026, 2101]),
        st.sampled_from([" ", "  ", " klo "]),
        st.integers(0, 25),
        st.sampled_from([":", "."]),
        st.integers(0, 60),
        st.sampled_from(["", ":00", ":59", ":61"]),
    ),
    st.datetimes(min_value=dt.datetime(1980, 1, 1), max_value=dt.datetime(2110, 12, 31)).map(
        lambda d: d.replace(microsecond=0).isoformat(sep=" " if d.day % 2 else "T")
    ),
    st.sampled_from(
        [
            "30.3.2025 3:30",  # Helsinki: the clocks go forward at 3:00
            "26.10.2025 3:30",  # Helsinki: the clocks go back at 4:00
            "2025-03-30T03:15:00",
            "2025-10-26 03:59",
            "29.2.2025 12:00",
            "23.11.2026",
            "2026-11-23",
            "2026-11-23T14:05:00Z",
        ]
    ),
    # An hour read before, with minutes that are not a time's: a dot after an ISO date,
    # digits of other scripts, one digit, past 59, seconds after.
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["2026-07-02 09", "2026-07-02T09", "2.7.2026 9", "2.7.2026 klo 09"]),
        st.sampled_from([":", ".", ",", " "]),
        st.sampled_from(["05", "\u0660\u0665", "5", "60", "99", "05:07", "05.07", "5x"]),
    ),
)


@settings(max_examples=400, deadline=None)
@given(TEXTS, FORMATS, ZONES)
def test_quick_reading_agrees_with_the_exact_one(
    text: str, formats: tuple[str, ...], zone: ZoneInfo
) -> None:
    quick = quick_moment(text, formats, zone, DEFAULT_DATE_WINDOW)
    if quick is None:
        return
    event("read quickly")
    exact = read_moment(text, formats, zone, DEFAULT_DATE_WINDOW)
    assert isinstance(exact, Moment)
    assert quick == exact


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=20), FORMATS, ZONES)
def test_a_reader_that_remembers_its_hours_agrees_with_the_exact_one(
    texts: list[str], formats: tuple[str, ...], zone: ZoneInfo
) -> None:
    # One reader for a whole column, as the converter keeps it: the second reading of
    # an hour comes from what the first remembered.
    reader = QuickTimes(formats, zone, DEFAULT_DATE_WINDOW)
    for text in texts + texts:
        found = reader.read(text)
        if found is None:
            continue
        exact = read_moment(text, formats, zone, DEFAULT_DATE_WINDOW)
        assert isinstance(exact, Moment)
        assert Moment(*found) == exact


def test_the_common_texts_take_the_quick_reading() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    for text, iso in (
        ("23.11.2026 14:05", "2026-11-23T14:05:00+02:00"),
        ("23.11.2026 klo 14.05", "2026-11-23T14:05:00+02:00"),
        ("2.7.2026 9:05:07", "2026-07-02T09:05:07+03:00"),
        ("2026-07-02 09:05", "2026-07-02T09:05:00+03:00"),
    ):
        quick = quick_moment(text, DEFAULT_DATE_FORMATS, zone, DEFAULT_DATE_WINDOW)
        assert quick is not None
        assert quick.iso == iso


def test_clock_changes_and_the_window_go_to_the_exact_reading() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    narrow = DateWindow(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    for text, window in (
        ("30.3.2025 3:30", DEFAULT_DATE_WINDOW),  # does not exist
        ("26.10.2025 3:30", DEFAULT_DATE_WINDOW),  # occurs twice
        ("31.6.2025 10:00", DEFAULT_DATE_WINDOW),  # no such day
        ("31.12.2025 23:59", narrow),  # outside the mapping's window
    ):
        assert quick_moment(text, DEFAULT_DATE_FORMATS, zone, window) is None
        exact = read_moment(text, DEFAULT_DATE_FORMATS, zone, window)
        assert not isinstance(exact, Moment) or exact.ambiguous or exact.nonexistent


HOURS = ["2026-07-02 09", "2026-07-02T09", "2.7.2026 9", "2.7.2026 klo 09", "30.3.2025 3"]


@settings(max_examples=300, deadline=None)
@example("2026-07-02 09", ".", "05", ("iso",))  # a dot after an ISO date: not a time
@example("2.7.2026 9", ".", "\u0660\u0665", ("fi_datetime",))  # digits of another script
@example("2.7.2026 klo 09", ".", "60", ("fi_klo",))
@given(
    st.sampled_from(HOURS),
    st.sampled_from([":", ".", ",", " ", ""]),
    st.one_of(
        st.sampled_from(["05", "\u0660\u0665", "5", "60", "99", "05:07", "05.07", "5x", "0\uff15"]),
        st.text(max_size=4),
    ),
    FORMATS,
)
def test_an_hour_read_before_reads_its_minutes_as_the_pattern_does(
    hour: str, separator: str, minute: str, formats: tuple[str, ...]
) -> None:
    # The second text of an hour is read by a slice and a lookup: it must give what
    # the pattern gives a reader that never saw the hour.
    zone = ZoneInfo("Europe/Helsinki")
    text = f"{hour}{separator}{minute}"
    warm = QuickTimes(formats, zone, DEFAULT_DATE_WINDOW)
    warm.read(f"{hour}:05")
    assert warm.read(text) == QuickTimes(formats, zone, DEFAULT_DATE_WINDOW).read(text)
