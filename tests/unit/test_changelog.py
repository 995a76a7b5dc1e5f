"""The changelog names the version the package reports, and every install hint the
distribution's real name."""

from __future__ import annotations

import re
import tomllib

from harmonizer import __version__
from tests.helpers import ROOT

DISTRIBUTION = "palaute-harmonizer"


def test_newest_changelog_heading_is_the_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    headings = re.findall(r"^## (\d+\.\d+\.\d+)\b", text, flags=re.MULTILINE)
    assert headings[0] == __version__


def test_distribution_name_and_install_hints() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"harmonizer": "harmonizer.cli:main"}
    files = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("examples/ci/*.yml")]
    files += ROOT.glob("harmonizer/**/*.py")
    for path in files:
        text = path.read_text("utf-8")
        # An install of the bare name (or its extras) would fetch the unrelated project.
        assert not re.search(r"pip install ['\"]?harmonizer\b(?![-\w])", text), path
