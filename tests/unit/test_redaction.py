"""Redaction: identity codes of every century, phone writings, e-mails; and no false alarms."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harmonizer.issues import VALUE_PREVIEW_CHARS, header_listing, preview
from harmonizer.redaction import (
    _PERSONAL,
    _WORTH_A_LOOK,
    CENTURY_BY_SIGN,
    DASH_VARIANTS,
    EMAIL_MARKER,
    HETU_CHECK_CHARS,
    HETU_MARKER,
    PHONE_MARKER,
    Redactor,
    _anchored_matches,
    hetu_check_char,
    is_hetu,
)

REDACTOR = Redactor()
SIGNS = sorted(CENTURY_BY_SIGN)


def make_hetu(born: dt.date, serial: int, sign: str) -> str:
    body = f"{born:%d%m}{born.year % 100:02d}{serial:03d}"
    return f"{body[:6]}{sign}{body[6:]}{hetu_check_char(body)}"


@st.composite
def hetus(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(SIGNS))
    century = CENTURY_BY_SIGN[sign]
    born = draw(st.dates(dt.date(century, 1, 1), dt.date(century + 99, 12, 31)))
    return make_hetu(born, draw(st.integers(2, 999)), sign)


# Free text around the planted value: letters, punctuation, line breaks, emoji; no digits
# (a digit glued to a code makes it another number) and no '@'.
prose = st.text(
    st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="@"), max_size=40
)


def test_the_official_examples() -> None:
    assert is_hetu("131052-308T")
    assert is_hetu("010594Y9021")  # the example DVV gives for the new century signs
    assert not is_hetu("131052-308A")  # wrong check character
    assert not is_hetu("310252-308T")  # 31 February does not exist


@pytest.mark.parametrize("sign", SIGNS)
def test_every_century_sign_is_redacted(sign: str) -> None:
    century = CENTURY_BY_SIGN[sign]
    code = make_hetu(dt.date(century + 52, 10, 13), 308, sign)
    text, counts = REDACTOR.redact(f"Minun hetuni on {code}, soittakaa.")
    assert text == f"Minun hetuni on {HETU_MARKER}, soittakaa."
    assert counts == {"hetu": 1}


@given(code=hetus(), before=prose, after=prose)
@settings(max_examples=200)
@example(code="131052-308T", before="x\\n", after="")
@example(code="010199+0022", before="\\", after="")  # a literal backslash, read as the escape \\0
def test_a_valid_identity_code_never_survives(code: str, before: str, after: str) -> None:
    text, counts = REDACTOR.redact(before + code + after)
    assert code not in text
    assert code.upper() not in text.upper()
    assert counts["hetu"] == 1


@given(code=hetus(), wrong=st.sampled_from(HETU_CHECK_CHARS))
def test_a_wrong_check_character_is_not_an_identity_code(code: str, wrong: str) -> None:
    if wrong == code[-1]:
        return
    forged = code[:-1] + wrong
    text, counts = REDACTOR.redact(f"tilausnumero {forged}")
    assert text == f"tilausnumero {forged}"
    assert counts["hetu"] == 0


@pytest.mark.parametrize(
    "phone",
    [
        "040 123 4567",
        "040-123 4567",
        "040-1234567",
        "0401234567",
        "040 1234 567",
        "040 12 34 567",
        "050 - 123 4567",
        "09 310 1234",
        "09-3101234",
        "(09) 310 1234",
        "+358 40 123 4567",
        "+358401234567",
        "+358 (0)40 123 4567",
        "+358-40-1234567",
        "00358 40 123 4567",
        "+358 9 310 1234",
    ],
)
def test_phone_writings(phone: str) -> None:
    for text in (phone, f"Soita {phone}.", f"puh.{phone}", f"(numero: {phone})"):
        redacted, counts = REDACTOR.redact(text)
        assert PHONE_MARKER in redacted, text
        assert not any(ch.isdigit() for ch in redacted), redacted
        assert counts == {"phone": 1}


@pytest.mark.parametrize(
    "email",
    [
        "a.b@example.fi",
        "matti.meikalainen+palaute@sote.example.fi",
        "pöllö.äijä@esimerkki.fi",
        "MATTI@EXAMPLE.COM",
        "matti(at)example.fi",
        "matti [at] example.fi",
    ],
)
def test_email_writings(email: str) -> None:
    redacted, counts = REDACTOR.redact(f"Vastatkaa: {email}, kiitos")
    assert redacted == f"Vastatkaa: {EMAIL_MARKER}, kiitos"
    assert counts == {"email": 1}


@pytest.mark.parametrize(
    "text",
    [
        "Kävin 04.10.2026 klo 14.05, odotin 45 min",
        "2026-10-04T12:27:00+03:00",
        "10 - Erittäin todennäköisesti",
        "Vastaustunniste W-1001, huone 203",
        "Y-tunnus 0112038-9",
        "1.2.246.10.02345678.10.1",
        "record 8f0a1234-0123-4567-8901-0123456789ab",
        "hinta 3.0123456 euroa",
        "sain 9/10",
    ],
)
def test_no_false_alarms(text: str) -> None:
    assert REDACTOR.redact(text) == (text, {})


@given(st.text(max_size=200))
def test_redaction_is_idempotent_and_leaves_no_marker_partial(text: str) -> None:
    once, _ = REDACTOR.redact(text)
    twice, counts = REDACTOR.redact(once)
    assert twice == once
    assert not counts


@given(
    st.lists(
        st.one_of(hetus(), st.sampled_from(["040 123 4567", "x.y@example.fi"]), prose),
        max_size=8,
    )
)
def test_counts_match_the_markers(parts: list[str]) -> None:
    # A marker the text already held (prose can be "[EMAIL]", as hypothesis found) is
    # no redaction: only the markers redaction added are counted.
    source = " ".join(parts)
    text, counts = REDACTOR.redact(source)
    assert text.count(HETU_MARKER) == source.count(HETU_MARKER) + counts["hetu"]
    assert text.count(PHONE_MARKER) == source.count(PHONE_MARKER) + counts["phone"]
    assert text.count(EMAIL_MARKER) == source.count(EMAIL_MARKER) + counts["email"]


# -- writings that autocorrect, SMS exports and spam-shy respondents produce ------------

ALL_SIGNS = [*SIGNS, *DASH_VARIANTS]


@st.composite
def hetu_writings(draw: st.DrawFn) -> str:
    """A valid identity code with any sign a person or a word processor writes."""
    sign = draw(st.sampled_from(ALL_SIGNS))
    century = CENTURY_BY_SIGN.get(sign, 1900)
    born = draw(st.dates(dt.date(century, 1, 1), dt.date(century + 99, 12, 31)))
    code = make_hetu(born, draw(st.integers(2, 999)), sign)
    return code.lower() if draw(st.booleans()) else code


# How a code sits in a cell or a message: alone, in a sentence, after a label, in
# quotes or brackets, after a dotted OID-like prefix, behind a no-break space or a tab,
# or quoted with repr() inside a message.
EMBEDDINGS = [
    "{}",
    "Hetuni on {}, soittakaa.",
    "hetu:{}",
    "HETU{}",
    "'{}'",
    "({})",
    "1.2.246.10.{}",
    "1.2.246.537.6.12.1.{}",
    "urn:oid:1.2.3.{}",
    "tunnus\u00a0{}",
    "\t{}\n",
]


@given(code=hetu_writings(), embedding=st.sampled_from(EMBEDDINGS), quoted=st.booleans())
@settings(max_examples=300)
def test_identity_codes_in_any_writing_and_embedding_are_redacted(
    code: str, embedding: str, quoted: bool
) -> None:
    text = embedding.format(code)
    if quoted:
        text = f"{text!r} is not a known answer of nps"
    redacted, counts = REDACTOR.redact(text)
    assert code[:6] not in redacted, redacted
    assert code[-4:] not in redacted, redacted
    assert counts == {"hetu": 1}


@given(code=hetu_writings(), wrong=st.sampled_from(HETU_CHECK_CHARS))
def test_a_wrong_check_character_is_no_code_whatever_its_sign(code: str, wrong: str) -> None:
    if wrong == code[-1].upper():
        return
    forged = code[:-1] + wrong
    assert REDACTOR.redact(f"tilaus {forged}") == (f"tilaus {forged}", {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("358401112223", "[PUHELIN]"),
        ("Lähettäjä 358401112223.", "Lähettäjä [PUHELIN]."),
        ("358 40 111 2223", "[PUHELIN]"),
        ("050\u2013987 6543", "[PUHELIN]"),
        ("050\u2011987\u00a06543", "[PUHELIN]"),
        ("040\t765 4321", "[PUHELIN]"),
        ("131052\u2013308T", "[HETU]"),
        ("131052\u2011308T", "[HETU]"),
        ("131052\u2212308T", "[HETU]"),
        ("1.2.246.10.131052-308T", "1.2.246.10.[HETU]"),
        ("matti(a)example.fi", "[EMAIL]"),
        ("matti [a] example.fi", "[EMAIL]"),
        ("matti\uff20example.fi", "[EMAIL]"),
        ("matti@example.fi-osoitteeseen", "[EMAIL]-osoitteeseen"),
        ("laita viesti matti@example.fi:hen", "laita viesti [EMAIL]:hen"),
    ],
)
def test_writings_that_leaked_before(text: str, expected: str) -> None:
    assert REDACTOR.clean(text) == expected


@pytest.mark.parametrize("value", ["040\t765 4321", "050\u00a0987 6543", "131052\u2013308T"])
def test_a_value_quoted_with_repr_is_redacted(value: str) -> None:
    message = f"{value!r} is not a date in the formats iso"
    assert REDACTOR.clean(message).startswith("'[")
    assert not any(ch.isdigit() for ch in REDACTOR.clean(message))


@st.composite
def date_writings(draw: st.DrawFn) -> str:
    """A date (with or without a time) as exports and people write it."""
    day = draw(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
    sep = draw(st.sampled_from([".", "-", "/", " ", "\u2013", "\u2011"]))
    pad = draw(st.booleans())
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    year = f"{day.year}" if draw(st.booleans()) else f"{day.year % 100:02d}"
    shapes = [
        f"{d}{sep}{m}{sep}{year}",
        day.isoformat(),
        f"{day:%d%m%Y}",
        f"{day:%Y%m%d}",
        f"{day.isoformat()}T{draw(st.times()).isoformat(timespec='seconds')}+02:00",
        f"{d}.{m}.{day.year} klo {draw(st.integers(0, 23))}.{draw(st.integers(10, 59))}",
    ]
    return draw(st.sampled_from(shapes))


@given(date=date_writings(), before=st.sampled_from(["", "Kävin ", "'", "pvm: "]))
@settings(max_examples=300)
def test_dates_in_any_writing_are_not_touched(date: str, before: str) -> None:
    text = f"{before}{date}"
    assert REDACTOR.redact(text) == (text, {})
    quoted = f"{text!r} is not a date in the formats iso"
    assert REDACTOR.redact(quoted) == (quoted, {})


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def _invisible(text: str, mark: str, at: int) -> str:
    at = at % (len(text) - 1) + 1
    return text[:at] + mark + text[at:]


def _wrapped(text: str, before_sign: bool, spaces: str) -> str:
    # A line break right before or after the century sign, as a word processor wraps.
    at = 6 if before_sign else 7
    return f"{text[:at]}{spaces}\n{spaces}{text[at:]}"


@st.composite
def hidden_codes(draw: st.DrawFn) -> tuple[str, str]:
    """A valid identity code, and the code written so that a plain pattern misses it."""
    code = draw(hetu_writings())
    hiding = draw(st.sampled_from(["full-width", "arabic-indic", "invisible", "wrapped"]))
    if hiding == "full-width":
        return code, _full_width(code)
    if hiding == "arabic-indic":
        return code, _arabic_indic(code)
    if hiding == "invisible":
        mark = draw(st.sampled_from(["\u200b", "\u00ad", "\u2060", "\ufeff", "\u200d"]))
        return code, _invisible(code, mark, draw(st.integers(0, 20)))
    spaces = draw(st.sampled_from(["", " ", "\r", "\t", "\u00a0"]))
    if draw(st.booleans()):
        return code, _wrapped(code, draw(st.booleans()), spaces)
    at = 6 if draw(st.booleans()) else 7
    return code, f"{code[:at]}{spaces or ' '}{code[at:]}"


@given(hidden=hidden_codes(), embedding=st.sampled_from(EMBEDDINGS[:4]), quoted=st.booleans())
@settings(max_examples=300)
def test_identity_codes_written_to_slip_past_are_redacted(
    hidden: tuple[str, str], embedding: str, quoted: bool
) -> None:
    """In a cell, and quoted with repr() in a message (a line break written as \\n)."""
    code, written = hidden
    text = embedding.format(written)
    if quoted:
        text = f"{text!r} is not a code of gender"
    redacted, counts = REDACTOR.redact(text)
    assert counts == {"hetu": 1}, redacted
    assert HETU_MARKER in redacted
    # Nothing of the code is left: not its serial and check character, in any writing.
    for tail in (code[-4:], _full_width(code[-4:]), _arabic_indic(code[-4:])):
        assert tail not in redacted, redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\uff10\uff14\uff10 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17", "[PUHELIN]"),
        ("040\u200b123\u200b4567", "[PUHELIN]"),
        ("Hetuni on 131052-\n308T, kiitos", "Hetuni on [HETU], kiitos"),
        ("hetu 131052 -308T.", "hetu [HETU]."),
        ("hetu 131052- 308T.", "hetu [HETU]."),
        # A line break between a date and a number is left alone when no code forms.
        ("Kävin 13.10.52\n308 kertaa", "Kävin 13.10.52\n308 kertaa"),
        ("tilaus 131052-\n308A", "tilaus 131052-\n308A"),
    ],
)
def test_hidden_writings(text: str, expected: str) -> None:
    assert REDACTOR.clean(text) == expected


def test_a_preview_of_a_huge_cell_reads_only_its_start() -> None:
    """A cell of megabytes is previewed from its start, redacted, in bounded time."""
    code = make_hetu(dt.date(1952, 10, 13), 308, "-")
    huge = f"soita 040 123 4567 tai {code} " + "x" * 5_000_000
    shown = preview(huge)
    assert shown is not None
    assert shown.startswith("soita [PUHELIN] tai [HETU] xxx")
    assert len(shown) == VALUE_PREVIEW_CHARS
    assert shown.endswith("…")


def test_a_header_listing_is_bounded() -> None:
    header = [f"kysymys {n}" for n in range(100)] + [None, "y" * 3_000_000]
    listing = header_listing(header, letters=True)
    assert listing.startswith("A 'kysymys 0', B 'kysymys 1'")
    assert listing.endswith("and 61 more")
    assert len(listing) < 2_000


@pytest.mark.parametrize(
    "text",
    [
        "hetu \uff11\uff13\uff11\uff10\uff15\uff12\uff0d\uff13\uff10\uff18\uff34 kiitos",
        "hetu \uff11\uff13\uff11\uff10\uff15\uff12-\uff13\uff10\uff18t",
        "hetuni on 131052-\n308T kiitos",
        "hetuni on 131052-\r\n308T",
        "1310\n52-308T",
        "131052 - 308T",
        "131052-308 T",
        "131052\u200b-308T",
        "1310\u200d52-3\u00ad08T",
        "131052-308\ufeffT",
        "\\uff11\\uff13\\uff11\\uff10\\uff15\\uff12-308T",  # as repr() writes it
    ],
)
def test_identity_codes_in_full_width_or_spread_writings_are_redacted(text: str) -> None:
    redacted, counts = REDACTOR.redact(text)
    assert counts == {"hetu": 1}, redacted
    assert "308" not in redacted
    assert "\uff13\uff10\uff18" not in redacted


def test_full_width_phone_and_email_are_redacted() -> None:
    text = (
        "soita \uff10\uff14\uff10 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17 tai \uff4d\uff41@x.fi"
    )
    assert REDACTOR.clean(text) == f"soita {PHONE_MARKER} tai {EMAIL_MARKER}"


@pytest.mark.parametrize("text", ["131052 - 308A", "1310\n52-308A", "131052\u200b-308A"])
def test_a_spread_code_with_a_wrong_check_character_is_no_code(text: str) -> None:
    assert REDACTOR.redact(text)[1]["hetu"] == 0


# -- the anchored scan finds what the full scan finds -----------------------------------

# Pieces that make matches start, overlap and run into each other: digits and the
# separators of dates, phones and OIDs, hex letters of UUIDs, every at-sign writing,
# spaces and line breaks, and the folded and escaped writings.
SCAN_PIECES = [
    *"0123456789",
    *"abcdefAFxyzä_",
    *" -.+%/()[]@\n\t\u00a0",
    "(at)",
    "[a]",
    " (AT) ",
    "\uff20",
    "358",
    "00358",
    "040 ",
    "(09) ",
    "131052-308T",
    "\u2013",
    "\uff10",
    "\u0663",
    "\\t",
    "\\",
    "\u200b",
    "1.2.246.10.",
    "@example.fi",
    "-osoite",
    "8f0a1234-0123-4567-8901-0123456789ab",
    "abcdefab-abcd-abcd-abcd-abcdefabcdef",
]


@given(
    st.one_of(
        st.lists(st.sampled_from(SCAN_PIECES), max_size=40).map("".join),
        st.text(max_size=80),
    )
)
@settings(max_examples=1500)
@example("abcdefab-abcd-abcd-abcd-abcdefabcdef@example.fi 040 123 4567")
@example("matti (at) example.fi")
@example("soita +358 40 123 4567 tai (09) 310 1234")
@example("tilaus 12345678901234567890 ja 1.2.246.10.23456713.10.1-040")
def test_the_anchored_scan_finds_what_a_full_scan_finds(text: str) -> None:
    # A kept value without an anchor (a UUID of hex letters only) changes nothing: the
    # anchored scan may pass it by; every other match must be the same. Also when it
    # hands over to the full scan wherever it is (settle 0: at its first chance).
    full = [(m.span(), m.lastgroup) for m in _PERSONAL.finditer(text) if _WORTH_A_LOOK.search(m[0])]
    for settle in (len(text), 0):
        anchored = _anchored_matches(text, settle)
        assert [(m.span(), m.lastgroup) for m in anchored if _WORTH_A_LOOK.search(m[0])] == full
