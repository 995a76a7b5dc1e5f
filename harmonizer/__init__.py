"""harmonizer: makes Finland's social and health care customer feedback comparable.

The public API: :func:`harmonize` writes a dataset from exports and a mapping,
:func:`validate` runs the same pipeline without writing, :func:`check_mapping` checks a
mapping file (and its fit to a sample export), :func:`load_mapping` loads one, and
:func:`load_schema` loads the national record schema. Across runs, :func:`combine`
merges runs into a dataset, :func:`aggregate` computes comparable figures per group,
:func:`report` writes the meeting report and :func:`codebook` the data dictionary;
:func:`draft_mapping` drafts a mapping from an export.
"""

from __future__ import annotations

__version__ = "0.1.0"

from harmonizer.api import (
    RunResult,
    aggregate,
    aggregate_items,
    check_mapping,
    codebook,
    combine,
    harmonize,
    report,
    validate,
)
from harmonizer.dataset import CombineResult
from harmonizer.draft import DraftResult, draft_mapping
from harmonizer.errors import (
    DatasetError,
    HarmonizerError,
    MappingError,
    OutputError,
    ReadError,
    SchemaLoadError,
    WorkerError,
)
from harmonizer.figures import Figures
from harmonizer.issues import Issue, IssueCode, Severity
from harmonizer.mapping.load import LoadedMapping, load_mapping
from harmonizer.redaction import Redactor
from harmonizer.run_report import Report
from harmonizer.schema import RecordSchema, load_schema

__all__ = [
    "CombineResult",
    "DatasetError",
    "DraftResult",
    "Figures",
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
    "WorkerError",
    "__version__",
    "aggregate",
    "aggregate_items",
    "check_mapping",
    "codebook",
    "combine",
    "draft_mapping",
    "harmonize",
    "load_mapping",
    "load_schema",
    "report",
    "validate",
]
