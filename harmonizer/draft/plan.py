"""The draft of a mapping as data: what goes where, and every note behind each guess.

:func:`build_plan` composes the profile, the layout, the column placements, the value
maps, the units, the filters and the constants; :mod:`harmonizer.draft.render` writes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harmonizer.draft.answers import (
    RuleDraft,
    default_missing_values,
    draft_codes,
    draft_measure,
    probe_mapping,
)
from harmonizer.draft.columns import Placement, looks_like_codes, place_column, slug
from harmonizer.draft.profile import (
    ColumnProfile,
    ExportProfile,
    ValueStats,
    cell_text,
    pair_counts,
    question_stats,
)
from harmonizer.draft.vocabulary import (
    guess_language,
    hint_in,
    hint_score,
    load_vocabulary,
    phrase,
    words,
)
from harmonizer.draft.yamltext import flow
from harmonizer.errors import HarmonizerError
from harmonizer.identifiers import is_business_id
from harmonizer.mapping.load import LoadedMapping
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


def _ref(column: ColumnProfile) -> dict[str, Any]:
    if column.header is None:
        return {"letter": column.letter}
    ref: dict[str, Any] = {"column": column.header}
    if column.occurrence > 1:
        ref["occurrence"] = column.occurrence
    return ref


def _is_marker(value: str, key: str) -> bool:
    markers = {phrase(m) for m in load_vocabulary()[key]}
    first = words(value)
    return phrase(value) in markers or bool(first and first[0] in markers)


def _long_layout(
    profile: ExportProfile, loaded: LoadedMapping
) -> tuple[ColumnProfile, ColumnProfile, ColumnProfile] | None:
    """Find a response id + question + answer shape; None when the export is wide."""
    best: dict[str, tuple[float, ColumnProfile]] = {}
    for column in profile.columns:
        if not column.header:
            continue
        scores = {
            role: hint_score(column.header, role) for role in ("response_id", "question", "answer")
        }
        role = max(scores, key=lambda r: scores[r])
        if scores[role] and (role not in best or best[role][0] < scores[role]):
            best[role] = (scores[role], column)
    if len(best) < 3:
        return None
    ident, question, answer = (best[r][1] for r in ("response_id", "question", "answer"))
    if question.stats.distinct > 100:
        return None
    if question is None or answer is None or ident is None:
        return None
    stats = ident.stats
    if stats.filled and stats.distinct >= 0.8 * stats.filled:
        return None
    if not all(len(q) <= 40 for q in question.stats.counts):
        return None
    return ident, question, answer


def _drop_rows(profile: ExportProfile, rows: list[int]) -> None:
    """Take rows that a filter excludes out of the columns' value counts."""
    for source in profile.tail:
        if source.row not in rows:
            continue
        for index, value in enumerate(source.values):
            column = profile.column(index)
            if column is None or value is None:
                continue
            text = cell_text(value)
            if column.stats.counts.get(text):
                column.stats.counts[text] -= 1
                if not column.stats.counts[text]:
                    del column.stats.counts[text]
                column.stats.filled -= 1


def _filters(plan: Plan, unit_column: ColumnProfile | None) -> None:
    profile = plan.profile
    totals: list[int] = []
    for source in profile.tail:
        for index, value in enumerate(source.values):
            if isinstance(value, str) and _is_marker(value, "totals_markers"):
                column = profile.column(index)
                if column is None:
                    continue
                if not any(
                    f.get("column") == column.header and "matches" in f for f, _ in plan.filters
                ):
                    pattern = "|".join(sorted({re.escape(value.split()[0])}))
                    plan.filters.append(
                        (
                            {**_ref(column), "matches": f"^({pattern})", "reason": "totals row"},
                            f"row {source.row} is a totals row ('{value}' in {column.name}); high confidence",
                        )
                    )
                totals.append(source.row)
                break
    _drop_rows(profile, totals)
    candidates = [unit_column] if unit_column is not None else []
    candidates += [c for c in profile.columns if c is not unit_column]
    for column in candidates:
        tests = sorted(v for v in column.stats.counts if _is_marker(v, "test_markers"))
        if tests and len(tests) < len(column.stats.counts):
            rows = sum(column.stats.counts[v] for v in tests)
            plan.filters.append(
                (
                    {**_ref(column), "equals": tests, "reason": "staff test response"},
                    f"{rows} row(s) with {', '.join(tests)} in {column.name}; high confidence",
                )
            )
            for value in tests:
                del column.stats.counts[value]
            break


