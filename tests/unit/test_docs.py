"""The docs show what the tool really does: their examples run, their messages are real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from harmonizer import harmonize
from harmonizer.cli import main
from harmonizer.mapping import model
from tests.helpers import ROOT, read_jsonl

DOC = (ROOT / "docs" / "mapping.md").read_text(encoding="utf-8")


def block_after(marker: str, language: str) -> str:
    start = DOC.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(DOC, start)
    assert match is not None
    return match.group(1)


@pytest.fixture
def docs_example(tmp_path: Path) -> tuple[Path, Path]:
    export = tmp_path / "palaute.csv"
    export.write_text(block_after("The export `palaute.csv`", "text"), encoding="utf-8")
    mapping = tmp_path / "palaute.yaml"
    mapping.write_text(block_after("The mapping `palaute.yaml`", "yaml"), encoding="utf-8")
    return export, mapping


def documented(issue: dict[str, str]) -> str:
    head = f"row {issue['row']}, column {issue['column_letter']} '{issue['column']}'"
    return f"{head}, {{}}{issue['code']}:\n{issue['message']}"


def test_every_mapping_key_is_documented() -> None:
    models: list[type[BaseModel]] = [
        model.Mapping, model.Source, model.FieldRule, model.Lookup, model.LongLayout,
        model.Filter, model.OwnItem, model.Provider,
    ]  # fmt: skip
    for cls in models:
        for key in cls.model_fields:
            assert f"`{key}`" in DOC, f"{cls.__name__}.{key} is not in docs/mapping.md"


def test_the_first_mapping_runs_and_its_messages_are_the_documented_ones(
    docs_example: tuple[Path, Path], tmp_path: Path
) -> None:
    export, mapping = docs_example
    result = harmonize(mapping, [export], tmp_path / "out")
    assert (result.report.counts.accepted, result.report.counts.rejected) == (1, 2)
    issues = [i for r in read_jsonl(tmp_path / "out" / "rejects.jsonl") for i in r["issues"]]
    assert documented(issues[0]).format("value 'eilen', ") in DOC
    assert documented(issues[1]).format("unit_name, ") in DOC


@pytest.mark.parametrize(("name", "row"), [("pohjola-web", 21), ("saimaa-codes", 16)])
def test_documented_messages_of_the_bundled_examples(name: str, row: int, tmp_path: Path) -> None:
    [export] = (ROOT / "examples").glob(f"{name}.*")
    harmonize(ROOT / "mappings" / f"{name}.yaml", [export], tmp_path)
    [issue] = [
        i for r in read_jsonl(tmp_path / "rejects.jsonl") for i in r["issues"] if i["row"] == row
    ]
    assert documented(issue).format(f"value '{issue['value']}', ") in DOC


def test_documented_broken_mapping_messages(
    docs_example: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, mapping = docs_example
    text = mapping.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # messages name the files as the user typed them
    args = ["run", "-m", "palaute.yaml", "palaute.csv", "-o", "out"]
    runner = CliRunner()
    mapping.write_text(
        text.replace("  nps: Suosittelu", '  nps: {column: Suosittelu, scale: "1-5"}'),
        encoding="utf-8",
    )
    scale = runner.invoke(main, args)
    mapping.write_text(text + "  ease: {colum: Helppous}\n", encoding="utf-8")
    typo = runner.invoke(main, args)
    mapping.write_text(text.replace("nps: Suosittelu", "nps: Suositus"), encoding="utf-8")
    column = runner.invoke(main, args)
    assert (scale.exit_code, typo.exit_code, column.exit_code) == (2, 2, 2)
    assert scale.stderr in DOC
    assert typo.stderr.splitlines()[1] in DOC
    assert column.stderr.strip() in DOC
