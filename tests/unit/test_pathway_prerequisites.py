"""Pathway steps respect declared prerequisites (PREREQUISITE edges), on a hand-made graph
in a real embedded store. No embedder: matches here are by name (``same_name``), which the
matcher decides without one.

Target Q has competences "Alpha" and "Beta". X (EQF 4) teaches "Alpha", Y (EQF 3) teaches
"Beta" and requires Z (EQF 5), which teaches neither. The fewest covering items are {X, Y};
Z joins as Y's prerequisite. By EQF alone the order would be Y, X, Z; Y must wait for Z,
so the free steps are X (4) and Z (5): X, Z, Y.
"""

from __future__ import annotations

from pathlib import Path

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind
from credgraph.reasoning.service import Reasoner


def _credential(cid: str, eqf: int, outcome: str | None) -> tuple[list[Node], list[Edge]]:
    nodes = [Node(cid, NodeKind.CREDENTIAL, {"en": cid}, props={"eqf_level": eqf})]
    edges = []
    if outcome:
        nodes.append(Node(f"{cid}#lo-1", NodeKind.LEARNING_OUTCOME, {"en": outcome}))
        edges.append(Edge(cid, EdgeKind.HAS_OUTCOME, f"{cid}#lo-1"))
    return nodes, edges


def _store(tmp_path: Path, prerequisite: list[tuple[str, str]]) -> EmbeddedGraphStore:
    store = EmbeddedGraphStore(tmp_path / "graph.sqlite")
    nodes = [
        Node("nsk:q", NodeKind.QUALIFICATION, {"en": "Q"}, props={"eqf_level": 4}),
        Node("nsk:q#c-1", NodeKind.COMPETENCE, {"en": "Alpha"}),
        Node("nsk:q#c-2", NodeKind.COMPETENCE, {"en": "Beta"}),
    ]
    edges = [
        Edge("nsk:q", EdgeKind.HAS_COMPETENCE, "nsk:q#c-1"),
        Edge("nsk:q", EdgeKind.HAS_COMPETENCE, "nsk:q#c-2"),
    ]
    for cid, eqf, outcome in (("mc:x", 4, "Alpha"), ("mc:y", 3, "Beta"), ("mc:z", 5, None)):
        n, e = _credential(cid, eqf, outcome)
        nodes += n
        edges += e
    edges += [Edge(a, EdgeKind.PREREQUISITE, b) for a, b in prerequisite]
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)
    return store


def _steps(store: EmbeddedGraphStore, tmp_path: Path, have: list[str]) -> list[dict]:  # type: ignore[type-arg]
    reasoner = Reasoner(store, Settings(data_dir=tmp_path), None)
    answer = reasoner.pathways("nsk:q", have)
    (path, *_) = answer["pathways"]
    assert path["complete"] is True
    return path["steps"]  # type: ignore[no-any-return]


def test_a_prerequisite_joins_the_pathway_before_its_step(tmp_path: Path) -> None:
    steps = _steps(_store(tmp_path, [("mc:y", "mc:z")]), tmp_path, [])
    assert [(s["item"]["id"], s["reason"]) for s in steps] == [
        ("mc:x", "covers"),
        ("mc:z", "prerequisite"),
        ("mc:y", "covers"),
    ]
    assert steps[2]["prerequisites"] == ["mc:z"] and steps[1]["covers"] == []
    assert [s["cumulative"]["covered"] for s in steps] == [1, 1, 2]


def test_without_prerequisites_the_order_is_by_eqf(tmp_path: Path) -> None:
    steps = _steps(_store(tmp_path, []), tmp_path, [])
    assert [s["item"]["id"] for s in steps] == ["mc:y", "mc:x"]


def test_a_held_prerequisite_is_not_a_step(tmp_path: Path) -> None:
    steps = _steps(_store(tmp_path, [("mc:y", "mc:z")]), tmp_path, ["mc:z"])
    assert [s["item"]["id"] for s in steps] == ["mc:y", "mc:x"]
