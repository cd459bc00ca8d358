"""The GraphStore contract on the embedded (SQLite) store, plus its own durability checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.models import Node, NodeKind
from tests.contract.store_contract import GraphStoreContract


class TestEmbeddedStore(GraphStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[EmbeddedGraphStore]:
        store = EmbeddedGraphStore(tmp_path / "graph.sqlite")
        yield store
        store.close()


def test_data_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "graph.sqlite"
    store = EmbeddedGraphStore(path)
    store.upsert_nodes([Node("a", NodeKind.SKILL, labels={"cs": "á"})])
    store.close()
    again = EmbeddedGraphStore(path)
    node = again.get_node("a")
    assert node is not None and node.labels == {"cs": "á"}
    again.close()


def test_not_a_database_gives_store_error(tmp_path: Path) -> None:
    from credgraph.errors import StoreUnavailableError

    path = tmp_path / "graph.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailableError, match="cannot open embedded store"):
        EmbeddedGraphStore(path)
