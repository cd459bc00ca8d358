"""Search speed: in-process and over HTTP at 1/8/32 clients, bundled and a 10× synthetic index.

    python benchmarks/search_speed.py --data-dir DIR [--scales 1 10] [--clients 1 8 32]

DIR is a data folder the main job filled (`credgraph ingest`); its embedding cache makes
re-embedding unnecessary. For each scale a server process is started that

1. builds the search index from the graph (credgraph.search.service.collect_documents,
   the lexical index and the FAISS index, as `credgraph ingest` builds them) — at scale
   S > 1 every entity and document is copied S - 1 more times under new ids (SYNTHETIC:
   same texts, dense vectors of the copies are the originals plus Gaussian noise σ = 0.02,
   renormalised), so posting lists and the vector matrix grow S-fold;
2. reports the build time and its peak resident memory (model included);
3. times in-process hybrid searches (`SearchService.search`, limit 10) over the query
   list, one after another, after one warm-up pass;
4. serves the API (`create_app`, uvicorn, one process — what `credgraph serve` runs).

This process then plays the clients: N threads, each with its own keep-alive HTTP
connection, send `GET /v1/search?q=…&limit=10` for the queries in turn until the total
is reached; the latency of each request is measured from this side. Queries: the dev
split of benchmarks/devset (Czech and English; 674 texts). Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "devset" / "queries_dev.tsv"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def read_queries(limit: int | None = None) -> list[str]:
    rows = QUERIES.read_text(encoding="utf-8").splitlines()
    texts = [r.split("\t", 1)[1] for r in rows if r and not r.startswith("#")]
    return texts[:limit] if limit else texts


# -- the server process ------------------------------------------------------------------------


def build_service(data_dir: Path, scale: int) -> tuple[Any, Any, dict[str, float]]:
    import numpy as np

    from credgraph.config import Settings
    from credgraph.graph.base import open_store
    from credgraph.runtime import make_embedder
    from credgraph.search.documents import SearchDoc
    from credgraph.search.lexical import LexicalIndex
    from credgraph.search.service import Entity, SearchService, collect_documents
    from credgraph.search.vector import FaissVectorIndex

    settings = Settings(data_dir=data_dir, progress=False)
    store = open_store(settings)
    embedder = make_embedder(settings)
    t0 = time.perf_counter()
    entities, lex, dense = collect_documents(store)
    vectors = embedder.embed([d.text for d in dense], "passage")
    if embedder.computed:
        print(f"warning: {embedder.computed} texts were not in the cache", file=sys.stderr)
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    n = len(entities)
    all_entities: list[Entity] = list(entities)
    all_lex: list[SearchDoc] = list(lex)
    all_dense: list[SearchDoc] = list(dense)
    blocks = [vectors]
    rng = np.random.default_rng(0)
    for copy in range(1, scale):
        all_entities += [
            Entity(f"{e.id}#syn{copy}", e.kind, e.labels, e.eqf_level) for e in entities
        ]
        shift = copy * n
        all_lex += [SearchDoc(d.entity + shift, d.field, d.lang, d.text, d.weight) for d in lex]
        all_dense += [SearchDoc(d.entity + shift, d.field, d.lang, d.text, d.weight) for d in dense]
        noisy = vectors + rng.normal(0, 0.02, vectors.shape).astype(np.float32)
        blocks.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    lexical = LexicalIndex.build(
        [d.text for d in all_lex], [d.entity for d in all_lex], [d.weight for d in all_lex]
    )
    t_lex = time.perf_counter() - t1
    t2 = time.perf_counter()
    index = FaissVectorIndex(np.vstack(blocks).astype(np.float32), embedder.model_id)
    t_dense = time.perf_counter() - t2
    service = SearchService.from_documents(
        settings,
        embedder,
        all_entities,
        all_lex,
        all_dense,
        lexical,
        index,
        {"model_id": embedder.model_id, "dimension": embedder.dimension, "synthetic": scale},
    )
    stats = {
        "entities": len(all_entities),
        "lexical_docs": len(all_lex),
        "dense_docs": len(all_dense),
        "read_graph_and_vectors_s": t_read,
        "lexical_index_s": t_lex,
        "dense_index_s": t_dense,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    return service, store, stats


def serve(data_dir: Path, scale: int, port: int, ready: Path, repeat: int) -> None:
    import uvicorn

    from credgraph.api.app import create_app

    service, store, stats = build_service(data_dir, scale)
    queries = read_queries()
    for q in queries:  # warm-up: query embeddings into the cache, pages into memory
        service.search(q, limit=10)
    timings: list[float] = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            service.search(q, limit=10)
            timings.append((time.perf_counter() - t) * 1000)
    stats["in_process_ms"] = {
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "n": len(timings),
    }
    stats["peak_rss_after_queries_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app = create_app(service.settings, store, service)
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats))
    tmp.rename(ready)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the clients -------------------------------------------------------------------------------


def load(port: int, clients: int, total: int, queries: list[str]) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t = time.perf_counter()
                r = client.get("/v1/search", params={"q": queries[i % len(queries)], "limit": 10})
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(ms)
                    errors += r.status_code != 200

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "rps": len(latencies) / wall,
        "errors": errors,
        "n": len(latencies),
    }


def run_scale(args: argparse.Namespace, scale: int) -> dict[str, Any]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--data-dir",
            str(args.data_dir),
            "--scale",
            str(scale),
            "--port",
            str(port),
            "--ready",
            str(ready),
            "--repeat",
            str(args.repeat),
        ]
    )
    try:
        while not ready.exists():
            if server.poll() is not None:
                sys.exit(f"error: the server for scale {scale} stopped ({server.returncode})")
            time.sleep(0.5)
        stats: dict[str, Any] = json.loads(ready.read_text())
        import httpx

        for _ in range(100):  # until uvicorn listens
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        queries = read_queries()
        load(port, 4, 200, queries)  # warm-up over HTTP
        stats["http"] = {c: load(port, c, args.requests, queries) for c in args.clients}
        return stats
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=1000, help="HTTP requests per level")
    parser.add_argument("--repeat", type=int, default=2, help="in-process passes over queries")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--ready", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()
    if args.serve:
        serve(args.data_dir, args.scale, args.port, args.ready, args.repeat)
        return

    results = {scale: run_scale(args, scale) for scale in args.scales}
    print(f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
          f"{platform.python_version()}; date {time.strftime('%Y-%m-%d')}.")  # fmt: skip
    print()
    print(
        "| scale | entities | lexical docs | index build s (lexical + FAISS) | peak RSS MiB "
        "| in-process p50/p95/p99 ms |"
    )
    print("|---|---|---|---|---|---|")
    for scale, s in results.items():
        ip = s["in_process_ms"]
        label = "bundled" if scale == 1 else f"{scale}× synthetic"
        print(
            f"| {label} | {s['entities']} | {s['lexical_docs']} | "
            f"{s['lexical_index_s']:.1f} + {s['dense_index_s']:.2f} | "
            f"{s['peak_rss_after_queries_mib']:.0f} | "
            f"{ip['p50']:.1f} / {ip['p95']:.1f} / {ip['p99']:.1f} |"
        )
    print()
    print("| scale | clients | requests | HTTP p50/p95/p99 ms | requests/s | errors |")
    print("|---|---|---|---|---|---|")
    for scale, s in results.items():
        label = "bundled" if scale == 1 else f"{scale}× synthetic"
        for clients, h in s["http"].items():
            print(
                f"| {label} | {clients} | {h['n']} | {h['p50']:.1f} / {h['p95']:.1f} / "
                f"{h['p99']:.1f} | {h['rps']:.0f} | {h['errors']} |"
            )
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
