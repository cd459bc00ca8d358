"""Credential documents sent for checking, never stored: POST /v1/validate (`credgraph
validate`: the EU template elements and the national volume rules, plus the signature) and
POST /v1/verify (`credgraph verify`: the signature only).

The request body is the document itself (JSON-LD, XML or the provider CSV), as sent; its
size is bounded by ``CREDGRAPH_API_MAX_BODY_BYTES``. ``filename`` (optional) tells CSV and
XML apart where the content type does not (``text/csv``, ``application/xml``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from credgraph.api.deps import Context
from credgraph.api.schemas import problem_responses
from credgraph.errors import InputError

_TYPES = {
    "text/csv": "document.csv",
    "application/xml": "document.xml",
    "text/xml": "document.xml",
}
FileName = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[^/\\\x00-\x1f]+$",
        description="The document's file name (e.g. offers.csv, loq.xml); optional.",
    ),
]
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "The credential document (ELM/EDC JSON-LD, signed or not; Open Badges; "
        "CTDL; Europass QDR XML; the provider CSV template).",
        "content": {
            "application/ld+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/xml": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def _name(request: Request, filename: str | None) -> str:
    if filename:
        return filename
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return _TYPES.get(content_type, "document.json")


async def _body(request: Request) -> bytes:
    raw = await request.body()
    if not raw.strip():
        raise InputError(
            "empty request body", source="request", hint="send the credential document as the body"
        )
    return raw


def documents_router() -> APIRouter:
    router = APIRouter(tags=["documents"])

    @router.post(
        "/validate",
        responses=problem_responses(413, 422, 503),
        summary="Check a credential against the EU template (Annex I) and national rules",
        openapi_extra=_BODY_DOC,
    )
    async def validate(
        request: Request, context: Context, filename: FileName = None
    ) -> dict[str, Any]:
        from credgraph.reasoning.validation import validate_document

        return validate_document(await _body(request), _name(request, filename), context.settings)

    @router.post(
        "/verify",
        responses=problem_responses(413, 422, 503),
        summary="Verify a signed credential: integrity, trust and expiry, separately",
        openapi_extra=_BODY_DOC,
    )
    async def verify(request: Request, filename: FileName = None) -> dict[str, Any]:
        from credgraph.trust import verify_document

        result: dict[str, Any] = verify_document(
            await _body(request), _name(request, filename)
        ).to_dict()
        return result

    return router
