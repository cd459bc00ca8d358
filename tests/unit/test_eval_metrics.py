"""Ranking metrics, the evaluation file formats and the plain BM25 baseline.

Expected metric values are worked out by hand in the comments (trec_eval conventions:
linear gains, log2(rank + 1) discount, recall over all relevant documents).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from credgraph.errors import InputError
from credgraph.evaluation.baseline import BM25Baseline
from credgraph.evaluation.formats import read_corpus, read_qrels, read_queries, write_run
from credgraph.evaluation.metrics import (
    first_relevant_rank,
    mean_metrics,
    metric_names,
    ndcg_at,
    query_metrics,
    recall_at,
    reciprocal_rank,
)


def test_reciprocal_rank_and_recall_by_hand() -> None:
    ranking = ["a", "b", "c", "d", "e", "f"]
    judged = {"c": 1, "f": 1, "z": 1}  # z is never retrieved
    assert first_relevant_rank(ranking, judged, 10) == 3
    assert reciprocal_rank(ranking, judged) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranking, judged, k=2) == 0.0  # c is at rank 3, below the cutoff
    assert recall_at(ranking, judged, 1) == 0.0
    assert recall_at(ranking, judged, 5) == pytest.approx(1 / 3)  # c of {c, f, z}
    assert recall_at(ranking, judged, 10) == pytest.approx(2 / 3)  # c and f


def test_ndcg_graded_by_hand() -> None:
    # gains at ranks 1..3: 0, 2, 1 -> DCG = 2/log2(3) + 1/log2(4) = 1.26186 + 0.5
    # ideal order 2, 1 -> IDCG = 2/log2(2) + 1/log2(3) = 2 + 0.63093
    ranking = ["x", "a", "b"]
    judged = {"a": 2, "b": 1, "x": 0}
    expected = (2 / math.log2(3) + 1 / 2) / (2 + 1 / math.log2(3))
    assert ndcg_at(ranking, judged) == pytest.approx(expected)
    assert ndcg_at(["a", "b"], judged) == pytest.approx(1.0)


def test_metrics_refuse_what_is_undefined() -> None:
    with pytest.raises(ValueError, match="no relevant"):
        recall_at(["a"], {"a": 0}, 5)
    with pytest.raises(ValueError, match="repeats"):
        reciprocal_rank(["a", "a"], {"a": 1})
    with pytest.raises(ValueError):
        mean_metrics([])


def test_query_metrics_names_follow_the_depth() -> None:
    assert metric_names() == ["mrr@10", "recall@1", "recall@5", "recall@10", "ndcg@10"]
    assert metric_names(20) == [
        "mrr@10",
        "recall@1",
        "recall@5",
        "recall@10",
        "recall@20",
        "ndcg@10",
    ]
    values = query_metrics(["b", "a"], {"a": 1}, 10)
    # a at rank 2: RR 1/2, recall@1 0, recall@5 1, nDCG 1/log2(3)
    assert values == pytest.approx(
        {
            "mrr@10": 0.5,
            "recall@1": 0.0,
            "recall@5": 1.0,
            "recall@10": 1.0,
            "ndcg@10": 1 / math.log2(3),
        }
    )
    means = mean_metrics([values, query_metrics(["a"], {"a": 1}, 10)])
    assert means["mrr@10"] == pytest.approx(0.75)


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_formats_read_comments_bom_and_several_texts(tmp_path: Path) -> None:
    corpus = read_corpus(
        write(tmp_path / "c.tsv", "\ufeff# a comment\nd1\twelder\nd1\tsvářeč\n\nd2\tcook\r\n")
    )
    assert corpus.texts == {"d1": ["welder", "svářeč"], "d2": ["cook"]}
    assert corpus.lines == 3
    queries = read_queries(write(tmp_path / "q.tsv", "q1\tsvářeči\nq2\tkuchař\n"))
    qrels = read_qrels(write(tmp_path / "r.txt", "q1 0 d1 1\nq2\t0\td2\t2\n"), queries, corpus)
    assert qrels == {"q1": {"d1": 1}, "q2": {"d2": 2}}


@pytest.mark.parametrize(
    ("name", "text", "message", "line"),
    [
        ("corpus.tsv", "d1 welder\n", "expected 2 tab-separated fields", "1"),
        ("corpus.tsv", "d1\twelder\nd 2\tcook\n", "contains whitespace", "2"),
        ("corpus.tsv", "d1\twelder\nd1\twelder\n", "duplicate row", "2"),
        ("corpus.tsv", "d1\t  \n", "empty text", "1"),
        ("corpus.tsv", b"d1\tsv\xe1r\n", "not valid UTF-8", "1"),
        ("corpus.tsv", "# only a comment\n", "no rows", None),
    ],
)
def test_bad_corpus_names_file_and_line(
    tmp_path: Path, name: str, text: str | bytes, message: str, line: str | None
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(InputError, match=message) as caught:
        read_corpus(path)
    assert caught.value.source == str(path)
    assert caught.value.position == line


@pytest.mark.parametrize(
    ("qrels", "message"),
    [
        ("q1 0 d1\n", "expected 4"),
        ("q1 0 d1 yes\n", "not an integer"),
        ("q9 0 d1 1\n", "not in the queries"),
        ("q1 0 d9 1\n", "not in the corpus"),
        ("q1 0 d1 1\nq1 0 d1 0\n", "twice"),
    ],
)
def test_bad_qrels(tmp_path: Path, qrels: str, message: str) -> None:
    corpus = read_corpus(write(tmp_path / "c.tsv", "d1\twelder\n"))
    queries = read_queries(write(tmp_path / "q.tsv", "q1\twelding\n"))
    with pytest.raises(InputError, match=message):
        read_qrels(write(tmp_path / "r.txt", qrels), queries, corpus)


def test_run_file_is_trec_and_never_half_written(tmp_path: Path) -> None:
    out = tmp_path / "run.txt"
    write_run(out, {"q1": [("d2", 0.5), ("d1", 0.25)]}, "tag")
    assert out.read_text() == "q1 Q0 d2 1 0.500000 tag\nq1 Q0 d1 2 0.250000 tag\n"
    with pytest.raises(InputError, match="cannot write the run file"):
        write_run(tmp_path / "missing" / "run.txt", {"q1": [("d1", 1.0)]}, "tag")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.txt"]


def test_bm25_baseline_ranks_items_by_their_best_text() -> None:
    corpus = {
        "weld": ["weld metal parts", "svářeč kovů"],
        "cook": ["cook meals", "kuchař"],
        "paint": ["paint walls"],
    }
    baseline = BM25Baseline(corpus)
    hits = baseline.search("weld", 10)
    assert [ident for ident, _ in hits] == ["weld"]  # only one text holds the token
    assert [ident for ident, _ in baseline.search("kuchař meals", 10)] == ["cook"]
    # plain on purpose: no case folding of accents, no stemming, so an inflected Czech
    # form ("svářeči") or a folded one ("svarec") finds nothing
    assert baseline.search("svářeči", 10) == []
    assert baseline.search("svarec", 10) == []
    assert baseline.search("?!", 10) == []
