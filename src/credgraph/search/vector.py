"""Vector indexes over L2-normalised embeddings (inner product = cosine).

``FaissVectorIndex`` is the production index (``IndexHNSWFlat`` for large indexes, exact
``IndexFlatIP`` for small ones); ``NumpyVectorIndex`` is the brute-force reference the tests
compare it with. Both persist the model id and dimension
and refuse to load (``IndexMismatchError``) when they do not match the embedder in use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Protocol

import faiss
import numpy as np
from numpy.typing import NDArray

from credgraph.config import Settings
from credgraph.errors import IndexMismatchError

# One query at a time: FAISS's OpenMP threads cost far more than they give for a single
# query on 2 cores (measured: 27 ms with 2 threads vs 3.7 ms with 1 on the bundled index).
faiss.omp_set_num_threads(1)
# in faiss-cpu, absent from the type stubs mypy sees
_HNSW_PARAMS: Any = faiss.__dict__["SearchParametersHNSW"]

Scores = NDArray[np.float32]
Structure = Literal["flat", "hnsw"]
Ids = NDArray[np.int64]


class VectorIndex(Protocol):
    model_id: str
    dimension: int

    def __len__(self) -> int: ...

    def search(
        self, query: NDArray[np.float32], k: int, allowed: NDArray[np.int64] | None = None
    ) -> tuple[Scores, Ids]: ...


class NumpyVectorIndex:
    """Brute force: the reference implementation."""

    def __init__(self, vectors: NDArray[np.float32], model_id: str) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.model_id = model_id
        self.dimension = int(vectors.shape[1])

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def search(
        self, query: NDArray[np.float32], k: int, allowed: NDArray[np.int64] | None = None
    ) -> tuple[Scores, Ids]:
        rows = np.arange(len(self), dtype=np.int64) if allowed is None else allowed
        if rows.size == 0 or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        return _exact_subset(self.vectors, query.astype(np.float32), k, rows)


class FaissVectorIndex:
    """Inner-product search with FAISS, persisted with its metadata.

    Two structures: ``flat`` (``IndexFlatIP``, exact: every vector scanned) and ``hnsw``
    (``IndexHNSWFlat``: a navigable small-world graph over the same full-precision vectors,
    so every score it returns is exact; only a true neighbour can be missed, rarely, which
    benchmarks/RESULTS.md measures). Searches restricted to a small subset (a filter that
    keeps under half of the vectors) are always exact: the subset is scanned directly,
    which is also cheaper than a graph walk that would skip most of what it visits.
    """

    def __init__(
        self,
        vectors: NDArray[np.float32],
        model_id: str,
        structure: Structure = "flat",
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 400,
    ) -> None:
        self.model_id = model_id
        self.dimension = int(vectors.shape[1])
        self.ef_search = ef_search
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        if structure == "hnsw":
            index = faiss.IndexHNSWFlat(self.dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            self._index: Any = index
        else:
            self._index = faiss.IndexFlatIP(self.dimension)
        if len(data):
            # one thread (set above) keeps the graph, and so every answer, reproducible
            self._index.add(data)
        self._vectors = _stored_vectors(self._index)

    @property
    def structure(self) -> Structure:
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "flat"

    @property
    def vectors(self) -> NDArray[np.float32]:
        """The indexed vectors (row i = id i), for exact scores of chosen rows: a view of
        FAISS's own storage, valid while this index lives."""
        return self._vectors

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(
        self, query: NDArray[np.float32], k: int, allowed: NDArray[np.int64] | None = None
    ) -> tuple[Scores, Ids]:
        if k <= 0 or len(self) == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        hnsw = self.structure == "hnsw"
        if allowed is not None:
            if allowed.size == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            k = min(k, int(allowed.size))
            fraction = allowed.size / len(self)
            if hnsw and fraction < 0.5:
                return _exact_subset(self._vectors, q[0], k, allowed)
            selector = faiss.IDSelectorBatch(allowed.astype(np.int64))
            if hnsw:
                # a filtered walk keeps ~fraction of what it visits: widen the beam to match
                params: Any = _HNSW_PARAMS()
                params.efSearch = int(min(max(self.ef_search, k) / fraction, 4 * len(self)))
            else:
                params = faiss.SearchParameters()
            params.sel = selector
            scores, ids = self._index.search(q, k, params=params)
        elif hnsw:
            params = _HNSW_PARAMS()
            params.efSearch = max(self.ef_search, k)
            scores, ids = self._index.search(q, min(k, len(self)), params=params)
        else:
            scores, ids = self._index.search(q, min(k, len(self)))
        keep = ids[0] >= 0
        return scores[0][keep].astype(np.float32), ids[0][keep].astype(np.int64)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(folder / "dense.faiss"))
        meta: dict[str, Any] = {
            "model_id": self.model_id,
            "dimension": self.dimension,
            "count": len(self),
            "metric": "inner_product",
            "index": "IndexHNSWFlat" if self.structure == "hnsw" else "IndexFlatIP",
        }
        if self.structure == "hnsw":
            meta["hnsw_m"] = int(self._index.hnsw.nb_neighbors(1))
            meta["ef_construction"] = int(self._index.hnsw.efConstruction)
        (folder / "dense.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(
        cls, folder: Path, model_id: str, dimension: int, ef_search: int = 400
    ) -> FaissVectorIndex:
        meta_path = folder / "dense.json"
        if not meta_path.exists() or not (folder / "dense.faiss").exists():
            raise IndexMismatchError(
                f"no dense index in {folder}",
                hint="run `credgraph ingest` to build the search index",
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("model_id") != model_id or int(meta.get("dimension", -1)) != dimension:
            raise IndexMismatchError(
                f"dense index in {folder} was built with {meta.get('model_id')} "
                f"(dimension {meta.get('dimension')}), the embedder is {model_id} "
                f"(dimension {dimension})",
                hint="run `credgraph ingest` again to rebuild the index with this model",
            )
        obj = cls.__new__(cls)
        obj.model_id = model_id
        obj.dimension = dimension
        obj.ef_search = ef_search
        obj._index = faiss.read_index(str(folder / "dense.faiss"))
        if obj._index.d != dimension or obj._index.ntotal != int(meta.get("count", -1)):
            raise IndexMismatchError(
                f"dense index file in {folder} does not match its metadata",
                hint="run `credgraph ingest` again",
            )
        obj._vectors = _stored_vectors(obj._index)
        return obj


def _stored_vectors(index: Any) -> NDArray[np.float32]:
    """The full-precision vectors a flat or HNSW-flat index holds, as a read-only view of
    its storage (no second copy in memory; the index is never added to afterwards)."""
    hnsw = isinstance(index, faiss.IndexHNSWFlat)
    storage: Any = faiss.downcast_index(index.storage) if hnsw else index
    n, d = int(storage.ntotal), int(storage.d)
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    view: NDArray[np.float32] = faiss.rev_swig_ptr(storage.get_xb(), n * d).reshape(n, d)
    view.flags.writeable = False
    return view


def _exact_subset(
    vectors: NDArray[np.float32], query: NDArray[np.float32], k: int, rows: NDArray[np.int64]
) -> tuple[Scores, Ids]:
    """Exact top k among ``rows`` (best first; ties by row)."""
    scores = vectors[rows] @ query
    k = min(k, rows.size)
    top = np.argpartition(-scores, k - 1)[:k]
    order = top[np.lexsort((rows[top], -scores[top]))]
    return scores[order].astype(np.float32), rows[order]


def build_vector_index(
    vectors: NDArray[np.float32], model_id: str, settings: Settings
) -> FaissVectorIndex:
    """The dense index the settings ask for: HNSW from ``dense_hnsw_min_vectors`` vectors
    up (when ``dense_index`` is hnsw), flat below."""
    hnsw = settings.dense_index == "hnsw" and len(vectors) >= settings.dense_hnsw_min_vectors
    return FaissVectorIndex(
        vectors,
        model_id,
        "hnsw" if hnsw else "flat",
        hnsw_m=settings.dense_hnsw_m,
        ef_construction=settings.dense_hnsw_ef_construction,
        ef_search=settings.dense_hnsw_ef_search,
    )
