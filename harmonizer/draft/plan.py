"""Building the draft of a mapping: where each column goes, with its value maps.

:func:`build_plan` composes the profile, the layout, the column placements, the value
maps, the units, the filters and the constants; :mod:`harmonizer.draft.render` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harmonizer.draft.answers import (
    default_missing_values,
    draft_codes,
    draft_measure,
    label_point,
    probe_mapping,
    scale_labels,
)
from harmonizer.draft.columns import (
    FOUR_POINT,
    HEADER_SURE,
    OTHER_SCALES,
    Placement,
    content_kind,
    place_column,
    slug,
)
from harmonizer.draft.columns import kind_text as _kind_text
from harmonizer.draft.constants import add_constants
from harmonizer.draft.filters import add_filters
from harmonizer.draft.items import describe_item
from harmonizer.draft.model import DraftInputError, Entry, Plan, column_ref
from harmonizer.draft.profile import (
    ColumnProfile,
    ExportProfile,
    ValueStats,
    question_stats,
    slash_patterns,
)
from harmonizer.draft.statements import STATEMENT_KINDS, pair_statements
from harmonizer.draft.units import add_units, areas_from_units
from harmonizer.draft.vocabulary import (
    header_legend,
    hint_in,
    hint_score,
    is_code,
    names_satisfaction,
)
from harmonizer.draft.yamltext import flow
from harmonizer.mapping.load import LoadedMapping
from harmonizer.mapping.rules import required_fields
from harmonizer.schema import RecordSchema

__all__ = ["DraftInputError", "Entry", "Plan", "build_plan"]


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
    if stats.filled and stats.distinct_share >= 0.8:
        return None
    # Question ids (S1, KOHTELU) or the questions' texts, as a web tool writes them; not
    # a column of free text, whose cells are many and long.
    if not all(len(q) <= 250 for q in question.stats.counts):
        return None
    return ident, question, answer


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
    if not profile.columns:
        raise DraftInputError(
            f"{profile.path.name}: no column has a header or a value; is it the right file "
            "(or, for a workbook, the right --sheet)?"
        )
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
        plan.long = {
            "response_id": column_ref(ident),
            "question": column_ref(question),
            "answer": column_ref(answer),
        }
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
                and c.stats.distinct_share >= 0.9
            ),
            None,
        )
        if ident_column is not None:
            plan.response_id = column_ref(ident_column)
            columns = [c for c in columns if c is not ident_column]
    questions = profile.questions
    for column in columns:
        if column.header in profile.column_codes:
            column.stats.decode(profile.column_codes[column.header])
    plan.scale_legend = _scale_legend(profile, schema)
    placed = _place_all(
        [(c.index, c.header or c.letter, c.stats) for c in columns], loaded, taken, questions
    )
    placements = {int(str(key)): placement for key, placement in placed.items()}
    for column in columns:
        placement = placements[column.index]
        if placement.field == "unit_name":
            units_column = column
    add_filters(plan, units_column)
    plan.unit_column = units_column
    for column in columns:
        _entry(
            plan,
            column.header or column.letter,
            column_ref(column),
            placements[column.index],
            loaded,
            column,
        )
    if long is not None:
        ident, question, answer = long
        per_question = question_stats(profile, question.index, answer.index)
        ignored: list[str] = []
        by_question = _place_all(
            [(qid, qid, stats) for qid, stats in per_question.items()], loaded, taken, questions
        )
        for qid, stats in per_question.items():
            placement = by_question[qid]
            if placement.field is None and (
                len(stats.counts) <= 1 and placement.content in {"category", "id"}
            ):
                ignored.append(qid)
                plan.notes.append(
                    f"question '{qid}' has a single answer ({', '.join(stats.counts)}): ignored"
                )
                continue
            _entry(plan, qid, {"question": qid}, placement, loaded)
        if ignored and plan.long is not None:
            plan.long["ignore"] = ignored
    add_units(plan, units_column, units_file, taken)
    add_constants(plan, loaded, taken, provider_id=provider_id, county=county, lang=lang)
    _cover_required(plan, loaded, profile.columns)
    # A header's line breaks ("Q2. Vastaan\n(valitse yksi)") would split a numbered line.
    plan.checks = [
        " ".join(check.split())
        for check in (
            *plan.checks,
            *(f"fields.{e.name}: {c}" for e in plan.fields for c in e.checks),
            *(f"own_items.{e.name}: {c}" for e in plan.own_items for c in e.checks),
        )
    ]
    return plan


def _scale_legend(profile: ExportProfile, schema: RecordSchema) -> dict[str, str]:
    """Return the legend of the form's agreement scale, when a header spells it out."""
    labels = scale_labels(schema)
    for column in profile.columns:
        legend = header_legend(column.header or "")
        ends = [legend.get("1"), legend.get("5")]
        if any(end is not None and label_point(end, labels) is not None for end in ends):
            return legend
    return {}


