"""The GraphStore contract, written once for every backend.

A backend's test module subclasses ``GraphStoreContract`` and provides a ``store`` fixture
that yields an empty store; nothing else changes between backends.
"""

from __future__ import annotations

import pytest

from credgraph.errors import StoreError
from credgraph.graph.base import Direction, GraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind

SKILL = "http://data.europa.eu/esco/skill/s1"
SKILL2 = "http://data.europa.eu/esco/skill/s2"
OCC = "http://data.europa.eu/esco/occupation/o1"


def _seed(store: GraphStore) -> None:
    store.upsert_nodes(
        [
            Node(
                SKILL,
                NodeKind.SKILL,
                labels={"en": "weld metal", "cs": "svařovat kov"},
                alt_labels={"en": ["metal welding", "welding"]},
                props={"skill_type": "skill/competence", "collections": ["green"]},
            ),
            Node(SKILL2, NodeKind.SKILL, labels={"en": "read drawings"}),
            Node(
                OCC,
                NodeKind.OCCUPATION,
                labels={"en": "welder", "cs": "svářeč"},
                props={"isco_code": "7212", "nested": {"a": [1, 2.5, None, True]}},
            ),
        ]
    )
    store.upsert_edges(
        [
            Edge(OCC, EdgeKind.REQUIRES, SKILL, {"relation": "essential"}),
            Edge(OCC, EdgeKind.REQUIRES, SKILL2, {"relation": "optional"}),
            Edge(SKILL, EdgeKind.RELATED_SKILL, SKILL2, {}),
        ]
    )