def build_plan(
    profile: ExportProfile,
    schema: RecordSchema,
    *,
    mapping_id: str,
    provider_id: str | None,
    county: str | None,
    lang: str | None,
    units_file: str,
) -> Plan:
    """Draft every part of a mapping for a profiled export.

    Raises:
        DraftInputError: the export has no business ID (give ``provider_id``) or no
            county (give ``county``).
    """
    plan = Plan(mapping_id=mapping_id, schema=schema, profile=profile)
    all_values = [v for c in profile.columns for v in c.stats.counts]
    plan.missing_values = default_missing_values(all_values)
    loaded = probe_mapping(schema, plan.missing_values)
    _source(plan)
    long = _long_layout(profile, loaded)
    columns = profile.columns
    taken: set[str] = set()
    units_column: ColumnProfile | None = None
    if long is not None:
        ident, question, answer = long
        plan.layout = "long"
        plan.long = {"response_id": _ref(ident), "question": _ref(question), "answer": _ref(answer)}
        plan.notes.append(
            f"long layout: {ident.name} repeats over {question.name} and {answer.name} (a row per answer)"
        )
        columns = [c for c in columns if c not in (ident, question, answer)]
    else:
        ident_column = next(
            (
                c
                for c in columns
                if hint_in(c.header, "response_id")
                and c.stats.filled
                and c.stats.distinct >= 0.9 * c.stats.filled
            ),
            None,
        )
        if ident_column is not None:
            plan.response_id = _ref(ident_column)
            columns = [c for c in columns if c is not ident_column]
    # Headers the draft is sure of go first, so content guesses take only what is left.
    placements: dict[int, Placement] = {}
    for column in columns:
        placement = place_column(column.header or column.letter, column.stats, loaded, taken)
        if placement.field is not None and placement.confidence == "high":
            taken.add(placement.field)
            placements[column.index] = placement
    for column in columns:
        if column.index not in placements:
            placement = place_column(column.header or column.letter, column.stats, loaded, taken)
            if placement.field is not None:
                taken.add(placement.field)
            placements[column.index] = placement
    for column in columns:
        placement = placements[column.index]
        if placement.field == "unit_name":
            units_column = column
    _filters(plan, units_column)
    plan.unit_column = units_column
    for column in columns:
        _entry(
            plan,
            column.header or column.letter,
            _ref(column),
            placements[column.index],
            loaded,
            column,
        )
    if long is not None:
        ident, question, answer = long
        per_question = question_stats(profile, question.index, answer.index)
        ignored: list[str] = []
        for qid, stats in per_question.items():
            placement = place_column(qid, stats, loaded, taken)
            if placement.field is not None:
                taken.add(placement.field)
            elif len(stats.counts) <= 1 and placement.content in {"category", "id"}:
                ignored.append(qid)
                plan.notes.append(
                    f"question '{qid}' has a single answer ({', '.join(stats.counts)}): ignored"
                )
                continue
            _entry(plan, qid, {"question": qid}, placement, loaded)
        if ignored and plan.long is not None:
            plan.long["ignore"] = ignored
    _units(plan, units_column, units_file, taken)
    _constants(plan, loaded, taken, provider_id=provider_id, county=county, lang=lang)
    plan.checks = [
        *plan.checks,
        *(f"fields.{e.name}: {c}" for e in plan.fields for c in e.checks),
        *(f"own_items.{e.name}: {c}" for e in plan.own_items for c in e.checks),
    ]
    return plan