def _place_all(
    items: list[tuple[object, str, ValueStats]],
    loaded: LoadedMapping,
    taken: set[str],
    questions: Mapping[str, str],
) -> dict[object, Placement]:
    """Place columns (or questions): sure headers, then statements, then content.

    Headers the draft is sure of go first, so that the guesses take only what is left;
    five-point columns are then paired with statements by their wording; then content
    decides; last, five-point columns whose header is a mere code take the statements
    left in the schema's order, each marked CHECK.
    """
    schema = loaded.schema
    # A question list (--codebook, or a sheet of the workbook) gives a code its wording.
    headers = {key: questions.get(header, header) for key, header, _ in items}
    stats_of = {key: stats for key, _, stats in items}
    placements: dict[object, Placement] = {}
    # A 1-5 satisfaction scale ("1 = erittäin tyytymätön") is never a statement, whatever
    # its question asks about: it stays an own item.
    satisfied = {key for key, _, _ in items if names_satisfaction(headers[key])}
    placements.update(_start_times(items, headers, loaded))
    for key, _, stats in items:
        if key in placements:
            continue
        placement = place_column(headers[key], stats, loaded, taken)
        if key in satisfied and placement.field in schema.statements:
            continue
        if placement.field is not None and placement.confidence == "high":
            taken.add(placement.field)
            placements[key] = placement
    for key in satisfied - set(placements):
        kind = content_kind(stats_of[key], loaded, headers[key])
        if kind == "scale5":
            placement = Placement(headers[key], stats_of[key], content="satisfaction")
            placement.own_item = slug(headers[key])
            placement.checks.append(
                f"'{headers[key]}' holds a satisfaction scale, which is not a national "
                "statement (those are agreement scales): kept as an own item"
            )
            placements[key] = placement
    kinds = {key: content_kind(stats_of[key], loaded, headers[key]) for key, _, _ in items}
    # A form asks its statements on one scale: beside five-point columns, a column of
    # 1-4 whose header does not say 1-4 is a five-point column no one answered 5 in.
    five_point_form = any(kind in STATEMENT_KINDS for kind in kinds.values())
    five_point = {
        key: Placement(headers[key], stats_of[key], content=kind)
        for key, _, _ in items
        if key not in placements
        and (
            (kind := kinds[key]) in STATEMENT_KINDS
            or (kind == "scale4" and five_point_form and not FOUR_POINT.search(headers[key]))
            or kind in {"scale6", "scale7", "scale10"}
        )
    }
    free = [s for s in schema.statements if s not in taken]
    for key, (name, score, why) in pair_statements(five_point, free, schema).items():
        placement = five_point[key]
        if placement.content == "scale4":
            placement.content = "scale5"
            placement.reasons.append("no answer 5 in the sample, beside five-point columns")
        placement.field = name
        placement.confidence = "high" if score >= 90 else "medium"
        placement.reasons.append(f"five-point answers; {why} ({score:.0f} %)")
        if score < HEADER_SURE:
            placement.checks.append(
                f"{name} read from the wording of '{placement.header}' ({score:.0f} %): "
                "confirm it is this national statement"
            )
        taken.add(name)
        placements[key] = placement
    for content in (False, True):
        for key, _, stats in items:
            if key in placements:
                continue
            placement = place_column(headers[key], stats, loaded, taken, by_content=content)
            if placement.field is not None:
                taken.add(placement.field)
                placements[key] = placement
            elif content:
                placements[key] = placement
    for key, header, _ in items:
        placement = placements[key]
        free = [s for s in schema.statements if s not in taken]
        if (
            placement.field is None
            and placement.content in STATEMENT_KINDS
            and is_code(headers[key])
            and free
        ):
            name = free[0]
            placement.field, placement.own_item = name, None
            placement.confidence = "low"
            placement.reasons.append(f"content: {_kind_text(placement.content)}")
            placement.checks = [
                f"'{header}' holds {_kind_text(placement.content)} under a header that names no "
                f"statement: read as {name}, the first national statement not yet placed. "
                "Confirm it from the questionnaire (or give its question list with --codebook)"
            ]
            taken.add(name)
    for key, header, _ in items:
        if headers[key] != header:
            placements[key].reasons.insert(0, f"the question list: {header} = '{headers[key]}'")
    return placements


