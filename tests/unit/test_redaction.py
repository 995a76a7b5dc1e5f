"""Redaction: identity codes of every century, phone writings, e-mails; and no false alarms."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harmonizer.redaction import (
    CENTURY_BY_SIGN,
    EMAIL_MARKER,
    HETU_CHECK_CHARS,
    HETU_MARKER,
    PHONE_MARKER,
    Redactor,
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
    text, counts = REDACTOR.redact(" ".join(parts))
    assert text.count(HETU_MARKER) == counts["hetu"]
    assert text.count(PHONE_MARKER) == counts["phone"]
    assert text.count(EMAIL_MARKER) == counts["email"]
