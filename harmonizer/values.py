"""Parsing raw cell values: label keys, numbers, dates and times.

These functions are pure and fast: they run once per cell in the hot loop. They return
``None`` (or raise ``ValueError``) on failure; the transform turns that into an issue.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from harmonizer.io.cells import Cell

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_SPACE_RUN = re.compile(r"\s+")
_LEADING_NUMBER = re.compile(r"^(\d{1,2})\s*(?:[-:.)=]|\s)\s*\D")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def label_key(value: object) -> str:
    """Return the comparison key of a label: case-, space-, dash- and accent-tolerant.

    >>> label_key("  Täysin  SAMAA mieltä ")
    'taysin samaa mielta'
    """
    text = str(value).translate(_DASHES)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():  # ASCII has no combining marks to drop
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _SPACE_RUN.sub(" ", text.casefold()).strip()
    return text.rstrip(".").strip()


def leading_number(text: str) -> int | None:
    """Return the number that starts a label such as '5 - täysin samaa mieltä'.

    >>> leading_number("10 - Erittäin todennäköisesti")
    10
    """
    match = _LEADING_NUMBER.match(text.translate(_DASHES))
    return int(match.group(1)) if match else None


def parse_number(value: Cell) -> float | None:
    """Return a number from a cell: ints, floats, '5', '5.0', '4,5'; else None.

    >>> parse_number("4,0")
    4.0
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.replace(" ", "")
        if _NUMBER.match(text):
            return float(text.replace(",", "."))
    return None


def parse_whole(value: Cell) -> int | None:
    """Return a whole number from a cell ('5', 5, 5.0, '5,0'); None if not whole."""
    number = parse_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


# --- dates -----------------------------------------------------------------------

