"""Placing source columns: which national field each feeds, judged by header and content.

A column's header is matched against the schema's labels and the providers' wordings
(:mod:`harmonizer.draft.vocabulary`); its content (dates, identifiers, 0-10 or 1-5
answers, labels, long text, years of birth) must fit the field. Every column ends up
somewhere: a national field, the response id, a part of the long layout, or an own item.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from harmonizer.converters import code_converter, scale_converter
from harmonizer.draft.answers import code_of
from harmonizer.draft.profile import EXCEL_SERIAL_RANGE, ValueStats
from harmonizer.draft.vocabulary import (
    HeaderMatch,
    clean_header,
    contains_hint,
    header_legend,
    hint_in,
    load_vocabulary,
    match_header,
    phrase,
    words,
)
from harmonizer.mapping.load import LoadedMapping
from harmonizer.values import leading_number, parse_whole

HEADER_SURE = 80
FOUR_POINT = re.compile(r"\b1\s*[-\u2013]\s*4\b")
# A scale longer than five points that a header names ("(1-7)", "1-6", "1-10"): adapted,
# never NPS, which is asked 0-10 only.
_LONG_SCALE = re.compile(r"\b1\s*[-\u2013]\s*(6|7|10)\b")
# Kinds of columns answered on a scale other than five points that may be a statement.
OTHER_SCALES = {"scale4": (1, 4), "scale6": (1, 6), "scale7": (1, 7), "scale10": (1, 10)}
# "0-10", or the ends spelt out without parentheses: "0 = inte alls ..., 10 = mycket ...".
_ZERO_TO_TEN = re.compile(r"\b0\s*[-\u2013]\s*10\b|\b0\s*=.*\b10\s*=")
_CODE_LIKE = re.compile(r"^[A-Z0-9][A-Z0-9_.:/-]*$")
# A service unit's OID in THL's SOTE organisation register.
_UNIT_OID = re.compile(r"^1\.2\.246\.10\.\d+\.10\.\d+$")
# A Finnish personal identity code (the century sign of 2023 included) and a Finnish
# phone number, as respondents type them into a form.
_HETU = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", re.IGNORECASE)
# An operator or area code never starts with 0, so zero-padded ids (0001234) are not phones.
_PHONE = re.compile(r"^(?:\+358|00358|0)[\s-]?[1-9]\d{0,2}(?:[\s-]?\d){5,9}$")


@dataclass
class Placement:
    """Where one source column (or question) goes, how sure the draft is, and why."""

    header: str
    stats: ValueStats
    field: str | None = None
    own_item: str | None = None
    role: str | None = None
    confidence: str = "high"
    reasons: list[str] = dataclasses.field(default_factory=list)
    alternatives: list[str] = dataclasses.field(default_factory=list)
    checks: list[str] = dataclasses.field(default_factory=list)
    rule: dict[str, Any] = dataclasses.field(default_factory=dict)
    content: str = "unknown"


def content_kind(stats: ValueStats, loaded: LoadedMapping, header: str = "") -> str:
    """Return what a column's values look like.

    One of: empty, date, id, nps, agree, scale5, scale4, grade, birth_year, age, text,
    category, codes:<field>.
    """
    if not stats.filled:
        return "empty"
    if stats.decoded is not None:
        # Codes whose codebook names respondents, age groups or yes and no are those,
        # however bare the codes; agreement labels leave the codes a five-point scale.
        spelt = content_kind(stats.decoded, loaded, header)
        if spelt.startswith("codes:") or spelt == "category":
            return spelt
    four_point = bool(FOUR_POINT.search(header))
    dated = sum(stats.dates.values())
    if stats.share(dated) >= 0.8:
        return "date"
    if (
        stats.wholes >= 0.8 * stats.filled
        and stats.low is not None
        and stats.high is not None
        and EXCEL_SERIAL_RANGE[0] <= stats.low <= stats.high <= EXCEL_SERIAL_RANGE[1]
        and header
        and any(m.field == "responded_at" for m in match_header(header, loaded.schema))
    ):
        return "date"  # Excel serial numbers of days, under a header that says date
    points = _points(stats)
    agree = _agreement_share(stats, loaded)
    if agree >= 0.6:
        return "agree"
    answered = stats.filled - _missing_like(stats, loaded)
    if points and sum(points.values()) >= 0.8 * answered:
        low, high = min(points), max(points)
        main = {p for p, n in points.items() if n >= max(2, 0.02 * stats.filled)} or set(points)
        if low >= 1900 and high <= 2030:
            return "birth_year"
        # Two codes in a real sample (1 and 2) are a yes/no or a choice of two, not a
        # five-point statement: at least a third point shows up in twenty answers.
        if answered >= 20 and len(points) <= 2 and high <= 3:
            return "category"
        longer = _LONG_SCALE.search(header)
        if longer and low >= 0 and high <= int(longer.group(1)) and not _ZERO_TO_TEN.search(header):
            return f"scale{longer.group(1)}"
        in_scale = sum(n for p, n in points.items() if 1 <= p <= 5)
        extra = {p for p in points if not 1 <= p <= 5}
        # Codes above (or 0 below) a five-point scale are "don't know" by convention.
        if in_scale >= 0.75 * sum(points.values()) and extra <= {0, 6, 7, 8, 9}:
            if 5 not in points and (four_point or (4 in points and stats.filled >= 30)):
                return "scale4"
            return "scale5"
        # 1-7 with no 0 and nothing above 7 in a real sample is a seven-point scale: an
        # NPS of that many answers has its 0s, 8s, 9s or 10s.
        if low == 1 and high == 7 and answered >= 20 and len(points) >= 5:
            return "scale7"
        if min(main) >= 4 and max(main) <= 10 and len(main) >= 3:
            return "grade"
        if min(main) >= 0 and max(main) <= 10 and max(main) >= 7:
            return "nps"
        if min(main) >= 13 and max(main) <= 110:
            return "age"
    if sum(c for v, c in stats.counts.items() if "@" in v) >= 0.5 * stats.filled:
        return "contact"  # e-mail addresses: personal data, never open feedback
    if _share(stats, _HETU) >= 0.5:
        return "hetu"
    if _share(stats, _PHONE) >= 0.5:
        return "phone"
    if _share(stats, _UNIT_OID) >= 0.9:
        return "oid"
    if stats.filled >= 5 and stats.distinct_share >= 0.95 and _short_tokens(stats):
        return "id"
    for name in (
        "gender",
        "age_group",
        "language",
        "respondent",
        "county",
        "service_area",
        "channel",
    ):
        if _code_share(name, stats, loaded) >= 0.6:
            return f"codes:{name}"
    if stats.texts and unit_share(stats) >= 0.5:
        return "units"  # "Hervannan terveysasema": names that tell a service area
    if (
        stats.texts
        and (stats.text_chars / stats.texts >= 25 or stats.share(stats.multiword) >= 0.5)
        and len(stats.counts) >= 2
        and (stats.distinct_share >= 0.3 or stats.share(stats.multiword) >= 0.5)
    ):
        return "text"
    return "category"


def _share(stats: ValueStats, pattern: re.Pattern[str]) -> float:
    """Return the share of cells that match ``pattern`` in full."""
    return stats.share(sum(c for v, c in stats.counts.items() if pattern.match(v.strip())))


PERSONAL_KINDS = frozenset({"contact", "hetu", "phone"})
_MARKER = {"contact": "[EMAIL]", "hetu": "[HETU]", "phone": "[PUHELIN]"}


def unit_share(stats: ValueStats) -> float:
    """Return the share of cells that name a service unit by its kind ('terveysasema')."""
    hints = list(load_vocabulary()["service_area_words"])
    hits = sum(
        count
        for value, count in stats.counts.items()
        if any(contains_hint(value, hint) for hint in hints)
    )
    return hits / stats.filled if stats.filled else 0.0


def _missing_like(stats: ValueStats, loaded: LoadedMapping) -> int:
    """Return how many cells say 'no answer' or 'don't know' rather than answer."""
    convert = scale_converter("ease", None, loaded)
    said = {phrase(w) for labels in load_vocabulary()["missing"].values() for w in labels}
    return sum(
        count
        for value, count in stats.counts.items()
        if parse_whole(value) is None
        and (convert(value).missing is not None or phrase(value) in said)
    )


