"""GraphStore on a real Neo4j 5 server through the official ``neo4j`` driver.

- Constraints and indexes are created idempotently when the store opens.
- Writes are batched ``UNWIND … MERGE`` statements (``batch_size`` rows each).
- Outside ``transaction()`` every call runs as a managed transaction
  (``execute_read``/``execute_write``), so transient errors (leader switch, deadlock) are
  retried by the driver; inside ``transaction()`` all writes share one explicit
  transaction, committed or rolled back as a whole.
- ``neo4j://`` routing URIs work (clusters, Aura); ``bolt://`` talks to one server.
- Driver errors are translated into ``StoreError``/``StoreUnavailableError``.
All Cypher lives in ``credgraph.graph.cypher``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from credgraph.errors import StoreError, StoreUnavailableError
from credgraph.graph import cypher
from credgraph.graph.base import Direction, neighbour_order
from credgraph.models import Edge, EdgeKind, GraphCounts, Node, NodeKind

T = TypeVar("T")
_ITER_BATCH = 5000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _node_row(node: Node) -> dict[str, Any]:
    payload = node.to_dict()
    del payload["id"], payload["kind"]
    return {
        "id": node.id,
        "kind": node.kind.value,
        "data": _dumps(payload),
        "label_cs": node.labels.get("cs"),
        "label_en": node.labels.get("en"),
    }


def _node_from(node_id: str, kind: str, data: str) -> Node:
    payload = json.loads(data)
    payload["id"] = node_id
    payload["kind"] = kind
    return Node.from_dict(payload)


def _flat(props: dict[str, Any]) -> dict[str, Any]:
    """Scalar props copied onto the relationship for analysts (``props`` keeps them all)."""
    return {
        k: v
        for k, v in props.items()
        if k != "props" and isinstance(v, str | int | float | bool) and not isinstance(v, dict)
    }


class Neo4jGraphStore:
    """GraphStore on Neo4j 5 (bolt:// or neo4j:// URIs)."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        *,
        database: str | None = None,
        batch_size: int = 2000,
    ) -> None:
        try:
            import neo4j
            from neo4j import exceptions as neo_errors
        except ImportError as exc:
            raise StoreUnavailableError(
                "the neo4j driver is not installed", hint="pip install 'credgraph[neo4j]'"
            ) from exc
        self._errors = neo_errors
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        auth = (user or "neo4j", password) if password else None
        driver = None
        try:
            # server notifications (e.g. "property does not exist yet" on an empty graph)
            # are not errors for us; keep them out of the log
            driver = neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
            driver.verify_connectivity()
        except (neo_errors.ServiceUnavailable, neo_errors.AuthError, ValueError) as exc:
            if driver is not None:
                driver.close()
            raise StoreUnavailableError(
                f"cannot reach Neo4j at {uri}: {exc}",
                hint="check CREDGRAPH_NEO4J_URI / USER / PASSWORD and that the server runs",
            ) from exc
        self._driver = driver
        self._local = threading.local()
        self._run_write(lambda tx: [tx.run(stmt).consume() for stmt in cypher.CONSTRAINTS])

    # -- plumbing -----------------------------------------------------------------------
    def _session(self) -> Any:
        return self._driver.session(database=self.database)

    def _translate(self, exc: Exception) -> StoreError:
        if isinstance(exc, self._errors.ServiceUnavailable | self._errors.SessionExpired):
            return StoreUnavailableError(
                f"Neo4j at {self.uri} is unavailable: {exc}", hint="check that the server runs"
            )
        return StoreError(f"Neo4j error: {exc}")

    def _current_tx(self) -> Any | None:
        return getattr(self._local, "tx", None)

    def _run_write(self, work: Callable[[Any], T]) -> T:
        tx = self._current_tx()
        try:
            if tx is not None:
                return work(tx)
            with self._session() as session:
                return session.execute_write(work)  # type: ignore[no-any-return]
        except StoreError:
            raise
        except self._errors.Neo4jError as exc:
            raise self._translate(exc) from exc
        except self._errors.DriverError as exc:
            raise self._translate(exc) from exc

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        tx = self._current_tx()

        def work(t: Any) -> list[dict[str, Any]]:
            return [record.data() for record in t.run(query, **params)]

        try:
            if tx is not None:
                return work(tx)
            with self._session() as session:
                return session.execute_read(work)  # type: ignore[no-any-return]
        except self._errors.Neo4jError as exc:
            raise self._translate(exc) from exc
        except self._errors.DriverError as exc:
            raise self._translate(exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._current_tx() is not None:
            yield  # nested: joins the outer transaction
            return
        try:
            session = self._session()
            tx = session.begin_transaction()
        except (self._errors.Neo4jError, self._errors.DriverError) as exc:
            raise self._translate(exc) from exc
        self._local.tx = tx
        try:
            yield
        except BaseException:
            self._local.tx = None
            try:
                tx.rollback()
            finally:
                session.close()
            raise
        self._local.tx = None
        try:
            tx.commit()
        except (self._errors.Neo4jError, self._errors.DriverError) as exc:
            raise self._translate(exc) from exc
        finally:
            session.close()

    # -- writes -------------------------------------------------------------------------
    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        by_kind: dict[NodeKind, list[dict[str, Any]]] = defaultdict(list)
        total = 0
        for node in nodes:
            by_kind[node.kind].append(_node_row(node))
            total += 1
        if not total:
            return 0

        def work(tx: Any) -> int:
            for kind, rows in by_kind.items():
                for start in range(0, len(rows), self.batch_size):
                    tx.run(cypher.upsert_nodes(kind), rows=rows[start : start + self.batch_size])
            return total

        return self._run_write(work)

    def upsert_edges(self, edges: Iterable[Edge]) -> int:
        by_kind: dict[EdgeKind, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
        for edge in edges:
            by_kind[edge.kind][(edge.source, edge.target)] = {
                "source": edge.source,
                "target": edge.target,
                "props": _dumps(edge.props),
                "flat": _flat(edge.props),
            }
        total = sum(len(rows) for rows in by_kind.values())
        if not total:
            return 0

        def work(tx: Any) -> int:
            for kind, keyed in by_kind.items():
                rows = list(keyed.values())
                for start in range(0, len(rows), self.batch_size):
                    chunk = rows[start : start + self.batch_size]
                    written = tx.run(cypher.upsert_edges(kind), rows=chunk).single()["written"]
                    if written != len(chunk):
                        ids = {r["source"] for r in chunk} | {r["target"] for r in chunk}
                        found = {r["id"] for r in tx.run(cypher.EXISTING_IDS, ids=list(ids))}
                        bad = next(
                            r for r in chunk if r["source"] not in found or r["target"] not in found
                        )
                        raise StoreError(
                            f"edge {bad['source']} -{kind.value}-> {bad['target']} points to a "
                            "node that does not exist"
                        )
            return total

        return self._run_write(work)

    def delete_nodes(self, node_ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return 0
        return self._run_write(
            lambda tx: int(tx.run(cypher.DELETE_NODES, ids=ids).single()["deleted"])
        )

    def delete_edges(self, edges: Iterable[Edge]) -> int:
        by_kind: dict[EdgeKind, list[dict[str, str]]] = defaultdict(list)
        for edge in edges:
            by_kind[edge.kind].append({"source": edge.source, "target": edge.target})
        if not by_kind:
            return 0

        def work(tx: Any) -> int:
            deleted = 0
            for kind, rows in by_kind.items():
                for start in range(0, len(rows), self.batch_size):
                    chunk = rows[start : start + self.batch_size]
                    deleted += int(
                        tx.run(cypher.delete_edges(kind), rows=chunk).single()["deleted"]
                    )
            return deleted

        return self._run_write(work)

    def clear(self) -> None:
        def work(tx: Any) -> int:
            return int(tx.run(cypher.CLEAR_BATCH, batch=10_000).single()["deleted"])

        while self._run_write(work):
            pass

    # -- reads --------------------------------------------------------------------------
    def get_node(self, node_id: str) -> Node | None:
        found = self.get_nodes([node_id])
        return found[0] if found else None

    def get_nodes(self, node_ids: Sequence[str]) -> list[Node]:
        unique = list(dict.fromkeys(node_ids))
        found: dict[str, Node] = {}
        for start in range(0, len(unique), _ITER_BATCH):
            for row in self._read(cypher.GET_NODES, ids=unique[start : start + _ITER_BATCH]):
                found[row["id"]] = _node_from(row["id"], row["kind"], row["data"])
        return [found[i] for i in node_ids if i in found]

    def has_nodes(self, node_ids: Iterable[str]) -> set[str]:
        unique = list(dict.fromkeys(node_ids))
        found: set[str] = set()
        for start in range(0, len(unique), _ITER_BATCH):
            found.update(
                r["id"]
                for r in self._read(cypher.EXISTING_IDS, ids=unique[start : start + _ITER_BATCH])
            )
        return found

    def iter_nodes(self, kind: NodeKind | None = None) -> Iterator[Node]:
        after = ""
        while True:
            if kind is None:
                rows = self._read(cypher.ITER_NODES, after=after, batch=_ITER_BATCH)
            else:
                rows = self._read(
                    cypher.ITER_NODES_OF_KIND, kind=kind.value, after=after, batch=_ITER_BATCH
                )
            for row in rows:
                yield _node_from(row["id"], row["kind"], row["data"])
            if len(rows) < _ITER_BATCH:
                return
            after = rows[-1]["id"]

    def iter_edges(self, kind: EdgeKind | None = None) -> Iterator[Edge]:
        skip = 0
        query = cypher.iter_edges(kind)
        while True:
            rows = self._read(query, skip=skip, batch=_ITER_BATCH)
            for row in rows:
                yield Edge(
                    row["source"],
                    EdgeKind(row["kind"]),
                    row["target"],
                    json.loads(row["props"] or "{}"),
                )
            if len(rows) < _ITER_BATCH:
                return
            skip += len(rows)

    def neighbours(
        self,
        node_id: str,
        edge_kinds: Iterable[EdgeKind] | None = None,
        direction: Direction = Direction.BOTH,
    ) -> list[tuple[Edge, Node]]:
        kinds = [k.value for k in edge_kinds] if edge_kinds is not None else None
        if kinds is not None and not kinds:
            return []
        queries = []
        if direction in (Direction.OUT, Direction.BOTH):
            queries.append(cypher.NEIGHBOURS_OUT)
        if direction in (Direction.IN, Direction.BOTH):
            queries.append(cypher.NEIGHBOURS_IN)
        out: list[tuple[Edge, Node]] = []
        for query in queries:
            for row in self._read(query, id=node_id, kinds=kinds):
                edge = Edge(
                    row["source"],
                    EdgeKind(row["kind"]),
                    row["target"],
                    json.loads(row["props"] or "{}"),
                )
                out.append(
                    (edge, _node_from(row["other_id"], row["other_kind"], row["other_data"]))
                )
        out.sort(key=neighbour_order)
        return out

    def subgraph(self, node_ids: Iterable[str]) -> tuple[list[Node], list[Edge]]:
        nodes = self.get_nodes(list(dict.fromkeys(node_ids)))
        present = [n.id for n in nodes]
        edges = [
            Edge(r["source"], EdgeKind(r["kind"]), r["target"], json.loads(r["props"] or "{}"))
            for r in self._read(cypher.SUBGRAPH_EDGES, ids=present)
        ]
        edges.sort(key=lambda e: e.key)
        return nodes, edges

    def counts(self) -> GraphCounts:
        nodes = {r["kind"]: int(r["n"]) for r in self._read(cypher.COUNT_NODES)}
        edges = {r["kind"]: int(r["n"]) for r in self._read(cypher.COUNT_EDGES)}
        return GraphCounts(nodes=nodes, edges=edges)

    def close(self) -> None:
        self._driver.close()
