"""The report's own words (headings, notes) in fi, sv and en, read from texts.yaml.

Field, code and scale labels are never here: they come from the national schema.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from harmonizer.errors import DatasetError
from harmonizer.schema import LANGUAGES


@functools.cache
def _texts() -> Mapping[str, Mapping[str, str]]:
    text = resources.files("harmonizer.publish").joinpath("texts.yaml").read_text(encoding="utf-8")
    loaded: Mapping[str, Mapping[str, str]] = yaml.safe_load(text)
    return loaded


def check_lang(lang: str) -> str:
    """Return ``lang`` if the report speaks it.

    Raises:
        DatasetError: the language is not fi, sv or en.
    """
    if lang not in LANGUAGES:
        raise DatasetError(f"unknown language {lang!r}; choose from {', '.join(LANGUAGES)}")
    return lang


def text(key: str, lang: str, **values: Any) -> str:
    """Return the report text ``key`` in ``lang``, with ``{placeholders}`` filled.

    >>> text("not_shown", "fi", min_n=5)
    'n<5'
    """
    template = _texts()[key][lang]
    return template.format(**values) if values else template


class Texts:
    """The report's words in one language, for templates: ``t("nps")``, ``t.nps``."""

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)

    def __call__(self, key: str, **values: Any) -> str:
        """Return the text ``key`` with ``{placeholders}`` filled."""
        return text(key, self.lang, **values)

    def __getattr__(self, key: str) -> str:
        try:
            return text(key, self.lang)
        except KeyError as err:
            raise AttributeError(key) from err
