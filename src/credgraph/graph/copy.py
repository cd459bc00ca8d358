"""Copy a whole graph from one GraphStore to another (e.g. embedded → Neo4j)."""

from __future__ import annotations

from collections.abc import Callable

from credgraph.graph.base import GraphStore
from credgraph.models import Edge, GraphCounts, Node


def copy_graph(
    source: GraphStore,
    target: GraphStore,
    *,
    batch_size: int = 2000,
    clear_target: bool = False,
    on_progress: Callable[[str, int], None] | None = None,
) -> GraphCounts:
    """Upsert every node, then every edge, of ``source`` into ``target`` in batches.

    Idempotent (stable ids). With ``clear_target`` the target is emptied first, so it ends
    up equal to the source. Returns the target's counts.
    """
    if clear_target:
        target.clear()
    nodes: list[Node] = []
    done = 0
    for node in source.iter_nodes():
        nodes.append(node)
        if len(nodes) >= batch_size:
            done += target.upsert_nodes(nodes)
            nodes = []
            if on_progress:
                on_progress("nodes", done)
    done += target.upsert_nodes(nodes)
    if on_progress:
        on_progress("nodes", done)
    edges: list[Edge] = []
    done = 0
    for edge in source.iter_edges():
        edges.append(edge)
        if len(edges) >= batch_size:
            done += target.upsert_edges(edges)
            edges = []
            if on_progress:
                on_progress("edges", done)
    done += target.upsert_edges(edges)
    if on_progress:
        on_progress("edges", done)
    return target.counts()
