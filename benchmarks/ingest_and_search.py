"""Fresh bundled ingest (total and per stage) and in-process search latency.

    python benchmarks/ingest_and_search.py [--warm-cache] [--repeat N]

Ingests data/ into a new temporary data folder with an empty embedding cache (what a fresh
clone does; --warm-cache reuses .cache/embeddings-bench.sqlite instead), then times
hybrid, lexical and dense searches for every query of benchmarks/query_pairs.tsv (both
languages), N times each after one warm-up pass. Prints Markdown; raw numbers go to
benchmarks/out/ingest_and_search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.runtime import make_embedder, open_search, run_ingest

HERE = Path(__file__).resolve().parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-cache", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from search_quality import load_pairs

    with tempfile.TemporaryDirectory() as tmp:
        cache = (
            HERE.parent / ".cache" / "embeddings-bench.sqlite"
            if args.warm_cache
            else Path(tmp) / "embeddings.sqlite"
        )
        settings = Settings(data_dir=Path(tmp) / "data", progress=False, embedding_cache=cache)
        t0 = time.perf_counter()
        result = run_ingest(settings)
        total = time.perf_counter() - t0
        store = EmbeddedGraphStore(settings.store_path)
        t1 = time.perf_counter()
        service = open_search(settings, store, make_embedder(settings))
        load_seconds = time.perf_counter() - t1
        queries = [p[f"{lang}_query"] for p in load_pairs() for lang in ("cs", "en")]
        latency: dict[str, list[float]] = {}
        for mode in ("hybrid", "lexical", "dense"):
            for q in queries:  # warm-up
                service.search(q, limit=10, mode=mode)  # type: ignore[arg-type]
            samples = []
            for _ in range(args.repeat):
                for q in queries:
                    s = time.perf_counter()
                    service.search(q, limit=10, mode=mode)  # type: ignore[arg-type]
                    samples.append((time.perf_counter() - s) * 1000)
            latency[mode] = samples
        store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "warm_cache": args.warm_cache,
        "ingest_total_s": round(total, 1),
        "ingest": result["seconds"],
        "index": result["index"],
        "files": [
            {"file": Path(f["source"]).name, "seconds": f["seconds"], "rows": f["rows_read"]}
            for f in result["files"]
        ],
        "search_service_load_s": round(load_seconds, 2),
        "peak_rss_mb": round(peak_mb),
        "latency_ms": {
            m: {
                "p50": round(statistics.median(v), 2),
                "p95": round(percentile(v, 95), 2),
                "p99": round(percentile(v, 99), 2),
                "n": len(v),
            }
            for m, v in latency.items()
        },
    }
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "ingest_and_search.json").write_text(
        json.dumps(out, indent=1), encoding="utf-8"
    )
    print(f"machine: {out['machine']}; date {out['date']}; warm cache: {args.warm_cache}")
    print(
        f"\nfresh bundled ingest: {out['ingest_total_s']} s total "
        f"(load files {result['seconds']['load']} s, search index {result['seconds']['index']} s)"
    )
    print("\n| stage | seconds |\n|---|---|")
    for f in out["files"]:
        print(f"| load {f['file']} ({f['rows']} rows) | {f['seconds']} |")
    for stage, sec in result["index"]["seconds"].items():
        print(f"| index: {stage} | {sec} |")
    print(
        f"\nembedded now: {result['index']['embedded_now']} of {result['index']['dense_docs']}"
        f" dense texts; peak RSS {out['peak_rss_mb']} MB; search service load "
        f"{out['search_service_load_s']} s"
    )
    print("\n| mode | p50 ms | p95 ms | p99 ms | queries |\n|---|---|---|---|---|")
    for mode, st in out["latency_ms"].items():
        print(f"| {mode} | {st['p50']} | {st['p95']} | {st['p99']} | {st['n']} |")


if __name__ == "__main__":
    main()
