"""Reading RDF files back: Turtle or JSON-LD text → rdflib graph → the store.

JSON-LD is parsed only when every ``@context`` in it (and every ``@import``) is an inline
object: a context named by URL would make rdflib fetch it, and credgraph never fetches
(DESIGN.md, Ingest). Such a document is refused with an ``InputError`` before rdflib sees it.

``ingest_rdf_file`` writes one file in one transaction: the nodes it states and the edges
whose two ends are in the file or already stored; an edge to a node that is neither is
skipped and counted, a record that cannot be read is counted as failed (both with the
resource's IRI), and nothing is written when the file itself cannot be parsed.
"""

from __future__ import annotations

import gzip
import warnings
import zlib
from pathlib import Path
from typing import Any

from rdflib import Graph

from credgraph.config import Settings
from credgraph.errors import InputError, UnsupportedFormatError
from credgraph.export.rdf import rdf_to_graph
from credgraph.graph.base import GraphStore
from credgraph.ingest.common import write_batches
from credgraph.ingest.report import IngestReport

MAX_RDF_BYTES = 4 * 1024**3  # a whole-graph export of the bundled data is a few hundred MB
TURTLE_SUFFIXES = (".ttl", ".ttl.gz")
JSONLD_SUFFIXES = (".jsonld", ".jsonld.gz", ".json", ".json.gz")


def rdf_format_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(TURTLE_SUFFIXES):
        return "turtle"
    if name.endswith(JSONLD_SUFFIXES):
        return "json-ld"
    raise InputError(
        "not an RDF file credgraph reads",
        source=str(path),
        hint="credgraph reads its own exports: .ttl or .jsonld (optionally .gz)",
    )


def remote_contexts(doc: Any) -> list[str]:
    """Every context a JSON-LD document names by reference (URL) rather than inline."""
    found: list[str] = []
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    refs = value if isinstance(value, list) else [value]
                    found += [str(r) for r in refs if not isinstance(r, dict | type(None))]
                stack.append(value)
    return found


def parse_rdf_text(text: str, fmt: str, source: str) -> Graph:
    graph = Graph()
    if fmt == "json-ld":
        from credgraph.ingest.readers import parse_json_document

        doc = parse_json_document(text.encode("utf-8"), source, MAX_RDF_BYTES)
        remote = remote_contexts(doc)
        if remote:
            raise InputError(
                f"JSON-LD context {remote[0][:200]!r} is not inline (never fetched)",
                source=source,
                hint="credgraph reads JSON-LD exports with an inline @context; "
                "convert other RDF to Turtle first",
            )
    try:
        with warnings.catch_warnings():
            # rdflib 7's JSON-LD parser builds a ConjunctiveGraph internally and warns that
            # the class is deprecated: rdflib's own business, not the caller's
            warnings.filterwarnings(
                "ignore", "ConjunctiveGraph is deprecated", category=DeprecationWarning
            )
            graph.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many types; all mean bad input here
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise InputError(
            f"not valid {'Turtle' if fmt == 'turtle' else 'JSON-LD'}: "
            f"{type(exc).__name__}: {reason}",
            source=source,
            hint="is the file complete? credgraph reads the files `credgraph export` writes",
        ) from exc
    return graph


def read_rdf_file(path: Path) -> Graph:
    fmt = rdf_format_of(path)
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as fh:
            raw = fh.read(MAX_RDF_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    if len(raw) > MAX_RDF_BYTES:
        raise InputError(f"larger than {MAX_RDF_BYTES} bytes", source=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte {exc.start})", source=str(path), hint="RDF text is UTF-8"
        ) from exc
    return parse_rdf_text(text, fmt, str(path))


def ingest_rdf_file(store: GraphStore, path: Path, settings: Settings) -> IngestReport:
    report = IngestReport(source=str(path), format="rdf")
    graph = read_rdf_file(path)

    def failed(location: str, reason: str) -> None:
        report.fail(f"{path} {location}", reason)

    nodes, edges = rdf_to_graph(graph, on_problem=failed)
    if not nodes and not edges and not report.rows_failed:
        raise UnsupportedFormatError(
            f"RDF with no credgraph records ({len(graph)} triples of another vocabulary)",
            source=str(path),
            hint="credgraph reads back its own RDF exports; ingest ELM credentials as JSON-LD",
        )
    report.rows_read = len(nodes) + len(edges) + report.rows_failed
    in_file = {n.id for n in nodes}
    outside = {i for e in edges for i in (e.source, e.target)} - in_file
    present = store.has_nodes(sorted(outside)) if outside else set()
    known = in_file | present
    kept = []
    for edge in edges:
        if edge.source in known and edge.target in known:
            kept.append(edge)
        else:
            missing = edge.source if edge.source not in known else edge.target
            report.skip(
                f"{path} {edge.source} {edge.kind.value} {edge.target}",
                f"{missing} is neither in the file nor in the graph",
                key="edge_end_absent",
            )
    write_batches(store, nodes, kept, report, batch_size=settings.write_batch_size)
    report.rows_stored = len(nodes) + len(kept)
    return report
