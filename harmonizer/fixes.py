"""What a mapping tells about its export, so that a provider's fix can use their own words.

A provider fixes cells, not YAML. To say "write one of the survey's answers: Täysin
samaa mieltä, …" or "did you mean 'Jokseenkin samaa mieltä'?", the report needs the
answers as the mapping's author copied them from the provider's survey (the keys of
``value_map`` and ``missing``), the numeric range a column accepts, and whom to send
the corrected export to (``provider.contact``). :func:`hints_from` collects them once
from a loaded mapping; reporters turn them into sentences
(:mod:`harmonizer.reporters.provider`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harmonizer.mapping.load import LoadedMapping

# Scales a numeric source column may carry when its rule names none.
NPS_RANGE = (0, 10)
STATEMENT_RANGE = (1, 5)


@dataclass(frozen=True)
class FieldHints:
    """What a provider may write in the column of one national field or own item."""

    answers: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    example: str | None = None
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def answers_in(self, lang: str) -> tuple[str, ...]:
        """Return the answers to show: the survey's own, else the scale's in ``lang``."""
        return self.answers or self.labels.get(lang, ())

    @property
    def every_answer(self) -> tuple[str, ...]:
        """Return every accepted spelling (for finding the closest one to a typo)."""
        return (*self.answers, *(a for names in self.labels.values() for a in names))


@dataclass
class FixHints:
    """The mapping's words about an export; empty when no mapping could be read.

    ``header_found`` maps an export's file name to the row where its header seems to
    be, when the mapping's header row lacks the mapped columns (a title row added
    above, for example).
    """

    fields: dict[str, FieldHints] = field(default_factory=dict)
    provider: str | None = None
    contact: str | None = None
    header_row: int = 1
    header_found: dict[str, int] = field(default_factory=dict)
    survey_lang: str | None = None

    def of(self, field_name: str | None) -> FieldHints:
        """Return the hints of a national field (``ease``) or own item (``own_items.x``)."""
        if field_name is None:
            return FieldHints()
        return self.fields.get(field_name) or self.fields.get(
            field_name.split(".")[0], FieldHints()
        )


def _range(scale: str | None, field_name: str, measures: dict[str, str]) -> tuple[int, int] | None:
    if scale is not None:
        low, _, high = scale.partition("-")
        if low.strip().isdigit() and high.strip().isdigit():
            return int(low), int(high)
    kind = measures.get(field_name)
    if kind == "nps":
        return NPS_RANGE
    if kind == "statement":
        return STATEMENT_RANGE
    return None


# How 23 November 2026 at 14:05 reads in each named date format.
EXAMPLES = {
    "iso": "2026-11-23T14:05",
    "fi_datetime": "23.11.2026 14:05",
    "fi_klo": "23.11.2026 klo 14.05",
    "fi_date": "23.11.2026",
    "excel": "23.11.2026 14:05",
}


def _date_example(formats: list[str] | None) -> str:
    """Return 23 November 2026 14:05 written in the first of the rule's date formats."""
    first = formats[0] if formats else "fi_datetime"
    if first in EXAMPLES:
        return EXAMPLES[first]
    try:
        return datetime(2026, 11, 23, 14, 5).strftime(first)
    except ValueError:
        return EXAMPLES["fi_datetime"]


def hints_from(loaded: LoadedMapping) -> FixHints:
    """Return the hints a loaded mapping gives about its exports."""
    from harmonizer.mapping.model import FieldRule

    model = loaded.model
    schema = loaded.schema
    measures = {m: schema.measure_kind(m) or "" for m in schema.measures}
    # A statement without a value map accepts the national scale's labels.
    scale = {
        lang: tuple(schema.scale_labels[p][lang] for p in sorted(schema.scale_labels))
        for lang in ("fi", "sv", "en")
    }
    fields: dict[str, FieldHints] = {}
    for name, rule in model.fields.items():
        if not isinstance(rule, FieldRule):
            continue
        answers = tuple(dict.fromkeys([*rule.value_map, *rule.missing]))
        if rule.lookup is not None and rule.lookup in model.lookups:
            table = model.lookups[rule.lookup]
            if table.rows:
                answers = tuple(table.rows)
            elif rule.lookup in loaded.lookups:
                answers = tuple(loaded.lookups[rule.lookup].rows)
        # Without a value map the export's values are the national codes themselves.
        if not rule.value_map and not rule.lookup and "enum" in schema.properties.get(name, {}):
            answers = (*schema.codes(name), *answers)
        span = _range(rule.scale, name, measures)
        example = _date_example(rule.formats) if name == "responded_at" else None
        low, high = span or (None, None)
        labels = scale if measures.get(name) == "statement" and not rule.recode else {}
        fields[name] = FieldHints(answers, low, high, example, labels)
    for name, item in model.own_items.items():
        # Without a value map, an item on a declared scale takes the scale's points.
        points = schema.item_scales.get(item.scale or "", {}).get("points") or ()
        answers = tuple(item.value_map) or tuple(str(p) for p in points)
        fields[f"own_items.{name}"] = FieldHints(answers)
    # The survey's language, when the mapping states it: its answers are shown in it.
    language = model.constants.get("language")
    return FixHints(
        fields,
        model.provider.name,
        model.provider.contact,
        model.source.header_row,
        survey_lang=language if language in ("fi", "sv", "en") else None,
    )
