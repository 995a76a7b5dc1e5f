"""CI integration: the pre-commit hook, the project's own pre-commit config, and the
example GitHub Actions and GitLab CI workflows (schema-valid, and their commands run)."""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from pre_commit.clientlib import load_config, load_manifest
from ruamel.yaml import YAML

from harmonizer.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "examples" / "ci"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def vendored_schema(name: str) -> dict[str, Any]:
    """A CI schema as check-jsonschema ships it (SchemaStore / GitLab), no network."""
    folder = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads(folder.joinpath(f"{name}.json").read_text("utf-8"))
    return schema


def load_yaml_1_2(path: Path) -> Any:
    """Read a workflow as CI systems do: YAML 1.2, where `on:` is a key, not True."""
    return YAML(typ="safe", pure=True).load(path.read_text("utf-8"))


def harmonizer_commands(lines: list[str]) -> list[list[str]]:
    return [shlex.split(line)[1:] for line in lines if line.startswith("harmonizer ")]


def run_in_copy(
    commands: list[list[str]], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """Run workflow commands in a copy of the repository's mappings and examples."""
    for name in ("mappings", "examples"):
        shutil.copytree(ROOT / name, folder / name)
    monkeypatch.chdir(folder)
    codes = []
    for args in commands:
        expanded = [p for a in args for p in (sorted(glob.glob(a)) if "*" in a else [a])]
        result = CliRunner().invoke(main, expanded, catch_exceptions=False)
        codes.append(result.exit_code)
    return codes


# -- pre-commit ---------------------------------------------------------------------------


def test_hook_manifest_is_valid_and_checks_mappings(tmp_path: Path) -> None:
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "harmonizer-check"
    assert hook["entry"] == "harmonizer check"
    files = re.compile(hook["files"])
    mappings = [
        p for p in sorted(ROOT.glob("mappings/*")) if files.search(p.relative_to(ROOT).as_posix())
    ]
    assert [p.suffix for p in mappings] == [".yaml"] * len(mappings)
    assert len(mappings) == 6
    entry = shlex.split(hook["entry"])
    executable = Path(sys.executable).parent / entry[0]
    passed = subprocess.run(
        [executable, *entry[1:], *map(str, mappings)], capture_output=True, check=False
    )
    assert passed.returncode == 0, passed.stdout
    broken = tmp_path / "mappings" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text(
        mappings[0].read_text("utf-8").replace("schema_version:", "schema_versio:"), "utf-8"
    )
    failed = subprocess.run(
        [executable, *entry[1:], str(broken)], capture_output=True, text=True, check=False
    )
    assert failed.returncode == 1  # problems found in the mapping (2: could not run)
    assert "mapping-schema" in failed.stdout


def test_project_config_dogfoods_the_hook() -> None:
    config = load_config(str(ROOT / ".pre-commit-config.yaml"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    manifest = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    ours = hooks["harmonizer-check"]
    assert ours["files"] == manifest["harmonizer-check"]["files"]
    assert ours["entry"].endswith(manifest["harmonizer-check"]["entry"])


def test_pre_commit_runs_the_hook_on_the_repository(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.fail("the repository must be a git checkout with git installed")
    result = subprocess.run(
        [Path(sys.executable).parent / "pre-commit", "run", "harmonizer-check", "--all-files"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path), "SKIP": ""},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"harmonizer check \(mappings/\)\.+Passed", result.stdout)


# -- workflows ------------------------------------------------------------------------------


def unset_variable_message(script: str) -> str:
    """Run a workflow's install script with HARMONIZER_PACKAGE empty; return its output."""
    completed = subprocess.run(
        ["bash", "-e", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HARMONIZER_PACKAGE": ""},
        check=False,
    )
    assert completed.returncode == 1  # stops before pip could say something obscure
    return completed.stdout + completed.stderr


def test_github_actions_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflow = load_yaml_1_2(WORKFLOWS / "github-actions.yml")
    jsonschema.Draft7Validator(vendored_schema("github-workflows")).validate(workflow)
    steps = workflow["jobs"]["harmonizer"]["steps"]
    commands = harmonizer_commands([s["run"] for s in steps if "run" in s])
    assert [c[0] for c in commands] == ["check", "validate", "validate"]
    # Green on a clean export; the failing export is shown by a step of its own.
    assert run_in_copy(commands, tmp_path, monkeypatch) == [0, 0, 1]
    failing = next(s for s in steps if "pohjola-web.csv" in s.get("run", ""))
    assert failing["continue-on-error"] is True
    sarif = json.loads((tmp_path / "harmonizer.sarif").read_text("utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    validate = next(s for s in steps if "--format sarif" in s.get("run", ""))
    # validate runs even when check failed (but not without harmonizer installed)
    assert "!cancelled()" in validate["if"]
    assert "steps.install.outcome == 'success'" in validate["if"]
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["with"]["sarif_file"] == "harmonizer.sarif"
    assert "hashFiles('harmonizer.sarif') != ''" in upload["if"]  # only when it was written
    install = next(s for s in steps if s.get("id") == "install")
    message = unset_variable_message(install["run"])
    assert "::error title=HARMONIZER_PACKAGE is not set::" in message
    assert "palaute-harmonizer @ git+https://" in message


def test_gitlab_ci_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = load_yaml_1_2(WORKFLOWS / "gitlab-ci.yml")
    jsonschema.Draft7Validator(vendored_schema("gitlab-ci")).validate(pipeline)
    template = pipeline[".harmonizer"]
    # pip installs from a git URL only where git is: not in the python:*-slim images.
    assert template["image"].startswith("python:")
    assert "slim" not in template["image"]
    jobs = {name: job for name, job in pipeline.items() if not name.startswith(".")}
    assert all(job["extends"] == ".harmonizer" for job in jobs.values())
    commands = harmonizer_commands([line for job in jobs.values() for line in job["script"]])
    assert run_in_copy(commands, tmp_path, monkeypatch) == [0, 0, 1]
    assert [name for name, job in jobs.items() if job.get("allow_failure")] == [
        "harmonizer-failing-example"
    ]
    for job in jobs.values():
        assert job["artifacts"]["when"] == "always"
        root = ET.parse(tmp_path / job["artifacts"]["reports"]["junit"]).getroot()
        assert root.tag == "testsuites"
    message = unset_variable_message(template["before_script"][0])
    assert "HARMONIZER_PACKAGE is not set" in message
    assert "palaute-harmonizer @ git+https://" in message


def test_workflows_are_documented() -> None:
    text = (ROOT / "docs" / "ci.md").read_text("utf-8")
    for name in (
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
        ".pre-commit-hooks.yaml",
    ):
        assert name in text
    for code in ("`0`", "`1`", "`2`"):
        assert code in text
