"""Redacting personal data from open text before anything is written.

Finnish personal identity codes (henkilötunnus) are matched only when their check
character is right, so that an order number is not taken for one. Phone numbers in their
common Finnish writings and e-mail addresses are replaced too. Names are not detected.
"""

from __future__ import annotations

import re
from collections import Counter

HETU_MARKER = "[HETU]"
PHONE_MARKER = "[PUHELIN]"
EMAIL_MARKER = "[EMAIL]"
HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

_HETU = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?P<day>[0-3]\d)(?P<month>[01]\d)(?P<year>\d\d)"
    r"(?P<century>[-+AaBbCcDdEeFfUuVvWwXxYy])"
    r"(?P<serial>\d{3})(?P<check>[0-9A-Ya-y])"
    r"(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# +358 or a leading 0, then 6-10 more digits in groups split by spaces, dashes or a
# parenthesised area code: 040 123 4567, 040-1234567, +358 40 1234567, (09) 310 1234.
_PHONE = re.compile(r"(?<![\w+])(?:\+358[\s-]?\(?0?\)?|\(0\d{1,2}\)|0)(?:[\s-]?\d){6,10}(?![\w])")


def hetu_check_char(digits: str) -> str:
    """Return the check character of the nine digits DDMMYY + serial.

    >>> hetu_check_char("131052308")
    'T'
    """
    return HETU_CHECK_CHARS[int(digits) % 31]


def is_hetu(text: str) -> bool:
    """Return True when ``text`` is a personal identity code with a valid check character.

    >>> is_hetu("131052-308T"), is_hetu("131052-308A")
    (True, False)
    """
    match = _HETU.fullmatch(text)
    return match is not None and _valid_hetu(match)


def _valid_hetu(match: re.Match[str]) -> bool:
    day, month = int(match["day"]), int(match["month"])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    expected = hetu_check_char(match["day"] + match["month"] + match["year"] + match["serial"])
    return match["check"].upper() == expected


class Redactor:
    """Replaces identity codes, phone numbers and e-mail addresses with markers."""

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        """Return the redacted text and how many values of each kind were replaced.

        >>> Redactor().redact("Soita 040 123 4567 tai maili a.b@example.fi")[0]
        'Soita [PUHELIN] tai maili [EMAIL]'
        """
        counts: Counter[str] = Counter()
        if not any(c.isdigit() for c in text) and "@" not in text:
            return text, counts

        def hetu(match: re.Match[str]) -> str:
            if _valid_hetu(match):
                counts["hetu"] += 1
                return HETU_MARKER
            return match.group(0)

        def email(_: re.Match[str]) -> str:
            counts["email"] += 1
            return EMAIL_MARKER

        def phone(_: re.Match[str]) -> str:
            counts["phone"] += 1
            return PHONE_MARKER

        text = _HETU.sub(hetu, text)
        text = _EMAIL.sub(email, text)
        text = _PHONE.sub(phone, text)
        return text, counts
