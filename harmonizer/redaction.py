r"""Redacting personal data from text before anything is written.

Three kinds of personal data are replaced with a marker:

* Finnish personal identity codes (henkilötunnus) with any century sign
  (``+``, ``-``, ``Y X W V U``, ``A B C D E F``, and the dashes autocorrect writes for
  ``-``: en dash, non-breaking hyphen, minus sign, ...), only when the date exists and
  the check character is right, so that an order number is not taken for one;
* Finnish phone numbers in their common writings (``040 123 4567``, ``040-1234567``,
  ``(09) 310 1234``, ``+358 40 123 4567``, ``358401234567``, ``+358 (0)40 123 4567``,
  ``00358 40 ...``), with spaces, non-breaking spaces or any dash between digit groups;
* e-mail addresses, including the ``name(at)example.fi``, ``name(a)example.fi`` and
  full-width at sign (U+FF20) writings, and an address followed by a Finnish case ending
  (``matti@example.fi-osoitteeseen``).

Some shapes are left alone because they are not personal data and look like it to a
careless pattern: record ids (UUIDs), business ids (Y-tunnus ``NNNNNNN-N``), SOTE
organisation OIDs and dates (``01-02-2026``, ``1.2.2026``, ``01022026``). Names,
addresses and other free-text identifiers are not detected.

Identity codes, phone numbers and addresses typed in full-width forms (U+FF01 to
U+FF5E, as some keyboards and PDF copies give them), in the digits of another script, or
with invisible characters inside (zero-width space, soft hyphen) are found as their
plain writings are; an identity code is also found when spaces or a line break split it
(``131052-`` at the end of one line, ``308T`` at the start of the next).

Text that quotes a value with ``repr()`` (as messages do) writes a tab as ``\t`` and a
non-breaking space as ``\xa0``: the redactor reads such escapes as the characters they
stand for, so ``'040\t765 4321'`` in a message is redacted as the number it is.

Every pattern is anchored so that a match can only start at the beginning of a run of
its characters: a hostile cell cannot make the matching quadratic.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

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
"""The century signs of the official identity code."""
DASH_VARIANTS = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
"""What word processors and autocorrect write for a hyphen-minus: hyphen, non-breaking
hyphen, figure dash, en dash, em dash, minus sign, small and full-width hyphen-minus."""
_CENTURY = {**CENTURY_BY_SIGN, **dict.fromkeys(DASH_VARIANTS, 1900)}

_DASH = f"[-{DASH_VARIANTS}]"
# A space within a line: space, tab, no-break space, thin spaces; never a line break.
_SPACE = r"[^\S\r\n]"
# Dates in the writings exports and people use: d.m.yyyy, dd-mm-yyyy, dd/mm/yy, with any
# dash, or ddmmyyyy. They are kept so that a date is never taken for a phone number.
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DATE = (
    rf"(?<![\d.]){_DAY}(?P<date_sep>[./ ]|{_DASH}){_MONTH}(?P=date_sep)(?:(?:19|20)\d\d|\d\d)(?!\d)"
    r"|(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d\d(?!\d)"
)
_KEEP = (
    # record ids: a UUID can hold seven digits in a row that look like a phone number
    r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])"
    # business ids (Y-tunnus) such as 0112038-9
    r"|(?<![\d-])\d{7}-\d(?![\d-])"
    # OIDs of the SOTE organisation register (1.2.246.10.<business id>.10.<n>); an OID
    # whose last arc runs into a century sign is an identity code glued to a prefix
    rf"|(?<![\d.])\d+(?:\.\d+){{5,}}(?![.\d+A-Ya-y]|{_DASH})"
    rf"|{_DATE}"
)
# The at sign: @, full-width and small @, and the spelt-out (at), [at], (a), [a].
_AT = rf"(?:[@\uff20\ufe6b]|{_SPACE}?[(\[](?:at|a)[)\]]{_SPACE}?)"
# The address ends at the top-level domain; a Finnish case ending may follow after a
# hyphen (matti@example.fi-osoitteeseen), so only a word character may not. No at sign
# or bracket is in the local part's class, so it is taken possessively: a long word
# followed by no at sign is read once, not once per backtracked character.
_EMAIL = rf"(?<![\w.%+-])[\w.%+-]++{_AT}[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{{2,}}(?!\w)"
# Boundaries are digits only (not letters): letters glued to a code do not make it
# another code.
_HETU = (
    r"(?<!\d)(?P<day>[0-3]\d)(?P<month>[01]\d)(?P<year>\d\d)"
    rf"(?P<century>[-+ABCDEFUVWXYabcdefuvwxy{DASH_VARIANTS}])"
    r"(?P<serial>\d{3})(?P<check>[0-9A-Ya-y])(?!\d)"
)
# An identity code wrapped over a line break or typed with spaces inside (``131052 -
# 308T``): up to four white-space characters, line breaks included, between any two of
# its characters. A gap cannot hold a digit or a sign, so the match stays linear.
_HETU_GAP = r"\s{0,4}"
_HETU_SPREAD = (
    r"(?<!\d)(?P<hetu>"
    + _HETU_GAP.join([r"\d"] * 6)
    + rf"{_HETU_GAP}[-+ABCDEFUVWXYabcdefuvwxy{DASH_VARIANTS}]{_HETU_GAP}"
    + _HETU_GAP.join([r"\d"] * 3)
    + rf"{_HETU_GAP}[0-9A-Ya-y])(?!\d)"
)
_GAP = rf"(?:{_SPACE}?{_DASH}{_SPACE}?|{_SPACE})?"
_PHONE = (
    r"(?<![\d+])(?<!\d[.,])"
    r"(?:"
    # +358, 00358, and 358 as SMS exports write it, without the plus
    rf"(?:\+|00)?358{_GAP}(?:\(0\){_GAP})?[1-9](?:{_GAP}\d){{5,10}}"
    rf"|\(0\d{{1,3}}\){_GAP}\d(?:{_GAP}\d){{4,8}}"
    rf"|0\d(?:{_GAP}\d){{5,10}}"
    r")(?!\d)"
)
_PERSONAL = re.compile(
    rf"(?P<keep>{_KEEP})|(?P<email>{_EMAIL})|{_HETU_SPREAD}|(?P<phone>{_PHONE})",
    re.IGNORECASE,
)
# Every match of _PERSONAL that redacts (and every kept value it must step over) holds
# one of these anchors: the first digit of a number, an at sign or a spelt-out at. (No
# alternative of _PERSONAL starts on a digit that follows a digit.) Written to start
# with one character class (a bracket then asks for the at), so that re skips the
# characters between anchors in C, twice as fast as an alternation.
_WORTH_A_LOOK = re.compile(r"[\d@\uff20\ufe6b(\[](?<!\d\d)(?:(?<![(\[])|(?<=[(\[])[aA][tT]?[)\]])")
# What a match may hold before its first anchor: an e-mail's local part, a UUID's leading
# hex letters, the + of +358 or the ( of (09). A space may stand before ``(at)``.
_LEAD = r"[\w.%+\-(\[]"
_LEAD_RUN = re.compile(f"{_LEAD}*")
_LEAD_CHAR = re.compile(_LEAD)
_SPACE_CHAR = re.compile(_SPACE)
# In a run of _LEAD, what an e-mail's local part cannot hold: a bracket, or the space
# before one. (A negated class with \w in it is several times slower to scan.)
_NOT_LOCAL_PART = re.compile(r"[(\[\s]")
_UUID_START = re.compile(r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]")
SHORTEST_PERSONAL = len("a@b.fi")
"""No identity code, phone number or e-mail address is shorter than this (``a@b.fi``)."""
# Where the anchored scan stops paying: an anchor searched for or a place tried costs it
# 1-3 us, a character the full scan 0.45-0.65 us (CPython 3.11). More than one in this
# many characters, past _SETTLE_CHARS of them (text dense with digits, or built to give
# it many places to try), and it hands over to the full scan.
_CHARACTERS_PER_ATTEMPT = 6
_SETTLE_CHARS = 512
# Full-width forms (U+FF01-U+FF5E, digits, letters, @ and the full stop) and the
# ideographic space read as their ASCII letters; invisible characters (zero-width space,
# joiners, word joiner, BOM, soft hyphen) typed or pasted inside a value are skipped.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
# A digit of another script (Arabic-Indic, Devanagari, ...): read as its ASCII digit.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# One character class, then "not an ASCII digit": three times as fast as the alternation.
_NEEDS_FOLD = re.compile(f"[\uff01-\uff5e\u3000{_INVISIBLE}\\d](?<![0-9])")
_WHITE = re.compile(r"\s")
# What repr() writes for characters it does not show as themselves.
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\\'\"abfnrtv0])")
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "0": "\0",
}


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
    >>> is_hetu("131052\u2013308T")  # an en dash for the hyphen, as autocorrect writes it
    True
    """
    match = re.fullmatch(_HETU, text, re.IGNORECASE)
    return match is not None and _valid_hetu(match)


