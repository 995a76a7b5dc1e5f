"""Exceptions for problems that stop a run before or while it reads data.

Their messages are redacted like issues (:mod:`harmonizer.redaction`).
Data problems never raise: they become :class:`harmonizer.issues.Issue` values that
travel with their source row. These exceptions are for setups that cannot run at all,
and the CLI maps every one of them to exit code 2.
"""

from __future__ import annotations

from harmonizer.redaction import redact_text


class HarmonizerError(Exception):
    """Base class: the run cannot continue (exit code 2).

    The message is redacted when the error is raised: it can quote an export's header
    texts or a parser's view of a cell, and it is printed on stderr, where a CI log or a
    terminal scrollback keeps it.

    >>> str(ReadError("the header has: 'Soita 040 123 4567', 'NPS'"))
    "the header has: 'Soita [PUHELIN]', 'NPS'"
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact_text(a) if isinstance(a, str) else a for a in args))


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


class WorkerError(HarmonizerError):
    """A worker process of a run stopped before it answered (killed, out of memory)."""