def _points(stats: ValueStats) -> dict[int, int]:
    """Return the scale points a column's answers name, with their counts."""
    ends = {
        phrase(label): int(point)
        for point, labels in load_vocabulary()["nps_ends"].items()
        for label in labels
    }
    points: dict[int, int] = {}
    for value, count in stats.counts.items():
        number = parse_whole(value)
        if number is None:
            number = leading_number(value)
        if number is None:
            number = ends.get(phrase(value))
        if number is not None:
            points[number] = points.get(number, 0) + count
    return points


def _short_tokens(stats: ValueStats) -> bool:
    return all(" " not in v and len(v) <= 40 for v in list(stats.counts)[:50])


def _agreement_share(stats: ValueStats, loaded: LoadedMapping) -> float:
    if not stats.texts:
        return 0.0
    convert = scale_converter("ease", None, loaded)
    tools = {phrase(label) for scale in load_vocabulary()["agree_scales"] for label in scale}
    hits = missing = 0
    for value, count in stats.counts.items():
        if parse_whole(value) is not None:
            continue
        result = convert(value)
        if (result.error is None and result.value is not None) or phrase(value) in tools:
            hits += count
        elif result.missing is not None:
            missing += count
    return hits / (stats.texts - missing) if stats.texts > missing else 0.0


