"""Value maps from a column's distinct answers, proposed where the engine needs them.

Each distinct value is first given to the engine's own converter (the one a run uses):
what it already understands (schema labels, codes, numbers, '5 - täysin samaa mieltä')
needs no entry. Only the rest is guessed, each guess with a comment, and what cannot be
guessed is a ``# CHECK:`` note, never a silent entry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from harmonizer.converters import Converter, code_converter, scale_converter
from harmonizer.draft.profile import ValueStats
from harmonizer.draft.vocabulary import load_vocabulary, phrase
from harmonizer.issues import IssueCode
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.model import DEFAULT_MISSING_VALUES, FieldRule, Provider
from harmonizer.mapping.model import Mapping as MappingModel
from harmonizer.schema import RecordSchema
from harmonizer.values import label_key, leading_number, parse_whole

FUZZY_SURE = 90
FUZZY_MAYBE = 80
# Codes providers put above a five-point scale for a missing answer, by convention
# (the spec: "en osaa sanoa" coded 0, 6 or 9).
MISSING_CODES = {
    6: "dont_know",
    7: "not_applicable",
    8: "not_applicable",
    9: "dont_know",
    0: "dont_know",
}


@dataclass
class RuleDraft:
    """The keys of one drafted rule, with comments for the value map entries."""

    keys: dict[str, Any] = field(default_factory=dict)
    value_map: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    entry_notes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)

    def rule(self) -> FieldRule:
        """Return the engine's rule of this draft (for probing values)."""
        return FieldRule(
            column="probe",
            value_map=self.value_map,
            missing=self.missing,
            **{k: v for k, v in self.keys.items() if k in _RULE_KEYS},
        )


_RULE_KEYS = {"reversed", "scale", "recode", "adapted", "default", "derive", "formats"}


def probe_mapping(schema: RecordSchema, missing_values: list[str]) -> LoadedMapping:
    """Return a minimal loaded mapping that lets the engine's converters run."""
    model = MappingModel(
        mapping="draft",
        version="1",
        schema_version=schema.version,
        provider=Provider(name="draft"),
        missing_values=missing_values,
    )
    return LoadedMapping(model, Path("draft.yaml"), "", schema, {}, {})


def _unknown(convert: Converter, counts: Mapping[str, int]) -> dict[str, int]:
    bad: dict[str, int] = {}
    for value, count in counts.items():
        result = convert(value)
        if result.error is not None and result.error[0] in {
            IssueCode.UNKNOWN_LABEL,
            IssueCode.BAD_CODE,
            IssueCode.OUT_OF_RANGE,
            IssueCode.BAD_NUMBER,
        }:
            bad[value] = count
    return bad


def _missing_reason(value: str) -> str | None:
    key = phrase(value)
    for reason, labels in load_vocabulary()["missing"].items():
        if key in {phrase(label) for label in labels}:
            return str(reason)
    return None


def _best(
    value: str, candidates: Mapping[str, Any], *, subset: bool = False
) -> tuple[Any, float, str] | None:
    """Return the target of the candidate label nearest to ``value``, its score, label.

    With ``subset``, a label whose words all start words of the value ("Asiakas, toinen
    henkilö avusti" holds "toinen henkilö avusti", "Patienten själv" holds "patient")
    scores high; the label of the most words wins.
    """
    key = phrase(value)
    value_words = key.split()
    best: tuple[Any, float, str] | None = None
    for label, target in candidates.items():
        other = phrase(label)
        score = float(fuzz.ratio(key, other))
        label_words = other.split()
        if subset and _covers(value_words, label_words):
            # "Patienten själv" holds "patient": a word may carry an ending.
            score = max(score, 84.0 + min(11.0, 3.0 * len(label_words)))
        if best is None or score > best[1]:
            best = (target, score, label)
    return best


def _covers(value_words: list[str], label_words: list[str]) -> bool:
    """Return True when each label word is a value word or (4+ letters) starts one."""
    if not label_words:
        return False
    return all(
        any(w == word or (len(word) >= 4 and w.startswith(word)) for w in value_words)
        for word in label_words
    )