def _valid_hetu(match: re.Match[str]) -> bool:
    century = _CENTURY[match["century"].upper()]
    try:
        dt.date(century + int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return False
    expected = hetu_check_char(match["day"] + match["month"] + match["year"] + match["serial"])
    return match["check"].upper() == expected


def _folded(text: str) -> tuple[str, list[int] | None]:
    """Return ``text`` with full-width forms and other digits folded, invisible ones skipped.

    The second item maps the view back to ``text`` as :func:`_unescaped` does (None
    when nothing was skipped, so that the view and ``text`` have the same length).
    """
    view = text.translate(_FOLD)
    if _OTHER_DIGIT.search(view) is not None:
        # One character for one: the view keeps the text's places.
        view = _OTHER_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit[0])), view)
    if not any(ch in view for ch in _INVISIBLE):
        return view, None
    kept = [i for i, ch in enumerate(view) if ch not in _INVISIBLE]
    return "".join(view[i] for i in kept), [*kept, len(text)]


def _unescaped(text: str) -> tuple[str, list[int]]:
    """Return ``text`` with repr() escapes read as their characters, and where each came from.

    ``starts[i]`` is the index in ``text`` of the i-th character of the result (and
    ``starts[len(result)] == len(text)``), so a match in the result maps back to a span
    of ``text``.
    """
    parts: list[str] = []
    starts: list[int] = []
    position = 0
    for escape in _ESCAPE.finditer(text):
        parts.append(text[position : escape.start()])
        starts.extend(range(position, escape.start()))
        sequence = escape.group(0)[1:]
        if sequence[0] in "xuU":
            parts.append(chr(min(int(sequence[1:], 16), 0x10FFFF)))
        else:
            parts.append(_SIMPLE_ESCAPES[sequence])
        starts.append(escape.start())
        position = escape.end()
    parts.append(text[position:])
    starts.extend(range(position, len(text) + 1))
    return "".join(parts), starts