def _source(plan: Plan) -> None:
    profile = plan.profile
    source: dict[str, Any] = {"format": profile.format}
    if profile.format == "csv":
        source["encoding"] = profile.encoding
        source["delimiter"] = profile.delimiter
    if profile.sheet is not None and (len(profile.sheets) > 1 or profile.sheet != "Sheet1"):
        source["sheet"] = profile.sheet
    if profile.header_row != 1:
        source["header_row"] = profile.header_row
        plan.source_notes.append(
            f"the header is on row {profile.header_row}"
            + (f" under the title '{profile.title}'" if profile.title else "")
        )
    if profile.header_rows != 1:
        source["header_rows"] = profile.header_rows
        plan.source_notes.append(f"the header spans {profile.header_rows} rows")
    plan.source_notes += profile.notes
    if not profile.complete:
        plan.checks.append(
            f"source: only the first {profile.rows_read} rows were read; answers after them are not in the value maps"
        )
    plan.source = source


def _entry(
    plan: Plan,
    header: str,
    ref: dict[str, Any],
    placement: Placement,
    loaded: LoadedMapping,
    column: ColumnProfile | None = None,
) -> None:
    schema = loaded.schema
    stats = placement.stats
    codebook = plan.profile.codebook
    name = placement.field
    if name is None:
        own = placement.own_item or slug(header)
        taken = {e.name for e in plan.own_items}
        base, number = own, 2
        while own in taken:
            own, number = f"{base}_{number}", number + 1
        entry = Entry(own, ref, placement)
        if placement.content in {"agree", "scale5"}:
            _suggest_statement(entry, loaded, codebook)
        if hint_in(header, "smiley") and placement.content in {"scale4"}:
            labels = load_vocabulary()["smiley_labels"]
            entry.rule.value_map = {str(i + 1): label for i, label in enumerate(labels)}
            entry.rule.notes.append("a smiley kiosk's four buttons, saddest first")
        plan.own_items.append(entry)
        return
    entry = Entry(name, ref, placement)
    entry.rule.keys.update(placement.rule)
    measure = schema.measure_kind(name)
    if measure is not None:
        scale = None
        if placement.content == "scale4":
            scale = (1, 4)
        entry.rule = draft_measure(name, stats, loaded, codebook=codebook, scale=scale)
    elif name == "responded_at":
        formats = [f for f, _ in stats.dates.most_common() if f != "native"]
        shown = ["iso" if f == "iso_utc" else f for f in formats]
        shown = list(dict.fromkeys(shown))
        if shown:
            entry.rule.keys["formats"] = shown
        if "iso_utc" in formats:
            entry.rule.notes.append("times in UTC (Z) or with an offset are shown in Finnish time")
        if "native" in stats.dates:
            entry.rule.notes.append("real date cells of the workbook")
    elif name == "age_group" and "derive" in placement.rule:
        entry.rule.keys["derive"] = placement.rule["derive"]
    elif schema.properties[name].get("x-code-labels") and name != "unit_name":
        entry.rule = draft_codes(name, stats, loaded, codebook)
        if name == "service_area" and column is not None:
            _areas_from_units(plan, column, entry.rule)
        if name == "respondent" and stats.filled and _has_blanks(plan, stats):
            entry.rule.keys["default"] = "customer"
            entry.rule.checks.append(
                "blank cells read as the customer answering (default: customer)"
            )
    plan.fields.append(entry)


def _suggest_statement(entry: Entry, loaded: LoadedMapping, codebook: Mapping[str, str]) -> None:
    """Spell out the statement rule for an unnamed 1-5 column, ready to move under fields."""
    proposal = draft_measure(
        loaded.schema.statements[0], entry.placement.stats, loaded, codebook=codebook
    )
    rule: dict[str, Any] = dict(entry.ref)
    rule.update(proposal.keys)
    if proposal.missing:
        rule["missing"] = proposal.missing
    if proposal.value_map:
        rule["value_map"] = proposal.value_map
    entry.placement.checks.append(f"as a statement its rule would be {flow(rule)}")