def scale_labels(schema: RecordSchema) -> dict[str, int]:
    """Return every agreement label of the schema (all languages, variants) -> point."""
    labels: dict[str, int] = {}
    variants = schema.document["$defs"]["statement"].get("x-label-variants", {})
    for point, names in schema.scale_labels.items():
        for name in names.values():
            labels[name] = int(point)
        for name in variants.get(point, ()):
            labels[name] = int(point)
    return labels


def agreement_labels(schema: RecordSchema) -> dict[str, int]:
    """Return the schema's agreement labels and the survey tools' own ('Helt enig') -> point."""
    labels = scale_labels(schema)
    for scale in load_vocabulary()["agree_scales"]:
        for point, label in enumerate(scale, 1):
            labels.setdefault(label, point)
    return labels


def tool_scale(values: list[str]) -> list[str] | None:
    """Return the tool's five-point wording (1 to 5) that a column's answers come from.

    The wording of most answers wins; None when no answer is one of a tool's labels.

    >>> tool_scale(["Helt enig", "Ganska oenig", "Vet ej"])[3]
    'Ganska enig'
    """
    keys = {phrase(v) for v in values}
    best: tuple[int, list[str]] | None = None
    for scale in load_vocabulary()["agree_scales"]:
        hits = sum(1 for label in scale if phrase(label) in keys)
        if hits and (best is None or hits > best[0]):
            best = (hits, list(scale))
    return best[1] if best is not None else None


def code_candidates(name: str, schema: RecordSchema) -> dict[str, str]:
    """Return every label of an enumerated field's codes -> its code.

    The codes themselves ("30-49"), the schema's labels and variants, and the providers'
    wordings (``codes`` in vocabulary.yaml).
    """
    candidates: dict[str, str] = {code: code for code in schema.codes(name)}
    for code, labels in schema.code_labels(name).items():
        for label in labels.values():
            candidates[label] = code
    variants = schema.properties[name].get("x-label-variants", {})
    if isinstance(variants, Mapping):
        for code, labels_ in variants.items():
            for label in labels_ if isinstance(labels_, list) else [labels_]:
                candidates[str(label)] = str(code)
    for code, words_ in load_vocabulary()["codes"].get(name, {}).items():
        for label in words_:
            candidates[label] = str(code)
    return candidates


def code_of(
    name: str, value: str, schema: RecordSchema, *, sure: bool = True
) -> tuple[str, float, str] | None:
    """Return the code of an enumerated field a label names, its score and the label.

    The schema's labels and the providers' wordings (``codes`` in vocabulary.yaml) are
    candidates; a label whose words the value holds counts ("Patienten själv").
    """
    found = _best(value, code_candidates(name, schema), subset=True)
    if found is None or found[1] < (FUZZY_SURE if sure else FUZZY_MAYBE):
        return None
    return str(found[0]), found[1], found[2]


def label_point(text: str, labels: Mapping[str, int]) -> tuple[int, float] | None:
    """Return the agreement point a label names and how alike it is; None if none."""
    found = _best(text, labels)
    if found is None or found[1] < FUZZY_MAYBE:
        return None
    return int(found[0]), found[1]


def detect_reversed(
    stats: ValueStats, schema: RecordSchema, codebook: Mapping[str, str]
) -> tuple[bool | None, str]:
    """Tell whether a five-point column runs 1 = fully agree; None when it cannot tell.

    Labels that carry their number ('1 - täysin samaa mieltä') or a codebook decide it;
    numbers alone only suggest it (answers lean to agreement in feedback surveys).
    """
    labels = scale_labels(schema)
    for text in stats.counts:
        number = leading_number(text)
        rest = text.split(maxsplit=1)[-1].lstrip("-\u2013:.) ") if number is not None else ""
        point = label_point(rest, labels) if rest else None
        if number is not None and point is not None and number in {1, 5}:
            return point[0] != number, f"the label '{text}'"
    for code in ("1", "5"):
        if code in codebook and (point := label_point(codebook[code], labels)) is not None:
            return point[0] != int(code), f"the codebook: {code} = {codebook[code]}"
    in_scale = [
        (whole, count)
        for value, count in stats.counts.items()
        if (whole := parse_whole(value)) is not None and 1 <= whole <= 5
    ]
    answered = sum(count for _, count in in_scale)
    if answered >= 5:
        mean = sum(w * c for w, c in in_scale) / answered
        if mean < 2.5:
            return True, (
                f"the mean answer {mean:.1f} (feedback leans to agreement, so 1 is "
                "likely 'fully agree')"
            )
    return None, ""


