"""Wiring shared by the CLI and the API: open the store, the embedder, run an ingest,
load the search service. Thin on purpose; the work happens in the sub-packages."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.graph.base import GraphStore, open_store
from credgraph.ingest import bundled_paths, ingest_paths
from credgraph.ingest.report import IngestReport
from credgraph.search.embedder import CachedEmbedder, EmbeddingCache, create_embedder
from credgraph.search.service import SearchService, build_search_index


def make_embedder(settings: Settings) -> CachedEmbedder:
    inner = create_embedder(settings.embedder, settings.embed_batch_size, settings.embedder_model)
    return CachedEmbedder(
        inner, EmbeddingCache(settings.embedding_cache_path), progress=settings.progress
    )


def run_ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    fmt: str | None = None,
    store: GraphStore | None = None,
    embedder: CachedEmbedder | None = None,
    on_file: Callable[[IngestReport], None] | None = None,
) -> dict[str, Any]:
    """Load files (default: the bundled data), then rebuild the search index.

    If a file fails, the files before it stay stored and the index is rebuilt for them
    before the error is raised again, so store and index never disagree.
    """
    own_store = store is None
    store = store or open_store(settings)
    t0 = time.perf_counter()
    reports: list[IngestReport] = []

    def collect(report: IngestReport) -> None:
        reports.append(report)
        if on_file is not None:
            on_file(report)

    try:
        try:
            ingest_paths(
                store, list(paths) if paths else bundled_paths(), settings, fmt, on_file=collect
            )
        except BaseException:
            if reports and any(r.nodes_written or r.edges_written for r in reports):
                build_search_index(store, settings, embedder or make_embedder(settings))
            raise
        t1 = time.perf_counter()
        index = build_search_index(store, settings, embedder or make_embedder(settings))
        t2 = time.perf_counter()
        return {
            "files": [r.to_dict() for r in reports],
            "index": index.to_dict(),
            "counts": store.counts().to_dict(),
            "seconds": {
                "load": round(t1 - t0, 3),
                "index": round(t2 - t1, 3),
                "total": round(t2 - t0, 3),
            },
        }
    finally:
        if own_store:
            store.close()


def open_search(
    settings: Settings, store: GraphStore | None = None, embedder: CachedEmbedder | None = None
) -> SearchService:
    return SearchService.load(settings, embedder or make_embedder(settings), store)
