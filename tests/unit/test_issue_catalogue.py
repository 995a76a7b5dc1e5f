"""The issue catalogue is complete: titles and remedies in fi, sv, en, and documented.

docs/issues.md is generated (tools/generate.py, drift-checked by ``make test``); these
tests check what the generator must keep: a section for every code, with a real example
or, for a code not raised yet, a note saying so.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harmonizer.issues import CODE_INFO, SPECIAL_REMEDIES, IssueCode
from harmonizer.reporters.texts import LANGUAGES, code_remedy, code_title, translations, word
from tests.issue_cases import NOT_RAISED_YET

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "issues.md").read_text("utf-8")
KEBAB = re.compile(r"^[a-z]+(-[a-z]+)*$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


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
    assert f"**{code.info.title}**" in body
    assert "Fix: " in body
    if code in NOT_RAISED_YET:
        assert "Not raised yet: " in body
        assert "Example" not in body
    else:
        assert f": {code.severity} {code}: " in body  # the text report's own line
        assert "\n    " in body  # indented as a code block


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("code", list(IssueCode), ids=str)
def test_translated_remedy_names_what_the_english_names(code: IssueCode, lang: str) -> None:
    english = sorted(PLACEHOLDER.findall(code.info.remedy))
    assert set(english) <= {"rule", "mapping"}
    translated = translations()["codes"][str(code)][lang]["remedy"]
    assert sorted(PLACEHOLDER.findall(translated)) == english
    filled = code_remedy(code, lang, rule="fields.ease", mapping="palaute.yaml")
    assert "{" not in filled
    assert "}" not in filled
    assert ("fields.ease" in filled) == ("rule" in english)
    assert ("palaute.yaml" in filled) == ("mapping" in english)


def test_translations_name_only_known_codes_and_words() -> None:
    data = translations()
    assert set(data["codes"]) == {str(c) for c in IssueCode}
    assert all(set(data["codes"][c]) == {"fi", "sv"} for c in data["codes"])
    # An unquoted comma in a flow mapping would split a title into a stray key.
    for code in IssueCode:
        wanted = {"title", "remedy"} | ({"provider"} if code.info.provider else set())
        assert all(set(text) == wanted for text in data["codes"][str(code)].values()), code
    keys = {lang: set(words) for lang, words in data["words"].items()}
    assert set(keys) == set(LANGUAGES)
    assert keys["fi"] == keys["sv"] == keys["en"]
    assert word("error", "fi") == "virhe"


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("code", [c for c in IssueCode if c.info.provider], ids=str)
def test_translated_provider_fix_names_what_the_english_names(code: IssueCode, lang: str) -> None:
    english = code.info.provider or ""
    translated = translations()["codes"][str(code)][lang]["provider"]
    assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(english))
    assert set(PLACEHOLDER.findall(english)) <= {
        "column",
        "value",
        "answers",
        "low",
        "high",
        "example",
        "contact",
        "header_row",
    }


def test_words_keep_their_placeholders_in_every_language() -> None:
    data = translations()["words"]
    for key, english in data["en"].items():
        if not isinstance(english, str):
            assert len(data["fi"][key]) == len(data["sv"][key]) == len(english)
            continue
        for lang in ("fi", "sv"):
            assert sorted(PLACEHOLDER.findall(data[lang][key])) == sorted(
                PLACEHOLDER.findall(english)
            ), (key, lang)


def test_every_data_code_the_provider_can_fix_has_a_provider_fix() -> None:
    nothing_to_do = {IssueCode.AMBIGUOUS_TIME, IssueCode.REDACTED, IssueCode.UNUSED_COLUMN}
    for code in IssueCode:
        if code.info.scope == "data" and code not in nothing_to_do:
            assert code.info.provider, code


@pytest.mark.parametrize("code", [c for c in IssueCode if c.info.scope == "data"], ids=str)
def test_every_data_code_says_what_is_wrong_in_three_languages(code: IssueCode) -> None:
    problems = translations()["problems"]
    assert set(problems[str(code)]) == set(LANGUAGES)
    english = sorted(PLACEHOLDER.findall(problems[str(code)]["en"]))
    assert set(english) <= {"value", "column"}
    for lang in ("fi", "sv"):
        assert sorted(PLACEHOLDER.findall(problems[str(code)][lang])) == english


@pytest.mark.parametrize("key", sorted(SPECIAL_REMEDIES))
def test_special_remedies_read_alike_in_messages_and_reports(key: str) -> None:
    # The message's English is the reports' English, and fi and sv name the same places.
    assert word(key, "en") == SPECIAL_REMEDIES[key]
    english = sorted(PLACEHOLDER.findall(SPECIAL_REMEDIES[key]))
    for lang in ("fi", "sv"):
        assert sorted(PLACEHOLDER.findall(word(key, lang))) == english
