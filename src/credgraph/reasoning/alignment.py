"""Skill alignment: link NSK competences and learning outcomes to ESCO skills.

Each competence / learning outcome text is searched against ESCO skills with the product's
dense retriever (multilingual e5: Czech texts reach English skill labels, the lexical index
cannot). The top ``align_top_k`` skills whose dense cosine
similarity is at least ``align_min_score`` become ``ALIGNS_TO`` edges with
``{score: cosine, method: "semantic", model: <embedder model id>, rank, source}``; a skill
found by the lexical index alone (no dense support) gets ``method: "lexical"`` and the
lexical score is not comparable, so its ``score`` is the threshold itself and it is kept
only when ``align_keep_lexical`` is on. Declared alignments from sources (method
``declared``) are never overwritten.

Quality is measured on a hand-labelled set (benchmarks/alignment_gold.tsv,
benchmarks/alignment_quality.py): precision@1 and recall@5.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from credgraph.config import Settings
from credgraph.errors import QueryError
from credgraph.graph.base import Direction, GraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind, display_label
from credgraph.search.service import Mode, SearchHit, SearchService

ALIGNED_KINDS = (NodeKind.COMPETENCE, NodeKind.LEARNING_OUTCOME)
SOURCE = "credgraph.reasoning.alignment v1"


@dataclass(slots=True)
class Candidate:
    skill_id: str
    label: str
    score: float  # dense cosine similarity (0 when the dense retriever did not find it)
    method: str  # "semantic" | "lexical"
    rank: int


def item_text(node: Node) -> str:
    text, _ = display_label(node, None)
    return text.rstrip("…").strip()[:480].strip()


def skill_candidates(
    search: SearchService,
    text: str,
    settings: Settings,
    k: int | None = None,
    mode: Mode = "dense",
) -> list[Candidate]:
    """ESCO skills for one text, best first (no threshold applied)."""
    limit = k or settings.align_top_k
    try:
        # the plain query embedding: the Czech → English query map raises every cosine, and
        # the threshold (CREDGRAPH_ALIGN_MIN_SCORE) was set on plain ones
        hits: list[SearchHit] = search.search(
            text, kinds=[NodeKind.SKILL], limit=limit, mode=mode, map_query=False
        )
    except QueryError:
        return []  # a text with no letters cannot be aligned
    out = []
    for rank, hit in enumerate(hits, start=1):
        dense = hit.scores.get("dense")
        out.append(
            Candidate(
                hit.id,
                hit.label,
                float(dense) if dense is not None else 0.0,
                "semantic" if dense is not None else "lexical",
                rank,
            )
        )
    return out


def _items(store: GraphStore, node_ids: Sequence[str] | None) -> Iterable[Node]:
    if node_ids is not None:
        yield from (n for n in store.get_nodes(node_ids) if n.kind in ALIGNED_KINDS)
        return
    for kind in ALIGNED_KINDS:
        yield from store.iter_nodes(kind)


def alignment_edges(
    store: GraphStore,
    search: SearchService,
    settings: Settings,
    node_ids: Sequence[str] | None = None,
) -> Iterable[Edge]:
    """ALIGNS_TO edges for every competence and learning outcome (or only ``node_ids``)."""
    model = search.embedder.model_id
    items = list(_items(store, node_ids))
    # embed every item text in batches first (cached): one model call per text would be
    # several times slower; the searches below then find the vectors in the cache
    texts = [t for t in dict.fromkeys(item_text(n) for n in items) if t.strip()]
    if texts:
        search.embedder.embed(texts, "query")
    for node in items:
        declared = {
            e.target
            for e, _ in store.neighbours(node.id, [EdgeKind.ALIGNS_TO], Direction.OUT)
            if e.props.get("method") == "declared"
        }
        for cand in skill_candidates(search, item_text(node), settings):
            if cand.skill_id in declared:
                continue
            if cand.method == "semantic" and cand.score >= settings.align_min_score:
                props = {
                    "score": round(cand.score, 4),
                    "method": "semantic",
                    "model": model,
                    "rank": cand.rank,
                    "source": SOURCE,
                }
            elif cand.method == "lexical" and settings.align_keep_lexical:
                props = {
                    "score": settings.align_min_score,
                    "method": "lexical",
                    "model": None,
                    "rank": cand.rank,
                    "source": SOURCE,
                }
            else:
                continue
            yield Edge(node.id, EdgeKind.ALIGNS_TO, cand.skill_id, props)


def align_skills(
    store: GraphStore,
    search: SearchService,
    settings: Settings,
    node_ids: Sequence[str] | None = None,
) -> int:
    """Replace computed ALIGNS_TO edges (of ``node_ids``, default all) with fresh ones;
    declared alignments stay. Returns how many edges were written."""
    edges = list(alignment_edges(store, search, settings, node_ids))
    scope = set(node_ids) if node_ids is not None else None
    with store.transaction():
        stale = [
            e
            for e in store.iter_edges(EdgeKind.ALIGNS_TO)
            if e.props.get("source") == SOURCE and (scope is None or e.source in scope)
        ]
        store.delete_edges(stale)
        for start in range(0, len(edges), settings.write_batch_size):
            store.upsert_edges(edges[start : start + settings.write_batch_size])
    return len(edges)
