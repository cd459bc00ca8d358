"""Copy a whole graph from one GraphStore to another (e.g. embedded → Neo4j)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from credgraph.graph.base import GraphStore
from credgraph.models import GraphCounts

T = TypeVar("T")
Progress = Callable[[str, int], None]


def _write_batches(
    items: Iterable[T],
    write: Callable[[Sequence[T]], int],
    batch_size: int,
    what: str,
    on_progress: Progress | None,
) -> int:
    batch: list[T] = []
    done = 0
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            done += write(batch)
            batch = []
            if on_progress:
                on_progress(what, done)
    done += write(batch)
    if on_progress:
        on_progress(what, done)
    return done


def copy_graph(
    source: GraphStore,
    target: GraphStore,
    *,
    batch_size: int = 2000,
    clear_target: bool = False,
    on_progress: Progress | None = None,
) -> GraphCounts:
    """Upsert every node, then every edge, of ``source`` into ``target`` in batches.

    Idempotent (stable ids). With ``clear_target`` the target is emptied first, so it ends
    up equal to the source. Returns the target's counts.
    """
    if clear_target:
        target.clear()
    _write_batches(source.iter_nodes(), target.upsert_nodes, batch_size, "nodes", on_progress)
    _write_batches(source.iter_edges(), target.upsert_edges, batch_size, "edges", on_progress)
    return target.counts()
