"""Wordings found wrong or unnatural by readers, kept fixed (issue 10, section 4).

Each entry is a wording a native reader flagged, where it lives, and what it must read
now. The labels of the national schema (schemas/record-*.schema.json) are checked by the
schema's own tests; these are the words of the reports (``reporters/texts.yaml``) and of
the meeting report, aggregate tables and codebook (``publish/texts.yaml``).
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from harmonizer.publish.texts import text
from harmonizer.reporters.texts import translations, word


def _publish() -> dict[str, Any]:
    raw = resources.files("harmonizer.publish").joinpath("texts.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


# (key in publish/texts.yaml, language, the wording flagged, what it reads now)
PUBLISH_FIXES = [
    ("suppressed", "fi", "Salattu", "Ei näytetä"),
    ("suppressed", "sv", "Skyddad", "Visas inte"),
    ("ci_low", "fi", "Luottamusväli alaraja", "Luottamusvälin alaraja"),
    ("ci_high", "fi", "Luottamusväli yläraja", "Luottamusvälin yläraja"),
    ("ci_low", "sv", "Konfidensintervall nedre", "Konfidensintervallets nedre gräns"),
    ("ci_high", "sv", "Konfidensintervall övre", "Konfidensintervallets övre gräns"),
    ("asked", "sv", "Frågat", "Tillfrågade"),
]

# (word key in reporters/texts.yaml, language, the wording flagged, what it reads now)
REPORT_WORD_FIXES = [
    ("accepted", "fi", "Hyväksytty", "Hyväksyttyjä"),
    ("rejected", "fi", "Hylätty", "Hylättyjä"),
    ("notes", "sv", "Informationer", "Anmärkningar"),
    ("info", "sv", "information", "anmärkning"),
]


@pytest.mark.parametrize(("key", "lang", "flagged", "now"), PUBLISH_FIXES)
def test_publish_wording(key: str, lang: str, flagged: str, now: str) -> None:
    assert _publish()[key][lang] == now
    assert text(key, lang) != flagged


@pytest.mark.parametrize(("key", "lang", "flagged", "now"), REPORT_WORD_FIXES)
def test_report_wording(key: str, lang: str, flagged: str, now: str) -> None:
    assert word(key, lang) == now != flagged


def test_mapping_is_mappaus_everywhere_in_finnish() -> None:
    codes = translations()["codes"]
    finnish = [t for c in codes.values() for t in c["fi"].values()]
    assert not [t for t in finnish if "Kartoitus" in t or "kartoitus" in t]
    assert codes["duplicate-header"]["fi"]["title"].startswith("Mappaus ")


def test_iso_8601_reads_as_finnish() -> None:
    remedy = translations()["codes"]["bad-date"]["fi"]["remedy"]
    assert "tai ISO 8601 -muodossa" in remedy


def test_swedish_dont_know_is_the_scales_kan_inte_saga() -> None:
    swedish = [t for c in translations()["codes"].values() for t in c["sv"].values()]
    assert not [t for t in swedish if "vet inte" in t]
    assert "”kan inte säga”" in translations()["codes"]["unknown-label"]["sv"]["remedy"]


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_typographic_quotes_throughout(lang: str) -> None:
    """Finnish and Swedish quote with ” on both sides; never with " or '."""
    reports = translations()
    texts = _strings({c: t[lang] for c, t in reports["codes"].items()})
    texts += _strings(reports["words"][lang])
    texts += [t[lang] for t in _publish().values() if isinstance(t, dict) and lang in t]
    straight = [t for t in texts if re.search(r"[\"']", t)]
    assert not straight


def test_english_quotes_are_typographic_in_the_publish_notes() -> None:
    assert "“n<5”" in text("suppression_note", "en", min_n=5)
    assert "“Don\u2019t know”" in text("comparability_note", "en")


def test_every_described_field_has_its_description_in_finnish_and_swedish() -> None:
    from harmonizer.codebook import description
    from harmonizer.schema import load_schema

    schema = load_schema()
    for name in schema.fields:
        english = description(schema, name, "en")
        if english:
            for lang in ("fi", "sv"):
                assert description(schema, name, lang) != english, (name, lang)
