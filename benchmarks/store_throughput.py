"""Bundled-ingest write throughput and read latency: embedded store vs Neo4j.

    python benchmarks/store_throughput.py [--neo4j-uri URI] [--repeat N]

Loads every bundled file (ingest only, no search index) into a new embedded store and into
an emptied Neo4j database (started with scripts/neo4j-server when no URI is given), then
times typical reads on both: one node, a node's neighbours (an occupation with its ~100
REQUIRES edges), a subgraph of 50 nodes, the counts. Prints Markdown; raw numbers go to
benchmarks/out/store_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.graph.base import GraphStore
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.graph.neo4j_store import Neo4jGraphStore
from credgraph.ingest import bundled_paths, ingest_paths

HERE = Path(__file__).resolve().parent
WELDER = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def time_calls(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50": round(statistics.median(samples), 2), "p95": round(percentile(samples, 95), 2)}


def measure(store: GraphStore, settings: Settings, repeat: int) -> dict[str, Any]:
    start = time.perf_counter()
    ingest_paths(store, bundled_paths(), settings)
    seconds = time.perf_counter() - start
    counts = store.counts()
    items = sum(counts.nodes.values()) + sum(counts.edges.values())
    sample = [n.id for n in store.iter_nodes()][::400][:50]
    return {
        "ingest_s": round(seconds, 1),
        "items": items,
        "items_per_s": round(items / seconds),
        "reads_ms": {
            "get_node": time_calls(lambda: store.get_node(WELDER), repeat),
            "neighbours (welder, ~100 edges)": time_calls(lambda: store.neighbours(WELDER), repeat),
            "subgraph (50 nodes)": time_calls(lambda: store.subgraph(sample), repeat),
            "counts": time_calls(store.counts, max(5, repeat // 10)),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j-uri", default=None)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), progress=False)
        embedded = EmbeddedGraphStore(Path(tmp) / "graph.sqlite")
        results["embedded"] = measure(embedded, settings, args.repeat)
        embedded.close()
        uri, started = args.neo4j_uri, False
        script = str(HERE.parent / "scripts" / "neo4j-server")
        if uri is None:
            uri = (
                subprocess.run(
                    [script, "start", "--data", str(Path(tmp) / "neo4j")],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            started = True
        try:
            neo = Neo4jGraphStore(uri)
            neo.clear()
            results["neo4j"] = measure(neo, settings, args.repeat)
            neo.clear()
            neo.close()
        finally:
            if started:
                subprocess.run(
                    [script, "stop", "--data", str(Path(tmp) / "neo4j")],
                    check=False,
                    capture_output=True,
                )
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "store_throughput.json").write_text(json.dumps(results, indent=1))
    print("| store | bundled ingest s | nodes + edges | items/s |\n|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['ingest_s']} | {r['items']} | {r['items_per_s']} |")
    print("\n| read | embedded p50 / p95 ms | neo4j p50 / p95 ms |\n|---|---|---|")
    for read in results["embedded"]["reads_ms"]:
        e, n = results["embedded"]["reads_ms"][read], results["neo4j"]["reads_ms"][read]
        print(f"| {read} | {e['p50']} / {e['p95']} | {n['p50']} / {n['p95']} |")


if __name__ == "__main__":
    main()
