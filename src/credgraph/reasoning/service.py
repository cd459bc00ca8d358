"""One object the CLI and the API ask reasoning questions through: the in-memory view of
the graph, the matcher (with its vector and pool caches) and the settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from credgraph.config import Settings
from credgraph.graph.base import GraphStore
from credgraph.reasoning.coverage import Matcher
from credgraph.reasoning.pathways import pathways
from credgraph.reasoning.recognition import recognise, record_decision
from credgraph.reasoning.requirements import Constraints
from credgraph.reasoning.stacking import stack
from credgraph.reasoning.view import ReasoningView
from credgraph.search.embedder import Embedder


class Reasoner:
    def __init__(self, store: GraphStore, settings: Settings, embedder: Embedder | None):
        self.store = store
        self.settings = settings
        self.view = ReasoningView(store)
        self.matcher = Matcher(self.view, settings, embedder)
        # the caches are plain dicts: one request at a time fills them
        self._lock = threading.Lock()

    def stack(
        self,
        target: str,
        have: Sequence[str],
        lang: str | None = None,
        constraints: Constraints | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            return stack(self.view, self.matcher, target, list(have), lang, constraints)

    def pathways(
        self,
        target: str,
        have: Sequence[str] = (),
        skills: Sequence[str] = (),
        constraints: Constraints | None = None,
        k: int | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            return pathways(self.view, self.matcher, target, have, skills, constraints, k, lang)

    def recognise(self, a: str, b: str, lang: str | None = None) -> dict[str, Any]:
        with self._lock:
            return recognise(self.view, self.matcher, a, b, lang)

    def record_decision(
        self, a: str, b: str, verdict: str, decided_by: str, note: str | None
    ) -> dict[str, Any]:
        return record_decision(self.store, a, b, verdict, decided_by, note)
