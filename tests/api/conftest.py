"""Fixtures for the API tests: in-process clients over real graphs.

``esco_client``: ESCO ISCO groups, occupations (en), the occupation hierarchy and the Czech
occupation labels from data/esco, ingested once per session into a temporary folder with
the product's own ingest and index build (about 3 minutes on a cold machine: embedding
~17k labels). It uses the suite's shared embedding cache (tests/conftest.py), so later
runs, and runs after the bundled ingest, skip the embedding.

``tiny_graph``: a hand-made graph (skill, credentials, outcomes, qualification,
competences) for what the bundled data does not have yet (ALIGNS_TO edges).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.runtime import make_embedder, run_ingest
from credgraph.search.service import SearchService
from tests.api.tinygraph import build_tiny_graph
from tests.conftest import test_settings as shared_test_settings

REPO = Path(__file__).resolve().parents[2]
ESCO_EN = REPO / "data" / "esco" / "v1.1.1_en"
ESCO_FILES = [
    ESCO_EN / "ISCOGroups_en.csv.gz",
    ESCO_EN / "occupations_en.csv.gz",
    ESCO_EN / "broaderRelationsOccPillar.csv.gz",
    REPO / "data" / "esco" / "cs" / "occupations_cs_labels_esco_v1.0.9.csv.gz",
]
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors"}


@pytest.fixture(scope="session")
def esco_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = shared_test_settings(tmp_path_factory.mktemp("api-esco"))
    embedder = make_embedder(settings)
    try:
        run_ingest(settings, ESCO_FILES, embedder=embedder)
    finally:
        embedder.cache.close()
    return settings


@pytest.fixture(scope="session")
def esco_store(esco_settings: Settings) -> Iterator[EmbeddedGraphStore]:
    store = EmbeddedGraphStore(esco_settings.store_path)
    yield store
    store.close()


@pytest.fixture(scope="session")
def esco_search(esco_settings: Settings, esco_store: EmbeddedGraphStore) -> Iterator[SearchService]:
    embedder = make_embedder(esco_settings)
    yield SearchService.load(esco_settings, embedder, esco_store)
    embedder.cache.close()


@pytest.fixture(scope="session")
def esco_client(
    esco_settings: Settings, esco_store: EmbeddedGraphStore, esco_search: SearchService
) -> Iterator[TestClient]:
    with TestClient(create_app(esco_settings, esco_store, esco_search)) as client:
        yield client


# -- a hand-made graph --------------------------------------------------------------------


@dataclass
class TinyGraph:
    settings: Settings
    store: EmbeddedGraphStore
    search: SearchService

    def app_settings(self, **changes: Any) -> Settings:
        return self.settings.model_copy(update=changes)


@pytest.fixture(scope="module")
def tiny_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyGraph]:
    settings = shared_test_settings(tmp_path_factory.mktemp("api-tiny")).model_copy(
        update={"api_max_body_bytes": 2048}
    )
    store, search, embedder = build_tiny_graph(settings)
    yield TinyGraph(settings, store, search)
    embedder.cache.close()
    store.close()


@pytest.fixture
def tiny_client(tiny_graph: TinyGraph) -> Iterator[TestClient]:
    app = create_app(tiny_graph.settings, tiny_graph.store, tiny_graph.search)
    with TestClient(app) as client:
        yield client


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem+json document with every member, for this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("urn:credgraph:problem:")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"loc", "msg", "type"}
    return body


@pytest.fixture
def problem() -> Callable[[Any, int], dict[str, Any]]:
    return assert_problem
