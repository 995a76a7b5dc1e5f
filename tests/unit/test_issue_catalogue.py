"""The issue catalogue is complete: titles and remedies in fi, sv, en, and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harmonizer.issues import CODE_INFO, IssueCode
from harmonizer.reporters.texts import LANGUAGES, code_remedy, code_title, translations, word

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "issues.md").read_text("utf-8")
KEBAB = re.compile(r"^[a-z]+(-[a-z]+)*$")


@pytest.mark.parametrize("code", list(IssueCode), ids=str)
def test_code_is_complete(code: IssueCode) -> None:
    assert KEBAB.match(str(code))
    assert code in CODE_INFO
    assert code.info.scope in ("data", "mapping")
    for lang in LANGUAGES:
        assert code_title(code, lang).strip()
        assert code_remedy(code, lang).strip()
    assert len({code_title(code, lang) for lang in LANGUAGES}) > 1  # actually translated
    section = DOCS.split(f"\n## {code}\n", 1)
    assert len(section) == 2, f"docs/issues.md has no section for {code}"
    body = section[1].split("\n## ", 1)[0]
    assert "Fix: " in body
    assert "    " in body  # an example, indented as the text report prints it


def test_translations_name_only_known_codes_and_words() -> None:
    data = translations()
    assert set(data["codes"]) == {str(c) for c in IssueCode}
    assert all(set(data["codes"][c]) == {"fi", "sv"} for c in data["codes"])
    keys = {lang: set(words) for lang, words in data["words"].items()}
    assert set(keys) == set(LANGUAGES)
    assert keys["fi"] == keys["sv"] == keys["en"]
    assert word("error", "fi") == "virhe"
