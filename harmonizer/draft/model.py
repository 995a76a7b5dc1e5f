"""The draft of a mapping as data: what goes where, and every note behind each guess."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harmonizer.draft.answers import RuleDraft
from harmonizer.draft.columns import Placement
from harmonizer.draft.profile import ColumnProfile, ExportProfile
from harmonizer.errors import HarmonizerError
from harmonizer.schema import RecordSchema


@dataclass
class Entry:
    """One drafted rule (or own item), with its source reference and notes."""

    name: str
    ref: dict[str, Any]
    placement: Placement
    rule: RuleDraft = field(default_factory=RuleDraft)

    @property
    def checks(self) -> list[str]:
        """Return every CHECK note of the entry."""
        return [*self.placement.checks, *self.rule.checks]


@dataclass
class Plan:
    """Everything a drafted mapping holds, with the reasons for it."""

    mapping_id: str
    schema: RecordSchema
    profile: ExportProfile
    source: dict[str, Any] = field(default_factory=dict)
    source_notes: list[str] = field(default_factory=list)
    layout: str = "wide"
    long: dict[str, Any] | None = None
    response_id: dict[str, Any] | None = None
    missing_values: list[str] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)
    constant_notes: dict[str, str] = field(default_factory=dict)
    fields: list[Entry] = field(default_factory=list)
    own_items: list[Entry] = field(default_factory=list)
    filters: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    units: UnitsPlan | None = None
    unit_column: ColumnProfile | None = None
    scale_legend: dict[str, str] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class UnitsPlan:
    """The unit lookup file written beside the mapping."""

    key: str
    column: dict[str, Any]
    rows: list[dict[str, str]]
    takes: list[str]


class DraftInputError(HarmonizerError):
    """The draft lacks something only a person can give (a business ID, a county)."""


def column_ref(column: ColumnProfile) -> dict[str, Any]:
    """Return a column reference: its header (and occurrence), or its letter."""
    if column.header is None:
        return {"letter": column.letter}
    ref: dict[str, Any] = {"column": column.header}
    if column.occurrence > 1:
        ref["occurrence"] = column.occurrence
    return ref
