"""An in-memory view of the parts of the graph reasoning reads.

Stacking, pathways and recognition touch many small neighbourhoods (competences, outcomes,
their alignments, skill hierarchy); one store query each would cost a Bolt round trip on
Neo4j. The view loads each edge kind once, on first use, with one ``iter_edges`` scan, and
the node kinds reasoning enumerates (qualifications, competences, credentials, outcomes)
at construction. Other nodes (skills, occupations) are fetched in batches and cached.

The view is a snapshot: a long-running server keeps it until restarted (as it keeps the
search index). Recorded recognition decisions are never cached: they are read from the
store on every request.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from credgraph.graph.base import GraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind

PRELOADED_KINDS = (
    NodeKind.QUALIFICATION,
    NodeKind.COMPETENCE,
    NodeKind.CREDENTIAL,
    NodeKind.LEARNING_OUTCOME,
)

# An NSK code (e.g. 69-017-M) or "NSK qualification 2054" (a register record id) named in
# an offer's title or in what it is issued as: the provider's own declaration that the offer
# leads to that qualification.
NSK_CODE = re.compile(r"\b(\d{2}-\d{3}-[A-Z])\b")
NSK_RECORD = re.compile(r"\bNSK qualification (\d{1,6})\b", re.IGNORECASE)
DECLARATION_FIELDS = ("title", "issued_as")


class ReasoningView:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._nodes: dict[str, Node] = {}
        self._by_kind: dict[NodeKind, list[Node]] = defaultdict(list)
        for kind in PRELOADED_KINDS:
            for node in store.iter_nodes(kind):
                self._nodes[node.id] = node
                self._by_kind[kind].append(node)
        self._out: dict[EdgeKind, dict[str, list[Edge]]] = {}
        self._in: dict[EdgeKind, dict[str, list[Edge]]] = {}
        self._codes: dict[str, list[str]] | None = None
        self._declared: dict[str, list[Edge]] = {}
        self._declared_into: dict[str, list[Edge]] | None = None

    # nodes

    def node(self, node_id: str) -> Node | None:
        if node_id not in self._nodes:
            self.fetch([node_id])
        return self._nodes.get(node_id)

    def fetch(self, node_ids: Iterable[str]) -> None:
        """Load (in one batch) the given nodes that are not cached yet."""
        missing = [i for i in dict.fromkeys(node_ids) if i not in self._nodes]
        if missing:
            for node in self.store.get_nodes(missing):
                self._nodes[node.id] = node

    def of_kind(self, kind: NodeKind) -> Sequence[Node]:
        return self._by_kind.get(kind, [])

    # edges

    def _load(self, kind: EdgeKind) -> None:
        out: dict[str, list[Edge]] = defaultdict(list)
        inn: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.store.iter_edges(kind):
            out[edge.source].append(edge)
            inn[edge.target].append(edge)
        for table in (out, inn):
            for edges in table.values():
                edges.sort(key=lambda e: (e.source, e.target))
        self._out[kind] = out
        self._in[kind] = inn

    def out(self, kind: EdgeKind, node_id: str) -> list[Edge]:
        if kind not in self._out:
            self._load(kind)
        return self._out[kind].get(node_id, [])

    def into(self, kind: EdgeKind, node_id: str) -> list[Edge]:
        if kind not in self._in:
            self._load(kind)
        return self._in[kind].get(node_id, [])

    def decisions(self, source: str, target: str) -> list[Edge]:
        """Recorded recognition decisions source → target (read fresh from the store)."""
        from credgraph.graph.base import Direction

        return [
            e
            for e, other in self.store.neighbours(source, [EdgeKind.RECOGNISED_AS], Direction.OUT)
            if other.id == target
        ]

    # declarations

    def qualifications_by_code(self) -> dict[str, list[str]]:
        """NSK code (and ``nsk-<record id>``) → qualification ids."""
        if self._codes is None:
            codes: dict[str, list[str]] = defaultdict(list)
            for node in self.of_kind(NodeKind.QUALIFICATION):
                for key in ("code", "upk_code"):
                    value = node.props.get(key)
                    if isinstance(value, str) and value:
                        codes[value].append(node.id)
                codes[node.id.removeprefix("nsk:")].append(node.id)
            self._codes = dict(codes)
        return self._codes

    def stacks_into(self, credential: Node) -> list[Edge]:
        """What a credential declares it leads to: STACKS_INTO edges from the sources, and
        NSK codes / record ids named in its title or ``issued_as`` (method ``declared``,
        with the field and the text that declares it)."""
        if credential.id in self._declared:
            return self._declared[credential.id]
        edges = list(self.out(EdgeKind.STACKS_INTO, credential.id))
        seen = {e.target for e in edges}
        codes = self.qualifications_by_code()
        for field in DECLARATION_FIELDS:
            text = credential.props.get(field)
            if not isinstance(text, str):
                continue
            refs = [(m, m) for m in NSK_CODE.findall(text)]
            refs += [(f"NSK qualification {m}", f"nsk-{m}") for m in NSK_RECORD.findall(text)]
            for named, key in refs:
                for target in codes.get(key, []):
                    if target in seen:
                        continue
                    seen.add(target)
                    edges.append(
                        Edge(
                            credential.id,
                            EdgeKind.STACKS_INTO,
                            target,
                            {"method": "declared", "field": field, "named": named},
                        )
                    )
        self._declared[credential.id] = edges
        return edges

    def declared_into(self, target: str) -> list[Edge]:
        """Declarations (as in ``stacks_into``) of every credential that lead to ``target``."""
        if self._declared_into is None:
            index: dict[str, list[Edge]] = defaultdict(list)
            for cred in self.of_kind(NodeKind.CREDENTIAL):
                for edge in self.stacks_into(cred):
                    index[edge.target].append(edge)
            self._declared_into = dict(index)
        return self._declared_into.get(target, [])
