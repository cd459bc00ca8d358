"""GET /v1/stats and GET /v1/health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from credgraph.api.deps import Context
from credgraph.api.schemas import CountsResponse, HealthResponse, problem_responses
from credgraph.search.service import index_fingerprint


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
        # the loaded index was built for these counts; an ingest since then changes them
        current = manifest.get("graph_counts") == index_fingerprint(context.store.counts())
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
