"""Writing a drafted mapping as commented YAML, and its unit lookup file.

The YAML is generated as text so that every guess can carry its comment on its own
line; each scalar is quoted by PyYAML, so whatever a header holds stays valid YAML.
"""

from __future__ import annotations

import csv
import io

from harmonizer import __version__
from harmonizer.draft.model import Entry, Plan
from harmonizer.draft.yamltext import flow, scalar


def _comment(text: str) -> str:
    return " ".join(text.split())


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str, comment: str | None = None) -> None:
        self.lines.append(f"{text}  # {_comment(comment)}" if comment else text)

    def note(self, indent: int, text: str) -> None:
        self.lines.append(f"{' ' * indent}# {_comment(text)}")

    def check(self, indent: int, text: str) -> None:
        self.note(indent, f"CHECK: {text}")


def render_mapping(
    plan: Plan, export_names: list[str], units_file: str | None, mapping_file: str = "MAPPING"
) -> str:
    """Return the drafted mapping as YAML text with a comment on every guess."""
    out = _Lines()
    out.note(
        0, f"Drafted by harmonizer {__version__} (harmonizer draft) from {', '.join(export_names)}."
    )
    out.note(0, "Every guess says how sure it is; read each line marked CHECK, then run")
    out.note(0, f"harmonizer check {mapping_file} --sample {export_names[0]}")
    out.add(f"mapping: {scalar(plan.mapping_id)}")
    out.add('version: "1"')
    out.add(f"schema_version: {scalar(plan.schema.version)}")
    out.add("provider:")
    out.check(2, "write the provider's name as people know it")
    out.add(f"  name: {scalar(plan.mapping_id)}")
    out.add("source:")
    for note in plan.source_notes:
        out.note(2, note)
    for key, value in plan.source.items():
        comment = (
            "detected" if key in {"encoding", "delimiter", "header_row", "header_rows"} else None
        )
        out.add(f"  {key}: {scalar(value)}", comment)
    if plan.layout == "long" and plan.long is not None:
        for note in plan.notes:
            if note.startswith("long layout"):
                out.note(0, note)
        out.add("layout: long")
        out.add("long:")
        for key, value in plan.long.items():
            out.add(f"  {key}: {flow(value)}")
    if plan.response_id is not None:
        out.add(f"response_id: {flow(plan.response_id)}", "a different value on every row")
    out.add(f"missing_values: {flow(plan.missing_values)}")
    out.add("constants:")
    for key, value in plan.constants.items():
        said = plan.constant_notes.get(key)
        if said and said.startswith("CHECK: "):
            out.check(2, said[len("CHECK: ") :])
            said = ""
        out.add(f"  {key}: {scalar(value)}", said or None)
    if plan.units is not None and units_file is not None:
        out.add("lookups:")
        out.add("  units:")
        # unit_id comes from its own column when the export has the units' OIDs.
        to_fill = " and ".join(c for c in ("unit_id", "service_area") if c in plan.units.takes)
        said = f"the export's units: fill {to_fill}" if to_fill else "the export's units"
        out.add(f"    file: {scalar(units_file)}", said)
        out.add(f"    key: {scalar(plan.units.key)}")
    out.add("fields:")
    placed = {e.name for e in plan.fields}
    for entry in plan.fields:
        _entry(out, entry, 2)
    for name in plan.schema.measures:
        if name not in placed:
            out.add(f"  {name}: not_asked", "no column of the export asks it")
    if plan.own_items:
        out.add("own_items:")
        for entry in plan.own_items:
            _entry(out, entry, 2)
    if plan.filters:
        out.add("filters:")
        for rule, note in plan.filters:
            out.add(f"  - {flow(rule)}", note)
    return "\n".join(out.lines) + "\n"


def _entry(out: _Lines, entry: Entry, indent: int) -> None:
    pad = " " * indent
    placement = entry.placement
    why = "; ".join(placement.reasons) or "named from the header"
    if entry.placement.field is not None:
        summary = f"confidence {placement.confidence}: {why}"
        if placement.alternatives:
            summary += f"; alternatives: {', '.join(placement.alternatives)}"
        out.note(indent, summary)
    elif placement.reasons:
        out.note(indent, why)
    for check in entry.checks:
        out.check(indent, check)
    for note in entry.rule.notes:
        out.note(indent, note)
    keys = dict(entry.ref)
    keys.update(entry.rule.keys)
    if keys.get("recode"):
        keys["recode"] = {int(k): v for k, v in keys["recode"].items()}
    maps = [("value_map", entry.rule.value_map), ("missing", entry.rule.missing)]
    if len(keys) == 1 and "column" in keys and not any(m for _, m in maps):
        out.add(f"{pad}{entry.name}: {flow(keys)}")
        return
    out.add(f"{pad}{entry.name}:")
    for key, value in keys.items():
        out.add(f"{pad}  {key}: {flow(value)}")
    for key, mapped in maps:
        if not mapped:
            continue
        out.add(f"{pad}  {key}:")
        for source, target in mapped.items():
            out.add(
                f"{pad}    {scalar(source)}: {scalar(target)}", entry.rule.entry_notes.get(source)
            )


def render_units(plan: Plan) -> str:
    """Return the unit lookup file (csv, ',' delimited, UTF-8)."""
    assert plan.units is not None
    buffer = io.StringIO()
    columns = [plan.units.key, "unit_name", "unit_id", "service_area"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in plan.units.rows:
        writer.writerow(row)
    return buffer.getvalue()
