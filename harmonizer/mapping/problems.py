"""Problems found in a mapping file, located by line and key path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harmonizer.errors import MappingError
from harmonizer.issues import IssueCode
from harmonizer.redaction import redact_text

KeyPath = tuple[str | int, ...]
"""A path of keys into the mapping file, such as ("fields", "nps", "scale")."""


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """One problem in a mapping file, located by line and key path."""

    file: str
    line: int | None
    path: str
    message: str
    code: IssueCode = IssueCode.MAPPING_RULE
    value: str | None = None

    def __post_init__(self) -> None:
        # A mapping saved under a file name holding an identity code must not echo it.
        object.__setattr__(self, "file", redact_text(self.file) or "")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class MappingProblems(MappingError):
    """A mapping file has one or more problems; ``problems`` lists them.

    :func:`~harmonizer.mapping.load.load_mapping` raises it with the errors only;
    warnings do not stop a run (``harmonizer check`` shows them).
    """

    def __init__(self, problems: list[MappingProblem]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in mapping"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """Return the line of a key path, or of its nearest parent that has one."""
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None
