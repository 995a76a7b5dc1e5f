"""Labels of groups and items in the reader's language, taken from the national schema."""

from __future__ import annotations

from collections.abc import Mapping

from harmonizer.figures import Figures, GroupFigures
from harmonizer.publish.texts import text
from harmonizer.schema import RecordSchema

# Grains of the period that are not schema fields get their names from texts.yaml.
_GRAIN_TEXTS = {"month": "month", "quarter": "quarter", "year": "year"}
_NAMED_GROUPS = {"provider_id": "group_provider_id", "unit_id": "group_unit_id"}


def field_label(schema: RecordSchema, name: str, lang: str) -> str:
    """Return the label of a grouping field (a schema field or a period grain)."""
    if name in _GRAIN_TEXTS:
        return text(_GRAIN_TEXTS[name], lang)
    if name in _NAMED_GROUPS:
        # Groups show the provider's or unit's name, so they are named as such, not by
        # the field that holds the id.
        return text(_NAMED_GROUPS[name], lang)
    return schema.label(name, lang, short=True)


def value_label(
    schema: RecordSchema, name: str, value: str | None, lang: str, names: Mapping[str, str]
) -> str:
    """Return the label of one group value: a code's label, a unit's name, or the value.

    >>> from harmonizer.schema import load_schema
    >>> value_label(load_schema("1.0"), "channel", "sms", "fi", {})
    'Tekstiviesti'
    """
    if value is None:
        return text("none", lang)
    if name in schema.properties:
        labels = schema.code_labels(name)
        if value in labels:
            return str(labels[value][lang])
    return names.get(value, value)


def group_label(schema: RecordSchema, figures: Figures, group: GroupFigures, lang: str) -> str:
    """Return a group's label: its values' labels joined by " / "; "All" for the total."""
    if group.key is None:
        return text("all", lang)
    return " / ".join(
        value_label(schema, name, value, lang, group.names)
        for name, value in zip(figures.by, group.key, strict=True)
    )


def item_label(schema: RecordSchema, item: str, lang: str) -> str:
    """Return the (short) label of NPS or a statement."""
    return schema.label(item, lang, short=True)


def scale_labels(schema: RecordSchema, lang: str) -> list[str]:
    """Return the five agreement points' labels, 1 first."""
    return [str(schema.scale_labels[str(p)][lang]) for p in range(1, 6)]
