"""The same GraphStore contract, unchanged, on a real Neo4j 5 server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from credgraph.errors import StoreUnavailableError
from credgraph.graph.neo4j_store import Neo4jGraphStore
from tests.contract.store_contract import GraphStoreContract

pytestmark = pytest.mark.neo4j


class TestNeo4jStore(GraphStoreContract):
    @pytest.fixture
    def store(self, neo4j_uri: str) -> Iterator[Neo4jGraphStore]:
        store = Neo4jGraphStore(neo4j_uri, batch_size=500)
        store.clear()  # every test starts from an empty graph
        yield store
        store.clear()
        store.close()


def test_routing_uri_works(neo4j_uri: str) -> None:
    routed = neo4j_uri.replace("bolt://", "neo4j://")
    store = Neo4jGraphStore(routed)
    assert store.counts() is not None
    store.close()


def test_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreUnavailableError, match="cannot reach Neo4j"):
        Neo4jGraphStore("bolt://127.0.0.1:1")


def test_constraint_exists(neo4j_uri: str) -> None:
    store = Neo4jGraphStore(neo4j_uri)
    rows = store._read("SHOW CONSTRAINTS YIELD name RETURN name")
    assert "credgraph_node_id" in {r["name"] for r in rows}
    store.close()
