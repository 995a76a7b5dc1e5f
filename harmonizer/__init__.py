"""harmonizer: makes Finland's social and health care customer feedback comparable.

The public API: :func:`harmonize` writes a dataset from exports and a mapping,
:func:`validate` runs the same pipeline without writing, :func:`load_mapping` checks a
mapping file, and :func:`load_schema` loads the national record schema.
"""

from __future__ import annotations

__version__ = "0.1.0"

from harmonizer.api import RunResult, harmonize, validate
from harmonizer.errors import (
    HarmonizerError,
    MappingError,
    OutputError,
    ReadError,
    SchemaLoadError,
)
from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.redaction import Redactor
from harmonizer.run_report import Report
from harmonizer.schema import RecordSchema, load_schema

__all__ = [
    "HarmonizerError",
    "Issue",
    "IssueCode",
    "LoadedMapping",
    "MappingError",
    "OutputError",
    "ReadError",
    "RecordSchema",
    "Redactor",
    "Report",
    "RunResult",
    "SchemaLoadError",
    "Severity",
    "__version__",
    "harmonize",
    "load_mapping",
    "load_schema",
    "validate",
]
