"""What to export from a store, and writing it as Turtle or JSON-LD.

- ``select_subgraph(store, ids, depth)``: the given nodes, every node within ``depth``
  edges of them (either direction, any edge kind), and every edge between two selected
  nodes. An unknown id raises ``NotFoundError``; more than ``max_nodes`` selected nodes
  raise ``QueryError`` (the API's bound).
- ``write_export(store, out, fmt, ids=None)``: no ids → the whole graph, converted and
  written in chunks of nodes (with the edges that start at them), so memory stays bounded
  whatever the graph's size; the text equals that of converting it all at once, up to
  the order of statements.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from credgraph.config import Settings
from credgraph.errors import CredgraphError, NotFoundError, QueryError
from credgraph.export.rdf import (
    JSONLD_TAIL,
    graph_to_rdf,
    jsonld_head,
    jsonld_item_text,
    jsonld_items,
    to_turtle,
)
from credgraph.graph.base import GraphStore
from credgraph.models import Edge, Node, expand_id, short_id

RdfFormat = Literal["turtle", "json-ld"]
FORMATS: tuple[RdfFormat, ...] = ("turtle", "json-ld")
MEDIA_TYPES: dict[str, str] = {"turtle": "text/turtle", "json-ld": "application/ld+json"}
CHUNK_NODES = 2000


@dataclass(slots=True)
class ExportCounts:
    nodes: int = 0
    edges: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"nodes": self.nodes, "edges": self.edges}


def resolve_ids(store: GraphStore, ids: Sequence[str]) -> list[str]:
    """The stored ids of ``ids`` (``esco:`` prefixes expanded); unknown ones raise."""
    wanted = list(dict.fromkeys(expand_id(i) for i in ids))
    present = store.has_nodes(wanted)
    missing = [i for i in wanted if i not in present]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise NotFoundError(
            f"no node with id {short_id(missing[0])}{more}",
            hint="use a full URI, an esco: prefixed id, or an id from `credgraph search`",
        )
    return wanted


def select_subgraph(
    store: GraphStore, ids: Sequence[str], depth: int = 1, max_nodes: int | None = None
) -> tuple[list[Node], list[Edge]]:
    if depth < 0:
        raise QueryError(f"depth must be 0 or more, not {depth}")
    selected = dict.fromkeys(resolve_ids(store, ids))
    frontier = list(selected)
    for _ in range(depth):
        reached: list[str] = []
        for node_id in frontier:
            for _edge, other in store.neighbours(node_id):
                if other.id not in selected:
                    selected[other.id] = None
                    reached.append(other.id)
            if max_nodes is not None and len(selected) > max_nodes:
                raise QueryError(
                    f"the selection has more than {max_nodes} nodes",
                    hint="give fewer ids or a smaller depth, or export with `credgraph export`",
                )
        frontier = reached
    return store.subgraph(sorted(selected))


def whole_graph_chunks(
    store: GraphStore, chunk_nodes: int = CHUNK_NODES
) -> Iterator[tuple[list[Node], list[Edge]]]:
    """Every node, ``chunk_nodes`` at a time, each chunk with the edges starting at it."""
    outgoing: dict[str, list[Edge]] = defaultdict(list)
    for edge in store.iter_edges():
        outgoing[edge.source].append(edge)
    chunk: list[Node] = []
    for node in store.iter_nodes():
        chunk.append(node)
        if len(chunk) >= chunk_nodes:
            yield chunk, [e for n in chunk for e in outgoing.pop(n.id, [])]
            chunk = []
    if chunk:
        yield chunk, [e for n in chunk for e in outgoing.pop(n.id, [])]


def write_chunks(
    chunks: Iterator[tuple[list[Node], list[Edge]]],
    out: TextIO,
    fmt: RdfFormat,
    on_chunk: Callable[[int, int], None] | None = None,
) -> ExportCounts:
    """Write converted chunks as one Turtle or JSON-LD document."""
    counts = ExportCounts()
    prefixes: set[str] = set()
    first = True
    if fmt == "json-ld":
        out.write(jsonld_head())
    for nodes, edges in chunks:
        graph = graph_to_rdf(nodes, edges)
        if fmt == "turtle":
            _write_turtle_chunk(to_turtle(graph), out, prefixes)
        else:
            for item in jsonld_items(graph):
                out.write(("" if first else ",\n") + jsonld_item_text(item))
                first = False
        counts.nodes += len(nodes)
        counts.edges += len(edges)
        if on_chunk is not None:
            on_chunk(len(nodes), len(edges))
    if fmt == "json-ld":
        out.write(JSONLD_TAIL)
    return counts


def _write_turtle_chunk(text: str, out: TextIO, prefixes: set[str]) -> None:
    # Turtle allows @prefix between statements: each is written once, before first use
    head: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        (head if line.startswith("@prefix ") and not body else body).append(line)
    new = [line for line in head if line not in prefixes]
    prefixes.update(new)
    if new:
        out.write("\n".join(new) + "\n\n")
    content = "\n".join(body).strip("\n")
    if content:
        out.write(content + "\n\n")


def write_export(
    store: GraphStore,
    out: TextIO,
    fmt: RdfFormat,
    ids: Sequence[str] | None = None,
    depth: int = 1,
    max_nodes: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> ExportCounts:
    """The whole graph (``ids`` None or empty) or the selection around ``ids``."""
    if ids:
        chunks = iter([select_subgraph(store, ids, depth, max_nodes)])
    else:
        chunks = whole_graph_chunks(store)
    return write_chunks(chunks, out, fmt, on_chunk)


def export_text(
    store: GraphStore,
    fmt: RdfFormat,
    ids: Sequence[str],
    depth: int = 1,
    max_nodes: int | None = None,
) -> str:
    """The selection around ``ids`` as one Turtle or JSON-LD text."""
    buffer = io.StringIO()
    write_export(store, buffer, fmt, ids, depth, max_nodes)
    return buffer.getvalue()


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at ``path`` only once fully written (a failed export
    leaves no half file and keeps what was there)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_error(path: Path, exc: OSError) -> CredgraphError:
    return CredgraphError(
        f"cannot write {path}: {exc.strerror or exc}",
        hint="check that the folder exists and is writable",
    )


def export_cli(
    settings: Settings, fmt: RdfFormat, ids: Sequence[str], depth: int | None, out: Path | None
) -> ExportCounts:
    """``credgraph export``: the store of ``settings`` to ``out`` (stdout when None), with a
    progress bar on stderr for the whole graph."""
    import sys

    from tqdm import tqdm

    from credgraph.graph import open_store

    store = open_store(settings, create=False)
    bar: Any = None  # a tqdm bar once the export starts

    def on_chunk(nodes: int, _edges: int) -> None:
        if bar is not None:
            bar.update(nodes)

    def write(fh: TextIO) -> ExportCounts:
        nonlocal bar
        if not ids and settings.progress:
            total = sum(store.counts().nodes.values())
            bar = tqdm(total=total, desc="export", unit="node", leave=False, dynamic_ncols=True)
        return write_export(store, fh, fmt, ids, 1 if depth is None else depth, None, on_chunk)

    try:
        if out is not None:
            with atomic_text_file(out) as fh:
                return write(fh)
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
        try:
            return write(stream)
        finally:
            stream.flush()
            stream.detach()
    finally:
        if bar is not None:
            bar.close()
        store.close()
