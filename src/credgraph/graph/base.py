"""The GraphStore protocol: a small, domain-typed interface with no query language in it.

Contract every implementation honours (tests/contract/ checks it for every backend):
- ``upsert_nodes``/``upsert_edges`` insert or replace by identity (node id; edge
  (source, kind, target)); upserting the same item twice leaves one item. They return the
  number of items written. An edge whose source or target node does not exist raises
  ``StoreError`` and writes nothing of that batch.
- Writes inside ``with store.transaction():`` are all applied or none (an exception inside
  the block rolls back everything written in it). Outside a transaction each call is atomic.
  Nested ``transaction()`` blocks join the outer one.
- ``get_node`` returns None for an unknown id; ``get_nodes`` skips unknown ids and keeps order.
- ``neighbours`` returns (edge, other node) pairs, sorted by (edge kind, other id).
- ``delete_nodes`` removes the nodes and every edge touching them; ``delete_edges``
  removes edges by identity and returns how many existed.
- ``counts`` returns counts per node kind and per edge kind (kinds with 0 omitted).
- Errors from the underlying library are raised as ``StoreError`` (or a subclass).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from credgraph.models import Edge, EdgeKind, GraphCounts, Node, NodeKind

if TYPE_CHECKING:
    from credgraph.config import Settings


class Direction(StrEnum):
    OUT = "out"
    IN = "in"
    BOTH = "both"


@runtime_checkable
class GraphStore(Protocol):
    backend: str

    def upsert_nodes(self, nodes: Iterable[Node]) -> int: ...

    def upsert_edges(self, edges: Iterable[Edge]) -> int: ...

    def get_node(self, node_id: str) -> Node | None: ...

    def get_nodes(self, node_ids: Sequence[str]) -> list[Node]: ...

    def has_nodes(self, node_ids: Iterable[str]) -> set[str]:
        """The subset of ``node_ids`` that exist."""
        ...

    def iter_nodes(self, kind: NodeKind | None = None) -> Iterator[Node]: ...

    def iter_edges(self, kind: EdgeKind | None = None) -> Iterator[Edge]: ...

    def neighbours(
        self,
        node_id: str,
        edge_kinds: Iterable[EdgeKind] | None = None,
        direction: Direction = Direction.BOTH,
    ) -> list[tuple[Edge, Node]]: ...

    def subgraph(self, node_ids: Iterable[str]) -> tuple[list[Node], list[Edge]]:
        """The given nodes (those that exist) and every edge between two of them."""
        ...

    def delete_nodes(self, node_ids: Iterable[str]) -> int: ...

    def delete_edges(self, edges: Iterable[Edge]) -> int:
        """Remove edges by identity (source, kind, target); unknown ones are ignored."""
        ...

    def counts(self) -> GraphCounts: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def clear(self) -> None:
        """Remove every node and edge."""
        ...

    def close(self) -> None: ...


def neighbour_order(pair: tuple[Edge, Node]) -> tuple[str, str, str]:
    """The order ``neighbours`` returns: edge kind, other node id, edge source."""
    return (pair[0].kind.value, pair[1].id, pair[0].source)


def open_store(settings: Settings, *, create: bool = True) -> GraphStore:
    """Open the store the settings select; ``create=False`` refuses to start an empty one."""
    if settings.graph_backend == "embedded":
        from credgraph.graph.embedded import EmbeddedGraphStore

        if not create and not settings.store_path.exists():
            from credgraph.errors import StoreUnavailableError

            raise StoreUnavailableError(
                f"no graph in {settings.data_dir}",
                hint="run `credgraph ingest` first, or set CREDGRAPH_DATA_DIR / --data-dir",
            )
        return EmbeddedGraphStore(settings.store_path)
    from credgraph.errors import ConfigError
    from credgraph.graph.neo4j_store import Neo4jGraphStore

    if not settings.neo4j_uri:
        raise ConfigError(
            "CREDGRAPH_GRAPH_BACKEND=neo4j needs CREDGRAPH_NEO4J_URI",
            hint="e.g. CREDGRAPH_NEO4J_URI=neo4j://127.0.0.1:7687 (scripts/neo4j-server start)",
        )
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    return Neo4jGraphStore(
        settings.neo4j_uri,
        settings.neo4j_user,
        password,
        batch_size=settings.write_batch_size,
    )