def draft_measure(
    name: str,
    stats: ValueStats,
    loaded: LoadedMapping,
    *,
    codebook: Mapping[str, str],
    scale: tuple[int, int] | None = None,
) -> RuleDraft:
    """Draft the rule of NPS or a statement from its distinct values."""
    schema = loaded.schema
    draft = RuleDraft()
    nps = schema.measure_kind(name) == "nps"
    labels = agreement_labels(schema)
    if not nps and scale is not None and scale != (1, 5):
        low, high = scale
        draft.keys.update(scale=f"{low}-{high}", adapted=True, recode=stretch(low, high))
        draft.checks.append(
            f"a {low}-{high} scale is not the national five-point scale: the recode "
            f"{draft.keys['recode']} is a proposal, and the item is reported as adapted"
        )
    elif not nps:
        reversed_, why = detect_reversed(stats, schema, codebook)
        if reversed_:
            draft.keys["reversed"] = True
            sure = "label" in why or "codebook" in why
            (draft.notes if sure else draft.checks).append(
                f"reversed (1 = fully agree), from {why}"
            )
    convert = scale_converter(name, draft.rule(), loaded)
    for value, count in _unknown(convert, stats.counts).items():
        _place_answer(
            name,
            value,
            count,
            draft,
            nps=nps,
            labels=labels,
            codebook=codebook,
            stats=stats,
            schema_labels=scale_labels(schema).keys(),
        )
    if not nps and not draft.keys.get("reversed") and draft.value_map:
        _fill_scale(draft, convert)
    return draft


def _fill_scale(draft: RuleDraft, convert: Converter) -> None:
    """Add the points of the tool's scale that no one answered in the sample."""
    scale = tool_scale(list(draft.value_map))
    if scale is None:
        return
    mapped = {phrase(v) for v in draft.value_map}
    added = []
    for point, label in enumerate(scale, 1):
        if phrase(label) in mapped:
            continue
        result = convert(label)
        if result.error is None and result.value == point:
            continue  # the engine knows the label already
        draft.value_map[label] = point
        draft.entry_notes[label] = "not in the sample: the rest of the same scale"
        added.append(label)
    if added:
        draft.notes.append(
            f"the scale '{scale[-1]}' ... '{scale[0]}': "
            f"{len(added)} of its labels not in the sample are mapped too"
        )


def stretch(low: int, high: int) -> dict[int, int]:
    """Return a recode of every point of ``low-high`` onto 1-5, ends onto ends.

    >>> stretch(1, 4)
    {1: 1, 2: 2, 3: 4, 4: 5}
    """
    span = high - low
    recode: dict[int, int] = {}
    for point in range(low, high + 1):
        exact = 1 + 4 * (point - low) / span
        # A point that falls on the middle goes away from it: an even scale has no middle.
        nearest = round(exact)
        if span % 2 == 1 and nearest == 3:
            nearest = 2 if exact < 3 else 4
        recode[point] = nearest
    return recode


