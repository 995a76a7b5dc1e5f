"""schemas/mapping.schema.json (for editors) accepts what the loader accepts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.helpers import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "mapping.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
POHJOLA: dict[str, Any] = yaml.safe_load(
    (ROOT / "mappings" / "pohjola-web.yaml").read_text(encoding="utf-8")
)


def test_the_schema_is_valid_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted((ROOT / "mappings").glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_mappings_are_valid_for_editors(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in VALIDATOR.iter_errors(data)] == []


@pytest.mark.parametrize(
    "rule",
    [
        {"column": "Suosittelu 1-5", "scale": "1-5"},
        {"column": "Hymiö", "adapted": True},
        {"column": "Arvosana", "recode": {"4": 0}},
        {"column": "Suosittelu", "reversed": True},
    ],
)
def test_nps_from_anything_but_0_to_10_is_refused(rule: dict[str, Any]) -> None:
    data = copy.deepcopy(POHJOLA)
    data["fields"]["nps"] = rule
    assert not VALIDATOR.is_valid(data)


@pytest.mark.parametrize("rule", ["Suosittelu", "not_asked", {"column": "S", "scale": "0-10"}])
def test_nps_from_a_0_to_10_question_is_accepted(rule: object) -> None:
    data = copy.deepcopy(POHJOLA)
    data["fields"]["nps"] = rule
    assert VALIDATOR.is_valid(data)


def test_a_misspelt_key_is_refused() -> None:
    data = copy.deepcopy(POHJOLA)
    data["fields"]["unit_name"] = {"colum": "Toimipiste"}
    assert not VALIDATOR.is_valid(data)
