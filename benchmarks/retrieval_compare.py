"""Retrieval quality on the development set: hybrid vs lexical vs dense vs plain BM25, in one run.

    python benchmarks/retrieval_compare.py                      # dev split, all four modes
    python benchmarks/retrieval_compare.py --split heldout      # the frozen held-out split
    python benchmarks/retrieval_compare.py --grid               # tune hybrid settings on dev
    python benchmarks/retrieval_compare.py --set fusion_k=20    # any ranking setting

The corpus is indexed once with the product's own pipeline (credgraph.evaluation.retrieval
.CorpusSearcher: the lexical index, embedder, FAISS index and fusion of `credgraph search`)
and once by the plain BM25 baseline (bm25s); every mode then answers the same queries, and
the scores come from the same metric functions as `credgraph eval retrieval`. Output: a
Markdown table (overall and per query family) for benchmarks/RESULTS.md.

The Czech → English query map is fitted as `eval retrieval` fits it (from the graph in
the data folder, `CREDGRAPH_DATA_DIR`), without the label pairs whose Czech text is a
query of either split; "hybrid/dense, no query map" rows show the same index searched
without it, "hybrid, untuned" the fusion settings before tuning and no map.

The development set and its frozen split: benchmarks/devset/README.md. `--grid` scores
only the dev split (tuning never looks at the held-out queries).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.evaluation.baseline import BM25Baseline
from credgraph.evaluation.metrics import mean_metrics
from credgraph.evaluation.retrieval import (
    CorpusSearcher,
    EvalInputs,
    EvalMode,
    eval_query_map,
    read_inputs,
    run_queries,
    score_rankings,
)
from credgraph.runtime import make_embedder

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "devset"
MODES: tuple[EvalMode, ...] = ("hybrid", "lexical", "dense", "bm25")
# the fusion settings before tuning on the dev split, reported as one more row
UNTUNED = {
    "fusion_k": 60,
    "fusion_weight_dense": 1.0,
    "lexical_min_relative": 0.5,
    "fusion_lexical_by_coverage": False,
    "dense_query_map_blend": 0.0,
}
# the same settings without the Czech → English query map, reported as more rows
NO_MAP = {"dense_query_map_blend": 0.0}
# families by query language → target language
GROUPS = {"cs": ("csalt", "csinfl", "nsk"), "cs→en": ("cstr",), "en": ("alt",)}
K = 10
FAMILIES = ("alt", "csalt", "csinfl", "nsk", "cstr")

# the tuning grid (dev split only): the settings that decide how the two rankings are
# combined. The dense floor (0.85) is not tuned here: it decides what filtered searches
# return at all (docs/search.md), and 0.80-0.85 changed MRR@10 by < 0.002 on dev.
GRID: dict[str, list[Any]] = {
    "fusion_lexical_by_coverage": [False, True],
    "fusion_weight_dense": [1.0, 1.5, 2.0],
    "fusion_k": [10, 30, 60],
    "lexical_min_relative": [0.3, 0.5],
}


def parse_set(values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        name, _, raw = item.partition("=")
        if not raw or name not in Settings.model_fields:
            sys.exit(f"error: --set {item!r}: expected NAME=VALUE with a Settings field name")
        out[name] = json.loads(raw)
    return out


def evaluate(
    rankings: dict[str, list[tuple[str, float]]], inputs: EvalInputs
) -> dict[str, dict[str, float]]:
    """Mean metrics overall ("all") and per query family."""
    _, scored, groups = score_rankings(rankings, inputs, K)
    out = {"all": {"queries": float(len(scored)), **mean_metrics(scored)}}
    for group, families in GROUPS.items():
        values = [v for f in families for v in groups.get(f, [])]
        if values:
            out[group] = {"queries": float(len(values)), **mean_metrics(values)}
    for family in FAMILIES:
        if family in groups:
            out[family] = {"queries": float(len(groups[family])), **mean_metrics(groups[family])}
    return out


def table(results: dict[str, dict[str, dict[str, float]]], split: str) -> list[str]:
    lines = [
        f"Split: {split}. Overall (mean over queries):",
        "",
        "| mode | queries | MRR@10 | R@1 | R@5 | R@10 | nDCG@10 |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, by_family in results.items():
        m = by_family["all"]
        lines.append(
            f"| {mode} | {int(m['queries'])} | {m['mrr@10']:.3f} | {m['recall@1']:.3f} | "
            f"{m['recall@5']:.3f} | {m['recall@10']:.3f} | {m['ndcg@10']:.3f} |"
        )
    lines += ["", "MRR@10 per query family, and per language (query → item):", ""]
    present = [f for f in (*FAMILIES, *GROUPS) if f in next(iter(results.values()))]
    lines.append("| mode | " + " | ".join(present) + " |")
    lines.append("|---|" + "---|" * len(present))
    for mode, by_family in results.items():
        row = " | ".join(f"{by_family[f]['mrr@10']:.3f}" for f in present)
        lines.append(f"| {mode} | {row} |")
    counts = ", ".join(f"{f} {int(results[MODES[0]][f]['queries'])}" for f in present)
    lines += ["", f"Hybrid, untuned: the fusion settings before tuning ({UNTUNED})."]
    lines += ["", f"Queries per family: {counts}."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--split", choices=["dev", "heldout"], default="dev")
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache file")
    parser.add_argument("--set", action="append", default=[], help="NAME=VALUE (JSON)")
    parser.add_argument("--grid", action="store_true", help="tune hybrid on the dev split")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()
    if args.grid and args.split != "dev":
        sys.exit("error: --grid tunes on the dev split only")

    overrides = {"progress": False, **parse_set(args.set)}
    if args.cache is not None:
        overrides["embedding_cache"] = args.cache
    settings = Settings(**overrides)
    d = args.devset
    inputs = read_inputs(
        d / "corpus.tsv", d / f"queries_{args.split}.tsv", d / f"qrels_{args.split}.tsv"
    )
    embedder = make_embedder(settings)
    t0 = time.perf_counter()
    # the query map as `eval retrieval` fits it, without the pairs whose Czech text is a
    # query of either split (so dev and held-out runs use the same map)
    every_query = [
        text
        for split in ("dev", "heldout")
        for text in read_inputs(
            d / "corpus.tsv", d / f"queries_{split}.tsv", d / f"qrels_{split}.tsv"
        ).queries.texts.values()
    ]
    query_map, why = eval_query_map(settings, embedder, every_query)
    print(f"query map: {why}", file=sys.stderr)
    searcher = CorpusSearcher.build(inputs.corpus.texts, settings, embedder, query_map=query_map)
    t1 = time.perf_counter()
    baseline = BM25Baseline(inputs.corpus.texts)
    t2 = time.perf_counter()
    embedder.embed(list(dict.fromkeys(inputs.queries.texts.values())), "query")
    print(
        f"corpus {len(inputs.corpus)} items / {inputs.corpus.lines} texts; product index "
        f"{t1 - t0:.1f} s ({searcher.embedded_now} texts embedded now), bm25s index "
        f"{t2 - t1:.1f} s; {len(inputs.queries)} queries",
        file=sys.stderr,
    )

    if args.grid:
        names = list(GRID)
        rows = []
        for values in itertools.product(*(GRID[n] for n in names)):
            config = dict(zip(names, values, strict=True))
            tuned = searcher.with_settings(settings.model_copy(update=config))
            result = evaluate(run_queries(tuned, inputs.queries, K, "hybrid"), inputs)
            rows.append((config, result))
            print(
                f"{config} mrr {result['all']['mrr@10']:.4f} "
                f"cstr {result.get('cstr', {}).get('mrr@10', 0):.4f}",
                file=sys.stderr,
            )
        rows.sort(key=lambda r: -r[1]["all"]["mrr@10"])
        print("| " + " | ".join(names) + " | MRR@10 | R@5 | " + " | ".join(FAMILIES) + " |")
        print("|---" * (len(names) + 2 + len(FAMILIES)) + "|")
        for config, result in rows[:15]:
            fam = " | ".join(f"{result.get(f, {}).get('mrr@10', 0):.3f}" for f in FAMILIES)
            print(
                "| "
                + " | ".join(str(config[n]) for n in names)
                + f" | {result['all']['mrr@10']:.3f} | {result['all']['recall@5']:.3f} | {fam} |"
            )
        if args.json_out:
            args.json_out.write_text(json.dumps([[c, r] for c, r in rows], indent=1))
        return

    results: dict[str, dict[str, dict[str, float]]] = {}
    seconds: dict[str, float] = {}
    for mode in MODES:
        start = time.perf_counter()
        ranker: CorpusSearcher | BM25Baseline = baseline if mode == "bm25" else searcher
        results[mode] = evaluate(run_queries(ranker, inputs.queries, K, mode), inputs)
        seconds[mode] = time.perf_counter() - start
    untuned = searcher.with_settings(settings.model_copy(update=UNTUNED))
    results["hybrid, untuned"] = evaluate(run_queries(untuned, inputs.queries, K, "hybrid"), inputs)
    if query_map is not None and settings.dense_query_map_blend > 0:
        unmapped = searcher.with_settings(settings.model_copy(update=NO_MAP))
        for mode in ("hybrid", "dense"):
            rankings = run_queries(unmapped, inputs.queries, K, mode)
            results[f"{mode}, no query map"] = evaluate(rankings, inputs)
    print("\n".join(table(results, args.split)))
    per_query_ms = ", ".join(
        f"{m} {1000 * s / len(inputs.queries):.1f}" for m, s in seconds.items()
    )
    print(f"\nSearch time per query (ms, in process): {per_query_ms}.")
    shown = {k: v for k, v in overrides.items() if k not in ("progress", "embedding_cache")}
    print(f"Settings changed from the defaults: {shown or 'none'}.")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
