"""GET /v1/stats and GET /v1/health."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from credgraph.api.deps import Context
from credgraph.api.schemas import CountsResponse, HealthResponse, problem_responses


def meta_router() -> APIRouter:
    router = APIRouter(tags=["service"])

    @router.get(
        "/stats",
        response_model=CountsResponse,
        responses=problem_responses(503),
        summary="Node and edge counts per kind (as `credgraph stats --json`)",
    )
    def stats(context: Context) -> dict[str, Any]:
        return context.store.counts().to_dict()

    @router.get(
        "/health",
        response_model=HealthResponse,
        responses=problem_responses(503),
        summary="Liveness, store backend and the loaded search index",
    )
    def health(context: Context) -> dict[str, Any]:
        manifest = context.search.manifest
        # every ingest rewrites the index manifest on disk: one small file read tells whether
        # this server still serves the index there (counting the graph would cost ~45 ms)
        current = _manifest_on_disk(context.settings.index_dir) == manifest
        return {
            "status": "ok" if current else "stale",
            "backend": context.store.backend,
            "index": {
                "model_id": manifest.get("model_id"),
                "entities": manifest.get("entities"),
                "built_at": manifest.get("built_at"),
            },
        }

    return router


def _manifest_on_disk(index_dir: Path) -> dict[str, Any] | None:
    try:
        loaded: dict[str, Any] = json.loads((index_dir / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None  # removed or being replaced: not the index this server loaded
    return loaded
