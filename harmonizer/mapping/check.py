"""Checking a mapping file without data.

:func:`check_mapping_file` turns every problem :func:`~harmonizer.mapping.load.read_mapping`
finds (the same reader ``run`` uses, so the two cannot disagree) into
:class:`~harmonizer.issues.Issue` values located in the mapping file: ``export`` is the
mapping's path, ``row`` its line and ``field`` the key path. So every reporter serves
``harmonizer check`` as it serves ``harmonizer validate``.
:mod:`harmonizer.mapping.sample` checks a mapping against a sample export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harmonizer.issues import Issue, preview
from harmonizer.mapping.files import LookupFiles
from harmonizer.mapping.load import LoadedMapping, read_mapping
from harmonizer.mapping.problems import MappingProblem
from harmonizer.redaction import redact_text


@dataclass
class MappingCheck:
    """What :func:`check_mapping_file` found: the issues, and the mapping if it loaded."""

    path: Path
    mapping_id: str
    version: str | None = None
    schema_version: str | None = None
    loaded: LoadedMapping | None = None
    issues: list[Issue] = field(default_factory=list)


def check_mapping_file(
    path: Path | str, *, lookup_files: LookupFiles | None = None
) -> MappingCheck:
    """Check a mapping file without data; every problem becomes an issue.

    Raises:
        MappingError: the file cannot be read at all (missing, a folder, no permission).

    >>> check = check_mapping_file("mappings/pohjola-web.yaml")
    >>> check.mapping_id, check.issues
    ('pohjola-web', [])
    """
    path = Path(path)
    reading = read_mapping(path, lookup_files=lookup_files)
    check = MappingCheck(path, path.stem, loaded=reading.loaded)
    data = reading.data
    if isinstance(data, dict) and isinstance(data.get("mapping"), str):
        check.mapping_id = data["mapping"]
    if reading.model is not None:
        check.version = reading.model.version
        check.schema_version = reading.model.schema_version
    check.issues = [_issue(path, problem) for problem in reading.problems]
    return check


def _issue(path: Path, problem: MappingProblem) -> Issue:
    return Issue(
        problem.code,
        problem.message,
        problem.code.severity,
        redact_text(str(path)) or "",
        None,
        problem.line,
        None,
        None,
        _readable(problem.path) or None,
        preview(problem.value),
    )


_UNION_TAG = re.compile(r"^[\w-]+\[.*\]$")


def _readable(key_path: str) -> str:
    """Drop pydantic's validator tags ('function-after[...]') from a key path."""
    return ".".join(part for part in key_path.split(".") if not _UNION_TAG.match(part))
