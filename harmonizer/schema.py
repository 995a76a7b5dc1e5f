"""The national record schema: loading a version, its labels and code lists.

The JSON Schema files under ``schemas/`` are the authority. Code reads field names,
code lists, measures and labels from them, so that a new THL version is a data change.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from harmonizer.errors import SchemaLoadError

SCHEMA_FILE_TEMPLATE = "record-{version}.schema.json"
DEFAULT_SCHEMA_VERSION = "1.1"
LANGUAGES = ("fi", "sv", "en")


def schema_dir() -> Path:
    """Return the folder holding the schema files.

    An installed wheel carries them inside the package; a source checkout keeps them at
    the top level of the repository, which is where they are edited.
    """
    bundled = resources.files("harmonizer").joinpath("schemas")
    if bundled.is_dir():
        return Path(str(bundled))
    return Path(__file__).resolve().parent.parent / "schemas"


def available_versions() -> list[str]:
    """Return the record schema versions this installation has, oldest first."""
    prefix, suffix = SCHEMA_FILE_TEMPLATE.split("{version}")
    names = [p.name for p in schema_dir().glob(SCHEMA_FILE_TEMPLATE.format(version="*"))]
    versions = [n[len(prefix) : -len(suffix)] for n in names]
    return sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


@dataclass(frozen=True)
class RecordSchema:
    """One version of the national record schema, with helpers to read its contents."""

    version: str
    document: Mapping[str, Any]
    path: Path

    @property
    def properties(self) -> Mapping[str, Any]:
        """Return the schema's top-level properties (the national fields)."""
        props: Mapping[str, Any] = self.document["properties"]
        return props

    @property
    def fields(self) -> tuple[str, ...]:
        """Return the national fields in schema order."""
        return tuple(self.properties)

    @property
    def measures(self) -> tuple[str, ...]:
        """Return NPS and the statements: the fields that carry a missing reason."""
        return tuple(self.document["x-measures"])

    @property
    def statements(self) -> tuple[str, ...]:
        """Return the national statements (five-point agreement items)."""
        return tuple(m for m in self.measures if self.measure_kind(m) == "statement")

    def measure_kind(self, field: str) -> str | None:
        """Return ``nps``, ``statement`` or None for a field."""
        kind = self.properties.get(field, {}).get("x-measure")
        return str(kind) if kind is not None else None

    def codes(self, field: str) -> tuple[str, ...]:
        """Return the code list of an enumerated field (without null)."""
        enum = self.properties[field].get("enum", [])
        return tuple(c for c in enum if c is not None)

    def code_labels(self, field: str) -> Mapping[str, Mapping[str, str]]:
        """Return ``{code: {lang: label}}`` for an enumerated field or a $defs entry."""
        node = self.properties.get(field) or self.document["$defs"][field]
        labels: Mapping[str, Mapping[str, str]] = node.get("x-code-labels", {})
        return labels

    def excluded_codes(self, field: str) -> Mapping[str, Mapping[str, Any]]:
        """Return the codes a field may hold whose records are kept out, ``{code: spec}``.

        Åland's county ``91``: a valid answer, outside the reform; each spec gives the
        ``reason`` and may give ``labels``.
        """
        codes: Mapping[str, Mapping[str, Any]] = self.properties.get(field, {}).get(
            "x-excluded-codes", {}
        )
        return codes

    @property
    def scale_labels(self) -> Mapping[str, Mapping[str, str]]:
        """Return the five agreement points' labels, ``{"1": {"fi": ...}, ...}``."""
        labels: Mapping[str, Mapping[str, str]] = self.document["$defs"]["statement"][
            "x-code-labels"
        ]
        return labels

    @property
    def missing_reasons(self) -> tuple[str, ...]:
        """Return the missing-value reasons (``dont_know``, ``not_applicable``, ...)."""
        return tuple(self.document["$defs"]["missing_reason"]["enum"])

    def label(self, field: str, lang: str = "en", *, short: bool = False) -> str:
        """Return a field's label in ``lang`` (fi, sv or en)."""
        node = self.properties[field]
        if short and "x-short-labels" in node:
            return str(node["x-short-labels"][lang])
        return str(node.get("x-labels", {}).get(lang, field))

    def required(self) -> tuple[str, ...]:
        """Return the fields every record must carry."""
        return tuple(self.document.get("required", ()))

    def has(self, field: str) -> bool:
        """Return True when the version has the national field (``touchpoint`` is 1.1+)."""
        return field in self.properties

    @property
    def touchpoints(self) -> tuple[str, ...]:
        """Return the touchpoints of the service path in path order (none before 1.1)."""
        return self.codes("touchpoint") if self.has("touchpoint") else ()

    @property
    def item_scales(self) -> Mapping[str, Mapping[str, Any]]:
        """Return the scales an own item may declare, ``{name: {points, positive, ...}}``.

        Each scale lists its points (None for categories and text), the points that
        count as positive (None where nothing is positive) and whether a mean means
        something. Versions before 1.1 declare none.
        """
        scales: Mapping[str, Mapping[str, Any]] = self.document.get("x-item-scales", {})
        return scales

    def column_label(self, field: str, lang: str) -> str:
        """Return a statement's label for a narrow table column (the full one if none)."""
        node = self.properties[field]
        if "x-column-labels" in node:
            return str(node["x-column-labels"][lang])
        return self.label(field, lang, short=True)


@functools.cache
def load_schema(version: str = DEFAULT_SCHEMA_VERSION) -> RecordSchema:
    """Load the national record schema ``version`` and check it is a valid JSON Schema.

    Raises:
        SchemaLoadError: the version does not exist or its file is not a valid schema.

    >>> load_schema("1.0").version
    '1.0'
    """
    from jsonschema.exceptions import SchemaError

    path = schema_dir() / SCHEMA_FILE_TEMPLATE.format(version=version)
    if not path.is_file():
        known = ", ".join(available_versions()) or "none"
        raise SchemaLoadError(
            f"national schema version {version!r} is not available (this installation "
            f"has: {known}); set schema_version in the mapping to one of them"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        _check_schema(document)
    except (OSError, ValueError, SchemaError) as err:
        raise SchemaLoadError(f"{path}: not a valid JSON Schema: {err}") from err
    if document.get("x-version") != version:
        raise SchemaLoadError(
            f"{path}: x-version is {document.get('x-version')!r}, expected {version!r}"
        )
    return RecordSchema(version=version, document=document, path=path)


def _check_schema(document: Any) -> None:
    """Raise SchemaError when ``document`` is not a valid JSON Schema (draft 2020-12).

    jsonschema-rs compiles a schema that names draft 2020-12, checking it against the
    meta-schema and its patterns as regular expressions, in about a millisecond, where
    python-jsonschema takes a tenth of a second of every run. python-jsonschema checks
    any other document (it reads every schema as 2020-12; jsonschema-rs would fetch the
    meta-schema it names) and words what is wrong.
    """
    import jsonschema_rs
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    if isinstance(document, dict) and document.get("$schema") == _DRAFT_2020_12:
        try:
            jsonschema_rs.validator_for(document)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as err:
            Draft202012Validator.check_schema(document)
            raise SchemaError(str(err)) from None  # a refusal python-jsonschema does not share
        return
    Draft202012Validator.check_schema(document)


_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
