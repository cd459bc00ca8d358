"""The embedded GraphStore: one SQLite file, durable and transactional, zero setup.

Nodes and edges are rows with their attributes as JSON. SQLite gives atomic, durable
transactions (WAL journal); concurrent readers see the last committed state.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from credgraph.errors import StoreError, StoreUnavailableError
from credgraph.graph.base import Direction, neighbour_order
from credgraph.models import Edge, EdgeKind, GraphCounts, Node, NodeKind

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_kind ON nodes(kind);
CREATE TABLE IF NOT EXISTS edges (
    source TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    props TEXT NOT NULL,
    PRIMARY KEY (source, kind, target)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_target ON edges(target, kind);
CREATE INDEX IF NOT EXISTS edges_kind ON edges(kind);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _node_from_row(node_id: str, kind: str, data: str) -> Node:
    payload = json.loads(data)
    payload["id"] = node_id
    payload["kind"] = kind
    return Node.from_dict(payload)


def _node_data(node: Node) -> str:
    payload = node.to_dict()
    del payload["id"], payload["kind"]
    return _dumps(payload)


class EmbeddedGraphStore:
    """GraphStore on one SQLite file."""

    backend = "embedded"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.executescript(_SCHEMA)
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema {row[0]}, expected {SCHEMA_VERSION}",
                    hint="remove the data folder and ingest again",
                )
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailableError(
                f"cannot open embedded store {self.path}: {exc}",
                hint="check CREDGRAPH_DATA_DIR and file permissions",
            ) from exc
        self._lock = threading.RLock()
        self._depth = 0

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot start a transaction on {self.path}: {exc}") from exc
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            try:
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"commit failed on {self.path}: {exc}") from exc

    # -- writes -------------------------------------------------------------------------
    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        rows = [(n.id, n.kind.value, _node_data(n)) for n in nodes]
        if not rows:
            return 0
        with self.transaction():
            try:
                self._conn.executemany(
                    "INSERT INTO nodes(id, kind, data) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, data=excluded.data",
                    rows,
                )
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"writing nodes failed: {exc}") from exc
        return len(rows)

    def upsert_edges(self, edges: Iterable[Edge]) -> int:
        rows = [(e.source, e.kind.value, e.target, _dumps(e.props)) for e in edges]
        if not rows:
            return 0
        with self.transaction():
            try:
                self._conn.executemany(
                    "INSERT INTO edges(source, kind, target, props) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(source, kind, target) DO UPDATE SET props=excluded.props",
                    rows,
                )
            except sqlite3.IntegrityError as exc:
                missing = self._first_dangling(rows)
                raise StoreError(f"edge {missing} points to a node that does not exist") from exc
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"writing edges failed: {exc}") from exc
        return len(rows)

    def _first_dangling(self, rows: list[tuple[str, str, str, str]]) -> str:
        for source, kind, target, _ in rows:
            found = self.has_nodes([source, target])
            if len(found) < len({source, target}):
                return f"{source} -{kind}-> {target}"
        return "(unknown)"

    def delete_nodes(self, node_ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(node_ids))
        deleted = 0
        with self.transaction():
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                cur = self._conn.execute(f"DELETE FROM nodes WHERE id IN ({marks})", chunk)
                deleted += cur.rowcount
        return deleted

    def delete_edges(self, edges: Iterable[Edge]) -> int:
        rows = [(e.source, e.kind.value, e.target) for e in edges]
        if not rows:
            return 0
        with self.transaction():
            cur = self._conn.executemany(
                "DELETE FROM edges WHERE source = ? AND kind = ? AND target = ?", rows
            )
        return int(cur.rowcount)

    def clear(self) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM edges")
            self._conn.execute("DELETE FROM nodes")

    # -- reads --------------------------------------------------------------------------
    def get_node(self, node_id: str) -> Node | None:
        row = self._conn.execute(
            "SELECT id, kind, data FROM nodes WHERE id = ?", (node_id,)
        ).fetchone()
        return _node_from_row(*row) if row else None

    def get_nodes(self, node_ids: Sequence[str]) -> list[Node]:
        found: dict[str, Node] = {}
        for chunk in _chunks(list(dict.fromkeys(node_ids)), 500):
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT id, kind, data FROM nodes WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = _node_from_row(*row)
        return [found[i] for i in node_ids if i in found]

    def has_nodes(self, node_ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(node_ids)), 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self._conn.execute(f"SELECT id FROM nodes WHERE id IN ({marks})", chunk)
            )
        return found

    def iter_nodes(self, kind: NodeKind | None = None) -> Iterator[Node]:
        if kind is None:
            cur = self._conn.execute("SELECT id, kind, data FROM nodes ORDER BY id")
        else:
            cur = self._conn.execute(
                "SELECT id, kind, data FROM nodes WHERE kind = ? ORDER BY id", (kind.value,)
            )
        for row in cur.fetchall():
            yield _node_from_row(*row)

    def iter_edges(self, kind: EdgeKind | None = None) -> Iterator[Edge]:
        if kind is None:
            cur = self._conn.execute(
                "SELECT source, kind, target, props FROM edges ORDER BY source, kind, target"
            )
        else:
            cur = self._conn.execute(
                "SELECT source, kind, target, props FROM edges WHERE kind = ? "
                "ORDER BY source, kind, target",
                (kind.value,),
            )
        for source, k, target, props in cur.fetchall():
            yield Edge(source, EdgeKind(k), target, json.loads(props))

    def neighbours(
        self,
        node_id: str,
        edge_kinds: Iterable[EdgeKind] | None = None,
        direction: Direction = Direction.BOTH,
    ) -> list[tuple[Edge, Node]]:
        kinds = [k.value for k in edge_kinds] if edge_kinds is not None else None
        kind_sql = ""
        params: list[str] = []
        if kinds is not None:
            if not kinds:
                return []
            kind_sql = f" AND e.kind IN ({','.join('?' * len(kinds))})"
            params = kinds
        queries: list[tuple[str, list[str]]] = []
        if direction in (Direction.OUT, Direction.BOTH):
            queries.append(
                (
                    "SELECT e.source, e.kind, e.target, e.props, n.id, n.kind, n.data FROM edges e "
                    f"JOIN nodes n ON n.id = e.target WHERE e.source = ?{kind_sql}",
                    [node_id, *params],
                )
            )
        if direction in (Direction.IN, Direction.BOTH):
            queries.append(
                (
                    "SELECT e.source, e.kind, e.target, e.props, n.id, n.kind, n.data FROM edges e "
                    f"JOIN nodes n ON n.id = e.source WHERE e.target = ?{kind_sql}",
                    [node_id, *params],
                )
            )
        out: list[tuple[Edge, Node]] = []
        for sql, args in queries:
            for s, k, t, p, nid, nkind, ndata in self._conn.execute(sql, args):
                out.append(
                    (Edge(s, EdgeKind(k), t, json.loads(p)), _node_from_row(nid, nkind, ndata))
                )
        out.sort(key=neighbour_order)
        return out

    def subgraph(self, node_ids: Iterable[str]) -> tuple[list[Node], list[Edge]]:
        ids = list(dict.fromkeys(node_ids))
        nodes = self.get_nodes(ids)
        present = {n.id for n in nodes}
        edges: list[Edge] = []
        for chunk in _chunks(sorted(present), 500):
            marks = ",".join("?" * len(chunk))
            for s, k, t, p in self._conn.execute(
                f"SELECT source, kind, target, props FROM edges WHERE source IN ({marks})", chunk
            ):
                if t in present:
                    edges.append(Edge(s, EdgeKind(k), t, json.loads(p)))
        edges.sort(key=lambda e: e.key)
        return nodes, edges

    def counts(self) -> GraphCounts:
        nodes = dict(self._conn.execute("SELECT kind, COUNT(*) FROM nodes GROUP BY kind"))
        edges = dict(self._conn.execute("SELECT kind, COUNT(*) FROM edges GROUP BY kind"))
        return GraphCounts(
            nodes={str(k): int(v) for k, v in nodes.items()},
            edges={str(k): int(v) for k, v in edges.items()},
        )

    def close(self) -> None:
        self._conn.close()


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
