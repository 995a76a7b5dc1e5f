"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture
def root() -> Path:
    """Return the repository root."""
    return ROOT