class GraphStoreContract:
    """Inherit and provide a ``store`` fixture yielding an empty GraphStore."""

    def test_is_a_graph_store(self, store: GraphStore) -> None:
        assert isinstance(store, GraphStore)
        assert store.counts().to_dict() == {"nodes": {}, "edges": {}}

    def test_round_trip_keeps_every_field(self, store: GraphStore) -> None:
        _seed(store)
        node = store.get_node(OCC)
        assert node is not None
        assert node.kind is NodeKind.OCCUPATION
        assert node.labels == {"en": "welder", "cs": "svářeč"}
        assert node.props == {"isco_code": "7212", "nested": {"a": [1, 2.5, None, True]}}
        skill = store.get_node(SKILL)
        assert skill is not None and skill.alt_labels == {"en": ["metal welding", "welding"]}

    def test_unknown_node_is_none(self, store: GraphStore) -> None:
        assert store.get_node("nope") is None
        assert store.get_nodes(["nope"]) == []

    def test_get_nodes_keeps_order_and_skips_unknown(self, store: GraphStore) -> None:
        _seed(store)
        got = store.get_nodes([SKILL2, "nope", OCC, SKILL])
        assert [n.id for n in got] == [SKILL2, OCC, SKILL]
        assert store.has_nodes([SKILL, "nope"]) == {SKILL}

    def test_upsert_is_idempotent_and_replaces(self, store: GraphStore) -> None:
        _seed(store)
        _seed(store)
        counts = store.counts()
        assert counts.nodes == {"skill": 2, "occupation": 1}
        assert counts.edges == {"REQUIRES": 2, "RELATED_SKILL": 1}
        store.upsert_nodes([Node(SKILL2, NodeKind.SKILL, labels={"en": "read plans"})])
        store.upsert_edges([Edge(OCC, EdgeKind.REQUIRES, SKILL2, {"relation": "essential"})])
        node = store.get_node(SKILL2)
        assert node is not None and node.labels == {"en": "read plans"}
        edges = [e for e in store.iter_edges(EdgeKind.REQUIRES) if e.target == SKILL2]
        assert [e.props for e in edges] == [{"relation": "essential"}]
        assert store.counts().edges["REQUIRES"] == 2

    def test_edge_to_missing_node_fails_and_writes_nothing(self, store: GraphStore) -> None:
        _seed(store)
        with pytest.raises(StoreError):
            store.upsert_edges(
                [
                    Edge(SKILL2, EdgeKind.RELATED_SKILL, SKILL, {}),
                    Edge(OCC, EdgeKind.REQUIRES, "http://missing", {}),
                ]
            )
        assert store.counts().edges == {"REQUIRES": 2, "RELATED_SKILL": 1}

    def test_transaction_rolls_back_everything(self, store: GraphStore) -> None:
        _seed(store)
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert_nodes([Node("x1", NodeKind.SKILL, labels={"en": "x"})])
            store.upsert_edges([Edge("x1", EdgeKind.RELATED_SKILL, SKILL, {})])
            with store.transaction():  # nested: joins the outer one
                store.upsert_nodes([Node("x2", NodeKind.SKILL)])
            raise RuntimeError("boom")
        assert store.get_node("x1") is None
        assert store.get_node("x2") is None
        assert store.counts().nodes == {"skill": 2, "occupation": 1}

    def test_transaction_commits(self, store: GraphStore) -> None:
        with store.transaction():
            store.upsert_nodes([Node("x1", NodeKind.SKILL)])
            store.upsert_nodes([Node("x2", NodeKind.SKILL)])
            store.upsert_edges([Edge("x1", EdgeKind.RELATED_SKILL, "x2", {})])
        assert store.counts().to_dict() == {"nodes": {"skill": 2}, "edges": {"RELATED_SKILL": 1}}

    def test_neighbours_by_direction_and_kind(self, store: GraphStore) -> None:
        _seed(store)
        out = store.neighbours(OCC, direction=Direction.OUT)
        assert [(e.kind, n.id) for e, n in out] == [
            (EdgeKind.REQUIRES, SKILL),
            (EdgeKind.REQUIRES, SKILL2),
        ]
        inc = store.neighbours(SKILL2, direction=Direction.IN)
        assert [(e.kind, n.id) for e, n in inc] == [
            (EdgeKind.RELATED_SKILL, SKILL),
            (EdgeKind.REQUIRES, OCC),
        ]
        only = store.neighbours(SKILL2, [EdgeKind.REQUIRES])
        assert [(e.source, e.props) for e, _ in only] == [(OCC, {"relation": "optional"})]
        assert store.neighbours(SKILL2, []) == []
        assert store.neighbours("nope") == []

    def test_subgraph(self, store: GraphStore) -> None:
        _seed(store)
        nodes, edges = store.subgraph([OCC, SKILL, "nope"])
        assert {n.id for n in nodes} == {OCC, SKILL}
        assert [e.key for e in edges] == [(OCC, "REQUIRES", SKILL)]

    def test_iteration(self, store: GraphStore) -> None:
        _seed(store)
        assert [n.id for n in store.iter_nodes(NodeKind.SKILL)] == sorted([SKILL, SKILL2])
        assert len(list(store.iter_nodes())) == 3
        assert len(list(store.iter_edges())) == 3
        assert [e.kind for e in store.iter_edges(EdgeKind.RELATED_SKILL)] == [
            EdgeKind.RELATED_SKILL
        ]

    def test_delete_removes_touching_edges(self, store: GraphStore) -> None:
        _seed(store)
        assert store.delete_nodes([SKILL, "nope"]) == 1
        assert store.get_node(SKILL) is None
        assert store.counts().edges == {"REQUIRES": 1}
        store.clear()
        assert store.counts().to_dict() == {"nodes": {}, "edges": {}}

    def test_delete_edges_by_identity(self, store: GraphStore) -> None:
        _seed(store)
        gone = store.delete_edges(
            [
                Edge(OCC, EdgeKind.REQUIRES, SKILL2),
                Edge(OCC, EdgeKind.RELATED_SKILL, SKILL2),  # no such edge: ignored
            ]
        )
        assert gone == 1
        assert store.counts().edges == {"REQUIRES": 1, "RELATED_SKILL": 1}
        assert store.get_node(SKILL2) is not None  # nodes stay
        assert store.delete_edges([]) == 0

    def test_unicode_and_large_batches(self, store: GraphStore) -> None:
        nodes = [
            Node(f"n{i}", NodeKind.SKILL, labels={"cs": f"řízení č. {i} \u200b"})
            for i in range(2500)
        ]
        assert store.upsert_nodes(nodes) == 2500
        edges = [Edge(f"n{i}", EdgeKind.BROADER, f"n{i + 1}", {}) for i in range(2499)]
        assert store.upsert_edges(edges) == 2499
        node = store.get_node("n1234")
        assert node is not None and node.labels["cs"] == "řízení č. 1234 \u200b"
        assert store.counts().to_dict() == {"nodes": {"skill": 2500}, "edges": {"BROADER": 2499}}