def _anchored_matches(view: str, settle: int = _SETTLE_CHARS) -> Iterator[re.Match[str]]:
    """Yield the matches of ``_PERSONAL.finditer(view)``, trying only places near anchors.

    The full scan tries the pattern at every character, which costs about a microsecond
    a character: long open answers with a date or two in them paid for every letter.
    A match that matters holds an anchor, and what it holds before its first anchor is a
    run of :data:`_LEAD` characters; so the scan starts at the run that leads to the next
    anchor and tries, up to that anchor, the places where a match can start (see
    :func:`_starts`), as finditer would. A match that ends past the anchor moves the
    scan past it, as in finditer. ``match`` at a position sees the characters before it,
    so the look-behinds read the same text as in the full scan. A kept value without an
    anchor (a UUID of hex letters only) may be passed by: it redacts nothing and no match
    can start inside it. A property test holds every other match of the two scans equal.

    Text dense with digits, or made to have many places to try near each anchor
    (brackets or hex letters before every digit), would cost more than the full scan:
    past ``settle`` characters, when it has searched for anchors and tried places more
    than once in :data:`_CHARACTERS_PER_ATTEMPT`, the scan goes on as the full scan
    from where it is (both agree on every match before).
    """
    size = len(view)
    backwards = ""
    position = 0
    attempts = 0
    while (anchor := _WORTH_A_LOOK.search(view, position)) is not None:
        attempts += 1  # the anchor's own search
        if position > settle and attempts * _CHARACTERS_PER_ATTEMPT > position:
            yield from _PERSONAL.finditer(view, position)
            return
        end = start = anchor.start()
        if end > position and (_LEAD_CHAR.match(view, end - 1) or view[end] in "(["):
            # The run before the anchor, read on the reversed text so that a long word is
            # walked in C and no further back than where the last window ended.
            backwards = backwards or view[::-1]
            start = size - _run_end(backwards, size - end, size - position)
        cursor = start
        for place in _starts(view, start, end) if start < end else (end,):
            if place < cursor:
                continue
            attempts += 1
            match = _PERSONAL.match(view, place)
            if match is not None:
                yield match
                cursor = match.end()
                if cursor > end:
                    break
        position = max(cursor, end + 1)


