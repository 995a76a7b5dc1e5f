"""Redacting personal data from text before anything is written.

Three kinds of personal data are replaced with a marker:

* Finnish personal identity codes (henkilötunnus) with any century sign
  (``+``, ``-``, ``Y X W V U``, ``A B C D E F``), only when the date exists and the
  check character is right, so that an order number is not taken for one;
* Finnish phone numbers in their common writings (``040 123 4567``, ``040-1234567``,
  ``(09) 310 1234``, ``+358 40 123 4567``, ``+358 (0)40 123 4567``, ``00358 40 ...``);
* e-mail addresses, including the ``name(at)example.fi`` writing.

Some shapes are left alone because they are not personal data and look like it to a
careless pattern: record ids (UUIDs), business ids (Y-tunnus ``NNNNNNN-N``) and SOTE
organisation OIDs. Names, addresses and other free-text identifiers are not detected.

Every pattern is anchored so that a match can only start at the beginning of a run of
its characters: a hostile cell cannot make the matching quadratic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

HETU_MARKER = "[HETU]"
PHONE_MARKER = "[PUHELIN]"
EMAIL_MARKER = "[EMAIL]"
MARKERS = {"hetu": HETU_MARKER, "phone": PHONE_MARKER, "email": EMAIL_MARKER}
HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_BY_SIGN = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}

_KEEP = (
    # record ids: a UUID can hold seven digits in a row that look like a phone number
    r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])"
    # business ids (Y-tunnus) such as 0112038-9
    r"|(?<![\d-])\d{7}-\d(?![\d-])"
    # OIDs of the SOTE organisation register (1.2.246.10.<business id>.10.<n>)
    r"|(?<![\d.])\d+(?:\.\d+){5,}(?![.\d])"
)
_EMAIL = (
    r"(?<![\w.%+-])[\w.%+-]+"
    r"(?:@|[ \t]?[(\[]at[)\]][ \t]?)"
    r"[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])"
)
# Boundaries are digits only (not letters): text shown in a message as repr() turns a
# line break into '\n', and the 'n' must not shield the number that follows it.
_HETU = (
    r"(?<!\d)(?P<day>[0-3]\d)(?P<month>[01]\d)(?P<year>\d\d)"
    r"(?P<century>[-+ABCDEFUVWXYabcdefuvwxy])"
    r"(?P<serial>\d{3})(?P<check>[0-9A-Ya-y])(?!\d)"
)
_GAP = r"(?:[ \t]?-[ \t]?|[ \t])?"
_PHONE = (
    r"(?<![\d+])(?<!\d[.,])"
    r"(?:"
    rf"(?:\+|00)358{_GAP}(?:\(0\){_GAP})?[1-9](?:{_GAP}\d){{5,10}}"
    rf"|\(0\d{{1,3}}\){_GAP}\d(?:{_GAP}\d){{4,8}}"
    rf"|0\d(?:{_GAP}\d){{5,10}}"
    r")(?!\d)"
)
_PERSONAL = re.compile(
    rf"(?P<keep>{_KEEP})|(?P<email>{_EMAIL})|(?P<hetu>{_HETU})|(?P<phone>{_PHONE})",
    re.IGNORECASE,
)
_WORTH_A_LOOK = re.compile(r"[\d@]|\(at\)|\[at\]", re.IGNORECASE)


def hetu_check_char(digits: str) -> str:
    """Return the check character of the nine digits DDMMYY + serial.

    >>> hetu_check_char("131052308")
    'T'
    """
    return HETU_CHECK_CHARS[int(digits) % 31]


def is_hetu(text: str) -> bool:
    """Return True when ``text`` is a personal identity code with a valid check character.

    >>> is_hetu("131052-308T"), is_hetu("131052-308A"), is_hetu("010120A123C")
    (True, False, False)
    """
    match = re.fullmatch(_HETU, text, re.IGNORECASE)
    return match is not None and _valid_hetu(match)


def _valid_hetu(match: re.Match[str]) -> bool:
    century = CENTURY_BY_SIGN[match["century"].upper()]
    try:
        dt.date(century + int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return False
    expected = hetu_check_char(match["day"] + match["month"] + match["year"] + match["serial"])
    return match["check"].upper() == expected


class Redactor:
    """Replaces identity codes, phone numbers and e-mail addresses with markers.

    Stateless and cheap to create; one instance may be shared by every stage.
    """

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        """Return the redacted text and how many values of each kind were replaced.

        >>> Redactor().redact("Soita 040 123 4567 tai maili a.b@example.fi")[0]
        'Soita [PUHELIN] tai maili [EMAIL]'
        >>> Redactor().redact("hetu 131052-308T, tilaus 131052-308A")
        ('hetu [HETU], tilaus 131052-308A', Counter({'hetu': 1}))
        """
        counts: Counter[str] = Counter()
        if _WORTH_A_LOOK.search(text) is None:
            return text, counts

        def replace(match: re.Match[str]) -> str:
            kind = match.lastgroup
            if kind == "keep" or (kind == "hetu" and not _valid_hetu(match)):
                return match.group(0)
            assert kind is not None
            counts[kind] += 1
            return MARKERS[kind]

        return _PERSONAL.sub(replace, text), counts

    def clean(self, text: str) -> str:
        """Return ``text`` redacted, without the counts.

        >>> Redactor().clean("+358 (0)40 123 4567")
        '[PUHELIN]'
        """
        return self.redact(text)[0]


REDACTOR = Redactor()
"""A shared instance, for stages that do not count what they redact."""


def redact_text(text: str | None) -> str | None:
    r"""Return ``text`` redacted (None stays None); for messages and issue values.

    >>> redact_text("'hyvä\n040-1234567'")
    "'hyvä\n[PUHELIN]'"
    """
    return None if text is None else REDACTOR.clean(text)
