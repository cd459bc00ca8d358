"""Search on the bundled data: Czech inflection, missing diacritics, filters, display language.

Expected ids are looked up by hand in data/esco/v1.1.1_en/occupations_en.csv.gz (the row
whose preferredLabel is "welder" / "roofer" / "bricklayer") and in the Czech label file
(preferred labels "svářeč", "pokrývač/pokrývačka", "zedník/zednice").
"""

from __future__ import annotations

import csv
import gzip
import io

import numpy as np
import pytest

from credgraph.errors import QueryError
from credgraph.models import NodeKind
from tests.conftest import DATA, Bundled

pytestmark = pytest.mark.slow
WELDER = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"
ROOFER = "http://data.europa.eu/esco/occupation/b4c6d1b0-929e-48be-9f67-47bd8c30658b"
BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


def _all_czech_labels() -> set[str]:
    raw = gzip.decompress(
        (DATA / "esco" / "cs" / "occupations_cs_labels_esco_v1.0.9.csv.gz").read_bytes()
    )
    return {r["surface_form"].lower() for r in csv.DictReader(io.StringIO(raw.decode()))}


@pytest.mark.parametrize(
    ("query", "expected"), [("svářečům", WELDER), ("pokrývačům", ROOFER), ("zedníkům", BRICKLAYER)]
)
def test_inflected_form_in_no_label_finds_its_occupation(
    bundled: Bundled, query: str, expected: str
) -> None:
    assert query not in _all_czech_labels()  # the form itself is in no label
    ids = [h.id for h in bundled.search.search(query, limit=3)]
    assert expected in ids


def test_plural_finds_the_occupation_not_only_the_isco_group(bundled: Bundled) -> None:
    # "pokrývači" is the label of ISCO group 7121 (Pokrývači); the occupation
    # "pokrývač/pokrývačka" must come up next to it
    hits = bundled.search.search("pokrývači", limit=3)
    assert ROOFER in [h.id for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"), [("svarec", WELDER), ("pokryvac", ROOFER), ("zednik", BRICKLAYER)]
)
def test_query_without_diacritics(bundled: Bundled, query: str, expected: str) -> None:
    for mode in ("hybrid", "lexical"):
        ids = [h.id for h in bundled.search.search(query, limit=3, mode=mode)]  # type: ignore[arg-type]
        assert expected in ids, mode


def test_lang_only_changes_the_display_label(bundled: Bundled) -> None:
    cs = bundled.search.search("welder", limit=5, lang="cs")
    en = bundled.search.search("welder", limit=5, lang="en")
    assert [h.id for h in cs] == [h.id for h in en]
    hit_cs = next(h for h in cs if h.id == WELDER)
    hit_en = next(h for h in en if h.id == WELDER)
    assert (hit_cs.label, hit_cs.label_lang) == ("svářeč", "cs")
    assert (hit_en.label, hit_en.label_lang) == ("welder", "en")
    # a skill has no Czech label: falls back to English and says so
    skill = bundled.search.search("manage budgets", kinds=[NodeKind.SKILL], limit=1, lang="cs")[0]
    assert skill.label_lang == "en"


def test_kind_and_eqf_filters(bundled: Bundled) -> None:
    hits = bundled.search.search("svářeč", kinds=[NodeKind.SKILL], limit=10)
    assert hits and all(h.kind == "skill" for h in hits)
    quals = bundled.search.search(
        "kuchař", kinds=[NodeKind.QUALIFICATION], eqf_min=3, eqf_max=3, limit=10
    )
    assert quals and all(h.kind == "qualification" and h.eqf_level == 3 for h in quals)
    # nsk-6 "Příprava teplých pokrmů" has eqf_level 3 in qualifications.jsonl
    assert "nsk:nsk-6" in [
        h.id
        for h in bundled.search.search(
            "příprava teplých pokrmů", kinds=[NodeKind.QUALIFICATION], eqf_min=3, limit=5
        )
    ]
    assert "nsk:nsk-6" not in [
        h.id
        for h in bundled.search.search(
            "příprava teplých pokrmů", kinds=[NodeKind.QUALIFICATION], eqf_min=4, limit=5
        )
    ]


