"""SearchService: hybrid (lexical + dense) search over every node kind, hits per entity.

Build: ``build_search_index(store, settings, embedder)`` reads every node, writes the
lexical index, the FAISS index (with model id and dimension) and the entity table into
``<data_dir>/index`` (a new folder swapped in whole, so a failed build leaves the old one).
Query: ``SearchService.load(settings, embedder).search(...)``.

Search always matches every language; ``lang`` only chooses the display label
(``lang`` → cs → en → any; the result says which language it used).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from credgraph.config import Settings
from credgraph.errors import IndexMismatchError, QueryError
from credgraph.graph.base import GraphStore
from credgraph.models import EdgeKind, GraphCounts, Node, NodeKind
from credgraph.search.documents import W_PART, SearchDoc, dense_docs, lexical_docs
from credgraph.search.embedder import CachedEmbedder, Embedder, LRUCache
from credgraph.search.fusion import reciprocal_rank_fusion
from credgraph.search.lexical import LexicalIndex
from credgraph.search.querymap import QueryMap, fit_query_map, translation_pairs
from credgraph.search.text import ngram_coverage, tokens
from credgraph.search.vector import FaissVectorIndex, build_vector_index

Mode = Literal["hybrid", "lexical", "dense"]
INDEX_FORMAT = 1


@dataclass(slots=True)
class Entity:
    id: str
    kind: str
    labels: dict[str, str]
    eqf_level: int | None


@dataclass(slots=True)
class SearchHit:
    id: str
    kind: str
    label: str
    label_lang: str | None
    score: float
    eqf_level: int | None
    matched: dict[str, Any]
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "label_lang": self.label_lang,
            "score": round(self.score, 6),
            "eqf_level": self.eqf_level,
            "matched": self.matched,
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
        }


@dataclass(slots=True)
class IndexBuildReport:
    entities: int = 0
    lexical_docs: int = 0
    dense_docs: int = 0
    embedded_now: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "lexical_docs": self.lexical_docs,
            "dense_docs": self.dense_docs,
            "embedded_now": self.embedded_now,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _eqf(node: Node) -> int | None:
    value = node.props.get("eqf_level")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def collect_documents(store: GraphStore) -> tuple[list[Entity], list[SearchDoc], list[SearchDoc]]:
    """The entities and the lexical and dense documents of the graph's nodes, grouped by
    entity (what the search index is built from)."""
    entities: list[Entity] = []
    lex: list[SearchDoc] = []
    dense: list[SearchDoc] = []
    index_of: dict[str, int] = {}
    for node in store.iter_nodes():
        idx = len(entities)
        index_of[node.id] = idx
        entities.append(Entity(node.id, node.kind.value, dict(node.labels), _eqf(node)))
        lex.extend(lexical_docs(idx, node))
        dense.extend(dense_docs(idx, node))
    # a credential is found by its learning outcomes, a qualification by its competences
    for edge_kind in (EdgeKind.HAS_OUTCOME, EdgeKind.HAS_COMPETENCE):
        for edge in store.iter_edges(edge_kind):
            parent, child = index_of.get(edge.source), index_of.get(edge.target)
            if parent is None or child is None:
                continue
            for lang, text in entities[child].labels.items():
                if text.strip():
                    doc = SearchDoc(
                        parent, "part:" + edge_kind.value.lower(), lang, text.strip(), W_PART
                    )
                    lex.append(doc)
                    dense.append(doc)
    # documents grouped by entity: aggregation is a segmented max (see LexicalIndex)
    lex.sort(key=lambda d: d.entity)
    dense.sort(key=lambda d: d.entity)
    return entities, lex, dense


def build_search_index(
    store: GraphStore, settings: Settings, embedder: Embedder
) -> IndexBuildReport:
    report = IndexBuildReport()
    t0 = time.perf_counter()
    entities, lex, dense = collect_documents(store)
    report.entities, report.lexical_docs, report.dense_docs = len(entities), len(lex), len(dense)
    report.seconds["read_graph"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    progress = None
    if settings.progress and len(lex) > 5000:
        from tqdm import tqdm

        def progress(items: Sequence[str]) -> Sequence[str]:
            return tqdm(
                items,
                desc="lexical index",
                unit="text",
                leave=False,  # type: ignore[return-value]
                dynamic_ncols=True,
            )

    lexical = LexicalIndex.build(
        [d.text for d in lex], [d.entity for d in lex], [d.weight for d in lex], progress=progress
    )
    report.seconds["lexical"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    before = getattr(embedder, "computed", 0)
    vectors = (
        embedder.embed([d.text for d in dense], "passage")
        if dense
        else np.zeros((0, embedder.dimension), dtype=np.float32)
    )
    vector_index = build_vector_index(vectors, embedder.model_id, settings)
    report.seconds["dense"] = time.perf_counter() - t2

    t_map = time.perf_counter()
    query_map = fit_query_map(translation_pairs((e.id, e.labels) for e in entities), embedder)
    # passages and the map's label pairs
    report.embedded_now = getattr(embedder, "computed", 0) - before
    report.seconds["query_map"] = time.perf_counter() - t_map

    t3 = time.perf_counter()
    final = settings.index_dir
    tmp = final.parent / f"index.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    lexical.save(tmp)
    vector_index.save(tmp)
    if query_map is not None:
        query_map.save(tmp)
    np.save(tmp / "dense_doc_entity.npy", np.asarray([d.entity for d in dense], dtype=np.int64))
    np.save(tmp / "dense_doc_weight.npy", np.asarray([d.weight for d in dense], dtype=np.float32))
    _write_json(tmp / "entities.json", [[e.id, e.kind, e.labels, e.eqf_level] for e in entities])
    _write_json(tmp / "lexical_docs.json", [[d.field, d.lang, d.text] for d in lex])
    _write_json(tmp / "dense_docs.json", [[d.field, d.lang, d.text] for d in dense])
    _write_json(
        tmp / "manifest.json",
        {
            "format": INDEX_FORMAT,
            "model_id": embedder.model_id,
            "dimension": embedder.dimension,
            "graph_counts": index_fingerprint(store.counts()),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "entities": len(entities),
            "lexical_docs": len(lex),
            "dense_docs": len(dense),
            "query_map": query_map.info() if query_map is not None else None,
        },
    )
    old = final.parent / f"index.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    report.seconds["write"] = time.perf_counter() - t3
    report.seconds["total"] = time.perf_counter() - t0
    return report


def index_fingerprint(counts: GraphCounts) -> dict[str, dict[str, int]]:
    """What the index depends on: node counts and the edges whose texts it indexes.

    Other edges (e.g. ALIGNS_TO written by skill alignment after the index was built) do
    not make the index stale.
    """
    indexed = (EdgeKind.HAS_OUTCOME.value, EdgeKind.HAS_COMPETENCE.value)
    return {
        "nodes": dict(sorted(counts.nodes.items())),
        "edges": {k: v for k, v in sorted(counts.edges.items()) if k in indexed},
    }


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class SearchService:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        lexical: LexicalIndex,
        dense: FaissVectorIndex,
        entities: list[Entity],
        dense_doc_entity: NDArray[np.int64],
        dense_doc_weight: NDArray[np.float32],
        lexical_texts: list[list[str]],
        dense_texts: list[list[str]],
        manifest: dict[str, Any],
        query_map: QueryMap | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.lexical = lexical
        self.lexical.min_ngram_coverage = settings.lexical_min_ngram_coverage
        self.dense = dense
        self.entities = entities
        self.dense_doc_entity = dense_doc_entity
        self.dense_doc_weight = dense_doc_weight
        self.lexical_texts = lexical_texts
        self.dense_texts = dense_texts
        self.manifest = manifest
        self.query_map = query_map
        self._query_vectors: LRUCache[str, NDArray[np.float32]] = LRUCache(
            settings.search_query_cache_size
        )
        self._by_id = {e.id: i for i, e in enumerate(entities)}
        self._kinds = np.asarray([e.kind for e in entities])
        self._eqf = np.asarray(
            [e.eqf_level if e.eqf_level is not None else np.nan for e in entities], dtype=np.float64
        )

    @classmethod
    def from_documents(
        cls,
        settings: Settings,
        embedder: Embedder,
        entities: list[Entity],
        lex: Sequence[SearchDoc],
        dense: Sequence[SearchDoc],
        lexical: LexicalIndex,
        vectors: FaissVectorIndex,
        manifest: dict[str, Any] | None = None,
        query_map: QueryMap | None = None,
    ) -> SearchService:
        """A service over indexes built in memory from these documents (not persisted)."""
        return cls(
            settings,
            embedder,
            lexical,
            vectors,
            entities,
            np.asarray([d.entity for d in dense], dtype=np.int64),
            np.asarray([d.weight for d in dense], dtype=np.float32),
            [[d.field, d.lang, d.text] for d in lex],
            [[d.field, d.lang, d.text] for d in dense],
            manifest or {"model_id": embedder.model_id, "dimension": embedder.dimension},
            query_map,
        )

    @classmethod
    def load(
        cls, settings: Settings, embedder: Embedder, store: GraphStore | None = None
    ) -> SearchService:
        folder = settings.index_dir
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise IndexMismatchError(
                f"no search index in {folder}", hint="run `credgraph ingest` first"
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(
                f"cannot read {manifest_path}: {type(exc).__name__}",
                hint="run `credgraph ingest` again to rebuild the index",
            ) from exc
        if not isinstance(manifest, dict):
            manifest = {}  # no format either: refused just below
        if manifest.get("format") != INDEX_FORMAT:
            raise IndexMismatchError(
                f"search index in {folder} has format "
                f"{manifest.get('format')}, expected {INDEX_FORMAT}",
                hint="run `credgraph ingest` again",
            )
        if store is not None and manifest.get("graph_counts") != index_fingerprint(store.counts()):
            raise IndexMismatchError(
                f"search index in {folder} does not match the graph store (counts differ)",
                hint="run `credgraph ingest` again to rebuild it",
            )
        try:
            return cls._read(folder, settings, embedder, manifest)
        except IndexMismatchError:
            raise
        except (
            OSError,
            ValueError,
            EOFError,
            KeyError,
            TypeError,
            AttributeError,
            zipfile.BadZipFile,
        ) as exc:
            # a damaged or truncated file (an empty .npy is an EOFError, a list where an
            # object belongs an AttributeError): one line, not a traceback
            raise IndexMismatchError(
                f"cannot read the search index in {folder}: {type(exc).__name__}",
                hint="run `credgraph ingest` again to rebuild it",
            ) from exc

    @classmethod
    def _read(
        cls, folder: Path, settings: Settings, embedder: Embedder, manifest: dict[str, Any]
    ) -> SearchService:
        dense = FaissVectorIndex.load(
            folder, embedder.model_id, embedder.dimension, settings.dense_hnsw_ef_search
        )
        lexical = LexicalIndex.load(folder)
        entities = [
            Entity(i, k, labels, eqf)
            for i, k, labels, eqf in json.loads(
                (folder / "entities.json").read_text(encoding="utf-8")
            )
        ]
        return cls(
            settings,
            embedder,
            lexical,
            dense,
            entities,
            np.load(folder / "dense_doc_entity.npy"),
            np.load(folder / "dense_doc_weight.npy"),
            json.loads((folder / "lexical_docs.json").read_text(encoding="utf-8")),
            json.loads((folder / "dense_docs.json").read_text(encoding="utf-8")),
            manifest,
            QueryMap.load(folder, embedder.model_id, embedder.dimension),
        )

    # -- filters ----------------------------------------------------------------------------
    def _allowed(
        self, kinds: Sequence[NodeKind] | None, eqf_min: int | None, eqf_max: int | None
    ) -> NDArray[np.bool_] | None:
        mask: NDArray[np.bool_] | None = None
        if kinds:
            mask = np.isin(self._kinds, [k.value for k in kinds])
        if eqf_min is not None or eqf_max is not None:
            lo = -math.inf if eqf_min is None else eqf_min
            hi = math.inf if eqf_max is None else eqf_max
            with np.errstate(invalid="ignore"):
                eqf_ok = (self._eqf >= lo) & (self._eqf <= hi)
            mask = eqf_ok if mask is None else (mask & eqf_ok)
        return mask

    # -- retrieval --------------------------------------------------------------------------
    def _lexical_ranking(
        self, query: str, allowed: NDArray[np.bool_] | None, n: int
    ) -> tuple[list[int], dict[int, float], dict[int, int]]:
        scores, best_doc = self.lexical.entity_scores(query, len(self.entities))
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0).astype(np.float32)
        hits = np.nonzero(scores > 0)[0]
        if hits.size == 0:
            return [], {}, {}
        # weak partial matches (a shared common word, a few n-grams) are noise next to a
        # strong match: keep only hits within a fraction of the best lexical score
        cut = float(scores[hits].max()) * self.settings.lexical_min_relative
        hits = hits[scores[hits] >= cut]
        top = hits[np.lexsort((hits, -scores[hits]))][:n]
        return (
            [int(i) for i in top],
            {int(i): float(scores[i]) for i in top},
            {int(i): int(best_doc[i]) for i in top},
        )

    def _dense_ranking(
        self, query: str, allowed: NDArray[np.bool_] | None, n: int, map_query: bool = True
    ) -> tuple[list[int], dict[int, float], dict[int, int]]:
        if len(self.dense) == 0:
            return [], {}, {}
        raw = self.raw_query_vector(query)
        vector = self.mapped_query_vector(raw) if map_query else raw
        allowed_docs = None
        if allowed is not None:
            allowed_docs = np.nonzero(allowed[self.dense_doc_entity])[0].astype(np.int64)
        scores, ids = self.dense.search(vector, n * 4, allowed_docs)
        # the floor is a cosine between the query as embedded and the text: the mapped
        # query is closer to every text (it is moved towards the passage side of e5), so
        # its cosines would let vague neighbours through; it only decides the order
        plain = scores if vector is raw else self.dense.vectors[ids] @ raw
        best: dict[int, float] = {}
        best_doc: dict[int, int] = {}
        floor = self.settings.dense_min_score
        rows = zip(scores.tolist(), plain.tolist(), ids.tolist(), strict=True)
        for score, raw_score, doc in rows:
            if raw_score < floor:
                continue  # only a vague neighbour of the query
            entity = int(self.dense_doc_entity[doc])
            value = float(score) * float(self.dense_doc_weight[doc])
            if value > best.get(entity, -math.inf):
                best[entity] = value
                best_doc[entity] = int(doc)
        ranking = sorted(best, key=lambda e: (-best[e], e))[:n]
        return ranking, {e: best[e] for e in ranking}, {e: best_doc[e] for e in ranking}

    def query_vector(self, query: str) -> NDArray[np.float32]:
        """The vector the dense retriever ranks by: the query's embedding blended with its
        Czech → English mapping when the index has a query map
        (``CREDGRAPH_DENSE_QUERY_MAP_BLEND``; credgraph.search.querymap)."""
        return self.mapped_query_vector(self.raw_query_vector(query))

    def mapped_query_vector(self, raw: NDArray[np.float32]) -> NDArray[np.float32]:
        if self.query_map is None or self.settings.dense_query_map_blend <= 0:
            return raw
        return self.query_map.apply(raw, self.settings.dense_query_map_blend)

    def raw_query_vector(self, query: str) -> NDArray[np.float32]:
        """The query's embedding: from the in-memory LRU, the embedding cache (texts that
        ingest or alignment embedded) or the model — never written to the cache file."""
        vector = self._query_vectors.get(query)
        if vector is not None:
            return vector
        rows = (
            self.embedder.embed([query], "query", store=False)
            if isinstance(self.embedder, CachedEmbedder)
            else self.embedder.embed([query], "query")
        )
        vector = np.asarray(rows[0], dtype=np.float32)
        self._query_vectors.put(query, vector)
        return vector

    def validate_query(self, query: str) -> str:
        """The query, trimmed; refused when empty, too long, with control characters or
        U+FFFD (what a server makes of bytes that are not UTF-8), or without any letter or
        digit (nothing to match: dense search would return arbitrary neighbours)."""
        text = query.strip()
        if not text:
            raise QueryError("empty query", hint="give a word or phrase to search for")
        if len(text) > self.settings.search_max_query_chars:
            raise QueryError(
                f"query longer than {self.settings.search_max_query_chars} characters",
                hint="shorten the query",
            )
        control = next(
            (c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r"), None
        )
        if control is not None:
            raise QueryError(
                f"query contains the control character U+{ord(control):04X}",
                hint="send plain text",
            )
        if "\ufffd" in text:
            raise QueryError(
                "query contains U+FFFD, the mark of bytes that were not valid UTF-8",
                hint="send the query encoded as UTF-8",
            )
        if not tokens(text):
            raise QueryError(
                "query has no letters or digits", hint="give a word or phrase to search for"
            )
        return text

    def search(
        self,
        query: str,
        *,
        kinds: Sequence[NodeKind] | None = None,
        eqf_min: int | None = None,
        eqf_max: int | None = None,
        lang: str | None = None,
        limit: int = 10,
        offset: int = 0,
        mode: Mode = "hybrid",
        map_query: bool = True,
    ) -> list[SearchHit]:
        """``map_query=False``: the dense side uses the query's plain embedding, not the
        Czech → English blend (skill alignment does, its threshold was set without it)."""
        text = self.validate_query(query)
        if not 1 <= limit <= self.settings.search_max_limit:
            raise QueryError(
                f"limit must be between 1 and {self.settings.search_max_limit}",
                hint="use a smaller limit and page with offset/cursor",
            )
        if offset < 0 or offset + limit > 1000:
            raise QueryError(
                "offset + limit must be at most 1000", hint="narrow the query or add filters"
            )
        if eqf_min is not None and eqf_max is not None and eqf_min > eqf_max:
            raise QueryError(
                "eqf_min is greater than eqf_max", hint="EQF levels run from 1 to 8; swap them"
            )
        allowed = self._allowed(kinds, eqf_min, eqf_max)
        n = max(self.settings.search_candidates, offset + limit)
        lex_rank, lex_scores, lex_docs = (
            ([], {}, {}) if mode == "dense" else self._lexical_ranking(text, allowed, n)
        )
        den_rank, den_scores, den_docs = (
            ([], {}, {}) if mode == "lexical" else self._dense_ranking(text, allowed, n, map_query)
        )
        if mode == "lexical":
            fused = [(e, lex_scores[e]) for e in lex_rank]
        elif mode == "dense":
            fused = [(e, den_scores[e]) for e in den_rank]
        else:
            weight_lexical = self.settings.fusion_weight_lexical
            if self.settings.fusion_lexical_by_coverage and lex_rank:
                best_text = self.lexical_texts[lex_docs[lex_rank[0]]][2]
                weight_lexical *= ngram_coverage(text, best_text)
            rrf = reciprocal_rank_fusion(
                {"lexical": [str(e) for e in lex_rank], "dense": [str(e) for e in den_rank]},
                {"lexical": weight_lexical, "dense": self.settings.fusion_weight_dense},
                k=self.settings.fusion_k,
            )
            fused = [(int(e), s) for e, s in rrf]
        hits = []
        for entity, score in fused[offset : offset + limit]:
            hits.append(self._hit(entity, score, lang, lex_scores, lex_docs, den_scores, den_docs))
        return hits

    def _hit(
        self,
        entity: int,
        score: float,
        lang: str | None,
        lex_scores: dict[int, float],
        lex_docs: dict[int, int],
        den_scores: dict[int, float],
        den_docs: dict[int, int],
    ) -> SearchHit:
        e = self.entities[entity]
        label, label_lang = _pick_label(e.labels, lang, e.id)
        scores: dict[str, float] = {}
        matched: dict[str, Any] = {}
        if entity in lex_scores:
            scores["lexical"] = lex_scores[entity]
            doc = lex_docs.get(entity, -1)
            if doc >= 0:
                f, lng, t = self.lexical_texts[doc]
                matched = {"text": t, "field": f, "lang": lng, "by": "lexical"}
        if entity in den_scores:
            scores["dense"] = den_scores[entity]
            if not matched:
                f, lng, t = self.dense_texts[den_docs[entity]]
                matched = {"text": t, "field": f, "lang": lng, "by": "dense"}
        return SearchHit(e.id, e.kind, label, label_lang, score, e.eqf_level, matched, scores)


def _pick_label(labels: dict[str, str], lang: str | None, fallback: str) -> tuple[str, str | None]:
    order = ([lang] if lang else []) + ["cs", "en"]
    for code in order:
        if labels.get(code, "").strip():
            return labels[code].strip(), code
    for code in sorted(labels):
        if labels[code].strip():
            return labels[code].strip(), code
    return fallback, None
