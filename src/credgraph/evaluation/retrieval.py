"""Retrieval quality of the product's own search pipeline on any corpus.

``CorpusSearcher.build`` indexes an ``id → texts`` corpus exactly as the search index
indexes node labels: each text becomes a preferred label of its item
(``documents.lexical_docs`` / ``dense_docs``: weight 1.0 in the lexical and the dense
index), the lexical index is ``LexicalIndex``, the vectors come from the configured
embedder into a ``FaissVectorIndex``, and queries run through ``SearchService.search``
itself — the same query checks, lexical cut-off, dense floor, candidate count and
reciprocal rank fusion, with the settings in force (``CREDGRAPH_FUSION_K`` … apply here
too). Nothing is written to the data folder; embeddings go to the embedding cache, so a
second run over the same texts embeds nothing.

``read_inputs`` reads the three files and checks them against each other (before any
model is loaded); ``evaluate_retrieval`` indexes, runs every query and scores the
rankings (metrics.py); its answer is the JSON document of ``credgraph eval retrieval``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np

from credgraph.config import Settings
from credgraph.errors import InputError, QueryError
from credgraph.evaluation.baseline import BM25_TAG, BM25Baseline
from credgraph.evaluation.formats import (
    Corpus,
    Queries,
    read_corpus,
    read_qrels,
    read_queries,
    write_run,
)
from credgraph.evaluation.metrics import (
    CUTOFF,
    first_relevant_rank,
    mean_metrics,
    query_metrics,
)
from credgraph.models import Node, NodeKind
from credgraph.search.documents import SearchDoc, dense_docs, lexical_docs
from credgraph.search.embedder import Embedder
from credgraph.search.lexical import LexicalIndex
from credgraph.search.querymap import QueryMap, fit_query_map, text_key, translation_pairs
from credgraph.search.service import Entity, Mode, SearchService
from credgraph.search.vector import FaissVectorIndex, build_vector_index

# The kind changes only how codes and descriptions are indexed, which a corpus of plain
# texts does not have; it is never shown.
CORPUS_KIND = NodeKind.SKILL
LEXICAL_PROGRESS_MIN = 5000  # as the search index: a progress bar only for large builds

# the settings that decide a ranking, reported with the numbers so runs can be compared
RANKING_SETTINGS = (
    "search_candidates",
    "fusion_k",
    "fusion_weight_lexical",
    "fusion_weight_dense",
    "lexical_min_relative",
    "lexical_min_ngram_coverage",
    "dense_min_score",
    "dense_query_map_blend",
)

Log = Callable[[str], None]
# what `eval retrieval --mode` takes: the product's three modes and the plain baseline
EvalMode = Literal["hybrid", "lexical", "dense", "bm25"]
T = TypeVar("T")


def _bar(items: Sequence[T], desc: str, unit: str, enabled: bool) -> Sequence[T]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, leave=False, dynamic_ncols=True)  # type: ignore[return-value]


def check_queries(settings: Settings, embedder: Embedder, queries: Queries, path: Path) -> None:
    """Refuse, naming the line, a query that search itself would refuse (empty after
    trimming, too long, control characters, no letter or digit)."""
    empty = SearchService.from_documents(
        settings,
        embedder,
        [],
        [],
        [],
        LexicalIndex.build([], [], []),
        FaissVectorIndex(np.zeros((0, embedder.dimension), dtype=np.float32), embedder.model_id),
    )
    for qid, text in queries.texts.items():
        try:
            empty.validate_query(text)
        except QueryError as exc:
            raise InputError(
                f"query {qid!r}: {exc.message}",
                source=str(path),
                position=str(queries.line[qid]),
                hint=exc.hint or "fix the query text",
            ) from exc


class CorpusSearcher:
    """The production search service over a corpus of plain texts."""

    def __init__(
        self,
        service: SearchService,
        texts: int,
        embedded_now: int,
        parts: tuple[list[Entity], list[SearchDoc], list[SearchDoc]],
    ) -> None:
        self.service = service
        self.texts = texts  # lexical documents (one per corpus text)
        self.embedded_now = embedded_now  # texts the model embedded (not from the cache)
        self._parts = parts

    def with_settings(self, settings: Settings) -> CorpusSearcher:
        """The same indexes searched with other ranking settings (fusion weights, floors…),
        for tuning without re-indexing."""
        entities, lex, dense = self._parts
        old = self.service
        service = SearchService.from_documents(
            settings,
            old.embedder,
            entities,
            lex,
            dense,
            old.lexical,
            old.dense,
            query_map=old.query_map,
        )
        return CorpusSearcher(service, self.texts, 0, self._parts)

    @classmethod
    def build(
        cls,
        corpus: Mapping[str, Sequence[str]],
        settings: Settings,
        embedder: Embedder,
        log: Log | None = None,
        query_map: QueryMap | None = None,
    ) -> CorpusSearcher:
        entities: list[Entity] = []
        lex: list[SearchDoc] = []
        dense: list[SearchDoc] = []
        for index, (ident, texts) in enumerate(corpus.items()):
            node = Node(ident, CORPUS_KIND, labels={f"t{i}": t for i, t in enumerate(texts)})
            entities.append(Entity(ident, "document", dict(node.labels), None))
            lex.extend(lexical_docs(index, node))
            dense.extend(dense_docs(index, node))
        if log:
            log(f"lexical index: {len(lex)} texts of {len(entities)} items")

        def bar(items: Sequence[str]) -> Sequence[str]:
            return _bar(items, "lexical index", "text", True)

        big = settings.progress and len(lex) > LEXICAL_PROGRESS_MIN
        lexical = LexicalIndex.build(
            [d.text for d in lex],
            [d.entity for d in lex],
            [d.weight for d in lex],
            progress=bar if big else None,
        )
        if log:
            log(f"dense index: {len(dense)} texts (embeddings in the cache are reused)")
        before = getattr(embedder, "computed", 0)
        vectors = (
            embedder.embed([d.text for d in dense], "passage")
            if dense
            else np.zeros((0, embedder.dimension), dtype=np.float32)
        )
        embedded = getattr(embedder, "computed", 0) - before
        vector_index = build_vector_index(vectors, embedder.model_id, settings)
        service = SearchService.from_documents(
            settings, embedder, entities, lex, dense, lexical, vector_index, query_map=query_map
        )
        return cls(service, len(lex), embedded, (entities, lex, dense))

    def search(self, query: str, k: int, mode: Mode) -> list[tuple[str, float]]:
        """(id, fused score) of the top k, best first, as `credgraph search` ranks them."""
        return [(h.id, h.score) for h in self.service.search(query, limit=k, mode=mode)]


def eval_query_map(
    settings: Settings, embedder: Embedder, queries: Iterable[str]
) -> tuple[QueryMap | None, str]:
    """The Czech → English query map as `credgraph ingest` fits it, from the data folder's
    graph, but without the label pairs whose Czech text is one of ``queries`` (a score must
    not come from training on the query). (None, why) when there is no graph to fit from."""
    if settings.graph_backend == "embedded" and not settings.store_path.exists():
        return None, f"no graph in {settings.data_dir} (run `credgraph ingest` to have one)"
    from credgraph.graph.base import open_store

    store = open_store(settings)
    try:
        labelled = [(n.id, dict(n.labels)) for n in store.iter_nodes() if len(n.labels) > 1]
    finally:
        store.close()
    pairs = translation_pairs(labelled, exclude={text_key(q) for q in queries})
    query_map = fit_query_map(pairs, embedder)
    if query_map is None:
        return None, f"only {len(pairs)} Czech/English label pairs in the graph"
    return query_map, f"fitted on {len(pairs)} Czech/English label pairs of the graph"


def check_depth(settings: Settings, k: int) -> None:
    if not CUTOFF <= k <= settings.search_max_limit:
        raise QueryError(
            f"k must be between {CUTOFF} and {settings.search_max_limit} "
            "(the largest limit search accepts)",
            hint="use a smaller --k, or raise CREDGRAPH_SEARCH_MAX_LIMIT",
        )


def query_prefix(qid: str) -> str:
    """The group of a query id: the text before its first ``-`` (all of it if none)."""
    return qid.split("-", 1)[0]


@dataclass(slots=True)
class EvalInputs:
    """The three files of an evaluation, read and checked against each other."""

    corpus_path: Path
    queries_path: Path
    qrels_path: Path
    corpus: Corpus
    queries: Queries
    qrels: dict[str, dict[str, int]]
    relevant: set[str]  # query ids with at least one relevant document
    seconds: float


def read_inputs(corpus_path: Path, queries_path: Path, qrels_path: Path) -> EvalInputs:
    """Read every file and check them before anything slow happens (InputError)."""
    t0 = time.perf_counter()
    corpus = read_corpus(corpus_path)
    queries = read_queries(queries_path)
    qrels = read_qrels(qrels_path, queries, corpus)
    relevant = {q for q, judged in qrels.items() if any(g > 0 for g in judged.values())}
    if not relevant:
        raise InputError(
            "no query has a relevant document (relevance > 0)",
            source=str(qrels_path),
            hint="judge at least one document relevant for a query",
        )
    return EvalInputs(
        corpus_path,
        queries_path,
        qrels_path,
        corpus,
        queries,
        qrels,
        relevant,
        time.perf_counter() - t0,
    )


def run_queries(
    searcher: CorpusSearcher | BM25Baseline,
    queries: Queries,
    k: int,
    mode: EvalMode,
    progress: bool = False,
) -> dict[str, list[tuple[str, float]]]:
    """The top k (id, score) of every query, by query id."""
    rankings: dict[str, list[tuple[str, float]]] = {}
    for qid in _bar(list(queries.texts), "searching", "query", progress):
        if isinstance(searcher, BM25Baseline):
            rankings[qid] = searcher.search(queries.texts[qid], k)
        else:
            rankings[qid] = searcher.search(queries.texts[qid], k, cast("Mode", mode))
    return rankings


def score_rankings(
    rankings: Mapping[str, Sequence[tuple[str, float]]], inputs: EvalInputs, k: int
) -> tuple[list[dict[str, Any]], list[dict[str, float]], dict[str, list[dict[str, float]]]]:
    """Per-query rows of the report, the metric values of the scored queries, and those
    values grouped by query-id prefix. Queries without a relevant document are left out."""
    per_query: list[dict[str, Any]] = []
    scored: list[dict[str, float]] = []
    groups: dict[str, list[dict[str, float]]] = {}
    for qid in inputs.queries.texts:
        if qid not in inputs.relevant:
            continue
        judged = inputs.qrels[qid]
        ids = [doc for doc, _ in rankings[qid]]
        values = query_metrics(ids, judged, k)
        scored.append(values)
        groups.setdefault(query_prefix(qid), []).append(values)
        per_query.append(
            {
                "qid": qid,
                "relevant": sum(1 for g in judged.values() if g > 0),
                "first_relevant_rank": first_relevant_rank(ids, judged, k),
                **_rounded(values),
            }
        )
    return per_query, scored, groups


def evaluate_retrieval(
    settings: Settings,
    embedder: Embedder,
    inputs: EvalInputs,
    *,
    mode: EvalMode = "hybrid",
    k: int = CUTOFF,
    run_out: Path | None = None,
    by_prefix: bool = False,
    log: Log | None = None,
    query_map: QueryMap | None = None,
) -> dict[str, Any]:
    """Index the corpus, run the queries, score them: the report of `eval retrieval`."""
    check_depth(settings, k)
    corpus, queries, qrels = inputs.corpus, inputs.queries, inputs.qrels
    t0 = time.perf_counter()
    check_queries(settings, embedder, queries, inputs.queries_path)
    t1 = time.perf_counter()
    searcher: CorpusSearcher | BM25Baseline
    if mode == "bm25":
        if log:
            log(f"plain BM25 baseline (bm25s): {corpus.lines} texts of {len(corpus)} items")
        searcher = BM25Baseline(corpus.texts)
    else:
        searcher = CorpusSearcher.build(corpus.texts, settings, embedder, log, query_map)
    t2 = time.perf_counter()

    embedded_queries = 0
    if mode in ("hybrid", "dense"):
        if log:
            log(f"embedding {len(queries)} queries")
        # one batched call instead of one per query; search then finds them in the cache
        before = getattr(embedder, "computed", 0)
        embedder.embed(list(dict.fromkeys(queries.texts.values())), "query")
        embedded_queries = getattr(embedder, "computed", 0) - before
    t3 = time.perf_counter()
    if log:
        log(f"searching {len(queries)} queries ({mode})")
    many = settings.progress and len(queries) > 50
    rankings = run_queries(searcher, queries, k, mode, many)
    t4 = time.perf_counter()
    if run_out is not None:
        write_run(run_out, rankings, BM25_TAG if mode == "bm25" else f"credgraph-{mode}")

    per_query, scored, groups = score_rankings(rankings, inputs, k)
    report: dict[str, Any] = {
        "mode": mode,
        "k": k,
        "model_id": embedder.model_id if mode in ("hybrid", "dense") else None,
        "corpus": {"path": str(inputs.corpus_path), "items": len(corpus), "texts": corpus.lines},
        "queries": {
            "path": str(inputs.queries_path),
            "count": len(queries),
            "evaluated": len(scored),
            "without_relevant": [q for q in queries.texts if q not in inputs.relevant],
        },
        "qrels": {
            "path": str(inputs.qrels_path),
            "judgements": sum(len(j) for j in qrels.values()),
            "relevant": sum(1 for j in qrels.values() for g in j.values() if g > 0),
        },
        "settings": {name: getattr(settings, name) for name in RANKING_SETTINGS},
        "query_map": query_map.info() if query_map is not None and mode != "bm25" else None,
        "metrics": _rounded(mean_metrics(scored)),
    }
    if by_prefix:
        report["by_prefix"] = {
            prefix: {"queries": len(values), **_rounded(mean_metrics(values))}
            for prefix, values in sorted(groups.items())
        }
    report.update(
        {
            "per_query": per_query,
            "run_file": str(run_out) if run_out is not None else None,
            "embedded_now": {
                "corpus": getattr(searcher, "embedded_now", 0),
                "queries": embedded_queries,
            },
            "seconds": {
                "read": round(inputs.seconds + t1 - t0, 3),
                "index": round(t2 - t1, 3),
                "embed_queries": round(t3 - t2, 3),
                "search": round(t4 - t3, 3),
                "total": round(inputs.seconds + time.perf_counter() - t0, 3),
            },
        }
    )
    return report


def _rounded(values: Mapping[str, float]) -> dict[str, float]:
    return {name: round(value, 6) for name, value in values.items()}


def print_summary(report: Mapping[str, Any], echo: Callable[[str], None]) -> None:
    """The report as a few lines of text (the command without --json)."""
    metrics = report["metrics"]
    q = report["queries"]
    echo(
        f"{report['mode']}: {q['evaluated']} of {q['count']} queries scored, "
        f"{report['corpus']['items']} items ({report['corpus']['texts']} texts)"
    )
    echo("  " + "  ".join(f"{name} {value:.4f}" for name, value in metrics.items()))
    for prefix, values in report.get("by_prefix", {}).items():
        shown: Iterable[str] = (f"{n} {v:.4f}" for n, v in values.items() if n != "queries")
        echo(f"  {prefix} ({values['queries']}): " + "  ".join(shown))
