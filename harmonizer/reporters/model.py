"""Pydantic model of the JSON report; ``schemas/report.schema.json`` is generated from it.

The model is the published contract of ``--format json``. Reporters build plain dicts
(``Report.to_dict()``); tests validate them against the generated schema, so code and
contract cannot drift apart.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from harmonizer.issues import IssueCode

REPORT_FORMAT_VERSION = "1.0"

SeverityName = Literal["error", "warning", "info"]
CODES: list[JsonValue] = [str(c) for c in IssueCode]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueModel(_Model):
    """One issue, located in the export (row, column) and the record (field)."""

    code: str = Field(
        description="Stable kebab-case issue code; see docs/issues.md.",
        json_schema_extra={"enum": CODES},
    )
    severity: SeverityName = Field(description="error, warning or info.")
    message: str = Field(description="What is wrong, with the value; the remedy is in `codes`.")
    export: str | None = Field(
        description="Export file name, or the mapping file's path for mapping issues."
    )
    sheet: str | None = Field(description="Sheet of an xlsx export.")
    row: int | None = Field(
        description="1-based physical row in the export (line in a mapping file)."
    )
    column: str | None = Field(description="Header text of the source column.")
    column_letter: str | None = Field(description="Spreadsheet letter of the source column.")
    field: str | None = Field(
        description="National field (data issues) or key path (mapping issues)."
    )
    value: str | None = Field(description="The raw value, truncated; open text redacted.")
    fix_export: str | None = Field(
        None,
        description="The provider's fix: what to change in the export, in the report's "
        "language; null when the provider has nothing to change.",
    )
    fix_mapping: str | None = Field(
        None, description="The mapping author's fix: the rule and mapping file to edit."
    )


class CountsModel(_Model):
    """Source-row counts: read = accepted + rejected + excluded + duplicates."""

    read: int = Field(ge=0, description="Source rows read.")
    responses: int = Field(
        ge=0,
        description="Responses read: one per row of a wide export, one per pivoted "
        "response (or lone row) of a long one.",
    )
    accepted: int = Field(ge=0, description="Rows that became records.")
    rejected: int = Field(ge=0, description="Rows rejected with an error issue.")
    excluded: int = Field(ge=0, description="Rows left out on purpose (filters, blank rows).")
    duplicates: int = Field(ge=0, description="Rows repeating an accepted response.")
    records: int = Field(ge=0, description="Records written.")
    rejects: int = Field(ge=0, description="Rejects written.")
    excluded_by_reason: dict[str, int] = Field(description="Excluded rows by reason.")


class ExportModel(_Model):
    """One export: what the reader found and guessed, and its counts."""

    name: str = Field(description="File name.")
    format: str = Field(description="csv or xlsx.")
    sha256: str = Field(description="SHA-256 of the file.")
    size: int = Field(ge=0, description="Size in bytes.")
    sheet: str | None = Field(description="Sheet read (xlsx).")
    encoding: str | None = Field(description="Text encoding (csv).")
    delimiter: str | None = Field(description="Delimiter (csv).")
    header_row: int = Field(ge=1, description="Physical row of the header.")
    guessed: list[str] = Field(description="What the reader had to guess.")
    counts: CountsModel = Field(description="Row counts of this export.")
    issue_counts: dict[str, int] = Field(description="Issues by code in this export.")


class MappingRef(_Model):
    """The mapping a report is about."""

    id: str = Field(description="Mapping id (the file name stem when it cannot be read).")
    version: str | None = Field(description="Mapping version, when the file could be read.")
    file: str | None = Field(description="Path of the mapping file.")


class ReportModel(_Model):
    """The report of one mapping: a validate run, or a check of one mapping file."""

    mapping: MappingRef
    schema_version: str | None = Field(description="National record schema version.")
    exports: list[ExportModel] = Field(description="Exports read (the sample for check).")
    counts: CountsModel = Field(description="Row counts over every export (zero for check).")
    issue_counts: dict[str, int] = Field(description="Issues by code; never capped.")
    severity_counts: dict[str, int] = Field(description="Issues by severity; never capped.")
    redactions: dict[str, int] = Field(description="Personal data redacted, by kind.")
    issues: list[IssueModel] = Field(
        description="Issues, errors first, capped at --max-issues per severity; info "
        "issues only with --show-info."
    )
    issues_truncated: bool = Field(description="True when more issues were counted than listed.")
    rows_checked: int | None = Field(
        None, ge=0, description="check --sample: rows of the sample export checked."
    )


class CodeModel(_Model):
    """Title, default severity and remedy of an issue code."""

    title: str
    severity: SeverityName
    remedy: str = Field(description="The mapping author's fix, with {rule} and {mapping}.")
    provider_fix: str | None = Field(
        None, description="The provider's fix, with placeholders; null for mapping codes."
    )
    scope: Literal["data", "mapping"]


class Tool(_Model):
    """The program that wrote the report."""

    name: Literal["harmonizer"]
    version: str


class ReportDocument(_Model):
    """The JSON report of `harmonizer check` and `harmonizer validate`."""

    report_format: Literal["1.0"] = Field(description="Version of this document's format.")
    tool: Tool
    command: Literal["check", "validate"] = Field(description="The command that reported.")
    fail_on: SeverityName = Field(description="Least severity that fails the command.")
    lang: Literal["fi", "sv", "en"] = Field(
        "en", description="Language of titles, fixes and, in fi and sv, of the texts."
    )
    exit_code: Literal[0, 1] = Field(description="0 nothing reached fail_on; 1 something did.")
    reports: list[ReportModel] = Field(description="One per mapping (check) or one (validate).")
    issue_counts: dict[str, int] = Field(description="Issues by code over every report.")
    severity_counts: dict[str, int] = Field(description="Issues by severity over every report.")
    codes: dict[str, CodeModel] = Field(
        description="Title, severity and remedy of every code that occurs."
    )
