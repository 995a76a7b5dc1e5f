"""Translated words of the reports: issue titles and remedies, and report headings.

The words are data (``texts.yaml`` beside this module), so a translator edits one file
and never code. English titles and remedies come from the issue catalogue itself.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from typing import Any

import yaml

from harmonizer.issues import IssueCode

LANGUAGES = ("fi", "sv", "en")


@functools.cache
def _texts() -> dict[str, Any]:
    text = resources.files("harmonizer.reporters").joinpath("texts.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def code_title(code: IssueCode, lang: str) -> str:
    """Return the title of an issue code in ``lang`` (fi, sv or en).

    >>> code_title(IssueCode.UNKNOWN_LABEL, "fi")
    'Vastaukselle ei ole sääntöä'
    """
    if lang == "en":
        return code.info.title
    return str(_texts()["codes"][str(code)][lang]["title"])


def code_remedy(
    code: IssueCode, lang: str, *, rule: str = "the field's rule", mapping: str = "the mapping"
) -> str:
    """Return how to fix an issue of ``code``, in ``lang`` (fi, sv or en).

    A remedy may name the rule to edit and the mapping file (``{rule}``, ``{mapping}``);
    they are filled in here.

    >>> code_remedy(IssueCode.DUPLICATE_KEY, "en")
    'remove one of the two keys; YAML silently keeps only the last one'
    """
    template = code.info.remedy if lang == "en" else _texts()["codes"][str(code)][lang]["remedy"]
    return str(template).format_map({"rule": rule, "mapping": mapping})


def code_provider_fix(code: IssueCode, lang: str) -> str | None:
    """Return the template of the provider's fix of ``code`` in ``lang``, or None.

    Placeholders: ``{column}``, ``{value}``, ``{answers}``, ``{low}``, ``{high}``,
    ``{example}``, ``{contact}``, ``{header_row}``; the provider's fix fills them in.
    """
    if code.info.provider is None:
        return None
    if lang == "en":
        return code.info.provider
    return str(_texts()["codes"][str(code)][lang]["provider"])


def code_problem(code: IssueCode, lang: str) -> str | None:
    """Return what is wrong, as the provider reads it, for a data code (None otherwise).

    Placeholders ``{value}`` and ``{column}`` are filled (and quoted) by the reports.
    """
    entry = _texts().get("problems", {}).get(str(code))
    return None if entry is None else str(entry[lang])


def default_lang(environ: dict[str, str] | None = None) -> str:
    """Return fi or sv when the locale is Finnish or Swedish, else en.

    The locale is the first of LC_ALL, LC_MESSAGES and LANG that is set, as gettext
    reads it.

    >>> default_lang({"LANG": "fi_FI.UTF-8"}), default_lang({"LANG": "C.UTF-8"})
    ('fi', 'en')
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            prefix = value[:2].lower()
            return prefix if prefix in ("fi", "sv") else "en"
    return "en"


def words(lang: str) -> dict[str, Any]:
    """Return every heading and label of the reports in ``lang``."""
    found: dict[str, Any] = _texts()["words"][lang]
    return found


def word(key: str, lang: str) -> str:
    """Return a heading or label of the reports in ``lang``.

    >>> word("issues_sheet", "sv")
    'Problem'
    """
    return str(_texts()["words"][lang][key])


def translations() -> dict[str, Any]:
    """Return the whole translation table (for completeness tests)."""
    return _texts()
