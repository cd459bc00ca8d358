"""GET /v1/export: nodes and their neighbourhood as Turtle or JSON-LD (`credgraph export
--id`); GET /v1/credentials/{id}/elm: a credential as an ELM v3 / EDC JSON-LD document
(`credgraph export-elm`).

Bounded: at most ``MAX_EXPORT_IDS`` ids, depth at most ``MAX_EXPORT_DEPTH``, at most
``MAX_EXPORT_NODES`` nodes in the answer (else 400). The whole graph is not served over
HTTP: that is `credgraph export`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import StringConstraints

from credgraph.api.deps import Context, load_node, resolve_id
from credgraph.api.errors import ParameterError
from credgraph.api.routes_nodes import MAX_ID_CHARS, NodeId
from credgraph.api.schemas import problem_responses
from credgraph.export.elm import credential_to_elm
from credgraph.export.store_export import MEDIA_TYPES, export_text
from credgraph.models import NodeKind

MAX_EXPORT_IDS = 200
MAX_EXPORT_DEPTH = 2
MAX_EXPORT_NODES = 5000
_REPEATABLE = frozenset({"id"})


class JsonLdResponse(JSONResponse):
    media_type = "application/ld+json"


def _single_valued(request: Request) -> None:
    """As deps.single_valued_parameters, with ``id`` the one parameter that repeats."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen and name not in _REPEATABLE:
            raise ParameterError(
                name, f"parameter {name} is given more than once", hint="only id may repeat"
            )
        seen.add(name)


def export_router() -> APIRouter:
    router = APIRouter(tags=["export"], dependencies=[Depends(_single_valued)])

    @router.get(
        "/export",
        response_class=Response,
        responses={
            200: {
                "description": "The nodes, their neighbourhood and the edges between them.",
                "content": {"text/turtle": {}, "application/ld+json": {}},
            },
            **problem_responses(400, 404, 422, 503),
        },
        summary="Nodes and their neighbourhood as RDF (Turtle or JSON-LD)",
    )
    def export(
        context: Context,
        id: Annotated[
            list[Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)]] | None,
            Query(
                description="A node id (full URI, `esco:` prefixed or stored id); repeat for "
                f"more (at most {MAX_EXPORT_IDS}). Required: the whole graph is not served.",
            ),
        ] = None,
        format: Annotated[
            Literal["turtle", "json-ld"],
            Query(description="`turtle` (text/turtle) or `json-ld` (inline @context)."),
        ] = "turtle",
        depth: Annotated[
            int,
            Query(ge=0, le=MAX_EXPORT_DEPTH, description="Also the nodes within N edges."),
        ] = 1,
    ) -> Response:
        ids = [resolve_id(i) for i in id or [] if i.strip()]
        if not ids:
            raise ParameterError(
                "id",
                "give at least one id",
                hint="the whole graph is not served over HTTP; use `credgraph export`",
            )
        if len(ids) > MAX_EXPORT_IDS:
            raise ParameterError(
                "id", f"{len(ids)} ids; at most {MAX_EXPORT_IDS} per request", hint="split it"
            )
        text = export_text(context.store, format, ids, depth, MAX_EXPORT_NODES)
        return Response(text, media_type=f"{MEDIA_TYPES[format]}; charset=utf-8")

    @router.get(
        "/credentials/{id:path}/elm",
        response_class=JsonLdResponse,
        responses={
            200: {
                "description": "An ELM v3 / EDC JSON-LD document of the credential offer "
                "(no learner, no issuer, unsigned).",
                "content": {"application/ld+json": {}},
            },
            **problem_responses(400, 404, 422, 503),
        },
        summary="A credential as an ELM v3 / EDC JSON-LD document",
    )
    def credential_elm(context: Context, id: NodeId) -> JsonLdResponse:
        node = load_node(context.store, id)
        if node.kind is not NodeKind.CREDENTIAL:
            raise ParameterError(
                "id",
                f"{node.id} is not a credential (its kind is {node.kind.value})",
                location="path",
            )
        doc: dict[str, Any] = credential_to_elm(context.store, node.id)
        return JsonLdResponse(doc)

    return router
