"""Docs stay in step with the code: CLI reference, settings, public API."""

from __future__ import annotations

from pathlib import Path

import credgraph
from credgraph.cli import render_cli_reference
from credgraph.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_cli_reference_is_generated_from_help() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == render_cli_reference(), (
        "docs/cli.md is out of date: run scripts/gen-cli-docs"
    )


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`CREDGRAPH_{n.upper()}`" not in text]
    assert not missing


def test_public_api() -> None:
    assert sorted(credgraph.__all__) == [
        "CredgraphError",
        "Edge",
        "EdgeKind",
        "Node",
        "NodeKind",
        "__version__",
    ]
