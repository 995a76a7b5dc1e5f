"""How good a draft is: compare it with a reviewed mapping, column by column, on an export.

Both mappings run through the real engine. A source column is right when every value
that depends on it comes out the same under both: each national field it feeds (in
either mapping; values and missing reasons), each own item carried from it, the record
id when it is the response id, and the rows excluded when a filter tests it. Rows the
reviewed mapping rejects for a field say nothing about that field and are left out, and
so do rows the draft rejects for another column's sake; a column with no row left to
compare is not counted right.

A draft's unit list is left for a person to fill; until then its empty service areas
reject every row. So that such rows still tell whether the other columns are right,
the draft is judged with a placeholder default for every required field it looks up
(the unit column itself is then wrong, as it is). ``accepted_draft`` counts the
records of the draft as written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harmonizer.io.cells import column_index
from harmonizer.io.readers import SourceOptions, read_table
from harmonizer.issues import Severity
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.mapping.model import ColumnRef, FieldRule
from harmonizer.run_report import Report
from harmonizer.values import label_key

_ERROR = ("<error>",)


@dataclass
class ColumnScore:
    """One source column (or question) of the export and whether the draft got it right."""

    column: str
    right: bool
    hand: list[str]
    draft: list[str]
    differences: list[str] = field(default_factory=list)


@dataclass
class Quality:
    """The comparison of a draft with a reviewed mapping on one export."""

    export: str
    columns: list[ColumnScore]
    accepted_hand: int = 0
    accepted_draft: int = 0

    @property
    def right(self) -> int:
        """Return how many columns the draft got right."""
        return sum(1 for c in self.columns if c.right)

    @property
    def share(self) -> float:
        """Return the share of columns right (0-1)."""
        return self.right / len(self.columns) if self.columns else 1.0


def _uses(loaded: LoadedMapping, header: tuple[str | None, ...]) -> dict[str, set[str]]:
    """Return source column (or 'question X') -> the keys whose values depend on it."""
    keys = {label_key(h): h for h in header if h}

    def name(ref: ColumnRef) -> str | None:
        if ref.question is not None:
            return f"question {ref.question}"
        if ref.letter is not None:
            index = column_index(ref.letter)
            return header[index] if index < len(header) and header[index] else ref.letter
        return keys.get(label_key(ref.column)) if ref.column else None

    model = loaded.model
    uses: dict[str, set[str]] = defaultdict(set)
    for target, rule in model.fields.items():
        if isinstance(rule, FieldRule) and (column := name(rule)):
            uses[column].add(target)
    for item, own in model.own_items.items():
        if column := name(own):
            uses[column].add(f"own:{column}:{item}")
    for test in model.filters:
        if column := name(test):
            uses[column].add("excluded")
    if model.response_id is not None and (column := name(model.response_id)):
        uses[column].add("record_id")
    if model.long is not None:
        for ref in (model.long.response_id, model.long.question, model.long.answer):
            if column := name(ref):
                uses[column].add("long")
    return uses


def _rows(
    loaded: LoadedMapping, export: Path
) -> dict[int, tuple[dict[str, Any] | None, set[str], bool]]:
    from harmonizer.api import iter_rows

    report = Report(loaded.id, loaded.version, loaded.schema.version, max_issues=0)
    found: dict[int, tuple[dict[str, Any] | None, set[str], bool]] = {}
    for row in iter_rows(loaded, [export], report):
        errors = {i.field or "" for i in row.issues if i.severity is Severity.ERROR}
        found[row.row] = (row.record, errors, row.excluded is not None)
    return found


def _value(
    key: str, row: tuple[dict[str, Any] | None, set[str], bool] | None, own: dict[str, str]
) -> Any:
    """Return a key's value in a row; _ERROR when the row's rule for it failed.

    A rejected row has no record: only the keys whose rule failed are known to be wrong
    there (None is returned for the rest, and such rows are not compared).
    """
    if row is None:
        return _ERROR
    record, errors, _ = row
    if key in errors:
        return _ERROR
    if record is None:
        return None
    if key.startswith("own:"):
        column = key.split(":")[1]
        item = own.get(column)
        return record.get("own_items", {}).get(item) if item else None
    return (record.get(key), record.get("missing", {}).get(key))


def compare_mappings(hand: Path | str, draft: Path | str, export: Path | str) -> Quality:
    """Compare a draft with a reviewed mapping on an export, column by column."""
    hand_loaded, draft_loaded = load_mapping(hand), load_mapping(draft)
    export = Path(export)
    source = hand_loaded.model.source
    options = SourceOptions(
        format=source.format,
        sheet=source.sheet,
        header_row=source.header_row,
        header_rows=source.header_rows,
        encoding=source.encoding,
        delimiter=source.delimiter,
    )
    with read_table(export, options) as table:
        header = tuple(table.info.header)
    hand_uses, draft_uses = _uses(hand_loaded, header), _uses(draft_loaded, header)
    hand_rows = _rows(hand_loaded, export)
    written_rows = _rows(draft_loaded, export)
    judged = _judging_copy(Path(draft), draft_loaded)
    try:
        draft_rows = _rows(load_mapping(judged), export)
    finally:
        judged.unlink()
    columns = [h for h in header if h]
    questions = sorted(
        {c for c in [*hand_uses, *draft_uses] if c.startswith("question ")}
        | {
            f"question {q}"
            for q in (hand_loaded.model.long.ignore if hand_loaded.model.long else [])
        }
    )
    own_hand = _own_by_column(hand_uses)
    own_draft = _own_by_column(draft_uses)
    scores: list[ColumnScore] = []
    for column in [*columns, *questions]:
        keys = {_plain(k) for k in hand_uses.get(column, set()) | draft_uses.get(column, set())}
        keys.discard("long")
        differences = list(_differences(keys, hand_rows, draft_rows, own_hand, own_draft))
        scores.append(
            ColumnScore(
                column,
                not differences,
                sorted(hand_uses.get(column, set())),
                sorted(draft_uses.get(column, set())),
                differences[:5],
            )
        )
    return Quality(
        export.name,
        scores,
        accepted_hand=sum(
            1 for r in hand_rows.values() if r[0] is not None and not r[1] and not r[2]
        ),
        accepted_draft=sum(
            1 for r in written_rows.values() if r[0] is not None and not r[1] and not r[2]
        ),
    )


def _judging_copy(draft: Path, loaded: LoadedMapping) -> Path:
    """Write the draft with placeholder defaults for required fields it looks up."""
    import yaml

    from harmonizer.mapping.rules import required_fields

    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    schema = loaded.schema
    placeholders = {}
    for name in required_fields(schema):
        rule = data.get("fields", {}).get(name)
        codes = schema.codes(name) if schema.properties[name].get("enum") else ()
        if isinstance(rule, dict) and "lookup" in rule and codes:
            placeholders[name] = "other" if "other" in codes else codes[-1]
            rule.setdefault("default", placeholders[name])
    for name in list(data.get("lookups", {})):
        table = loaded.lookups[name]
        rows = {}
        for key, row in table.rows.items():
            rows[key] = {c: row.get(c) or placeholders.get(c) for c in table.columns}
        data["lookups"][name] = {"rows": rows}
    judged = draft.with_name(f".judged-{draft.name}")
    judged.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return judged


def _plain(key: str) -> str:
    return ":".join(key.split(":")[:2]) if key.startswith("own:") else key


def _own_by_column(uses: dict[str, set[str]]) -> dict[str, str]:
    return {
        k.split(":")[1]: k.split(":", 2)[2]
        for keys in uses.values()
        for k in keys
        if k.startswith("own:")
    }


def _differences(
    keys: set[str],
    hand_rows: dict[int, tuple[dict[str, Any] | None, set[str], bool]],
    draft_rows: dict[int, tuple[dict[str, Any] | None, set[str], bool]],
    own_hand: dict[str, str],
    own_draft: dict[str, str],
) -> Iterator[str]:
    for key in sorted(keys):
        if key.startswith("own:") and key.split(":")[1] not in own_hand:
            continue  # the reviewed mapping leaves the column out; carrying it changes nothing
        judgeable = compared = 0
        for number, hand_row in sorted(hand_rows.items()):
            draft_row = draft_rows.get(number)
            hand_out = hand_row[2]
            draft_out = draft_row[2] if draft_row is not None else False
            if key == "excluded":
                if hand_out != draft_out:
                    yield f"row {number}: excluded {hand_out} by hand, {draft_out} by the draft"
                continue
            if hand_out or draft_out or hand_row[0] is None:
                continue  # excluded, or rejected by the reviewed mapping: nothing to judge
            expected = _value(key, hand_row, own_hand)
            if expected == _ERROR:
                continue
            judgeable += 1
            got = _value(key, draft_row, own_draft)
            if got is None and draft_row is not None and draft_row[0] is None:
                continue  # rejected for another column's sake: this one cannot be judged
            compared += 1
            if got != expected:
                yield f"row {number}: {key} {expected!r} by hand, {got!r} by the draft"
                break
        # A column is right on evidence: when the draft rejects every row (for another
        # column's sake), nothing shows this one right.
        if judgeable and not compared:
            yield f"{key}: no row to compare, the draft rejects all {judgeable}"