NAMED_DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "fi_datetime": ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H.%M"),
    "fi_klo": ("%d.%m.%Y klo %H.%M", "%d.%m.%Y klo %H:%M", "%d.%m.%Y klo %H.%M.%S"),
    "fi_date": ("%d.%m.%Y",),
}
DEFAULT_DATE_FORMATS = ("iso", "fi_datetime", "fi_klo", "fi_date", "excel")
DATE_FORMAT_NAMES = (*NAMED_DATE_FORMATS, "iso", "excel")
_DAY = dt.timedelta(days=1)
# Excel's day numbers: 1 is 1.1.1900; 2958465 is 31.12.9999, its last day.
EXCEL_LAST_SERIAL = 2958465
_EXCEL_FIRST_DAY = dt.date(1900, 1, 1)
# English month names, for messages and the English report (not the locale's).
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The dates a response time may plausibly have, both ends included.

    A date outside it is an ``implausible-date`` issue: a year typed wrong (2062), a
    placeholder (31.12.9999), or a number formatted as a date. A mapping sets its own
    window with ``earliest`` and ``latest`` on ``fields.responded_at``.
    """

    earliest: dt.date = dt.date(1990, 1, 1)
    latest: dt.date = dt.date(2100, 12, 31)
    # A day's slack each side, for the check made before any zone arithmetic.
    loose: tuple[dt.date, dt.date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        low = self.earliest - _DAY if self.earliest > dt.date.min else self.earliest
        high = self.latest + _DAY if self.latest < dt.date.max else self.latest
        object.__setattr__(self, "loose", (low, high))

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return isinstance(day, dt.date) and self.earliest <= day <= self.latest

    def describe(self) -> str:
        """Return the window as people read it: '1.1.1990-31.12.2100'."""
        return f"{_finnish(self.earliest)}-{_finnish(self.latest)}"


DEFAULT_DATE_WINDOW = DateWindow()


@dataclass(frozen=True, slots=True)
class Moment:
    """A parsed response time: ISO text for the record, its period, and DST notes."""

    iso: str
    period: str
    year: int
    ambiguous: bool = False
    nonexistent: bool = False


@dataclass(frozen=True, slots=True)
class DateProblem:
    """Why a cell gives no response time.

    ``kind`` is ``bad`` (not a date at all, or in no listed format), ``impossible`` (the
    day does not exist in the calendar: 31.6.2025) or ``implausible`` (a real date
    outside the :class:`DateWindow`). ``detail`` says it in a sentence.
    """

    kind: Literal["bad", "impossible", "implausible"]
    detail: str


def _finnish(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def _excel_date(number: float) -> dt.datetime | None:
    """Return the moment an Excel serial number stands for; None for a small number.

    Serials in 1900 and before are not taken for dates: Excel counts a 29.2.1900 that
    never was, and such a number is a count or a code formatted as a date, not a response
    time.
    """
    if not _FIRST_SERIAL <= number < EXCEL_LAST_SERIAL + 1:
        return None
    stamp = EXCEL_EPOCH + dt.timedelta(days=number)
    # Excel serials carry float noise; round to the second.
    return (stamp + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


# 1.1.1901, the first day that is taken for a date.
_FIRST_SERIAL = 367


def _not_a_date_cell(value: dt.date | dt.time) -> DateProblem | None:
    """Explain an Excel cell that is formatted as a date but holds no real date.

    openpyxl turns a number under 1 in a date-formatted cell into a time of day, and
    0, 1, 60 or a negative number into a day around 1.1.1900.
    """
    if isinstance(value, dt.time):
        return DateProblem(
            "bad",
            f"the cell is not a date: it holds only a time of day ({value:%H:%M}), which "
            "is also what Excel shows for a number under 1 formatted as a date",
        )
    day = value.date() if isinstance(value, dt.datetime) else value
    if day.year > 1900:
        return None
    shown = (
        f"before Excel's first day, {_finnish(_EXCEL_FIRST_DAY)}"
        if day < _EXCEL_FIRST_DAY
        else f"as {_finnish(day)}"
    )
    return DateProblem(
        "bad",
        f"the cell is not a date: it holds a small number formatted as a date, which "
        f"Excel shows {shown}",
    )


def _serial_problem(raw: Cell, number: float) -> DateProblem:
    where = "in 1900 or before" if number < _FIRST_SERIAL else "after 31.12.9999"
    return DateProblem(
        "bad", f"{raw!r} is not a date: read as an Excel day number it falls {where}"
    )


_FI_MOMENT = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(?:klo\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
_ISO_PARTS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_FI_FORMATS = {"fi_datetime": True, "fi_klo": True, "fi_date": False}


def _parse_finnish(text: str, name: str) -> dt.datetime | dt.date | None:
    """Parse 23.11.2026, 23.11.2026 14:05 and 23.11.2026 klo 14.05 without strptime.

    strptime costs about 20 microseconds a call; this regex path is several times
    faster and is the common case in Finnish exports.
    """
    match = _FI_MOMENT.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    has_time = hour is not None
    if has_time != _FI_FORMATS[name] or (name == "fi_datetime" and "klo" in text):
        return None
    if name == "fi_klo" and "klo" not in text:
        return None
    try:
        if not has_time:
            return dt.date(int(year), int(month), int(day))
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        return None


def _parse_text(text: str, formats: tuple[str, ...]) -> dt.datetime | dt.date | DateProblem | None:
    serial: DateProblem | None = None
    for name in formats:
        if name in _FI_FORMATS:
            parsed = _parse_finnish(text, name)
            if parsed is not None:
                return parsed
            continue
        if name == "iso":
            try:
                if len(text) == 10:
                    return dt.date.fromisoformat(text)
                return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
            except ValueError:
                continue
        if name == "excel":
            number = parse_number(text)
            if number is not None:
                stamp = _excel_date(number)
                if stamp is not None:
                    return stamp
                serial = _serial_problem(text, number)
            continue
        for pattern in NAMED_DATE_FORMATS.get(name, (name,)):
            try:
                parsed = dt.datetime.strptime(text, pattern)
            except (ValueError, re.error):  # re.error: a directive written twice
                continue
            has_time = any(token in pattern for token in ("%H", "%I", "%M"))
            return parsed if has_time else parsed.date()
    return serial


def pattern_problem(pattern: str) -> str | None:
    """Return why a strptime pattern of a mapping cannot read dates, or None.

    >>> pattern_problem("%d/%m/%Y")
    >>> pattern_problem("%d.%m.%Y %d")
    'it writes a directive twice'
    """
    try:
        dt.datetime.strptime("", pattern)
    except re.error:
        return "it writes a directive twice"
    except ValueError as err:
        if "does not match format" in str(err):
            return None
        return str(err)
    return None


def _calendar_problem(parts: tuple[str | None, ...]) -> str | None:
    """Say which part of a date or time does not exist ('June has 30 days'), if any."""
    year, month, day = (int(p or 0) for p in parts[:3])
    hour, minute, second = (None if p is None else int(p) for p in parts[3:6])
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        if day < 1:
            return "there is no day 0 in a month"
        if month == 2:
            leap = "" if calendar.isleap(year) else f" ({year} is not a leap year)"
            return f"February {year} has {days} days{leap}"
        return f"{MONTHS_EN[month - 1]} has {days} days"
    for amount, unit, top in ((hour, "hour", 23), (minute, "minute", 59), (second, "second", 59)):
        if amount is not None and amount > top:
            return f"there is no {unit} {amount}: {unit}s run from 0 to {top}"
    return None


def _impossible(text: str, formats: tuple[str, ...]) -> str | None:
    """Return why a text that has a date's shape names no real day, or None."""
    candidates: list[tuple[str | None, ...]] = []
    if "iso" in formats and (match := _ISO_PARTS.match(text)):
        candidates.append(match.groups())
    if any(name in _FI_FORMATS for name in formats) and (match := _FI_MOMENT.match(text)):
        day, month, year, *clock = match.groups()
        candidates.append((year, month, day, *clock))
    for parts in candidates:
        problem = _calendar_problem(parts)
        if problem is not None:
            return problem
    for name in formats:
        if "%" not in name:
            continue
        read = _pattern_parts(name, text)
        if read is not None and (problem := _calendar_problem(read)):
            return problem
        try:
            dt.datetime.strptime(text, name)
        except re.error:
            continue
        except ValueError as err:
            # The text has the pattern's shape, but its day is past the month's end.
            if "out of range" in str(err):
                return "the day is past the end of its month"
    return None


