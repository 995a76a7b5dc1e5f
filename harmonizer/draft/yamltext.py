"""YAML scalars and one-line flow values, quoted by PyYAML so any header stays valid."""

from __future__ import annotations

from typing import Any

import yaml


def scalar(value: Any) -> str:
    """Return one YAML scalar (quoted when YAML would read it as something else).

    >>> scalar("19"), scalar("Kuka vastaa?"), scalar(5), scalar("a: b")
    ("'19'", "'Kuka vastaa?'", '5', "'a: b'")
    """
    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1 << 20)
    return text.strip()[1:-1]


def flow(value: Any) -> str:
    """Return a value in YAML flow style on one line."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)