def _code_share(name: str, stats: ValueStats, loaded: LoadedMapping) -> float:
    convert = code_converter(name, None, loaded)
    hits = 0
    for value, count in stats.counts.items():
        if parse_whole(value) is not None:
            continue
        # A provider's own wording ("Asiakkaana", "Patienten själv") tells as much as a
        # schema label; only who answers is worded that freely.
        if convert(value).error is None or (
            name == "respondent" and code_of(name, value, loaded.schema) is not None
        ):
            hits += count
    return hits / stats.filled


FITS: dict[str, set[str]] = {
    "nps": {"nps", "grade"},
    "statement": {"agree", "scale5", "scale4", "scale6", "scale7", "scale10"},
    "responded_at": {"date"},
    "open_feedback": {"text", "category"},
    "unit_name": {"category", "id", "text", "units"},
    "unit_id": {"category", "id", "oid"},
    "age_group": {"codes:age_group", "birth_year", "age", "category"},
}


def fits(name: str, kind: str, loaded: LoadedMapping) -> bool:
    """Return True when a column of content ``kind`` can feed the national field."""
    schema = loaded.schema
    measure = schema.measure_kind(name)
    if measure is not None:
        return kind in FITS["nps" if measure == "nps" else "statement"]
    if name in FITS:
        return kind in FITS[name]
    if schema.properties[name].get("enum") or schema.properties[name].get("x-code-labels"):
        return kind in {f"codes:{name}", "category", "scale5", "scale4", "id"} or (
            kind.startswith("codes:")
        )
    return kind not in {"empty"}


def looks_like_codes(stats: ValueStats) -> bool:
    """Return True when a column's values look like codes (ROV-TK, KIOSK-01), not names."""
    values = [v for v in stats.counts if v]
    return bool(values) and all(_CODE_LIKE.match(v) for v in values)


def place_column(
    header: str,
    stats: ValueStats,
    loaded: LoadedMapping,
    taken: set[str],
    *,
    by_content: bool = True,
) -> Placement:
    """Decide what one column feeds; ``taken`` holds the fields already placed.

    With ``by_content`` False, a column is placed only by its header (content guesses
    wait until every header has had its turn).
    """
    kind = content_kind(stats, loaded, header)
    placement = Placement(header, stats, content=kind)
    # A legend in parentheses ("(0 = en lainkaan, 10 = erittäin todennäköisesti)") tells
    # the scale, not the question: the header is matched without it.
    legend = header_legend(header)
    matches = [m for m in match_header(clean_header(header), loaded.schema) if m.field not in taken]
    fitting = [m for m in matches if fits(m.field, kind, loaded)]
    if kind == "empty":
        placement.own_item = slug(header)
        placement.checks.append("the column is empty in the sample: carried as an own item")
        return placement
    if kind in PERSONAL_KINDS:
        # Feedback is anonymous: such a column is carried only as redacted text, and only
        # until a person deletes it.
        placement.own_item = slug(header)
        placement.checks.append(
            f"'{header}' holds {_KIND_TEXT[kind]}: the records would carry only "
            f"{_MARKER[kind]} in its place; delete this item unless the records need it"
        )
        return placement
    if kind == "birth_year" and "age_group" not in taken:
        return _age(placement, "birth_year", "a year of birth")
    if kind == "age" and "age_group" not in taken and hint_in(header, "age_years"):
        return _age(placement, "age", "an age in years")
    if (
        hint_in(header, "birth_year")
        and "age_group" not in taken
        and kind in {"birth_year", "category"}
    ):
        return _age(placement, "birth_year", "a year of birth (by its header)")
    zero_to_ten = _ZERO_TO_TEN.search(header) or {"0", "10"} <= set(legend)
    if zero_to_ten and kind in {"nps", "grade"} and "nps" not in taken:
        placement.field = "nps"
        placement.reasons.append("the header says 0-10; content: whole numbers 0-10")
        return placement
    best = fitting[0] if fitting else None
    if best is not None and best.score >= HEADER_SURE:
        placement.field = best.field
        placement.reasons.append(f"{best.why} ({best.score:.0f} %)")
        placement.confidence = "high" if best.score >= 90 else "medium"
        placement.alternatives = [_alt(m) for m in fitting[1:3]]
        if placement.confidence != "high":
            placement.checks.append(
                f"{best.field} from the header '{header}' ({best.score:.0f} % alike)"
            )
        _content_reason(placement, kind)
        return placement
    guessed = _by_content(kind, taken) if by_content else None
    if guessed is not None:
        placement.field = guessed
        placement.confidence = "low" if kind in {"nps", "date"} else "medium"
        placement.reasons.append(f"content: {_KIND_TEXT.get(kind, kind)}")
        placement.alternatives = [_alt(m) for m in fitting[:2]]
        placement.checks.append(
            f"{guessed} guessed from the content of '{header}' ({_KIND_TEXT.get(kind, kind)}); the header does not say it"
        )
        return placement
    placement.own_item = slug(header)
    described = _KIND_TEXT.get(kind, kind)
    if kind in {"agree", "scale5"}:
        statements = [s for s in loaded.schema.statements if s not in taken]
        placement.checks.append(
            f"'{header}' holds {described}; if it is a national statement "
            f"({', '.join(statements) or 'all placed'}), move it under fields"
        )
    elif kind == "grade":
        placement.checks.append(
            f"'{header}' holds a school grade (4-10), which is not NPS: kept as an own item"
        )
    elif matches:
        placement.checks.append(
            f"'{header}' ({described}) may be {' or '.join(_alt(m) for m in matches[:2])}; kept as an own item"
        )
    else:
        placement.checks.append(
            f"'{header}' ({described}) matches no national field: kept as an own item"
        )
    return placement