_DIRECTIVES = {
    "%d": r"(?P<d>\d{1,2})",
    "%m": r"(?P<m>\d{1,2})",
    "%Y": r"(?P<Y>\d{4})",
    "%H": r"(?P<H>\d{1,2})",
    "%M": r"(?P<M>\d{1,2})",
    "%S": r"(?P<S>\d{1,2})",
}


def _pattern_parts(pattern: str, text: str) -> tuple[str | None, ...] | None:
    """Read year, month, day (and the clock) out of a text by a strptime pattern.

    Only patterns made of %d %m %Y %H %M %S and literal text are read; None for others,
    or when the text does not have the pattern's shape.
    """
    regex = ""
    at = 0
    while at < len(pattern):
        token = pattern[at : at + 2]
        if token.startswith("%"):
            if token not in _DIRECTIVES:
                return None
            regex += _DIRECTIVES[token]
            at += 2
        else:
            regex += re.escape(pattern[at])
            at += 1
    try:
        match = re.fullmatch(regex, text)
    except re.error:  # a directive written twice
        return None
    if match is None:
        return None
    found = match.groupdict()
    if not {"Y", "m", "d"} <= found.keys():
        return None
    return (found["Y"], found["m"], found["d"], found.get("H"), found.get("M"), found.get("S"))


