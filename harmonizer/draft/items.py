"""Own items: the scale a leftover column is answered on, declared where the schema allows.

From schema 1.1 on an own item may declare its scale (``smiley4``, ``yes_no``,
``grade4_10``, ``categories``, ``text``), which decides its figures. The draft declares
the scale the answers show and maps yes/no words onto the scale's points; a 1.0 draft
keeps the answers as the export wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping

from harmonizer.draft.model import Entry
from harmonizer.draft.vocabulary import (
    hint_in,
    hint_score_words,
    load_vocabulary,
    match_header,
    phrase,
    words,
)
from harmonizer.schema import RecordSchema


def yes_no_map(values: list[str]) -> dict[str, str | None] | None:
    """Return each answer's point ('yes' or 'no') when every answer is a yes or a no word.

    A missing answer beside them ("En osaa sanoa") maps to no answer (None).

    >>> yes_no_map(["Kyllä", "Ei", "Nej", "En osaa sanoa"])
    {'Kyllä': 'yes', 'Ei': 'no', 'Nej': 'no', 'En osaa sanoa': None}
    >>> yes_no_map(["Kyllä", "Ehkä"]) is None
    True
    """
    words = load_vocabulary()["yes_no"]
    missing = {phrase(w) for labels in load_vocabulary()["missing"].values() for w in labels}
    found: dict[str, str | None] = {}
    for value in values:
        point = next(
            (p for p, labels in words.items() if phrase(value) in {phrase(w) for w in labels}),
            None,
        )
        if point is None and phrase(value) in missing:
            found[value] = None  # "En osaa sanoa" beside yes and no: no answer
            continue
        if point is None:
            return None
        found[value] = str(point)
    points = set(found.values()) - {None}
    return found if points == {"yes", "no"} else None


def smiley_map(values: list[str]) -> dict[str, int] | None:
    """Return each answer's face (1 = saddest ... 4) when every answer names a face.

    >>> smiley_map(["Erittäin tyytyväinen", "Tyytymätön", "Hyvä"])
    {'Erittäin tyytyväinen': 4, 'Tyytymätön': 2, 'Hyvä': 3}
    """
    faces = load_vocabulary()["smiley_words"]
    found: dict[str, int] = {}
    for value in values:
        point = next(
            (
                n
                for n, words_ in enumerate(faces, 1)
                if phrase(value) in {phrase(w) for w in words_}
            ),
            None,
        )
        if point is None:
            return None
        found[value] = point
    return found if len(found) >= 2 else None


def touchpoint_of(header: str, schema: RecordSchema) -> tuple[str | None, list[str]]:
    """Return the touchpoint a question's words name, with the word that names it.

    The words are the schema's variants of each touchpoint ("pysäköinti", "waiting").
    When the words name several touchpoints (or none), None and those touchpoints.
    """
    variants = schema.properties["touchpoint"].get("x-label-variants", {})
    header_words = words(header)
    found: dict[str, str] = {}
    for code in schema.touchpoints:
        for variant in variants.get(code, ()):
            if hint_score_words(header_words, str(variant)):
                found.setdefault(code, str(variant))
    if len(found) == 1:
        ((code, word),) = found.items()
        return code, [word]
    return None, sorted(found)


def _names_comments(header: str, schema: RecordSchema) -> bool:
    return any(m.field == "open_feedback" for m in match_header(header, schema))


def describe_item(
    entry: Entry,
    schema: RecordSchema,
    missing_values: list[str],
    codebook: Mapping[str, str] | None = None,
) -> None:
    """Describe an own item (schema 1.1+): its question's touchpoint and its scale.

    The scale is the one the answers show, with a value map onto its points.
    """
    placement = entry.placement
    if schema.touchpoints and placement.content != "empty":
        touchpoint, named = touchpoint_of(placement.header, schema)
        if touchpoint is not None:
            entry.rule.keys["touchpoint"] = touchpoint
            entry.rule.notes.append(f"touchpoint {touchpoint}: the question says '{named[0]}'")
        elif named:
            placement.checks.append(
                f"the question names several touchpoints ({', '.join(named)}): add the one "
                "it asks about as touchpoint"
            )
    scales = schema.item_scales
    kind = placement.content
    values = [v for v in placement.stats.counts if v not in missing_values]
    smiley = hint_in(placement.header, "smiley") and kind == "scale4"
    if not scales:
        if smiley:
            labels = load_vocabulary()["smiley_labels"]
            entry.rule.value_map = {str(i + 1): label for i, label in enumerate(labels)}
            entry.rule.notes.append("a smiley kiosk's four buttons, saddest first")
        return
    if smiley and "smiley4" in scales:
        entry.rule.keys["scale"] = "smiley4"
        entry.rule.notes.append("a smiley kiosk's four buttons, 1 = the saddest face")
        return
    faces = smiley_map(values) if hint_in(placement.header, "smiley") else None
    if faces and "smiley4" in scales:
        # A kiosk that writes its faces as words ("Erittäin tyytyväinen"), not 1-4.
        entry.rule.keys["scale"] = "smiley4"
        entry.rule.value_map = dict(faces)
        entry.rule.notes.append("a smiley kiosk's four faces, written as words")
        placement.checks[:] = [c for c in placement.checks if "kept as an own item" not in c]
        return
    answers = yes_no_map(values) if kind == "category" else None
    said = ""
    if answers is None and kind == "category" and codebook and all(v in codebook for v in values):
        # Coded answers (1, 2) whose codebook says "1=Kyllä; 2=Ei".
        labelled = yes_no_map([codebook[v] for v in values])
        if labelled is not None:
            answers = {v: labelled[codebook[v]] for v in values}
            said = ", from the codebook: " + "; ".join(f"{v}={codebook[v]}" for v in values)
    if answers and "yes_no" in scales:
        entry.rule.keys["scale"] = "yes_no"
        entry.rule.value_map = {v: p for v, p in answers.items() if v != p}
        entry.rule.notes.append(f"yes/no answers{said}")
        return
    stats = placement.stats
    sentences = stats.share(stats.multiword) >= 0.5 and len(stats.counts) >= 2
    if kind == "category" and (sentences or _names_comments(placement.header, schema)):
        kind = "text"  # comments, not categories (a kiosk's one question repeats)
    by_kind = {
        "contact": "text",
        "hetu": "text",
        "phone": "text",
        "grade": "grade4_10",
        "category": "categories",
        "text": "text",
        "satisfaction": "satisfaction5",
    }
    scale = by_kind.get(kind)
    if scale is not None and scale in scales:
        entry.rule.keys["scale"] = scale
