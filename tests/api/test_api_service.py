"""/v1/stats, /v1/health, the offline docs, the OpenAPI document, startup and serve()."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from credgraph.api.cursor import decode_cursor, encode_cursor
from credgraph.api.errors import ParameterError
from credgraph.api.routes_documents import documents_router
from credgraph.api.routes_export import export_router
from credgraph.api.routes_meta import meta_router
from credgraph.api.routes_nodes import nodes_router
from credgraph.api.routes_reasoning import reasoning_router
from credgraph.api.routes_search import search_router
from credgraph.api.server import server_url
from credgraph.config import Settings

Problem = Callable[[Any, int], dict[str, Any]]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}


def test_stats_equal_the_store_counts(esco_client: TestClient, esco_store: Any) -> None:
    body = esco_client.get("/v1/stats").json()
    assert body == esco_store.counts().to_dict()
    # rows of ISCOGroups_en.csv.gz and occupations_en.csv.gz (`zcat | grep -c ^ISCOGroup`,
    # `grep -c ^Occupation,`)
    assert body["nodes"] == {"isco_group": 619, "occupation": 3007}
    assert set(body["edges"]) == {"BROADER"}


def test_health(esco_client: TestClient, esco_search: Any) -> None:
    body = esco_client.get("/v1/health").json()
    assert body == {
        "status": "ok",
        "backend": "embedded",
        "index": {
            "model_id": esco_search.manifest["model_id"],
            "entities": 619 + 3007,
            "built_at": esco_search.manifest["built_at"],
        },
    }
    assert body["index"]["model_id"].startswith("intfloat/multilingual-e5-small")


def test_health_says_stale_after_the_graph_changed(esco_settings: Any, tmp_path: Path) -> None:
    # the server keeps the index it loaded; an ingest meanwhile changes the graph's counts
    import shutil

    from credgraph.api import create_app
    from credgraph.graph.embedded import EmbeddedGraphStore
    from credgraph.models import Node, NodeKind
    from credgraph.runtime import make_embedder, open_search
    from credgraph.search.service import build_search_index

    shutil.copytree(esco_settings.data_dir, tmp_path / "data")  # not the shared fixture's
    settings = esco_settings.model_copy(update={"data_dir": tmp_path / "data"})
    store = EmbeddedGraphStore(settings.store_path)
    try:
        search = open_search(settings, store)
        with TestClient(create_app(settings, store, search)) as client:
            assert client.get("/v1/health").json()["status"] == "ok"
            # an ingest meanwhile (another process, in life): new node, index rebuilt on disk
            store.upsert_nodes([Node("nsk:late", NodeKind.QUALIFICATION, {"cs": "pozdě"})])
            embedder = make_embedder(settings)
            try:
                build_search_index(store, settings, embedder)
            finally:
                embedder.cache.close()
            assert client.get("/v1/health").json()["status"] == "stale"
    finally:
        store.close()


# -- docs ---------------------------------------------------------------------------------


def _external_urls(text: str) -> list[str]:
    urls = re.findall(r"""https?://([^/\s"'<>)]+)""", text)
    return [u for u in urls if u.split(":")[0] not in LOCAL_HOSTS and u not in LOCAL_HOSTS]


def _local_assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_other_hosts(tiny_client: TestClient, page: str) -> None:
    response = tiny_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert _external_urls(html) == []
    assert "/openapi.json" in html
    assets = _local_assets(html)
    assert assets, "the page should load its script from this server"
    for asset in assets:
        assert asset.startswith("/docs/assets/")
        fetched = tiny_client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 1000


def test_swagger_ui_does_not_call_the_online_validator(tiny_client: TestClient) -> None:
    assert '"validatorUrl": null' in tiny_client.get("/docs").text


