"""Every YAML example of the docs is valid and means what the text says.

Each ```yaml block of README.md and docs/*.md is read with the mapping reader (so a
header text with a '?' in flow style, which PyYAML refuses, cannot slip into the docs).
Blocks that are parts of a mapping are completed with the docs' first mapping and must
load without a problem; the worked examples must agree with the bundled mapping they
quote; the lookup example runs on an export.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from harmonizer.cli import main
from harmonizer.mapping.load import read_mapping
from harmonizer.mapping.model import Mapping
from harmonizer.mapping.yamlfile import duplicate_keys, parse_yaml
from tests.helpers import ROOT, read_jsonl, write_csv

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
MAPPING_DOC = (ROOT / "docs" / "mapping.md").read_text(encoding="utf-8")
WORKED = re.compile(r"### \d\. [^\n]*: `([a-z-]+)`\n(.*?)```yaml\n(.*?)```", re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text), 1):
            found.append((f"{doc.name}#{number}", match.group(1)))
    return found


BLOCKS = _blocks()
FIRST_MAPPING = BLOCK.search(MAPPING_DOC, MAPPING_DOC.index("The mapping `palaute.yaml`"))
assert FIRST_MAPPING is not None


def _text_keys(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _text_keys(v) for k, v in data.items()}
    return data


def _is_mapping_part(data: Any) -> bool:
    """Return True for a block that is (part of) a mapping, not another tool's YAML."""
    return isinstance(data, dict) and set(data) <= set(Mapping.model_fields)


def _merged(base: Any, part: Any) -> Any:
    if isinstance(base, dict) and isinstance(part, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in part.items()}}
    return part


def _as_rule(value: Any) -> Any:
    return {"column": value} if isinstance(value, str) and value != "not_asked" else value


def test_the_docs_have_yaml_examples() -> None:
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize(("where", "text"), BLOCKS, ids=[w for w, _ in BLOCKS])
def test_every_yaml_example_is_valid_yaml(where: str, text: str) -> None:
    document = parse_yaml(text)
    assert isinstance(document.data, dict), where
    assert duplicate_keys(where, document.root) == []


@pytest.mark.parametrize(("where", "text"), BLOCKS, ids=[w for w, _ in BLOCKS])
def test_every_yaml_example_loads_as_part_of_a_mapping(
    where: str, text: str, tmp_path: Path
) -> None:
    """A part of a mapping, completed with the docs' first mapping, has no problem."""
    assert FIRST_MAPPING is not None
    for csv_file in (ROOT / "mappings").glob("*.csv"):
        shutil.copy(csv_file, tmp_path)
    (tmp_path / "units.csv").write_text("koodi;nimi;palvelualue\n", encoding="utf-8")
    part = parse_yaml(text).data
    if not _is_mapping_part(part):
        assert where.startswith(("ci.md", "README.md")), f"{where} is not part of a mapping"
        return
    base = parse_yaml(FIRST_MAPPING.group(1)).data
    for name in part.get("fields", {}):
        base["constants"].pop(name, None)
    for name in part.get("constants", {}):
        base["fields"].pop(name, None)
    data = _merged(base, part)
    fields = data.get("fields", {})
    if data.get("layout") == "long":
        # The first mapping's wide-layout measure becomes a question of the long layout.
        fields["nps"] = fields["nps"] if "question" in str(fields["nps"]) else {"question": "NPS"}
    for name, rule in fields.items():
        lookup = _as_rule(rule).get("lookup") if isinstance(_as_rule(rule), dict) else None
        if lookup is not None and lookup not in data.get("lookups", {}):
            # Worked examples quote only part of their mapping: the lookup is defined
            # in the bundled file (and checked by test_worked_examples_quote_...).
            data.setdefault("lookups", {})[lookup] = {"rows": {"x": {name: None}}}
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reading = read_mapping(mapping)
    assert [str(p) for p in reading.errors] == [], where


WORKED_EXAMPLES = WORKED.findall(MAPPING_DOC)


def test_every_worked_example_is_found() -> None:
    assert len(WORKED_EXAMPLES) == 6


def _leaves(data: Any, at: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*at, str(k)))]
    return [(at, data)]


@pytest.mark.parametrize(
    ("name", "text"),
    [(n, t) for n, _, t in WORKED_EXAMPLES],
    ids=[n for n, _, _ in WORKED_EXAMPLES],
)
def test_worked_examples_quote_their_bundled_mapping(name: str, text: str) -> None:
    """Each value of an excerpt is what the bundled mapping of that name says."""
    excerpt = _text_keys(parse_yaml(text).data)
    bundled = _text_keys(parse_yaml((ROOT / "mappings" / f"{name}.yaml").read_text("utf-8")).data)
    for section in ("fields", "own_items"):
        for data in (excerpt, bundled):
            if isinstance(data.get(section), dict):
                data[section] = {k: _as_rule(v) for k, v in data[section].items()}
    for path, value in _leaves(excerpt):
        node: Any = bundled
        for key in path:
            assert isinstance(node, dict), (name, path)
            assert key in node, f"{name}: {'.'.join(path)} is not in mappings/{name}.yaml"
            node = node[key]
        assert node == value, f"{name}: {'.'.join(path)} is {node!r} in the mapping"


def test_the_lookup_example_runs(tmp_path: Path) -> None:
    """The lookup file example: a BOM, take:, and a value_map on the looked-up value."""
    start = MAPPING_DOC.index("The unit list `units.csv`")
    units = re.compile(r"```text\n(.*?)```", re.DOTALL).search(MAPPING_DOC, start)
    lookup = BLOCK.search(MAPPING_DOC, start)
    assert units is not None
    assert lookup is not None
    (tmp_path / "units.csv").write_text(units.group(1), encoding="utf-8-sig")
    assert FIRST_MAPPING is not None
    base = parse_yaml(FIRST_MAPPING.group(1)).data
    del base["constants"]["service_area"]
    data = _merged(base, parse_yaml(lookup.group(1)).data)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    export = write_csv(
        tmp_path / "export.csv",
        [
            ["Aika", "Yksikkö", "Suosittelu"],
            ["1.2.2026 10:00", "oul01", "9"],
            ["1.2.2026 11:00", "OUL02", "8"],
        ],
    )
    result = CliRunner().invoke(
        main, ["run", "-m", str(mapping), str(export), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    records = read_jsonl(tmp_path / "out" / "records.jsonl")
    assert [(r["unit_name"], r["service_area"]) for r in records] == [
        ("Oulun terveysasema", "primary_care"),
        ("Oulun hammashoitola", "oral_health"),
    ]
    assert "`Yksikkö` is `oul01` gets `unit_name` `Oulun terveysasema`" in MAPPING_DOC.replace(
        "\n", " "
    )
