"""FAISS index against the brute-force NumPy reference, persistence and mismatch refusal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from credgraph.errors import IndexMismatchError
from credgraph.search.vector import FaissVectorIndex, NumpyVectorIndex


def _vectors(n: int, dim: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_faiss_equals_numpy_reference() -> None:
    data = _vectors(500, 16)
    faiss_index = FaissVectorIndex(data, "m")
    reference = NumpyVectorIndex(data, "m")
    for q in _vectors(20, 16, seed=3):
        s1, i1 = faiss_index.search(q, 10)
        s2, i2 = reference.search(q, 10)
        assert list(i1) == list(i2)
        assert np.allclose(s1, s2, atol=1e-5)


def test_allowed_subset() -> None:
    data = _vectors(200, 8)
    allowed = np.array([5, 17, 99, 150], dtype=np.int64)
    q = data[99]
    scores, ids = FaissVectorIndex(data, "m").search(q, 10, allowed)
    assert set(ids.tolist()) == set(allowed.tolist())
    assert ids[0] == 99 and scores[0] == pytest.approx(1.0, abs=1e-5)
    ref_scores, ref_ids = NumpyVectorIndex(data, "m").search(q, 10, allowed)
    assert list(ref_ids) == list(ids)
    assert np.allclose(ref_scores, scores, atol=1e-5)
    empty = FaissVectorIndex(data, "m").search(q, 10, np.array([], dtype=np.int64))
    assert empty[1].size == 0


def test_persisted_index_refuses_another_model(tmp_path: Path) -> None:
    data = _vectors(50, 8)
    FaissVectorIndex(data, "model-a").save(tmp_path)
    loaded = FaissVectorIndex.load(tmp_path, "model-a", 8)
    assert len(loaded) == 50
    with pytest.raises(IndexMismatchError, match="model-a"):
        FaissVectorIndex.load(tmp_path, "model-b", 8)
    with pytest.raises(IndexMismatchError, match="dimension"):
        FaissVectorIndex.load(tmp_path, "model-a", 16)
    with pytest.raises(IndexMismatchError, match="no dense index"):
        FaissVectorIndex.load(tmp_path / "missing", "model-a", 8)


def _clustered(n: int, dim: int, seed: int) -> np.ndarray:
    """Normalised vectors around 20 centres: neighbourhoods like those of text embeddings
    (uniform random vectors in many dimensions have no near neighbours to find)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, dim))
    m = centres[rng.integers(0, 20, n)] + 0.3 * rng.standard_normal((n, dim))
    m = m.astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_hnsw_scores_are_exact_and_recall_is_high() -> None:
    data = _clustered(3000, 32, seed=11)
    hnsw = FaissVectorIndex(data, "m", "hnsw", hnsw_m=16, ef_construction=80, ef_search=128)
    assert hnsw.structure == "hnsw"
    reference = NumpyVectorIndex(data, "m")
    found = 0
    for q in _clustered(50, 32, seed=12):
        scores, ids = hnsw.search(q, 10)
        # every score is the exact inner product of the vector it names
        assert np.allclose(scores, data[ids] @ q, atol=1e-5)
        assert list(scores) == sorted(scores, reverse=True)
        _, ref_ids = reference.search(q, 10)
        found += len(set(ids.tolist()) & set(ref_ids.tolist()))
    assert found / 500 >= 0.95  # an approximate index: nearly every true neighbour


def test_hnsw_small_filter_is_exact_and_large_filter_stays_inside() -> None:
    data = _clustered(2000, 16, seed=5)
    hnsw = FaissVectorIndex(data, "m", "hnsw", hnsw_m=16, ef_search=64)
    reference = NumpyVectorIndex(data, "m")
    q = data[123]
    small = np.arange(100, 400, dtype=np.int64)  # 15 %: scanned exactly
    s1, i1 = hnsw.search(q, 10, small)
    s2, i2 = reference.search(q, 10, small)
    assert list(i1) == list(i2) and np.allclose(s1, s2, atol=1e-5)
    large = np.arange(0, 2000, 2, dtype=np.int64)  # 50 %: a filtered graph walk
    _, ids = hnsw.search(q, 20, large)
    assert set(ids.tolist()) <= set(large.tolist()) and ids.size == 20
    _, ref_ids = reference.search(q, 20, large)
    assert len(set(ids.tolist()) & set(ref_ids.tolist())) >= 18


def test_hnsw_round_trips_through_save_and_load(tmp_path: Path) -> None:
    data = _clustered(1500, 16, seed=9)
    built = FaissVectorIndex(data, "m", "hnsw", hnsw_m=8, ef_search=40)
    built.save(tmp_path)
    meta = (tmp_path / "dense.json").read_text(encoding="utf-8")
    assert '"IndexHNSWFlat"' in meta and '"hnsw_m": 8' in meta
    loaded = FaissVectorIndex.load(tmp_path, "m", 16, ef_search=40)
    assert loaded.structure == "hnsw" and len(loaded) == 1500
    for q in _clustered(10, 16, seed=10):
        a, b = built.search(q, 10), loaded.search(q, 10)
        assert list(a[1]) == list(b[1])
    # the loaded index keeps the vectors for exact filtered scans
    subset = np.array([3, 4, 5], dtype=np.int64)
    s, i = loaded.search(data[4], 3, subset)
    assert i[0] == 4 and s[0] == pytest.approx(1.0, abs=1e-5)


def test_build_vector_index_follows_the_settings() -> None:
    from credgraph.config import Settings
    from credgraph.search.vector import build_vector_index

    data = _clustered(300, 8, seed=1)
    assert build_vector_index(data, "m", Settings(dense_hnsw_min_vectors=301)).structure == "flat"
    assert build_vector_index(data, "m", Settings(dense_hnsw_min_vectors=300)).structure == "hnsw"
    flat = Settings(dense_index="flat", dense_hnsw_min_vectors=0)
    assert build_vector_index(data, "m", flat).structure == "flat"
