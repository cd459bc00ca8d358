"""Both backends give the same answers: the bundled ingest into a real Neo4j server gives the
embedded store's counts (`credgraph stats --json` identical), and search, node lookups,
neighbours, subgraphs and the API's read endpoints answer identically on both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.graph.neo4j_store import Neo4jGraphStore
from credgraph.models import NodeKind
from credgraph.runtime import make_embedder, open_search
from credgraph.search.service import SearchService
from tests.conftest import CACHE, Bundled
from tests.integration.test_query_pairs import PINNED

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@dataclass
class OnNeo4j:
    settings: Settings
    store: Neo4jGraphStore
    search: SearchService
    env: dict[str, str]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credgraph", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        env={**os.environ, **env},
    )


@pytest.fixture(scope="module")
def on_neo4j(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OnNeo4j]:
    data_dir = tmp_path_factory.mktemp("neo4j-bundled")
    env = {
        "CREDGRAPH_GRAPH_BACKEND": "neo4j",
        "CREDGRAPH_NEO4J_URI": neo4j_uri,
        "CREDGRAPH_DATA_DIR": str(data_dir),
        "CREDGRAPH_EMBEDDING_CACHE": str(CACHE / "embeddings-test.sqlite"),
    }
    fresh = Neo4jGraphStore(neo4j_uri)
    fresh.clear()
    fresh.close()
    done = _cli(env, "ingest")  # the whole main job, through the CLI, on Neo4j
    assert done.returncode == 0, done.stderr
    settings = Settings(
        data_dir=data_dir,
        graph_backend="neo4j",
        neo4j_uri=neo4j_uri,
        progress=False,
        embedding_cache=CACHE / "embeddings-test.sqlite",
    )
    store = Neo4jGraphStore(neo4j_uri)
    search = open_search(settings, store, make_embedder(settings))
    yield OnNeo4j(settings, store, search, env)
    store.close()


def test_stats_json_identical(bundled: Bundled, on_neo4j: OnNeo4j) -> None:
    neo = _cli(on_neo4j.env, "stats", "--json")
    emb = _cli({"CREDGRAPH_DATA_DIR": str(bundled.settings.data_dir)}, "stats", "--json")
    assert neo.returncode == emb.returncode == 0, neo.stderr + emb.stderr
    assert neo.stdout == emb.stdout
    assert json.loads(neo.stdout)["nodes"]["skill"] == 13_896


def test_search_identical(bundled: Bundled, on_neo4j: OnNeo4j) -> None:
    queries = [*sorted({q for _, _, q, _ in PINNED}), "svarec", "first aid"]
    for query in queries:
        a = [(h.id, round(h.score, 6)) for h in bundled.search.search(query, limit=10)]
        b = [(h.id, round(h.score, 6)) for h in on_neo4j.search.search(query, limit=10)]
        assert a == b, query
    filtered = {"kinds": [NodeKind.QUALIFICATION], "eqf_min": 3, "eqf_max": 4}
    assert [h.id for h in bundled.search.search("kuchař", **filtered)] == [  # type: ignore[arg-type]
        h.id
        for h in on_neo4j.search.search("kuchař", **filtered)  # type: ignore[arg-type]
    ]


def _sample_ids(store: EmbeddedGraphStore) -> list[str]:
    ids: list[str] = []
    for kind in NodeKind:
        ids += [n.id for n in list(store.iter_nodes(kind))[:7]]
    # nodes with many edges of several kinds
    ids += [
        "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b",
        "nsk:upk-26-99-H-08",
        "nsk:nsk-6",
        "mc:mc-017-678e9e64",
    ]
    return ids


def test_nodes_neighbours_subgraph_identical(bundled: Bundled, on_neo4j: OnNeo4j) -> None:
    ids = _sample_ids(bundled.store)
    emb_nodes = [n.to_dict() for n in bundled.store.get_nodes(ids)]
    neo_nodes = [n.to_dict() for n in on_neo4j.store.get_nodes(ids)]
    assert emb_nodes == neo_nodes and len(emb_nodes) == len(ids)
    for node_id in ids:
        a = [(e.to_dict(), n.id) for e, n in bundled.store.neighbours(node_id)]
        b = [(e.to_dict(), n.id) for e, n in on_neo4j.store.neighbours(node_id)]
        assert a == b, node_id
    sub_a = bundled.store.subgraph(ids)
    sub_b = on_neo4j.store.subgraph(ids)
    assert [e.to_dict() for e in sub_a[1]] == [e.to_dict() for e in sub_b[1]]


def test_api_answers_identical(bundled: Bundled, on_neo4j: OnNeo4j) -> None:
    urls = [
        "/v1/stats",
        "/v1/search?q=svářečům&limit=5&lang=en",
        "/v1/nodes/esco:occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b?limit=1000",
        "/v1/nodes/nsk:upk-26-99-H-08",
        "/v1/skills/esco:skill/1d21f6ad-340f-45da-a0a3-4e83867f47a6/credentials",
    ]
    with (
        TestClient(create_app(bundled.settings, bundled.store, bundled.search)) as emb,
        TestClient(create_app(on_neo4j.settings, on_neo4j.store, on_neo4j.search)) as neo,
    ):
        for url in urls:
            a, b = emb.get(url), neo.get(url)
            assert a.status_code == b.status_code == 200, url
            assert a.json() == b.json(), url


def test_copy_neo4j_to_embedded_and_back(
    bundled: Bundled, on_neo4j: OnNeo4j, tmp_path: Path
) -> None:
    env = {**on_neo4j.env, "CREDGRAPH_DATA_DIR": str(tmp_path)}
    done = _cli(env, "copy", "--to", "embedded", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == bundled.store.counts().to_dict()
    copied = EmbeddedGraphStore(tmp_path / "graph.sqlite")
    node = copied.get_node("nsk:nsk-6")
    assert node is not None and node.to_dict() == on_neo4j.store.get_node("nsk:nsk-6").to_dict()  # type: ignore[union-attr]
    copied.close()


def test_reasoning_identical(bundled: Bundled, on_neo4j: OnNeo4j) -> None:
    from credgraph.reasoning.stacking import stack_options

    cases = [
        ("nsk:upk-26-99-H-08", ["nsk:nsk-574"]),
        ("nsk:upk-23-99-H-14", []),
        ("nsk:upk-41-52-E-01", []),
        ("nsk:upk-kuchar-2009", []),
    ]
    for target, held in cases:
        assert stack_options(bundled.store, target, held) == stack_options(
            on_neo4j.store, target, held
        ), target


def test_recognition_pathways_and_competence_stacking_identical(
    bundled: Bundled, on_neo4j: OnNeo4j
) -> None:
    from credgraph.reasoning.service import Reasoner

    emb = Reasoner(bundled.store, bundled.settings, bundled.search.embedder)
    neo = Reasoner(on_neo4j.store, on_neo4j.settings, on_neo4j.search.embedder)
    cook = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
    for a, b in [("nsk:nsk-6", "nsk:nsk-9"), ("mc:mc-014-48c7c76d", "nsk:code-69-017-M")]:
        assert emb.recognise(a, b) == neo.recognise(a, b), (a, b)
    assert emb.stack("nsk:nsk-9", ["nsk:nsk-6"]) == neo.stack("nsk:nsk-9", ["nsk:nsk-6"])
    assert emb.pathways("nsk:upk-23-99-H-14") == neo.pathways("nsk:upk-23-99-H-14")
    assert emb.pathways(cook, ["nsk:nsk-6"]) == neo.pathways(cook, ["nsk:nsk-6"])