def area_of_unit(unit: str) -> str | None:
    """Return the service area a unit's name tells ('Oulun hammashoitola' -> oral_health)."""
    words_by_area: Mapping[str, str] = load_vocabulary()["service_area_words"]
    name_words = words(unit)
    for word, code in words_by_area.items():
        if any(w.startswith(phrase(word)) for w in name_words):
            return code
    return None


def _areas_from_units(plan: Plan, column: ColumnProfile, rule: RuleDraft) -> None:
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


def _has_blanks(plan: Plan, stats: ValueStats) -> bool:
    return stats.filled < plan.profile.rows_read * 0.98


def _units(plan: Plan, column: ColumnProfile | None, units_file: str, taken: set[str]) -> None:
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
    takes = ["unit_id"]
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


def _guess_channel(plan: Plan) -> tuple[str, str]:
    profile = plan.profile
    texts = [profile.path.stem, *(profile.sheets or []), profile.title or ""]
    texts += [c.header or "" for c in profile.columns]
    channels: Mapping[str, list[str]] = load_vocabulary()["channels"]
    if plan.layout == "long":
        texts.append("sms")
    for channel, hints in channels.items():
        for text in texts:
            found = [h for h in hints if h in words(text) or phrase(h) in phrase(text).split()]
            if found:
                return channel, f"'{found[0]}' in '{text}'"
    return "web", "nothing tells; web is the most common"


def _constants(
    plan: Plan,
    loaded: LoadedMapping,
    taken: set[str],
    *,
    provider_id: str | None,
    county: str | None,
    lang: str | None,
) -> None:
    schema = loaded.schema
    constants = plan.constants
    notes = plan.constant_notes
    if "county" not in taken:
        if county is None:
            raise DraftInputError(
                "the export has no column that names the wellbeing services county; give "
                "its code with --county (for example --county 19)"
            )
        constants["county"] = county
        notes["county"] = "given"
    if provider_id is None:
        raise DraftInputError(
            "the export has no column with the provider's business ID; give it with "
            "--provider-id (for example --provider-id 2345671-3)"
        )
    if not is_business_id(provider_id):
        raise DraftInputError(
            f"--provider-id {provider_id!r} is not a valid business ID (NNNNNNN-N with its check digit)"
        )
    constants["provider_id"] = provider_id
    notes["provider_id"] = "given"
    if "channel" not in taken:
        channel, why = _guess_channel(plan)
        constants["channel"] = channel
        notes["channel"] = f"CHECK: guessed from {why}"
        plan.checks.append(f"constants.channel: {channel} is a guess ({why})")
    if "language" not in taken:
        if lang is not None:
            constants["language"] = lang
            notes["language"] = "given"
        else:
            texts = [c.header or "" for c in plan.profile.columns]
            texts += [v for c in plan.profile.columns for v in list(c.stats.counts)[:20]]
            best, hits, total = guess_language(texts, schema)
            constants["language"] = best
            notes["language"] = (
                f"{hits} of {total} known words of headers and answers are in {best}"
            )
            if not total or hits < 0.7 * total:
                notes["language"] = "CHECK: " + notes["language"]
                plan.checks.append(
                    f"constants.language: {best} is a guess ({hits} of {total} known words)"
                )
    if "respondent" not in taken:
        constants["respondent"] = "customer"
        notes["respondent"] = (
            "CHECK: no respondent column; every response read as the customer's own"
        )
        plan.checks.append(
            "constants.respondent: no respondent column; every response read as the customer's own"
        )
    if "unit_name" not in taken:
        constants["unit_name"] = plan.profile.path.stem
        notes["unit_name"] = "CHECK: no unit column; write the unit's name"
        plan.checks.append("constants.unit_name: no unit column; write the unit's name")
    if "service_area" not in taken:
        constants["service_area"] = "other"
        notes["service_area"] = "CHECK: no unit or service column; choose the service area"
        plan.checks.append(
            "constants.service_area: no unit or service column; choose the service area"
        )