def test_hits_aggregate_per_entity(bundled: Bundled) -> None:
    hits = bundled.search.search("svářeč", limit=50)
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids))


def test_bad_queries_are_refused(bundled: Bundled) -> None:
    with pytest.raises(QueryError):
        bundled.search.search("   ")
    with pytest.raises(QueryError):
        bundled.search.search("x" * 10_000)
    with pytest.raises(QueryError):
        bundled.search.search("svářeč", limit=0)
    with pytest.raises(QueryError):
        bundled.search.search("svářeč", eqf_min=5, eqf_max=2)


def test_bundled_dense_index_is_hnsw_and_finds_the_exact_neighbours(bundled: Bundled) -> None:
    """The bundled index (34k texts) is an HNSW graph; its top 10 are checked against an
    exact scan of the same texts' vectors taken again from the embedding cache (not from
    the index file), for every query of benchmarks/query_pairs.tsv."""
    from credgraph.runtime import make_embedder
    from credgraph.search.vector import NumpyVectorIndex
    from tests.conftest import REPO

    service = bundled.search
    assert service.dense.structure == "hnsw"
    assert len(service.dense) >= bundled.settings.dense_hnsw_min_vectors
    embedder = make_embedder(bundled.settings)
    vectors = embedder.embed([t for _, _, t in service.dense_texts], "passage")
    assert embedder.computed == 0  # all from the cache the ingest filled
    exact = NumpyVectorIndex(vectors, embedder.model_id)
    lines = (REPO / "benchmarks" / "query_pairs.tsv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader([ln for ln in lines if not ln.startswith("#")], delimiter="\t"))
    queries = [r[f"{lang}_query"] for r in rows for lang in ("cs", "en")]
    found = 0
    for query in queries:
        vector = service.query_vector(query)
        scores, ids = service.dense.search(vector, 4 * service.settings.search_candidates)
        assert np.allclose(scores, vectors[ids] @ vector, atol=1e-4)  # exact scores
        _, ref = exact.search(vector, 10)
        found += len(set(ids[:10].tolist()) & set(ref.tolist()))
    assert found / (10 * len(queries)) >= 0.99


def test_bundled_index_has_a_query_map_fitted_on_the_parallel_labels(bundled: Bundled) -> None:
    """The Czech → English query map is fitted at ingest from every node with a Czech and
    an English label (ESCO occupations, from the Czech label file's preferred rows): the
    pair count is recounted here from the store, and cross-checked against the raw CSV
    files (occupations with a ``_000`` Czech row and an English preferred label)."""
    service = bundled.search
    qmap = service.query_map
    assert qmap is not None
    assert service.manifest["query_map"]["pairs"] == qmap.pairs

    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    recount = sum(
        1
        for node in bundled.store.iter_nodes()
        if node.labels.get("cs", "").strip()
        and node.labels.get("en", "").strip()
        and norm(node.labels["cs"]) != norm(node.labels["en"])
    )
    assert qmap.pairs == recount
    en_raw = gzip.decompress((DATA / "esco" / "v1.1.1_en" / "occupations_en.csv.gz").read_bytes())
    english = {r["conceptUri"] for r in csv.DictReader(io.StringIO(en_raw.decode()))}
    cs_raw = gzip.decompress(
        (DATA / "esco" / "cs" / "occupations_cs_labels_esco_v1.0.9.csv.gz").read_bytes()
    )
    preferred = {
        r["conceptUri"]
        for r in csv.DictReader(io.StringIO(cs_raw.decode()))
        if r["corpus_element_id"].strip().endswith("_000") and r["conceptUri"] in english
    }
    # a few preferred labels equal their English one (dropped); ISCO groups with a Czech
    # label add some pairs
    assert 0.9 * len(preferred) <= qmap.pairs <= 1.3 * len(preferred)
    # the map carries the training Czech labels to their own English label far more often
    assert qmap.train_top1_after > qmap.train_top1_before + 0.05
    # and the service blends it into every query vector
    raw = service.embedder.embed(["svářeč"], "query")[0]
    expected = qmap.apply(raw, bundled.settings.dense_query_map_blend)
    assert np.allclose(service.query_vector("svářeč"), expected, atol=1e-6)