def _run_end(backwards: str, at: int, limit: int) -> int:
    """Return where the run of :data:`_LEAD` that starts at ``at`` of reversed text ends.

    A space belongs to the run when it stands before a bracket in the text (after one
    here), as in ``matti (at) example.fi``.
    """
    while True:
        run = _LEAD_RUN.match(backwards, at, limit)
        assert run is not None  # the pattern matches the empty string
        at = run.end()
        if at < limit and backwards[at - 1] in "([" and _SPACE_CHAR.match(backwards[at]):
            at += 1
        else:
            return at


def _starts(view: str, start: int, end: int) -> list[int]:
    """Return, in order, the places in ``view[start:end + 1]`` where a match may start.

    Before the run's first anchor a match can start only at the run's start, after a
    character that is no part of an e-mail's local part (a bracket, the space before
    ``(at)``), where a UUID starts within its length of the anchor, or on the + of +358
    or the ( of (09): every other alternative starts with a digit.
    """
    places = {start, end}
    places.update(m.end() for m in _NOT_LOCAL_PART.finditer(view, start, end))
    places.update(m.start() for m in _UUID_START.finditer(view, max(start, end - 35), end))
    if end > start and view[end - 1] in "+(":
        places.add(end - 1)
    return sorted(places)


def _replace(text: str, view: str, starts: list[int] | None, counts: Counter[str]) -> str:
    """Return ``text`` with the personal data found in ``view`` replaced by markers.

    ``starts`` maps ``view`` back to ``text`` (None when they are the same string).
    """
    pieces: list[str] = []
    position = 0
    for match in _anchored_matches(view):
        kind = match.lastgroup
        if kind == "keep" or (kind == "hetu" and not is_hetu(_WHITE.sub("", match["hetu"]))):
            continue
        assert kind is not None
        counts[kind] += 1
        start, end = (starts[match.start()], starts[match.end()]) if starts else match.span()
        pieces.append(text[position:start])
        pieces.append(MARKERS[kind])
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


class Redactor:
    """Replaces identity codes, phone numbers and e-mail addresses with markers.

    Stateless and cheap to create; one instance may be shared by every stage.
    """

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        r"""Return the redacted text and how many values of each kind were replaced.

        >>> Redactor().redact("Soita 040 123 4567 tai maili a.b@example.fi")[0]
        'Soita [PUHELIN] tai maili [EMAIL]'
        >>> Redactor().redact("hetu 131052-308T, tilaus 131052-308A")
        ('hetu [HETU], tilaus 131052-308A', Counter({'hetu': 1}))
        >>> Redactor().redact(repr("040\t765 4321"))[0]  # as a message quotes it
        "'[PUHELIN]'"
        """
        counts: Counter[str] = Counter()
        # No identity code, phone number or address is shorter than a@b.fi, and the
        # views read below are never longer than the text.
        if len(text) < SHORTEST_PERSONAL or _WORTH_A_LOOK.search(text) is None:
            return text, counts
        # With repr() escapes read first (a tab quoted as \t still separates digits), then
        # as written: a literal backslash before a code (\010199+0022) reads as the escape
        # \0 in the first view and hides the code there.
        if "\\" in text:
            view, starts = _unescaped(text)
            view, skipped = _folded(view)
            if skipped is not None:
                starts = [starts[i] for i in skipped]
            text = _replace(text, view, starts, counts)
        if _NEEDS_FOLD.search(text):
            folded, skipped = _folded(text)
            text = _replace(text, folded, skipped, counts)
        return _replace(text, text, None, counts), counts

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
