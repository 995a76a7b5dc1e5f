"""Drafting a mapping from an export: ``harmonizer draft`` and :func:`draft_mapping`."""

from __future__ import annotations

from harmonizer.draft.compose import DraftResult, draft_mapping
from harmonizer.draft.plan import DraftInputError

__all__ = ["DraftInputError", "DraftResult", "draft_mapping"]