def read_moment(
    value: Cell,
    formats: tuple[str, ...],
    zone: ZoneInfo,
    window: DateWindow = DEFAULT_DATE_WINDOW,
) -> Moment | DateProblem:
    """Read a response time, or say why the cell gives none.

    A naive time gets the local zone's offset; a time with an offset is shown in local
    time. Excel date cells arrive as datetimes (or dates, for a date-only format). Every
    date, whatever its form, must fall inside ``window``. Never raises for a cell.

    >>> read_moment("23.11.2026 klo 14.05", DEFAULT_DATE_FORMATS,
    ...             ZoneInfo("Europe/Helsinki")).iso
    '2026-11-23T14:05:00+02:00'
    >>> read_moment("31.6.2025", DEFAULT_DATE_FORMATS, ZoneInfo("Europe/Helsinki")).detail
    "'31.6.2025' does not exist: June has 30 days"
    """
    parsed: dt.datetime | dt.date | DateProblem | None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        parsed = _not_a_date_cell(value)
        if parsed is None:
            assert not isinstance(value, dt.time)
            parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = None
        if "excel" in formats:
            parsed = _excel_date(float(value)) or _serial_problem(value, float(value))
    elif isinstance(value, str):
        parsed = _parse_text(value, formats)
        if parsed is None and (problem := _impossible(value, formats)):
            parsed = DateProblem("impossible", f"{value!r} does not exist: {problem}")
    else:
        parsed = None
    if parsed is None:
        return DateProblem("bad", f"{value!r} is not a date in the formats {', '.join(formats)}")
    if isinstance(parsed, DateProblem):
        return parsed
    return _in_window(value, parsed, zone, window)


def _implausible(value: Cell, day: dt.date, window: DateWindow) -> DateProblem:
    if isinstance(value, dt.date):
        subject = f"the cell's date, {_finnish(day)}, is"
    elif isinstance(value, int | float) or parse_number(value) is not None:
        subject = f"{value!r} read as an Excel day number is {_finnish(day)},"
    else:
        subject = f"{value!r} is dated {_finnish(day)},"
    return DateProblem(
        "implausible",
        f"{subject} outside the plausible window of response dates {window.describe()}",
    )


_OFFSET_CACHE_LIMIT = 100_000
"""Local hours whose offset is remembered (a decade of hours is about 88,000)."""
_offsets: dict[tuple[str, int, int, int, int], str | None] = {}


def _plain_offset(zone: ZoneInfo, local: dt.datetime) -> str | None:
    """Return the ISO offset (``+02:00``) of a naive local hour, or None for the slow path.

    An hour has one offset unless the clocks change in it (a DST gap or overlap, which
    :func:`_in_window` reads exactly) or the zone kept local mean time (an offset in
    seconds). Remembering it per local hour saves three datetime operations a row.
    """
    key = (zone.key, local.year, local.month, local.day, local.hour)
    found = _offsets.get(key, "")
    if found != "":
        return found
    hour = local.replace(minute=0, second=0, microsecond=0)
    offsets = {hour.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1)} | {
        local.replace(minute=59, second=59, microsecond=0, tzinfo=zone, fold=fold).utcoffset()
        for fold in (0, 1)
    }
    text: str | None = None
    if len(offsets) == 1:
        (offset,) = offsets
        if offset is not None and not offset.seconds % 60:
            minutes = int(offset.total_seconds()) // 60
            sign = "+" if minutes >= 0 else "-"
            text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    if len(_offsets) >= _OFFSET_CACHE_LIMIT:
        _offsets.clear()
    _offsets[key] = text
    return text


