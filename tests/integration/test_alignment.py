"""Skill alignment on the bundled data (real model, real data).

Expected skills come from the hand-labelled set benchmarks/alignment_gold.tsv, built by
reading ESCO skill descriptions without looking at system output (alignment_gold.md). The
pinned cases are unambiguous ones the dense aligner gets right at rank 1; the quality over
the whole set (precision@1, recall@5) is reported in benchmarks/RESULTS.md, not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from credgraph.graph.copy import copy_graph
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.models import Edge, EdgeKind
from credgraph.reasoning.alignment import SOURCE, align_skills, skill_candidates
from tests.conftest import Bundled

pytestmark = pytest.mark.slow
ESCO = "http://data.europa.eu/esco/skill/"

PINNED = [
    # (competence id, its text as stored, the labelled ESCO skill)
    ("nsk:nsk-6#c-a5e4ca324270", "Preparation of desserts", "prepare desserts"),
    (
        "nsk:vet-65-51-H-01#c-bf3885624c26",
        "uplatňovat požadavky na hygienu v gastronomii;",
        "comply with food safety and hygiene",
    ),
    (
        "nsk:nsk-1009#c-5bcd122773a5",
        "Planning personal professional development",
        "manage personal professional development",
    ),
    ("nsk:vet-63-41-M-004#c-500f4434daf6", "calculate taxes (VAT, income tax);", "calculate tax"),
]


@pytest.mark.parametrize(("item", "text", "skill_label"), PINNED)
def test_unambiguous_cases_rank_first(
    bundled: Bundled, item: str, text: str, skill_label: str
) -> None:
    node = bundled.store.get_node(item)
    assert node is not None and text in node.labels.values()
    best = skill_candidates(bundled.search, text, bundled.settings, k=1)[0]
    assert best.label == skill_label
    assert best.method == "semantic" and best.score >= bundled.settings.align_min_score


def test_align_writes_scored_edges_keeps_declared_and_is_idempotent(
    bundled: Bundled, tmp_path: Path
) -> None:
    store = EmbeddedGraphStore(tmp_path / "copy.sqlite")
    copy_graph(bundled.store, store)
    items = [item for item, _, _ in PINNED]
    declared = Edge(
        items[0],
        EdgeKind.ALIGNS_TO,
        ESCO + "1d21f6ad-340f-45da-a0a3-4e83867f47a6",
        {"method": "declared", "source": "test"},
    )
    store.upsert_edges([declared])
    written = align_skills(store, bundled.search, bundled.settings, items)
    edges = [e for e in store.iter_edges(EdgeKind.ALIGNS_TO) if e.props.get("source") == SOURCE]
    assert len(edges) == written > 0
    for edge in edges:
        assert edge.props["method"] == "semantic"
        assert edge.props["model"] == bundled.search.embedder.model_id
        assert edge.props["score"] >= bundled.settings.align_min_score
        assert 1 <= edge.props["rank"] <= bundled.settings.align_top_k
    labels = {n.id: n.labels["en"] for n in store.get_nodes([e.target for e in edges])}
    for item, _, skill_label in PINNED:
        assert skill_label in {labels[e.target] for e in edges if e.source == item}
    again = align_skills(store, bundled.search, bundled.settings, items)
    assert again == written
    assert store.counts().edges["ALIGNS_TO"] == written + 1  # the declared edge survived
    store.close()
