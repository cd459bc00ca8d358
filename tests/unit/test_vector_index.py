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
