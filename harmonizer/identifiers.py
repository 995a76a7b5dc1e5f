"""Checks for the Finnish identifiers the national record carries."""

from __future__ import annotations

import re

_BUSINESS_ID = re.compile(r"^([0-9]{7})-([0-9])$")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
# THL's SOTE organisation register: 1.2.246.10.<organisation>.10.<unit>
_SOTE_OID = re.compile(r"^1\.2\.246\.10\.[0-9]+\.10\.[0-9]+$")


def business_id_check_digit(body: str) -> int | None:
    """Return the check digit of a 7-digit business ID body, or None if none is valid.

    >>> business_id_check_digit("0737546")
    2
    """
    total = sum(int(d) * w for d, w in zip(body, _BUSINESS_ID_WEIGHTS, strict=True))
    remainder = total % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        # The registry never issues bodies whose remainder is 1.
        return None
    return 11 - remainder


def is_business_id(value: object) -> bool:
    """Return True if ``value`` is a Finnish business ID (Y-tunnus) with a valid check digit."""
    if not isinstance(value, str):
        return True  # format checks apply to strings only (JSON Schema semantics)
    match = _BUSINESS_ID.match(value)
    if match is None:
        return False
    return business_id_check_digit(match.group(1)) == int(match.group(2))


def is_sote_oid(value: object) -> bool:
    """Return True if ``value`` is a service unit OID of the SOTE organisation register."""
    if not isinstance(value, str):
        return True
    return _SOTE_OID.match(value) is not None
