"""The codebook: the national record's data dictionary, as xlsx or markdown.

Every field with its type, whether it is required, the versions that have it (1.0 and
1.1 datasets combine, a newer field null in older records), its labels in fi, sv and en
and its description; every code list with its labels; the statement scale and the missing
reasons. All of it is read from the schema, so a new schema version documents itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from harmonizer.errors import DatasetError
from harmonizer.io.writers import AtomicFile, writing
from harmonizer.publish.texts import Texts
from harmonizer.schema import LANGUAGES, RecordSchema, available_versions, load_schema

CODEBOOK_SUFFIXES = (".xlsx", ".md")


def field_type(schema: RecordSchema, name: str) -> str:
    """Return a field's type in words: ``integer 1-5 or null``, ``code``, ``string (uuid)``.

    >>> from harmonizer.schema import load_schema
    >>> schema = load_schema("1.0")
    >>> field_type(schema, "ease"), field_type(schema, "county"), field_type(schema, "nps")
    ('integer 1-5 or null', 'code', 'integer 0-10 or null')
    """
    node: Mapping[str, Any] = schema.properties[name]
    if node.get("$ref", "").endswith("/statement"):
        node = {**schema.document["$defs"]["statement"], **node}
    if "const" in node:
        return f"constant {node['const']}"
    kinds = node.get("type", "string")
    kinds = list(kinds) if isinstance(kinds, list) else [kinds]
    nullable = " or null" if "null" in kinds else ""
    kinds = [k for k in kinds if k != "null"]
    if "enum" in node:
        return f"code{nullable}"
    kind = kinds[0] if kinds else "string"
    if kind == "integer" and "minimum" in node:
        return f"integer {node['minimum']}-{node['maximum']}{nullable}"
    if kind == "array":
        return "list of codes"
    formats = [node.get("format")] + [a.get("format") for a in node.get("anyOf", [])]
    shown = ", ".join(f for f in formats if f)
    return f"{kind}{f' ({shown})' if shown else ''}{nullable}"


def code_lists(schema: RecordSchema) -> Iterator[tuple[str, str, Mapping[str, str]]]:
    """Yield ``(list name, code, labels)`` for every code list, the scale and missing reasons."""
    for name in schema.fields:
        for code, labels in schema.code_labels(name).items():
            yield name, code, labels
    for name in ("statement", "missing_reason"):
        for code, labels in schema.code_labels(name).items():
            yield name, code, labels
    for name, scale in schema.item_scales.items():
        yield "item_scale", name, scale.get("labels", {})


def _codes_of(schema: RecordSchema, name: str) -> str:
    return ", ".join(schema.codes(name)) if "enum" in schema.properties[name] else ""


@functools.cache
def _descriptions() -> Mapping[str, Mapping[str, str]]:
    raw = resources.files("harmonizer.publish").joinpath("descriptions.yaml").read_text("utf-8")
    loaded: Mapping[str, Mapping[str, str]] = yaml.safe_load(raw)
    return loaded


def description(schema: RecordSchema, name: str, lang: str) -> str:
    """Return a field's description in ``lang``: the schema's (English) or its translation.

    >>> from harmonizer.schema import load_schema
    >>> description(load_schema(), "period", "fi")
    'VVVV-KK, johdettu vastausajasta (responded_at).'
    """
    english = str(schema.properties[name].get("description", ""))
    if lang == "en" or not english:
        return english
    return _descriptions().get(name, {}).get(lang, english)


def field_versions(schema: RecordSchema, name: str) -> str:
    """Return the schema versions, up to ``schema``'s, that have the field ``name``.

    A dataset may combine versions of one major version: a field new in 1.1 is null in
    the 1.0 records, and the codebook says so.

    >>> from harmonizer.schema import load_schema
    >>> field_versions(load_schema("1.1"), "touchpoint"), field_versions(load_schema("1.1"), "nps")
    ('1.1', '1.0, 1.1')
    """
    major = schema.version.split(".")[0]
    mine = tuple(int(x) for x in schema.version.split("."))
    versions = [
        v
        for v in available_versions()
        if v.split(".")[0] == major and tuple(int(x) for x in v.split(".")) <= mine
    ]
    return ", ".join(v for v in versions if load_schema(v).has(name))


def _field_rows(schema: RecordSchema, t: Texts) -> Iterator[list[str]]:
    required = set(schema.required())
    for name in schema.fields:
        yield [
            name,
            field_type(schema, name),
            t("yes") if name in required else t("no"),
            field_versions(schema, name),
            *(schema.label(name, lang) for lang in LANGUAGES),
            description(schema, name, t.lang),
            _codes_of(schema, name),
        ]


def _list_title(schema: RecordSchema, name: str, t: Texts) -> str:
    if name == "statement":
        return t.scale
    if name == "missing_reason":
        return t.missing_reasons
    if name == "item_scale":
        return t.item_scales
    return f"{name}: {schema.label(name, t.lang)}"


def _markdown(schema: RecordSchema, t: Texts) -> str:
    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    lines = [f"# {t.codebook_title}", "", f"{t.schema_version}: {schema.version}", ""]
    head = [t.field, t.type, t.required, t.versions, *LANGUAGES, t.description]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in row[:-1]) + " |" for row in _field_rows(schema, t)]
    current = None
    for name, code, labels in code_lists(schema):
        if name != current:
            current = name
            lines += ["", f"## {_list_title(schema, name, t)}", ""]
            lines += ["| " + " | ".join([t.code, *LANGUAGES]) + " |", "|---|---|---|---|"]
        lines.append(
            "| " + " | ".join(cell(str(v)) for v in (code, *map(labels.get, LANGUAGES))) + " |"
        )
    return "\n".join(lines) + "\n"


def _workbook(schema: RecordSchema, t: Texts) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    fields = book.active
    fields.title = t.fields_sheet
    fields.append([t.field, t.type, t.required, t.versions, *LANGUAGES, t.description, t.codes])
    for row in _field_rows(schema, t):
        fields.append(row)
    codes = book.create_sheet(t.codes_sheet)
    codes.append([t.field, t.code, *LANGUAGES])
    for name, code, labels in code_lists(schema):
        codes.append([name, code, *(labels.get(lang) for lang in LANGUAGES)])
    for sheet in (fields, codes):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 22
    for column in "EFGH":
        fields.column_dimensions[column].width = 40
    return book


def write_codebook(path: Path | str, schema: RecordSchema, lang: str = "en") -> Path:
    """Write the codebook of ``schema`` to ``path`` (.xlsx or .md), headings in ``lang``.

    Raises:
        DatasetError: the suffix is neither .xlsx nor .md, or the language is unknown.
        OutputError: the file cannot be written.
    """
    path = Path(path)
    t = Texts(lang)
    suffix = path.suffix.lower()
    if suffix not in CODEBOOK_SUFFIXES:
        raise DatasetError(f"{path}: write the codebook as {' or '.join(CODEBOOK_SUFFIXES)}")
    target = AtomicFile(path, binary=suffix == ".xlsx")
    try:
        if suffix == ".md":
            text = _markdown(schema, t)
            with writing(path):
                target.handle.write(text)
        else:
            book = _workbook(schema, t)
            with writing(path):
                book.save(target.handle)
    except BaseException:
        target.abort()
        raise
    target.commit()
    return path