def test_openapi_lists_every_v1_route(tiny_client: TestClient, tiny_graph: Any) -> None:
    spec = tiny_client.get("/openapi.json").json()
    routers = (
        search_router(tiny_graph.settings),
        nodes_router(),
        meta_router(),
        reasoning_router(),
        documents_router(),
        export_router(),
    )
    declared = {"/v1" + getattr(r, "path", "") for router in routers for r in router.routes}
    v1 = {re.sub(r"\{(\w+):path\}", r"{\1}", p) for p in declared}
    assert v1 == {
        "/v1/search",
        "/v1/nodes/{id}",
        "/v1/skills/{id}/credentials",
        "/v1/stats",
        "/v1/health",
        "/v1/stacking",
        "/v1/pathways",
        "/v1/recognition",
        "/v1/recognition/decisions",
        "/v1/validate",
        "/v1/verify",
        "/v1/export",
        "/v1/credentials/{id}/elm",
    }
    assert set(spec["paths"]) == v1
    for path, item in spec["paths"].items():
        for operation in item.values():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert response["content"] == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    }, (path, code)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    limit = next(
        p for p in spec["paths"]["/v1/search"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 100  # the server's search_max_limit


# -- startup ------------------------------------------------------------------------------


def test_app_opens_store_and_search_from_settings(tiny_graph: Any) -> None:
    with TestClient(create_app(tiny_graph.settings)) as client:
        assert client.get("/v1/stats").json() == tiny_graph.store.counts().to_dict()
        hits = client.get("/v1/search", params={"q": "svářeč"}).json()["results"]
        assert hits[0]["id"] == "nsk:test-1"


def test_missing_index_fails_at_startup(tmp_path: Path) -> None:
    from credgraph.errors import IndexMismatchError

    app = create_app(Settings(data_dir=tmp_path, progress=False))
    with pytest.raises(IndexMismatchError), TestClient(app):
        pass


def test_routes_answer_503_before_startup(tiny_graph: Any, problem: Problem) -> None:
    client = TestClient(create_app(tiny_graph.settings))  # no `with`: no lifespan
    problem(client.get("/v1/stats"), 503)


# -- cursors ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0, 1, 10, 999])
def test_cursor_round_trip(offset: int) -> None:
    cursor = encode_cursor(offset)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert decode_cursor(cursor) == offset


@pytest.mark.parametrize("cursor", ["%%", "abc", "bzotMQ", "eDox", "o:5", "b" * 65])
def test_invalid_cursors(cursor: str) -> None:
    with pytest.raises(ParameterError):
        decode_cursor(cursor)


# -- serve() ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:80"),
        ("::1", "http://[::1]:80"),
        ("localhost", "http://localhost:80"),
    ],
)
def test_server_url(host: str, url: str) -> None:
    assert server_url(host, 80) == url


def _children(pid: int) -> set[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (an exited one waiting to be reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prints_its_url_and_answers(tiny_graph: Any, workers: int) -> None:
    # search_max_limit=7 is not the default: a worker process (workers=2) only knows it if
    # serve() handed the settings down, so limit=8 must be refused there too
    code = (
        "import sys; from pathlib import Path; from credgraph.config import Settings; "
        "from credgraph.api import serve; "
        "serve(Settings(data_dir=Path(sys.argv[1]), progress=False, search_max_limit=7), "
        f"'127.0.0.1', 0, workers={workers})"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tiny_graph.settings.data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/v1", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        base = match.group(1)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/v1/health", timeout=5) as response:
                    status, body = response.status, json.loads(response.read())
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 200
        assert body["status"] == "ok"
        query = urllib.parse.urlencode({"q": "svářeč", "limit": 8})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/v1/search?{query}", timeout=30)
        assert refused.value.code == 422
        refused.value.close()  # an HTTPError holds the response's socket
        query = urllib.parse.urlencode({"q": "svářeč", "limit": 7})
        with urllib.request.urlopen(f"{base}/v1/search?{query}", timeout=30) as response:
            assert response.status == 200
        if workers > 1:
            # uvicorn's supervisor and its worker processes (plus multiprocessing's helpers)
            assert len(_children(proc.pid)) >= workers
    finally:
        children = _children(proc.pid)
        proc.terminate()
        proc.communicate(timeout=30)
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in children):
        assert time.monotonic() < deadline, "worker processes outlived the server"
        time.sleep(0.2)


@pytest.mark.parametrize(
    "damaged", ["dense_doc_entity.npy", "lexical_words.npz", "entities.json", "manifest.json"]
)
def test_a_damaged_index_file_is_one_error_naming_the_index(
    tiny_graph: Any, tmp_path: Path, damaged: str
) -> None:
    import shutil

    from credgraph.errors import IndexMismatchError
    from credgraph.search.service import SearchService

    copy = tmp_path / "data"
    shutil.copytree(tiny_graph.settings.data_dir / "index", copy / "index")
    (copy / "index" / damaged).write_bytes(b"")  # truncated to nothing
    settings = tiny_graph.settings.model_copy(update={"data_dir": copy})
    with pytest.raises(IndexMismatchError, match="cannot read") as refused:
        SearchService.load(settings, tiny_graph.search.embedder)
    assert refused.value.hint is not None and "credgraph ingest" in refused.value.hint