def _start_times(
    items: list[tuple[object, str, ValueStats]],
    headers: Mapping[object, str],
    loaded: LoadedMapping,
) -> dict[object, Placement]:
    """Keep the times a form was opened apart, when the time it was sent stands beside them.

    A web tool exports both (Aloitettu / Valmistunut, Start time / Completion time); the
    response is given when it is sent, so the start time is only an own item.
    """
    dated = [key for key, _, stats in items if content_kind(stats, loaded, headers[key]) == "date"]
    starts = [key for key in dated if hint_in(headers[key], "start_time")]
    if not starts or len(starts) == len(dated):
        return {}
    found: dict[object, Placement] = {}
    stats_of = {key: stats for key, _, stats in items}
    for key in starts:
        placement = Placement(headers[key], stats_of[key], content="date")
        placement.own_item = slug(headers[key])
        placement.reasons.append("the time the form was opened")
        found[key] = placement
    return found


def _cover_required(plan: Plan, loaded: LoadedMapping, columns: list[ColumnProfile]) -> None:
    """Give every required field a source, so the draft loads: a CHECK says which to fix."""
    schema = loaded.schema
    placed = {e.name for e in plan.fields} | set(plan.constants)
    for name in required_fields(schema):
        if name in placed:
            continue
        codes = schema.codes(name) if schema.properties[name].get("enum") else ()
        if codes:
            plan.constants[name] = codes[0]
            plan.constant_notes[name] = (
                f"CHECK: no column tells {name}; {codes[0]} is a placeholder"
            )
            plan.checks.append(f"constants.{name}: no column tells it; {codes[0]} is a placeholder")
            continue
        if not columns:
            continue
        first = columns[0]
        placement = Placement(
            first.header or first.letter, first.stats, field=name, confidence="low"
        )
        placement.checks.append(
            f"no column looks like {name}; {first.name} is a placeholder: name the right column"
        )
        plan.fields.append(Entry(name, column_ref(first), placement))


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
    name = placement.field
    # A legend in the column's own header wins over the form's scale legend and the
    # codebook ("(1 = täysin samaa mieltä, 5 = täysin eri mieltä, 0 = EOS)").
    codebook = {
        **plan.profile.codebook,
        **plan.scale_legend,
        **plan.profile.column_codes.get(header, {}),
        **header_legend(header),
    }
    if name is None:
        own = placement.own_item or slug(header)
        taken = {e.name for e in plan.own_items}
        base, number = own, 2
        while own in taken:
            own, number = f"{base}_{number}", number + 1
        entry = Entry(own, ref, placement)
        if placement.content in {"agree", "scale5"}:
            _suggest_statement(entry, loaded, codebook)
        describe_item(entry, schema, plan.missing_values, codebook)
        plan.own_items.append(entry)
        return
    entry = Entry(name, ref, placement)
    entry.rule.keys.update(placement.rule)
    measure = schema.measure_kind(name)
    if measure is not None:
        scale = OTHER_SCALES.get(placement.content)
        entry.rule = draft_measure(name, stats, loaded, codebook=codebook, scale=scale)
    elif name == "responded_at":
        formats = [f for f, _ in stats.dates.most_common() if f != "native"]
        shown = ["iso" if f == "iso_utc" else f for f in formats]
        if "slash" in shown:
            patterns, why = slash_patterns(list(stats.counts))
            at = shown.index("slash")
            shown[at : at + 1] = patterns
            if why is None:
                entry.rule.checks.append(
                    f"no day in the sample is over 12, so '{patterns[0][:8]}' (day first) is a "
                    "guess: a tool set to English writes month first"
                )
            else:
                entry.rule.notes.append(f"{patterns[0][:8]}: {why}")
        shown = list(dict.fromkeys(shown))
        if stats.wholes and "excel" not in shown:
            shown.append("excel")
            entry.rule.notes.append("whole numbers are Excel serial numbers of days")
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
            areas_from_units(plan, column, entry.rule)
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


def _has_blanks(plan: Plan, stats: ValueStats) -> bool:
    return stats.filled < plan.profile.rows_read * 0.98
