"""One error shape for every error; body size limit; API key dependency."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import SecretStr

from credgraph.api import create_app, require_api_key
from credgraph.errors import (
    ConfigError,
    CredgraphError,
    IndexMismatchError,
    InputError,
    NotFoundError,
    QueryError,
    StoreError,
    StoreUnavailableError,
)

Problem = Callable[[Any, int], dict[str, Any]]

# (method, url, expected status) — every kind of error the public routes can give
ERROR_ROUTES = [
    ("GET", "/v1/nodes/esco:skill/unknown", 404),
    ("GET", "/v1/skills/nsk:test-1/credentials", 400),
    ("GET", "/v1/search?q=x&limit=0", 422),
    ("GET", "/v1/search?q=x&kind=nope", 400),
    ("GET", "/v1/search?q=x&cursor=%25%25", 400),
    ("GET", "/v1/search?q=%20", 400),
    ("GET", "/v1/search", 422),
    ("GET", "/v1/nodes/nsk:test-1?limit=5000", 422),
    ("GET", "/v2/search?q=x", 404),
    ("GET", "/nothing-here", 404),
    ("POST", "/v1/search?q=x", 405),
    ("DELETE", "/v1/nodes/nsk:test-1", 405),
    ("GET", "/docs/assets/no-such-file.js", 404),
]


@pytest.mark.parametrize(("method", "url", "status"), ERROR_ROUTES)
def test_every_error_is_a_problem(
    tiny_client: TestClient, problem: Problem, method: str, url: str, status: int
) -> None:
    body = problem(tiny_client.request(method, url), status)
    assert body["instance"] == url.split("?")[0]


def test_root_leads_to_the_docs(tiny_client: TestClient) -> None:
    response = tiny_client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/docs"


def test_validation_detail_says_why(tiny_client: TestClient, problem: Problem) -> None:
    body = problem(tiny_client.get("/v1/search?q=x&limit=0"), 422)
    assert body["detail"].startswith("invalid request: query.limit: ")
    assert "greater than or equal to 1" in body["detail"]


def test_method_not_allowed_keeps_the_allow_header(tiny_client: TestClient) -> None:
    assert tiny_client.post("/v1/stats").headers["allow"] == "GET"


# -- our exceptions, unexpected exceptions --------------------------------------------------

RAISED: list[tuple[Exception, int, str]] = [
    (QueryError("cannot answer that", hint="ask differently"), 400, "query-error"),
    (NotFoundError("no such thing"), 404, "not-found"),
    (InputError("bad record", source="f.jsonl", position="3"), 422, "invalid-input"),
    (IndexMismatchError("index built with another model"), 503, "index-unavailable"),
    (StoreError("disk full"), 503, "store-unavailable"),
    (StoreUnavailableError("cannot connect"), 503, "store-unavailable"),
    (ConfigError("bad setting"), 500, "internal-error"),
]


@pytest.fixture
def raising_client(tiny_graph: Any) -> Iterator[TestClient]:
    app = create_app(tiny_graph.settings, tiny_graph.store, tiny_graph.search)

    @app.get("/test/raise/{index}")
    def raise_one(index: int) -> None:
        raise RAISED[index][0]

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("index", range(len(RAISED)))
def test_credgraph_errors_map_to_problems(
    raising_client: TestClient, problem: Problem, index: int
) -> None:
    error, status, slug = RAISED[index]
    body = problem(raising_client.get(f"/test/raise/{index}"), status)
    assert body["type"] == f"urn:credgraph:problem:{slug}"
    assert isinstance(error, CredgraphError)
    assert error.message in body["detail"]
    if error.hint:
        assert error.hint in body["detail"]


def test_unexpected_exception_is_500_without_traceback(
    raising_client: TestClient, problem: Problem
) -> None:
    response = raising_client.get("/test/crash")
    body = problem(response, 500)
    assert body["type"] == "urn:credgraph:problem:internal-error"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


# -- body size ----------------------------------------------------------------------------


@pytest.fixture
def echo_client(tiny_graph: Any) -> Iterator[TestClient]:
    app = create_app(tiny_graph.settings, tiny_graph.store, tiny_graph.search)

    @app.post("/test/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    with TestClient(app) as client:
        yield client


def test_body_within_the_limit_is_read(echo_client: TestClient) -> None:
    # tiny_graph sets api_max_body_bytes=2048
    assert echo_client.post("/test/echo", content=b"x" * 2048).json() == {"bytes": 2048}


def test_declared_oversize_body_is_413(echo_client: TestClient, problem: Problem) -> None:
    body = problem(echo_client.post("/test/echo", content=b"x" * 2049), 413)
    assert body["type"] == "urn:credgraph:problem:body-too-large"
    assert "2048" in body["detail"]


def test_oversize_body_is_413_on_any_route(echo_client: TestClient, problem: Problem) -> None:
    problem(echo_client.post("/v1/search?q=x", content=b"x" * 5000), 413)


def test_streamed_oversize_body_is_413(echo_client: TestClient, problem: Problem) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"x" * 1000

    response = echo_client.post("/test/echo", content=chunks())
    assert "content-length" not in response.request.headers
    problem(response, 413)


# -- API key ------------------------------------------------------------------------------


def _keyed_app(tiny_graph: Any, key: str | None) -> FastAPI:
    settings = tiny_graph.app_settings(api_key=SecretStr(key) if key is not None else None)
    app = create_app(settings, tiny_graph.store, tiny_graph.search)

    @app.post("/v1/test/change", dependencies=[Depends(require_api_key)])
    def change() -> dict[str, bool]:
        return {"changed": True}

    return app


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-API-Key": "s3cret"}, 200),
        ({"x-api-key": "s3cret"}, 200),
        ({}, 401),
        ({"X-API-Key": "wrong"}, 401),
        ({"X-API-Key": ""}, 401),
    ],
)
def test_api_key_is_required_for_changes(
    tiny_graph: Any, problem: Problem, headers: dict[str, str], status: int
) -> None:
    with TestClient(_keyed_app(tiny_graph, "s3cret")) as client:
        response = client.post("/v1/test/change", headers=headers)
    if status == 200:
        assert response.json() == {"changed": True}
    else:
        body = problem(response, status)
        assert "s3cret" not in response.text
        assert body["type"] == "urn:credgraph:problem:unauthorized"
        assert response.headers["www-authenticate"] == "X-API-Key"


@pytest.mark.parametrize("key", [None, ""])
def test_changes_are_off_without_a_configured_key(
    tiny_graph: Any, problem: Problem, key: str | None
) -> None:
    with TestClient(_keyed_app(tiny_graph, key)) as client:
        response = client.post("/v1/test/change", headers={"X-API-Key": ""})
    assert problem(response, 403)["type"] == "urn:credgraph:problem:forbidden"


def test_reads_need_no_key(tiny_graph: Any) -> None:
    with TestClient(_keyed_app(tiny_graph, "s3cret")) as client:
        assert client.get("/v1/stats").status_code == 200


def test_api_key_scheme_is_documented(tiny_graph: Any) -> None:
    with TestClient(_keyed_app(tiny_graph, "s3cret")) as client:
        spec = client.get("/openapi.json").json()
    scheme = spec["components"]["securitySchemes"]["APIKeyHeader"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": scheme["description"],
    }
    assert spec["paths"]["/v1/test/change"]["post"]["security"] == [{"APIKeyHeader": []}]
