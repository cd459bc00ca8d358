"""Data the code reads, versioned as files beside this module: the JSON-LD contexts bundled
for offline use (``contexts/``, with where each came from in ``contexts/SOURCES.md``) and
the EU micro-credential template elements (``template_elements.json``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def bundled_contexts() -> dict[str, str]:
    """Context URL -> file name of the contexts bundled in ``contexts/``."""
    text = resources.files(__name__).joinpath("contexts/index.json").read_text("utf-8")
    index: dict[str, str] = json.loads(text)
    return index


def is_bundled_context(url: str) -> bool:
    return url.rstrip("/#") in {u.rstrip("/#") for u in bundled_contexts()}


@cache
def template_elements() -> list[dict[str, Any]]:
    text = resources.files(__name__).joinpath("template_elements.json").read_text("utf-8")
    elements: list[dict[str, Any]] = json.loads(text)
    return elements
