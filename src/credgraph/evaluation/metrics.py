"""Ranking metrics: pure functions over one ranking and its judgements.

``ranking`` is the retrieved ids, best first, each at most once; ``judgements`` maps ids
to graded relevance (> 0 relevant; 0 or less, or absent, not relevant). Conventions follow
trec_eval: a relevant document found below the cutoff counts nothing, nDCG uses linear
gains.

- reciprocal rank@k: 1 / rank of the first relevant id in the top k, else 0; its mean is MRR.
- recall@k: share of the relevant ids that are in the top k.
- nDCG@k: DCG@k / IDCG@k with DCG@k = Σ_{i=1..k} rel_i / log2(i + 1), and IDCG@k the DCG@k
  of the judgements sorted by relevance (the best possible ranking).

Recall and nDCG are undefined for a query without relevant ids: they raise ValueError, and
the evaluation leaves such queries out of the means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

CUTOFF = 10  # MRR@10 and nDCG@10
RECALL_AT = (1, 5, 10)


def _checked(ranking: Sequence[str], k: int) -> Sequence[str]:
    if k < 1:
        raise ValueError("k must be >= 1")
    top = ranking[:k]
    if len(set(top)) != len(top):
        raise ValueError("the ranking repeats an id")
    return top


def _relevant(judgements: Mapping[str, int]) -> set[str]:
    relevant = {doc for doc, grade in judgements.items() if grade > 0}
    if not relevant:
        raise ValueError("no relevant documents for this query")
    return relevant


def first_relevant_rank(
    ranking: Sequence[str], judgements: Mapping[str, int], k: int
) -> int | None:
    """1-based rank of the first relevant id within the top k, or None."""
    for rank, doc in enumerate(_checked(ranking, k), start=1):
        if judgements.get(doc, 0) > 0:
            return rank
    return None


def reciprocal_rank(
    ranking: Sequence[str], judgements: Mapping[str, int], k: int = CUTOFF
) -> float:
    rank = first_relevant_rank(ranking, judgements, k)
    return 0.0 if rank is None else 1.0 / rank


def recall_at(ranking: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    relevant = _relevant(judgements)
    found = sum(1 for doc in _checked(ranking, k) if doc in relevant)
    return found / len(relevant)


def dcg(gains: Iterable[float]) -> float:
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at(ranking: Sequence[str], judgements: Mapping[str, int], k: int = CUTOFF) -> float:
    _relevant(judgements)
    gains = [float(max(judgements.get(doc, 0), 0)) for doc in _checked(ranking, k)]
    ideal = sorted((float(g) for g in judgements.values() if g > 0), reverse=True)[:k]
    return dcg(gains) / dcg(ideal)


def metric_names(depth: int = CUTOFF) -> list[str]:
    """The metrics reported for a ranking of ``depth`` results (recall also at the depth)."""
    recall = sorted({*RECALL_AT, depth}) if depth > CUTOFF else list(RECALL_AT)
    return [f"mrr@{CUTOFF}", *(f"recall@{n}" for n in recall), f"ndcg@{CUTOFF}"]


def query_metrics(
    ranking: Sequence[str], judgements: Mapping[str, int], depth: int = CUTOFF
) -> dict[str, float]:
    """Every metric of ``metric_names(depth)`` for one query."""
    out = {f"mrr@{CUTOFF}": reciprocal_rank(ranking, judgements, CUTOFF)}
    for name in metric_names(depth):
        if name.startswith("recall@"):
            out[name] = recall_at(ranking, judgements, int(name.split("@")[1]))
    out[f"ndcg@{CUTOFF}"] = ndcg_at(ranking, judgements, CUTOFF)
    return {name: out[name] for name in metric_names(depth)}


def mean_metrics(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Arithmetic mean of each metric over queries (all must have the same metrics)."""
    if not per_query:
        raise ValueError("no queries to average")
    names = list(per_query[0])
    return {name: sum(q[name] for q in per_query) / len(per_query) for name in names}