_KIND_TEXT = {
    "date": "dates and times",
    "id": "a different value on every row",
    "nps": "whole numbers 0-10",
    "agree": "agreement labels",
    "scale5": "whole numbers 1-5",
    "scale4": "whole numbers 1-4",
    "scale6": "whole numbers 1-6",
    "scale7": "whole numbers 1-7",
    "scale10": "whole numbers 1-10 (not NPS, which is 0-10)",
    "grade": "whole numbers 4-10",
    "birth_year": "years of birth",
    "age": "ages in years",
    "text": "free text",
    "category": "a few repeated texts",
    "units": "names of service units",
    "satisfaction": "a satisfaction scale",
    "empty": "nothing",
    "contact": "e-mail addresses (personal data, redacted in the outputs)",
    "hetu": "personal identity codes (personal data, redacted in the outputs)",
    "phone": "phone numbers (personal data, redacted in the outputs)",
    "oid": "service unit OIDs (1.2.246.10...)",
}


def kind_text(kind: str) -> str:
    """Return how messages describe a content kind ("whole numbers 1-5")."""
    return _KIND_TEXT.get(kind, kind)


def _alt(match: HeaderMatch) -> str:
    return f"{match.field} ({match.score:.0f} %)"


def _content_reason(placement: Placement, kind: str) -> None:
    if kind in _KIND_TEXT:
        placement.reasons.append(f"content: {_KIND_TEXT[kind]}")
    elif kind.startswith("codes:"):
        placement.reasons.append(f"content: the schema's {kind[6:]} labels")


def _by_content(kind: str, taken: set[str]) -> str | None:
    if kind.startswith("codes:") and kind[6:] not in taken:
        return kind[6:]
    if kind == "nps" and "nps" not in taken:
        return "nps"
    if kind == "date" and "responded_at" not in taken:
        return "responded_at"
    if kind == "text" and "open_feedback" not in taken:
        return "open_feedback"
    if kind == "units" and "unit_name" not in taken:
        return "unit_name"
    if kind == "oid" and "unit_id" not in taken:
        return "unit_id"
    return None


def _age(placement: Placement, derive: str, what: str) -> Placement:
    placement.field = "age_group"
    placement.rule["derive"] = derive
    placement.reasons.append(f"content: {what}; the age group is derived")
    placement.confidence = "high"
    return placement


def slug(header: str) -> str:
    """Return an own item's name made from a header (snake case, ascii).

    >>> slug("Löysitkö pysäköintipaikan helposti?")
    'loysitko_pysakointipaikan_helposti'
    """
    parts = words(header)[:6]
    name = "_".join(parts) or "item"
    return name if name[0].isalpha() else f"item_{name}"
