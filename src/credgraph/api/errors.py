"""One error shape for every error the API returns: RFC 9457 problem details.

Every error response is ``application/problem+json`` with exactly these members::

    {"type": "urn:credgraph:problem:<slug>", "title": str, "status": int,
     "detail": str, "instance": <request path>, "errors": [{"loc", "msg", "type"}...]}

``errors`` lists the offending parameters (empty when no single parameter is to blame).
Mapping (the handlers below are the only place it lives):

    QueryError (ParameterError)  400 query-error / invalid-parameter
    NotFoundError                404 not-found
    InputError                   422 invalid-input
    RequestValidationError       422 validation-error
    IndexMismatchError           503 index-unavailable
    StoreError                   503 store-unavailable
    other CredgraphError         500 internal-error
    Starlette HTTPException      its status (404 no-such-endpoint, 405, 401, 403, 413 ...)
    any other exception          500 internal-error (no traceback in the body)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from credgraph.errors import (
    CredgraphError,
    IndexMismatchError,
    InputError,
    NotFoundError,
    QueryError,
    StoreError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:credgraph:problem:"

log = logging.getLogger("credgraph.api")

# Status codes of Starlette HTTPExceptions → problem type slug.
_HTTP_SLUGS = {
    401: "unauthorized",
    403: "forbidden",
    404: "no-such-endpoint",
    405: "method-not-allowed",
    413: "body-too-large",
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


class ParameterError(QueryError):
    """A request parameter that is well-formed for FastAPI but not acceptable to us.

    ``location`` is where it was sent ("query" or "path"), ``name`` its name; both end up
    in the problem's ``errors[]`` so a client can point at the field.
    """

    def __init__(
        self, name: str, message: str, *, location: str = "query", hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.name = name
        self.location = location


def problem_body(
    status: int,
    slug: str,
    detail: str,
    instance: str,
    errors: Sequence[dict[str, Any]] = (),
    title: str | None = None,
) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_PREFIX + slug,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "errors": list(errors),
    }


def problem_response(
    request: Request,
    status: int,
    slug: str,
    detail: str,
    errors: Sequence[dict[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    return ProblemResponse(
        problem_body(status, slug, detail, request.url.path, errors),
        status_code=status,
        headers=headers,
    )


def _detail(exc: CredgraphError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def _status_and_slug(exc: CredgraphError) -> tuple[int, str]:
    if isinstance(exc, ParameterError):
        return 400, "invalid-parameter"
    if isinstance(exc, QueryError):
        return 400, "query-error"
    if isinstance(exc, NotFoundError):
        return 404, "not-found"
    if isinstance(exc, InputError):
        return 422, "invalid-input"
    if isinstance(exc, IndexMismatchError):
        return 503, "index-unavailable"
    if isinstance(exc, StoreError):
        return 503, "store-unavailable"
    return 500, "internal-error"


async def _credgraph_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, CredgraphError)
    status, slug = _status_and_slug(exc)
    errors: list[dict[str, Any]] = []
    if isinstance(exc, ParameterError):
        errors.append({"loc": [exc.location, exc.name], "msg": exc.message, "type": "value_error"})
    if status >= 500:
        log.warning("%s %s failed: %s", request.method, request.url.path, exc)
    return problem_response(request, status, slug, _detail(exc), errors)


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    # Only loc/msg/type: pydantic's "input" may echo a huge body, its "url" is external.
    errors = [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "value_error")),
        }
        for e in exc.errors()
    ]
    parts = [
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else str(e["msg"])
        for e in errors[:5]
    ]
    detail = "invalid request: " + "; ".join(parts) if parts else "invalid request"
    return problem_response(request, 422, "validation-error", detail, errors)


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    slug = _HTTP_SLUGS.get(status, "http-error")
    detail = str(exc.detail)
    if status == 404 and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = f"no endpoint at {request.url.path}"
    elif status == 405 and detail == HTTPStatus.METHOD_NOT_ALLOWED.phrase:
        detail = f"method {request.method} is not allowed on {request.url.path}"
    return problem_response(request, status, slug, detail, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    # Starlette's ServerErrorMiddleware re-raises after this, so the server logs the
    # traceback; the client only learns that something went wrong.
    return problem_response(
        request, 500, "internal-error", "the server failed to answer this request"
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CredgraphError, _credgraph_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
