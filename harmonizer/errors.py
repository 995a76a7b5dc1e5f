"""Exceptions for problems that stop a run before or while it reads data.

Data problems never raise: they become :class:`harmonizer.issues.Issue` values that
travel with their source row. These exceptions are for setups that cannot run at all,
and the CLI maps every one of them to exit code 2.
"""

from __future__ import annotations


class HarmonizerError(Exception):
    """Base class: the run cannot continue (exit code 2)."""


class ReadError(HarmonizerError):
    """An export cannot be opened or read (missing, corrupt, wrong format, encrypted)."""


class MappingError(HarmonizerError):
    """A mapping file is invalid; the message names the file, line and fix."""


class SchemaLoadError(HarmonizerError):
    """The national schema (or the version a mapping asks for) cannot be loaded."""


class OutputError(HarmonizerError):
    """An output cannot be written (permissions, disk full, bad path)."""


class DatasetError(HarmonizerError):
    """Runs or datasets cannot be combined or aggregated (missing manifest, incompatible schema)."""
