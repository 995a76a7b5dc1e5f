"""The unit list a draft writes beside the mapping, and service areas read from unit names."""

from __future__ import annotations

from collections.abc import Mapping

from harmonizer.draft.answers import RuleDraft
from harmonizer.draft.columns import Placement, looks_like_codes, slug
from harmonizer.draft.model import Entry, Plan, UnitsPlan
from harmonizer.draft.profile import ColumnProfile, pair_counts
from harmonizer.draft.vocabulary import contains_hint, load_vocabulary, phrase, words


def area_of_unit(unit: str) -> str | None:
    """Return the service area a unit's name tells ('Oulun hammashoitola' -> oral_health)."""
    words_by_area: Mapping[str, str] = load_vocabulary()["service_area_words"]
    for word, code in words_by_area.items():
        if contains_hint(unit, word) or any(w.startswith(phrase(word)) for w in words(unit)):
            return code
    return None


def areas_from_units(plan: Plan, column: ColumnProfile, rule: RuleDraft) -> None:
    """Read bare service codes (1, 2, 3) from the unit names that come with them."""
    units = plan.unit_column
    codes = [v for v in column.stats.counts if v.isdigit()]
    if units is None or not codes or plan.profile.codebook:
        return
    pairs = pair_counts(plan.profile, column.index, units.index)
    found: dict[str, str] = {}
    for code in codes:
        areas = {area_of_unit(unit) for (left, unit), _ in pairs.items() if left == code}
        if len(areas) == 1 and None not in areas:
            found[code] = str(areas.pop())
    if len(found) != len(codes):
        return
    rule.checks = [c for c in rule.checks if "schema's order" not in c]
    for code, area in found.items():
        rule.value_map[code] = area
        rule.entry_notes[code] = f"the units named beside code {code} are {area}"
    rule.checks.append(
        f"codes {', '.join(codes)} read from the unit names beside them ({units.name}): confirm them from the codebook"
    )


def add_units(plan: Plan, column: ColumnProfile | None, units_file: str, taken: set[str]) -> None:
    """Look unit_id and service_area (and unit names, for unit codes) up in a unit list."""
    entry = next((e for e in plan.fields if e.name == "unit_name"), None)
    if column is None or entry is None:
        return
    stats = column.stats
    key = slug(column.header or "unit")
    codes = looks_like_codes(stats)
    rows: list[dict[str, str]] = []
    unguessed: list[str] = []
    for value in sorted(stats.counts):
        area = area_of_unit(value) or ""
        if not area:
            unguessed.append(value)
        rows.append({key: value, "unit_name": value, "unit_id": "", "service_area": area})
    takes = [] if "unit_id" in taken else ["unit_id"]
    if codes:
        takes.insert(0, "unit_name")
        entry.rule.keys.update(lookup="units")
        entry.rule.checks.append(
            f"the export names units by codes ({', '.join(list(stats.counts)[:3])}, ...): write their names in {units_file}"
        )
    if "service_area" not in taken:
        takes.append("service_area")
        taken.add("service_area")
        if unguessed:
            plan.checks.append(
                f"lookups.units: fill service_area for {len(unguessed)} unit(s) in {units_file} ({', '.join(unguessed[:3])}{', ...' if len(unguessed) > 3 else ''})"
            )
    if "unit_id" in takes:
        plan.checks.append(
            f"lookups.units: fill unit_id (the SOTE organisation register OID) in {units_file}"
        )
    plan.units = UnitsPlan(key=key, column=entry.ref, rows=rows, takes=takes)
    for take in takes:
        if take == "unit_name":
            continue
        placement = Placement(column.header or column.letter, stats, field=take)
        placement.reasons.append(f"looked up from the unit in {units_file}")
        lookup = Entry(take, dict(entry.ref), placement)
        lookup.rule.keys["lookup"] = "units"
        plan.fields.append(lookup)
        taken.add(take)
