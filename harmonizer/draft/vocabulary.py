"""The words the draft matches headers and answers against.

National labels come from the schema (:class:`~harmonizer.schema.RecordSchema`): every
field's ``x-labels``, ``x-short-labels`` and any ``x-label-variants`` of a property, so a
field a new schema version adds is recognised by its labels without a code change. The
providers' own wordings that the schema has no place for live in ``vocabulary.yaml``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import fuzz

from harmonizer.schema import LANGUAGES, RecordSchema
from harmonizer.values import label_key

# Fields harmonizer computes itself: never the target of a source column.
DERIVED_FIELDS = frozenset(
    {
        "schema_version",
        "record_id",
        "period",
        "nps_group",
        "missing",
        "adapted",
        "own_items",
        "source",
        "provider_id",
    }
)
_PUNCT = re.compile(r"[^\w\s+]")
_CAMEL = re.compile(r"(?<=[a-zåäö])(?=[A-ZÅÄÖ])")
_CODE = re.compile(r"^[^\W\d_]{0,12}[ _.#-]?\d{1,3}[a-z]?$", re.IGNORECASE)


def is_code(header: str) -> bool:
    """Return True when a header is only a question code (q3, k2, S1, Kysymys 4).

    >>> [is_code(h) for h in ("q3", "S1", "kysymys 4", "Palvelu oli hyödyllinen", "id")]
    [True, True, True, False, False]
    """
    return bool(_CODE.match(header.strip()))


def words(text: str) -> list[str]:
    """Return a text's comparison words: case-, accent- and punctuation-free.

    A system's CamelCase names are words too ("ResponseId" is "response id").

    >>> words("Löysitkö pysäköintipaikan helposti?"), words("AnsweredUtc")
    (['loysitko', 'pysakointipaikan', 'helposti'], ['answered', 'utc'])
    """
    text = _CAMEL.sub(" ", text)
    return _PUNCT.sub(" ", label_key(text).replace("_", " ")).split()


def phrase(text: str) -> str:
    """Return a text's words joined by single spaces (its comparison key)."""
    return " ".join(words(text))


_LEGEND = re.compile(r"\(([^()]*=[^()]*)\)")
_LEGEND_ENTRY = re.compile(r"(\d{1,2})\s*=\s*([^,;/()]+?)\s*(?=[,;/()]|\.\.\.|\u2026|$)")


# A question's number before its text: "1. ", "Q3) ", "3a. ", "K12: ", "Q4 ".
_NUMBERING = re.compile(
    r"^\s*(?:(?:[A-Za-z]{1,2}\s?)?\d{1,3}[a-z]?\s*[.):]\s+|[A-Za-z]{1,2}\d{1,3}[a-z]?\s+)(?=\S)"
)
# An instruction in parentheses ("(valitse yksi)", "(välj ett alternativ)").
_ASIDE = re.compile(r"\((?=[^()]*[^\W\d_])[^()=]*\)")


def clean_header(header: str) -> str:
    r"""Return a header without its number, line breaks, legend or instructions in parentheses.

    >>> clean_header("Asiointi oli sujuvaa (1 = täysin samaa mieltä, 5 = täysin eri mieltä)")
    'Asiointi oli sujuvaa'
    >>> clean_header("Q2. Vastaan\n(valitse yksi)"), clean_header("3a) Kohtelu")
    ('Vastaan', 'Kohtelu')
    """
    text = _ASIDE.sub(" ", _LEGEND.sub(" ", header))
    return " ".join(_NUMBERING.sub("", text).split()) or " ".join(header.split())


def header_legend(header: str) -> dict[str, str]:
    """Return the codes a header explains: '(1 = täysin samaa mieltä, 0 = EOS)'.

    >>> header_legend("Kohtelu (1 = täysin samaa mieltä, 5 = täysin eri mieltä, 0 = EOS)")
    {'1': 'täysin samaa mieltä', '5': 'täysin eri mieltä', '0': 'EOS'}
    """
    found: dict[str, str] = {}
    for legend in _LEGEND.findall(header):
        for code, label in _LEGEND_ENTRY.findall(legend):
            found.setdefault(str(int(code)), label.strip())
    return found


@functools.cache
def load_vocabulary() -> Mapping[str, Any]:
    """Return the providers' wordings (``vocabulary.yaml`` beside this module)."""
    text = resources.files("harmonizer.draft").joinpath("vocabulary.yaml").read_text("utf-8")
    data: Mapping[str, Any] = yaml.safe_load(text)
    return data


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """A national field a header may name, with a score 0-100 and why."""

    field: str
    score: float
    why: str


def _hint_score(header_words: list[str], hint: str) -> float:
    """Score a short vocabulary hint: each of its words starts a header word, in order."""
    hint_words = words(hint)
    if not hint_words:
        return 0.0
    position = 0
    for hint_word in hint_words:
        for offset in range(position, len(header_words)):
            word = header_words[offset]
            if word == hint_word or (len(hint_word) >= 4 and word.startswith(hint_word)):
                position = offset + 1
                break
        else:
            return 0.0
    # A hint that is the whole header says more than one word of a long question;
    # numbers ("Suosittelu 0-10") say nothing about which field it is.
    counted = [w for w in header_words if not w.isdigit()] or header_words
    covered = len(hint_words) / len(counted)
    # A longer hint ("palvelupiste") beats its prefix ("palvelu") on the same word.
    length = min(1.0, len("".join(hint_words)) / max(1, len("".join(counted))))
    return 70.0 + 24.0 * min(1.0, covered) + length


