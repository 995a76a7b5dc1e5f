"""Normalising raw cell values once, at the edge, so later stages see one shape."""

from __future__ import annotations

import datetime as dt
import re

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None
"""A normalised cell: stripped text, a number, a date or time from Excel, or None."""

_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\ufeff": ""})
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters other than tab and line breaks: no text holds them on purpose, an
xlsx holds them only escaped (``_x0001_``), so every reader removes them (with a warning)."""


def normalise_text(text: str) -> str | None:
    """Strip a text cell and turn non-breaking spaces into spaces; blank becomes None."""
    if ordinary_spaces(text):
        return text.strip() or None
    cleaned = text.translate(_SPACES).strip()
    return cleaned or None


def ordinary_spaces(text: str) -> bool:
    """Tell whether a text holds none of the spaces that stripping leaves (no-break...)."""
    # Four substring tests scan faster than one character-class search.
    return text.isascii() or (
        "\u00a0" not in text
        and "\u2007" not in text
        and "\u202f" not in text
        and "\ufeff" not in text
    )


def normalise_row(values: list[str]) -> tuple[str | None, ...]:
    """Return :func:`normalise_text` of every cell of a csv record.

    One test of the whole record decides whether any cell holds a special space, so
    the common record costs a strip per cell.
    """
    if ordinary_spaces("".join(values)):
        return tuple([value.strip() or None for value in values])
    return tuple([normalise_text(value) for value in values])


def strip_controls(text: str) -> tuple[str, int]:
    r"""Remove control characters other than tab and line breaks; return the text and how many.

    >>> strip_controls("a\x00b\tc")
    ('ab\tc', 1)
    """
    cleaned, count = CONTROL.subn("", text)
    return cleaned, count


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> 'A')."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letter: str) -> int:
    """Return the 0-based index of a spreadsheet column letter ('A' -> 0)."""
    number = 0
    for char in letter.upper():
        if not "A" <= char <= "Z":
            raise ValueError(f"not a column letter: {letter!r}")
        number = number * 26 + (ord(char) - 64)
    return number - 1
