"""A hand-made graph for what the bundled data does not have yet (ALIGNS_TO edges):
a skill, two credentials (one aligned directly, one through a learning outcome), a
qualification aligned through a competence, an outcome without a credential and an
occupation that requires the skill."""

from __future__ import annotations

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind
from credgraph.runtime import make_embedder
from credgraph.search.embedder import CachedEmbedder
from credgraph.search.service import SearchService, build_search_index

SKILL = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000001"
OTHER_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000002"
CRED_DIRECT = "mc:test-direct"
CRED_VIA_OUTCOME = "mc:test-outcome"
OUTCOME = "mc:test-outcome#lo-1"
ORPHAN_OUTCOME = "mc:orphan#lo-1"
QUAL = "nsk:test-1"
COMPETENCE = "nsk:test-1#c-1"
OCCUPATION = "http://data.europa.eu/esco/occupation/00000000-0000-4000-8000-000000000003"


def _aligns(source: str, target: str, method: str) -> Edge:
    return Edge(
        source, EdgeKind.ALIGNS_TO, target, {"score": 0.9, "method": method, "source": "test"}
    )


def tiny_nodes_and_edges() -> tuple[list[Node], list[Edge]]:
    nodes = [
        Node(SKILL, NodeKind.SKILL, labels={"en": "weld metal", "cs": "svařovat kov"}),
        Node(OTHER_SKILL, NodeKind.SKILL, labels={"en": "bake bread"}),
        Node(
            CRED_DIRECT,
            NodeKind.CREDENTIAL,
            labels={"cs": "Svařování v ochranné atmosféře", "en": "Gas-shielded welding"},
        ),
        Node(CRED_VIA_OUTCOME, NodeKind.CREDENTIAL, labels={"en": "Arc welding basics"}),
        Node(OUTCOME, NodeKind.LEARNING_OUTCOME, labels={"en": "joins steel plates"}),
        Node(ORPHAN_OUTCOME, NodeKind.LEARNING_OUTCOME, labels={"en": "a lone outcome"}),
        Node(QUAL, NodeKind.QUALIFICATION, labels={"cs": "Svářeč"}, props={"eqf_level": 3}),
        Node(COMPETENCE, NodeKind.COMPETENCE, labels={"cs": "Svařování kovů"}),
        Node(OCCUPATION, NodeKind.OCCUPATION, labels={"en": "welder"}),
    ]
    edges = [
        _aligns(CRED_DIRECT, SKILL, "declared"),
        Edge(CRED_VIA_OUTCOME, EdgeKind.HAS_OUTCOME, OUTCOME),
        _aligns(OUTCOME, SKILL, "semantic"),
        _aligns(ORPHAN_OUTCOME, SKILL, "lexical"),
        Edge(QUAL, EdgeKind.HAS_COMPETENCE, COMPETENCE, {"level": 3}),
        _aligns(COMPETENCE, SKILL, "curated"),
        Edge(OCCUPATION, EdgeKind.REQUIRES, SKILL, {"relation": "essential"}),
        _aligns(CRED_DIRECT, OTHER_SKILL, "declared"),
    ]
    return nodes, edges


def build_tiny_graph(
    settings: Settings,
) -> tuple[EmbeddedGraphStore, SearchService, CachedEmbedder]:
    """The tiny graph in a fresh store under ``settings.data_dir``, with its search index."""
    store = EmbeddedGraphStore(settings.store_path)
    nodes, edges = tiny_nodes_and_edges()
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)
    embedder = make_embedder(settings)
    build_search_index(store, settings, embedder)
    return store, SearchService.load(settings, embedder, store), embedder