def _label_score(header: str, label: str) -> float:
    """Score a header against a schema label: order-, case- and punctuation-tolerant.

    A header may shorten the label ("Koin oloni turvalliseksi"): when at least three of
    the header's words all occur in the label, the subset counts as a match.
    """
    left = " ".join(w for w in words(header) if not w.isdigit())
    right = phrase(label)
    if not left or not right:
        return 0.0
    score = max(fuzz.ratio(left, right), fuzz.token_sort_ratio(left, right))
    if min(len(left.split()), len(right.split())) >= 3:
        score = max(score, fuzz.token_set_ratio(left, right) - 2)
    return float(score)


def field_labels(schema: RecordSchema, name: str) -> list[str]:
    """Return every label the schema gives a field, in all languages."""
    node = schema.properties[name]
    labels: list[str] = []
    for key in ("x-labels", "x-short-labels"):
        labels += [str(v) for v in node.get(key, {}).values()]
    variants = node.get("x-label-variants", {})
    if isinstance(variants, Mapping):
        codes = set(node.get("enum") or ()) | set(node.get("x-code-labels") or ())
        for key, value in variants.items():
            # Variants keyed by a code name a value ('pysäköinti' is the touchpoint
            # arrival): a header that names a value does not name the field.
            if key in codes:
                continue
            labels += [str(v) for v in (value if isinstance(value, list) else [value])]
    elif isinstance(variants, list):
        labels += [str(v) for v in variants]
    if "title" in node:
        labels.append(str(node["title"]))
    return labels


def target_fields(schema: RecordSchema) -> list[str]:
    """Return the national fields a source column may feed, in schema order."""
    return [f for f in schema.fields if f not in DERIVED_FIELDS]


def match_header(header: str, schema: RecordSchema) -> list[HeaderMatch]:
    """Return the national fields a header may name, best first (score >= 60)."""
    if " / " in header:
        # A two-row header joins its parts: the lowest part names the column.
        whole = {m.field: m for m in match_header(header.rsplit(" / ", 1)[1], schema)}
        for match in _match_one(header, schema):
            if match.field not in whole or whole[match.field].score < match.score:
                whole[match.field] = match
        return sorted(whole.values(), key=lambda m: -m.score)
    return _match_one(header, schema)


def _match_one(header: str, schema: RecordSchema) -> list[HeaderMatch]:
    hints: Mapping[str, list[str]] = load_vocabulary()["headers"]
    header_words = words(header)
    found: dict[str, HeaderMatch] = {}

    def keep(candidate: HeaderMatch) -> None:
        if candidate.score >= 60 and (
            candidate.field not in found or found[candidate.field].score < candidate.score
        ):
            found[candidate.field] = candidate

    written = "_".join(header_words)
    for name in target_fields(schema):
        if written == name:
            # Exports made for the national survey name columns by the field itself.
            keep(HeaderMatch(name, 100.0, f"header is the national field name '{name}'"))
        for label in field_labels(schema, name):
            score = _label_score(header, label)
            keep(HeaderMatch(name, score, f"header matches the schema's label '{label}'"))
        for hint in hints.get(name, ()):
            score = _hint_score(header_words, hint)
            keep(HeaderMatch(name, score, f"header word '{hint}'"))
    return sorted(found.values(), key=lambda m: -m.score)


def contains_hint(text: str, hint: str) -> bool:
    """Return True when each word of ``hint`` starts a word of ``text``, in order.

    >>> contains_hint("Kallio health station", "health station")
    True
    """
    return _hint_score(words(text), hint) > 0


def hint_score_words(header_words: list[str], hint: str) -> float:
    """Return how well a header's words hold one hint (0 when they do not)."""
    return _hint_score(header_words, hint)


def hint_score(header: str, key: str) -> float:
    """Return how well a header matches the vocabulary's words under ``key`` (0-100)."""
    header_words = words(header)
    return max((_hint_score(header_words, h) for h in load_vocabulary()[key]), default=0.0)


def names_satisfaction(header: str) -> bool:
    """Return True when a header (or its legend) names a satisfaction scale.

    >>> names_satisfaction("Kohtelu (1 = erittäin tyytymätön, 5 = erittäin tyytyväinen)")
    True
    """
    header_words = words(header)
    return any(_hint_score(header_words, w) for w in load_vocabulary()["satisfaction_words"])


def hint_in(header: str | None, key: str) -> bool:
    """Return True when a header holds one of the vocabulary's words under ``key``."""
    if not header:
        return False
    header_words = words(header)
    return any(_hint_score(header_words, h) for h in load_vocabulary()[key])


def guess_language(texts: list[str], schema: RecordSchema) -> tuple[str, int, int]:
    """Return the language most of ``texts`` are in, its hits and all hits."""
    scores = dict.fromkeys(LANGUAGES, 0)
    known: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for name in schema.fields:
        for lang, label in schema.properties[name].get("x-labels", {}).items():
            if lang in known:
                known[lang].update(w for w in words(str(label)) if len(w) > 3)
    for point in schema.scale_labels.values():
        for lang, label in point.items():
            if lang in known:
                known[lang].update(w for w in words(label) if len(w) > 3)
    # Short everyday words tell a question's language where no schema word occurs
    # ("Miten saapuminen ja ilmoittautuminen sujuivat?").
    for lang, common in load_vocabulary()["language_words"].items():
        if lang in known:
            known[lang].update(phrase(w) for w in common)
    for text in texts:
        for word in words(text):
            for lang in LANGUAGES:
                if word in known[lang]:
                    scores[lang] += 1
    best = max(LANGUAGES, key=lambda lang: scores[lang])
    return best, scores[best], sum(scores.values())
