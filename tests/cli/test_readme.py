"""Every command of the README runs verbatim, in order, in a fresh copy of the repository.

The `harmonizer` commands of its ``sh`` blocks run through the real CLI and its
``python`` blocks run as written, in the README's order, in a copy of the repository's
mappings and examples; afterwards nothing but ``out/`` has been added. Commands that set
up a machine or the project (``make``, creating a venv, pipx, the completion lines) are
listed in ``NOT_RUN_HERE``; completion is checked by its own test below; any other
command is a failure, so a new README command must be run here or listed.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from harmonizer.cli import main
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text("utf-8")
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOT_RUN_HERE = (
    "make ",  # the whole suite and the benchmarks: make test runs this file
    "python3 -m venv ",  # this test runs inside such a venv
    ". .venv/bin/activate",
    "python tools/",  # generators, drift-checked by make check-generated
    "eval ",  # shell completion: test_shell_completion_scripts
)


def readme_steps() -> list[tuple[str, str]]:
    """Return ('sh', command) and ('python', code) in the README's order."""
    steps: list[tuple[str, str]] = []
    for kind, body in BLOCK.findall(README):
        if kind == "python":
            steps.append((kind, body))
            continue
        for line in body.replace("\\\n", " ").splitlines():
            command = line.split("  #", 1)[0].strip()
            if command:
                steps.append((kind, command))
    return steps


def test_the_readme_commands_run_in_order_in_a_fresh_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("mappings", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name)
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)
    ran = []
    for kind, step in readme_steps():
        if kind == "python":
            exec(compile(step, "README.md", "exec"), {})
            ran.append("python")
            continue
        if step.startswith(NOT_RUN_HERE):
            continue
        assert step.startswith("harmonizer "), f"run this README command here, or list it: {step}"
        args = [
            p for a in shlex.split(step)[1:] for p in (sorted(glob.glob(a)) if "*" in a else [a])
        ]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        # The examples carry deliberate problems: validating them finds errors (exit 1).
        expected = (0, 1) if args[0] == "validate" or "--sample" in args else (0,)
        assert result.exit_code in expected, f"{step}\n{result.stdout}\n{result.stderr}"
        assert "harmonizer: error" not in result.stderr, step
        ran.append(args[0])
    assert ran.count("run") == 3
    assert {"combine", "aggregate", "report", "schema", "check", "validate", "python"} <= set(ran)
    # Nothing is written into the repository's root: everything goes under out/.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "out"])
    assert (tmp_path / "out" / "county" / "manifest.json").is_file()
    assert (tmp_path / "out" / "rapport.xlsx").is_file()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts(shell: str) -> None:
    assert f"_HARMONIZER_COMPLETE={shell}_source harmonizer" in README
    command = Path(sys.executable).parent / "harmonizer"
    completed = subprocess.run(
        [command],
        env={"_HARMONIZER_COMPLETE": f"{shell}_source", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "_HARMONIZER_COMPLETE" in completed.stdout
    assert "harmonizer" in completed.stdout


def test_bash_completion_completes_the_commands() -> None:
    command = Path(sys.executable).parent / "harmonizer"
    completed = subprocess.run(
        [command],
        env={
            "_HARMONIZER_COMPLETE": "bash_complete",
            "COMP_WORDS": "harmonizer com",
            "COMP_CWORD": "1",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "plain,combine" in completed.stdout.splitlines()


def test_the_figures_docs_commands_run_in_a_fresh_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/figures.md's commands run as written (its own-item example once named a
    dataset that the README's county dataset is not: it has no kiosk)."""
    for name in ("mappings", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "figures.md").read_text("utf-8")
    commands = [
        line.split("  #", 1)[0].strip()
        for kind, body in BLOCK.findall(text)
        if kind == "sh"
        for line in body.splitlines()
        if line.strip()
    ]
    assert commands
    for command in commands:
        assert command.startswith("harmonizer "), command
        result = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "out" / "faces.csv").is_file()
