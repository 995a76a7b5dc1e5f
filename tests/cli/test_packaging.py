"""The package installs as a normal wheel with the national schemas inside it."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from tests.helpers import ROOT


def test_wheel_carries_the_schemas_and_the_console_script(tmp_path: Path) -> None:
    # What `make dist` runs: the wheel and the sdist of palaute-harmonizer.
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", tmp_path, "-t", "wheel", "-t", "sdist"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    [wheel] = tmp_path.glob("palaute_harmonizer-*.whl")
    [sdist] = tmp_path.glob("palaute_harmonizer-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    assert {"CHANGELOG.md", "pyproject.toml", "schemas/record-1.0.schema.json"} <= members
    assert "harmonizer/cli/__init__.py" in members
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "harmonizer/schemas/record-1.0.schema.json" in names
    assert "harmonizer/schemas/mapping.schema.json" in names
    assert "harmonizer/py.typed" in names
    assert "harmonizer = harmonizer.cli:main" in scripts
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as archive:
        assert "Name: palaute-harmonizer\n" in archive.read(metadata).decode()
    # Installed from the wheel alone (no source tree beside it), the schema loads.
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    probe = (
        "import harmonizer.schema as s; print(s.schema_dir()); print(s.load_schema('1.0').version)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    folder, version = completed.stdout.split()
    assert folder == str(target / "harmonizer" / "schemas")
    assert version == "1.0"