# The quick path's patterns: ASCII digits and plain spaces only, matched whole. Every
# text they match, _FI_MOMENT or _ISO_PARTS matches with the same parts; anything else
# (a tab, another script's digits) takes read_moment. Narrower classes match faster.
# The first group is the text up to the hour, which keys the hour's place.
_QUICK_FI = re.compile(
    r"(([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}) +(?:klo +)?([0-9]{1,2}))"
    r"[:.]([0-9]{2})(?:[:.]([0-9]{2}))?"
)
_ISO_NAIVE = re.compile(
    r"(([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2})):([0-9]{2})(?::([0-9]{2}))?"
)
QUICK_FORMATS = frozenset({"iso", "fi_datetime", "fi_klo", "fi_date", "excel"})
"""Named formats whose shapes cannot overlap, so their order does not matter."""


class QuickTimes:
    """Reads the commonest response times of one zone, window and format list directly.

    Handles ``23.11.2026 14:05`` (``fi_datetime``), ``23.11.2026 klo 14.05``
    (``fi_klo``) and a naive ISO time, in an hour without a clock change, inside the
    window, giving what :func:`read_moment` gives for those; anything else is None and
    goes to :func:`read_moment`. Only valid when every format is one of
    :data:`QUICK_FORMATS` (a strptime pattern listed first could read the same text
    another way). Every minute of an hour has the same offset and date, so each local
    hour is placed once and remembered (bounded).
    """

    def __init__(self, formats: tuple[str, ...], zone: ZoneInfo, window: DateWindow) -> None:
        self._zone = zone
        self._window = window
        self._klo = "fi_klo" in formats
        self._plain = "fi_datetime" in formats
        self._iso = "iso" in formats
        self._hours: dict[str, tuple[str, str, str, int] | None] = {}

    def read(self, text: str) -> tuple[str, str, int] | None:
        """Return the ISO time, period and year of ``text``, or None for read_moment."""
        # The commonest text is an hour already placed and its minutes: "<hour>:<MM>"
        # (or "<hour>.<MM>" after a Finnish date) takes a slice and a lookup where the
        # pattern below would match the whole text (see test_quick_moment for the property).
        hour_of = self._hours.get(text[:-3])
        if hour_of is not None:
            minute = text[-2:]
            separator = text[-3]
            if (
                (separator == ":" or (separator == "." and "-" not in text))
                and minute.isascii()
                and minute.isdigit()
                and minute <= "59"
            ):
                prefix, offset, period, number = hour_of
                return f"{prefix}{minute}:00{offset}", period, number
        match = _QUICK_FI.fullmatch(text)
        if match is None:
            match = _ISO_NAIVE.fullmatch(text)
            if match is None:
                return None
            head, year, month, day, hour, minute, second = match.groups()
        else:
            head, day, month, year, hour, minute, second = match.groups()
        # Both patterns give minutes and seconds as two digits, so they compare as text.
        if minute > "59" or (second is not None and second > "59"):
            return None
        # The text up to the hour tells the pattern (dots or dashes) and "klo": an hour
        # is placed, or refused for a format the mapping does not list, once.
        hours = self._hours
        hour_of = hours.get(head, _UNSEEN)
        if hour_of is _UNSEEN:
            allowed = self._iso if "-" in head else self._klo if "klo" in head else self._plain
            hour_of = (
                _place_hour(text, year, month, day, hour, self._zone, self._window)
                if allowed
                else None
            )
            if len(hours) >= _OFFSET_CACHE_LIMIT:
                hours.clear()
            hours[head] = hour_of
        if hour_of is None:
            return None
        prefix, offset, period, number = hour_of
        return f"{prefix}{minute}:{second or '00'}{offset}", period, number


def quick_moment(
    text: str, formats: tuple[str, ...], zone: ZoneInfo, window: DateWindow
) -> Moment | None:
    """Read one common response time as :class:`QuickTimes` does; None sends it to read_moment.

    >>> quick_moment("23.11.2026 klo 14.05", DEFAULT_DATE_FORMATS,
    ...              ZoneInfo("Europe/Helsinki"), DEFAULT_DATE_WINDOW).iso
    '2026-11-23T14:05:00+02:00'
    """
    found = QuickTimes(formats, zone, window).read(text)
    return None if found is None else Moment(*found)