def _place_answer(
    name: str,
    value: str,
    count: int,
    draft: RuleDraft,
    *,
    nps: bool,
    labels: Mapping[str, int],
    codebook: Mapping[str, str],
    stats: ValueStats,
    schema_labels: Collection[str] = (),
) -> None:
    shown = f"{count} row{'s' if count != 1 else ''}"
    reason = _missing_reason(value)
    if reason is not None:
        draft.missing[value] = reason
        draft.entry_notes[value] = f"{shown}; a missing answer"
        return
    whole = parse_whole(value)
    if whole is not None and value in codebook:
        meaning = codebook[value]
        reason = _missing_reason(meaning)
        if reason is not None:
            draft.missing[value] = reason
            draft.entry_notes[value] = f"{shown}; the codebook says {value} = {meaning}"
            return
    if whole is not None and not nps and whole in MISSING_CODES and stats.high is not None:
        draft.missing[value] = MISSING_CODES[whole]
        draft.entry_notes[value] = (
            f"{shown}; CHECK: a code outside 1-5, read as {MISSING_CODES[whole]}"
        )
        draft.checks.append(
            f"code {value} ({shown}) read as {MISSING_CODES[whole]}: confirm it from the codebook"
        )
        return
    if whole is None and nps:
        for point, ends in load_vocabulary()["nps_ends"].items():
            if phrase(value) in {phrase(e) for e in ends}:
                draft.value_map[value] = int(point)
                draft.entry_notes[value] = f"{shown}; an NPS end label"
                return
    if whole is None and not nps:
        found = _best(value, labels)
        if found is not None and found[1] >= FUZZY_MAYBE:
            point, score, label = found
            draft.value_map[value] = int(point)
            whose = "schema" if label in schema_labels else "survey tool's"
            note = f"{shown}; nearest {whose} label '{label}' ({score:.0f} %)"
            if score < FUZZY_SURE:
                note = f"{note}; CHECK"
                draft.checks.append(f"'{value}' read as {point} ('{label}', {score:.0f} % alike)")
            draft.entry_notes[value] = note
            return
    draft.unknown[value] = count
    draft.checks.append(
        f"'{value}' ({shown}) is not understood: add it to value_map (a point) or missing (a reason)"
    )


def draft_codes(
    name: str, stats: ValueStats, loaded: LoadedMapping, codebook: Mapping[str, str]
) -> RuleDraft:
    """Draft the value map of an enumerated field (gender, respondent, county, ...)."""
    schema = loaded.schema
    draft = RuleDraft()
    convert = code_converter(name, None, loaded)
    unknown = _unknown(convert, stats.counts)
    candidates = code_candidates(name, schema)
    codes = schema.codes(name)
    numeric = [v for v in unknown if v.isdigit()]
    numbered: list[str] = []
    for value, count in unknown.items():
        shown = f"{count} row{'s' if count != 1 else ''}"
        if value in codebook:
            found = _best(codebook[value], candidates)
            if found is not None and found[1] >= FUZZY_MAYBE:
                draft.value_map[value] = found[0]
                draft.entry_notes[value] = f"{shown}; the codebook says {value} = {codebook[value]}"
                continue
        exact = {label_key(label): code for label, code in candidates.items()}
        if label_key(value) in exact:
            draft.value_map[value] = exact[label_key(value)]
            draft.entry_notes[value] = f"{shown}; a common wording"
            continue
        found = _best(value, candidates, subset=True)
        if found is not None and found[1] >= FUZZY_MAYBE:
            code, score, label = found
            draft.value_map[value] = code
            note = f"{shown}; nearest label '{label}' ({score:.0f} %)"
            if score < FUZZY_SURE:
                draft.checks.append(f"'{value}' read as {code} ('{label}', {score:.0f} % alike)")
                note += "; CHECK"
            draft.entry_notes[value] = note
            continue
        if value in numeric and len(numeric) == len(unknown) and 0 < int(value) <= len(codes):
            code = codes[int(value) - 1]
            draft.value_map[value] = code
            draft.entry_notes[value] = f"{shown}; CHECK: numbered in the schema's order"
            numbered.append(f"{value} = {code}")
            continue
        draft.unknown[value] = count
        draft.checks.append(
            f"'{value}' ({shown}) is not a {name} the draft knows: add it to value_map"
        )
    if numbered:
        draft.checks.append(
            f"codes read in the schema's order ({', '.join(numbered)}): confirm them from the codebook"
        )
    return draft


def default_missing_values(values: list[str]) -> list[str]:
    """Return the mapping's missing_values: the defaults and the export's own 'tyhjä'."""
    found = list(DEFAULT_MISSING_VALUES)
    blank_words = {phrase(w) for w in load_vocabulary()["missing"]["no_answer"]}
    for value in values:
        if phrase(value) in blank_words and value not in found:
            found.append(value)
    return found
