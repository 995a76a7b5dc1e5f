"""``draft_mapping``: an export in, a commented mapping (and its unit list) out."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harmonizer.draft.plan import DraftInputError, Plan, build_plan
from harmonizer.draft.profile import (
    DEFAULT_SAMPLE_ROWS,
    ExportProfile,
    profile_export,
    read_codebook,
    told,
)
from harmonizer.draft.render import render_mapping, render_units
from harmonizer.errors import OutputError
from harmonizer.io.readers import SourceOptions
from harmonizer.schema import DEFAULT_SCHEMA_VERSION, LANGUAGES, load_schema


@dataclass(frozen=True)
class DraftResult:
    """A drafted mapping: its YAML text, its unit list, and what a person must review."""

    mapping_text: str
    units_text: str | None
    units_file: str | None
    checks: tuple[str, ...]
    notes: tuple[str, ...]
    written: tuple[Path, ...] = field(default=())
    plan: Plan | None = field(default=None, repr=False, compare=False)


def _mapping_id(path: Path) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return text if text and text[0].isalnum() else f"draft-{text or 'mapping'}"


def _merge(first: ExportProfile, other: ExportProfile) -> list[str]:
    """Add another export's value counts to the first's; return notes on differences."""
    headers = [c.header for c in first.columns]
    if [c.header for c in other.columns] != headers:
        return [
            f"{other.path.name} has another header than {first.path.name}: only {first.path.name} was drafted from"
        ]
    for mine, theirs in zip(first.columns, other.columns, strict=True):
        for value, count in theirs.stats.counts.items():
            for _ in range(count):
                mine.stats.add(value)
    first.rows_read += other.rows_read
    return []


def draft_mapping(
    exports: Sequence[Path | str],
    output: Path | str | None = None,
    *,
    provider_id: str | None = None,
    county: str | None = None,
    sheet: str | None = None,
    lang: str | None = None,
    schema_version: str = DEFAULT_SCHEMA_VERSION,
    max_rows: int = DEFAULT_SAMPLE_ROWS,
    codebook: Path | str | None = None,
) -> DraftResult:
    """Draft a mapping from one provider's exports; write it when ``output`` is given.

    Reads each export's header and at most ``max_rows`` rows, streaming (memory stays
    flat), and guesses the source settings, the layout, each column's national field,
    value maps, filters and constants. Every guess carries a comment; what a person must
    review is marked ``# CHECK:`` in the YAML and listed in ``checks``. A unit list
    (``<mapping>-units.csv``) is written beside the mapping when the export names units.
    A ``codebook`` (csv or xlsx) explains answer codes ('9 = EOS') and question codes
    ('k2' beside its wording), as a codebook sheet of the workbook does.
    The draft is loaded as a mapping before it is returned, so it passes
    ``harmonizer check``.

    Raises:
        ReadError: an export cannot be read.
        DraftInputError: the export lacks the provider's business ID or its county,
            and ``provider_id`` or ``county`` does not give it; or the codebook explains
            nothing.
        OutputError: the mapping cannot be written.

    >>> result = draft_mapping(["examples/pohjola-web.csv"], provider_id="2345671-3", county="19")
    >>> "nps:" in result.mapping_text
    True
    """
    from harmonizer.mapping.load import load_mapping

    paths = [Path(p) for p in exports]
    if not paths:
        raise DraftInputError("give at least one export to draft from")
    if lang is not None and lang not in LANGUAGES:
        raise DraftInputError(f"--lang {lang!r}: choose one of {', '.join(LANGUAGES)}")
    schema = load_schema(schema_version)
    if county is not None:
        county = county.zfill(2) if county.isdigit() else county
        if county not in schema.codes("county"):
            raise DraftInputError(
                f"--county {county!r} is not a wellbeing services county code ({', '.join(schema.codes('county'))})"
            )
    profile = profile_export(paths[0], sheet=sheet, max_rows=max_rows)
    if codebook is not None:
        _add_codebook(profile, Path(codebook))
    notes: list[str] = []
    for other in paths[1:]:
        notes += _merge(profile, profile_export(other, sheet=sheet, max_rows=max_rows))
    target = Path(output) if output is not None else None
    mapping_id = _mapping_id(target if target is not None else paths[0])
    units_file = f"{mapping_id}-units.csv"
    plan = build_plan(
        profile,
        schema,
        mapping_id=mapping_id,
        provider_id=provider_id,
        county=county,
        lang=lang,
        units_file=units_file,
    )
    names = [p.name for p in paths]
    text = render_mapping(
        plan,
        names,
        units_file if plan.units else None,
        target.name if target is not None else "MAPPING",
    )
    units_text = render_units(plan) if plan.units else None
    written: tuple[Path, ...] = ()
    if target is not None:
        written = _write(target, text, units_text, units_file)
        load_mapping(target)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            _write(Path(scratch) / "draft.yaml", text, units_text, units_file)
            load_mapping(Path(scratch) / "draft.yaml")
    return DraftResult(
        mapping_text=text,
        units_text=units_text,
        units_file=units_file if units_text else None,
        checks=tuple(plan.checks),
        notes=(*plan.source_notes, *plan.notes, *notes),
        written=written,
        plan=plan,
    )


def _add_codebook(profile: ExportProfile, path: Path) -> None:
    """Read a codebook file given beside the export into its profile.

    Raises:
        ReadError: the file cannot be read.
        DraftInputError: the file explains no code and no question.
    """
    book = read_codebook(path, SourceOptions())
    if not book:
        raise DraftInputError(
            f"--codebook {path.name}: no code ('9 = EOS', or a code beside its label) and no "
            "question (a code such as k2 beside its wording) was found; give a file of two "
            "columns: the code and what it means"
        )
    for code, label in book.codes.items():
        profile.codebook.setdefault(code, label)
    for question, wording in book.questions.items():
        profile.questions.setdefault(question, wording)
    for column, codes in book.by_column.items():
        profile.column_codes.setdefault(column, codes)
    profile.notes.append(f"{path.name} read as a codebook ({told(book)})")


def _write(target: Path, text: str, units_text: str | None, units_file: str) -> tuple[Path, ...]:
    written = [target]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if units_text is not None:
            units = target.parent / units_file
            units.write_text(units_text, encoding="utf-8")
            written.append(units)
    except OSError as err:
        raise OutputError(f"{target}: cannot write the draft ({err.strerror or err})") from err
    return tuple(written)