_UNSEEN: Any = object()


def _place_hour(
    text: str, year: str, month: str, day: str, hour: str, zone: ZoneInfo, window: DateWindow
) -> tuple[str, str, str, int] | None:
    """Place one local hour in time, as :func:`_in_window` does; None for the slow path.

    Every minute of an hour without a clock change has the same offset and date, so
    the hour is placed once and its minutes only fill in the text.
    """
    try:
        stamp = dt.datetime(int(year), int(month), int(day), int(hour))
    except ValueError:
        return None
    # A clock change or a date outside the window is left to read_moment, which words it.
    moment = _in_window(text, stamp, zone, window)
    if not isinstance(moment, Moment) or _plain_offset(zone, stamp) is None:
        return None
    return moment.iso[:14], moment.iso[19:], moment.period, moment.year


def _in_window(
    value: Cell, parsed: dt.datetime | dt.date, zone: ZoneInfo, window: DateWindow
) -> Moment | DateProblem:
    if not isinstance(parsed, dt.datetime):
        if parsed not in window:
            return _implausible(value, parsed, window)
        return Moment(parsed.isoformat(), f"{parsed.year:04d}-{parsed.month:02d}", parsed.year)
    written = parsed.date()
    # Checked before any zone arithmetic, which overflows near year 1 and year 9999; a
    # day's slack keeps an offset from deciding it.
    low, high = window.loose
    if not low <= written <= high:
        return _implausible(value, written, window)
    if parsed.tzinfo is None and (offset_text := _plain_offset(zone, parsed)) is not None:
        if written not in window:
            return _implausible(value, written, window)
        return Moment(
            f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d}T{parsed.hour:02d}:"
            f"{parsed.minute:02d}:{parsed.second:02d}{offset_text}",
            f"{parsed.year:04d}-{parsed.month:02d}",
            parsed.year,
        )
    ambiguous = nonexistent = False
    try:
        if parsed.tzinfo is None:
            early = parsed.replace(tzinfo=zone, fold=0)
            late = parsed.replace(tzinfo=zone, fold=1)
            if early.utcoffset() != late.utcoffset():
                # Round-tripping through UTC tells a gap (spring) from an overlap (autumn).
                round_trip = early.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
                nonexistent = round_trip != parsed
                ambiguous = not nonexistent
            parsed = early
        else:
            # Aware times (ISO with Z or an offset) are shown in Finnish time, so that
            # the period is the local month.
            parsed = parsed.astimezone(zone)
        local = parsed.replace(microsecond=0)
        text = local.isoformat()
    except OverflowError:
        return _implausible(value, written, window)
    if local.date() not in window:
        return _implausible(value, local.date(), window)
    offset = local.utcoffset()
    if offset is not None and offset.seconds % 60:
        # Before 1921 Helsinki kept local mean time (+01:39:49): no ISO 8601 offset
        # writes it, and no response is that old.
        return DateProblem(
            "implausible",
            f"{value!r} is dated {_finnish(local.date())}, before {zone.key} kept a "
            "standard time; no response is that old",
        )
    return Moment(
        text,
        f"{local.year:04d}-{local.month:02d}",
        local.year,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
    )


def parse_moment(
    value: Cell,
    formats: tuple[str, ...],
    zone: ZoneInfo,
    window: DateWindow = DEFAULT_DATE_WINDOW,
) -> Moment | None:
    """Return the response time of a cell, or None when :func:`read_moment` finds none.

    >>> parse_moment("23.11.2026 klo 14.05", DEFAULT_DATE_FORMATS,
    ...              ZoneInfo("Europe/Helsinki")).iso
    '2026-11-23T14:05:00+02:00'
    """
    moment = read_moment(value, formats, zone, window)
    return moment if isinstance(moment, Moment) else None
