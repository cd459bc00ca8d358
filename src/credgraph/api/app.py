"""The FastAPI application factory.

``create_app(settings, store, search)`` wires routes, error handlers, the body size limit
and the offline docs. Given a store and a search service it uses them as they are (the
caller closes them); given None it opens them from the settings at startup and closes
them at shutdown. Nothing is read from globals.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import RedirectResponse

from credgraph import __version__
from credgraph.api.deps import ApiContext, single_valued_parameters
from credgraph.api.errors import PROBLEM_MEDIA_TYPE, install_error_handlers
from credgraph.api.middleware import BodySizeLimitMiddleware, HeadAsGetMiddleware
from credgraph.api.routes_docs import install_docs
from credgraph.api.routes_documents import documents_router
from credgraph.api.routes_export import export_router
from credgraph.api.routes_meta import meta_router
from credgraph.api.routes_nodes import nodes_router
from credgraph.api.routes_reasoning import reasoning_router
from credgraph.api.routes_search import search_router
from credgraph.config import Settings
from credgraph.graph.base import GraphStore, open_store
from credgraph.search.service import SearchService

API_PREFIX = "/v1"

DESCRIPTION = """\
Search and browse a knowledge graph of micro-credentials, Czech national qualifications (NSK)
and ESCO skills and occupations. Read endpoints are public; endpoints that change data need
the `X-API-Key` header. Every error is `application/problem+json`
(type, title, status, detail, instance, errors[]).
"""


def create_app_from_environment() -> FastAPI:
    """The app with settings from ``CREDGRAPH_*`` variables: what each worker process of
    ``credgraph serve --workers N`` runs (it opens its own store and search index)."""
    return create_app(Settings())


def create_app(
    settings: Settings, store: GraphStore | None = None, search: SearchService | None = None
) -> FastAPI:
    app = FastAPI(
        title="credgraph",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # FastAPI's pages load assets from a CDN; routes_docs serves local ones
        redoc_url=None,
        lifespan=_lifespan(settings, store, search),
    )
    if store is not None and search is not None:
        # usable without running the lifespan (e.g. a TestClient outside `with`)
        app.state.credgraph = ApiContext(settings, store, search)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(HeadAsGetMiddleware)
    single = [Depends(single_valued_parameters)]
    app.include_router(search_router(settings), prefix=API_PREFIX, dependencies=single)
    app.include_router(nodes_router(), prefix=API_PREFIX, dependencies=single)
    app.include_router(meta_router(), prefix=API_PREFIX, dependencies=single)
    app.include_router(reasoning_router(), prefix=API_PREFIX, dependencies=single)
    app.include_router(documents_router(), prefix=API_PREFIX, dependencies=single)
    # repeats only its `id` parameter (its own check): not under `single`
    app.include_router(export_router(), prefix=API_PREFIX)
    install_docs(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        """The bare host name leads a person to the API docs."""
        return RedirectResponse("/docs")

    app.openapi = _openapi_with_problems(app)  # type: ignore[method-assign]
    return app


def _lifespan(
    settings: Settings, store: GraphStore | None, search: SearchService | None
) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None and search is not None:
            yield
            return
        from credgraph.runtime import make_embedder, open_search

        own_store = store is None
        the_store = store if store is not None else open_store(settings)
        embedder = None
        try:
            if search is None:
                embedder = make_embedder(settings)
                the_search = open_search(settings, the_store, embedder)
            else:
                the_search = search
            app.state.credgraph = ApiContext(settings, the_store, the_search)
            yield
        finally:
            app.state.credgraph = None
            if embedder is not None:
                embedder.cache.close()
            if own_store:
                the_store.close()

    return lifespan


def _openapi_with_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI documents error bodies as application/json and 422 as its own schema; ours
    are all the Problem schema as application/problem+json, 500 included."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                responses.setdefault("500", {"description": "Unexpected server error"})
                for code, response in responses.items():
                    if code[:1] in ("4", "5"):
                        response["content"] = problem
        schemas = schema.get("components", {}).get("schemas", {})
        text = json.dumps(schema.get("paths", {}))
        for name in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{name}" not in text:
                schemas.pop(name, None)
        app.openapi_schema = schema
        return schema

    return openapi
