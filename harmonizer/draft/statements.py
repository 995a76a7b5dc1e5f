"""Which national statement a five-point column asks, when its header says it only in part.

Providers shorten and rephrase the national statements ("Kohtelu oli arvostavaa", "Jag
fick hjälp i rätt tid") and put the scale's legend into a header ("Asiointi oli sujuvaa
(1 = täysin samaa mieltä ... 5 = täysin eri mieltä)"). A column whose answers are on a
five-point agreement scale can only be one of the seven statements, so a lower bar
suffices: the schema's label or a word of the statement's theme (``statement_words`` in
``vocabulary.yaml``), in Finnish, Swedish or English. Columns are paired with statements
best evidence first, each statement once.

A header that is only a code (``q3``, ``k2``, ``S1``) tells nothing: such five-point
columns are read as the statements not yet placed, in the schema's order, each with a
``# CHECK:`` note, since only the questionnaire (or a question list given with
``--codebook``) tells which statement each is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harmonizer.draft.columns import Placement
from harmonizer.draft.vocabulary import (
    clean_header,
    hint_score_words,
    load_vocabulary,
    match_header,
    words,
)
from harmonizer.schema import RecordSchema

STATEMENT_KINDS = frozenset({"agree", "scale5"})
# Evidence below this is no evidence; below HEADER_SURE a pairing is marked CHECK.
WORDING_FLOOR = 70.0


def statement_score(header: str, name: str, schema: RecordSchema) -> tuple[float, str]:
    """Return how well a header names a statement (0-100) and why."""
    cleaned = clean_header(header)
    best, why = 0.0, ""
    for match in match_header(cleaned, schema):
        if match.field == name:
            best, why = match.score, match.why
    stems: Sequence[str] = load_vocabulary()["statement_words"].get(name, ())
    header_words = words(cleaned)
    hits = [s for s in stems if hint_score_words(header_words, s)]
    if hits:
        score = WORDING_FLOOR + 2.0 + 6.0 * min(3, len(hits))
        if score > best:
            best, why = score, f"words of the statement: {', '.join(hits[:3])}"
    return best, why


def pair_statements(
    columns: Mapping[object, Placement], free: Sequence[str], schema: RecordSchema
) -> dict[object, tuple[str, float, str]]:
    """Pair five-point columns with statements by their wording, best evidence first."""
    candidates: list[tuple[float, int, object, str, str]] = []
    for order, (key, placement) in enumerate(columns.items()):
        for name in free:
            score, why = statement_score(placement.header, name, schema)
            if score >= WORDING_FLOOR:
                candidates.append((score, -order, key, name, why))
    paired: dict[object, tuple[str, float, str]] = {}
    used: set[str] = set()
    for score, _, key, name, why in sorted(candidates, key=lambda c: (-c[0], -c[1])):
        if key in paired or name in used:
            continue
        paired[key] = (name, score, why)
        used.add(name)
    return paired
