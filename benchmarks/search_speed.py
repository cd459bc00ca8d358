"""Search speed: in-process and over HTTP at 1/8/32 clients, bundled and a 10× synthetic index.

    python benchmarks/search_speed.py --data-dir DIR [--scales 1 10] [--clients 1 8 32]
                                      [--workers 1 2]

DIR is a data folder the main job filled (`credgraph ingest`); its embedding cache holds
every indexed text's vector. Queries: the dev split of benchmarks/devset (674 Czech and
English texts, many of them long NSK competence sentences).

In process, per scale (a subprocess per scale):

1. the search index is built from the graph as `credgraph ingest` builds it (the lexical
   index, the dense index chosen by the settings — HNSW at these sizes); at scale S > 1
   every entity and document is copied S - 1 more times under new ids (SYNTHETIC: same
   texts, dense vectors of the copies are the originals plus Gaussian noise σ = 0.02,
   renormalised), so posting lists and the vector matrix grow S-fold; build time and peak
   resident memory are reported;
2. **new queries**: one pass over the queries, each seen for the first time, so the
   e5 model embeds it (the search service's query embedder has an empty cache); the
   model's share is timed on its own;
3. **repeated queries**: `--repeat` more passes; the query vectors now come from the
   service's in-memory LRU (`CREDGRAPH_SEARCH_QUERY_CACHE_SIZE`), the rest is the same work.

Over HTTP: at scale 1 the real server, `credgraph serve --workers W` on DIR, for each W of
`--workers`; at larger scales the in-memory synthetic service under uvicorn (one process:
the synthetic index lives only in the process that built it). This process plays the clients: N
threads, each with its own keep-alive connection, send `GET /v1/search?q=…&limit=10` for
the queries in turn until `--requests` are answered; latency is measured client-side, and
clients and server share the machine's cores. Two regimes on the real server: *repeated*
(the first `--http-queries` dev queries; with several workers every connection of a
16-connection warm-up sent each of them first, so every worker has them in its LRU) and
*new* (the server runs with `CREDGRAPH_SEARCH_QUERY_CACHE_SIZE=0`, so the model embeds
every request's query). The
real server gets an empty embedding cache file (it loads the index from disk and embeds no
passages), so no query is found there either. The synthetic service is measured in the
repeated regime only: the model's cost per query does not grow with the index (its share
is in the in-process table).
Prints Markdown.
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


def build_service(data_dir: Path, scale: int) -> tuple[Any, Any, dict[str, Any]]:
    import numpy as np

    from credgraph.config import Settings
    from credgraph.graph.base import open_store
    from credgraph.runtime import make_embedder
    from credgraph.search.documents import SearchDoc
    from credgraph.search.lexical import LexicalIndex
    from credgraph.search.service import Entity, SearchService, collect_documents
    from credgraph.search.vector import build_vector_index

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
    index = build_vector_index(np.vstack(blocks).astype(np.float32), embedder.model_id, settings)
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
    stats: dict[str, Any] = {
        "entities": len(all_entities),
        "lexical_docs": len(all_lex),
        "dense_docs": len(all_dense),
        "read_graph_and_vectors_s": t_read,
        "lexical_index_s": t_lex,
        "dense_index_s": t_dense,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    return service, store, stats


def measure_in_process(service: Any, queries: list[str], repeat: int) -> dict[str, Any]:
    """New queries (first sight: the model embeds them), then repeated ones (from the LRU)."""
    from credgraph.search.embedder import CachedEmbedder, EmbeddingCache

    # the service's query embedder gets an empty cache: every first query goes to the model,
    # as a user's new query does on a server (search never writes queries to the cache)
    scratch = Path(tempfile.mkdtemp()) / "queries.sqlite"
    inner = service.embedder.inner if isinstance(service.embedder, CachedEmbedder) else None
    if inner is not None:
        service.embedder = CachedEmbedder(inner, EmbeddingCache(scratch))
    service.query_vector("warm-up of the model")  # first call loads the ONNX session lazily
    service.search("warm-up of the model", limit=10)
    totals: list[float] = []
    model: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        service.query_vector(q)
        t1 = time.perf_counter()
        service.search(q, limit=10)
        t2 = time.perf_counter()
        model.append((t1 - t0) * 1000)
        totals.append((t2 - t0) * 1000)
    repeated: list[float] = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            service.search(q, limit=10)
            repeated.append((time.perf_counter() - t) * 1000)
    return {
        "new": summary(totals),
        "new_model_share": summary(model),
        "repeated": summary(repeated),
    }


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "mean": sum(values) / len(values),
        "n": len(values),
    }


def serve(data_dir: Path, scale: int, port: int, ready: Path, repeat: int) -> None:
    """One scale in this process: build, measure in process, then (if ``port``) serve."""
    import uvicorn

    from credgraph.api.app import create_app

    service, store, stats = build_service(data_dir, scale)
    stats["in_process_ms"] = measure_in_process(service, read_queries(), repeat)
    stats["peak_rss_after_queries_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app = create_app(service.settings, store, service)
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats))
    tmp.rename(ready)
    if port:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the clients -------------------------------------------------------------------------------


def load(
    port: int, clients: int, total: int, queries: list[str], per_connection: bool = False
) -> dict[str, float]:
    """``clients`` threads, one keep-alive connection each, send ``total`` searches (the
    queries in turn; ``per_connection``: every connection sends the whole list once)."""
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal errors
        own = iter(range(len(queries)))
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            while True:
                if per_connection:
                    i = next(own, None)
                else:
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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"error: {what} stopped ({proc.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    sys.exit(f"error: {what} did not answer /v1/health within 10 minutes")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def process_tree_rss_mib(pid: int) -> list[float]:
    """Resident memory of ``pid``'s child processes (the uvicorn workers), MiB each."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                kib = int(line.split()[1])
                if kib > 100 * 1024:  # a worker, not multiprocessing's small helpers
                    sizes.append(kib / 1024)
    return sorted(sizes)


def http_levels(
    args: argparse.Namespace, port: int, regime: str, processes: int = 1
) -> dict[int, dict[str, float]]:
    """Load levels for one regime on a listening server."""
    if regime == "repeated":
        queries = read_queries(args.http_queries)
        # several worker processes: 16 connections, each sends every query, so whichever
        # worker takes a connection later has seen the queries (each has its own LRU)
        warm = 16 if processes > 1 else 1
        load(port, warm, warm * len(queries), queries, per_connection=True)
    else:
        queries = read_queries()
        # every worker loads its model (lazily, on its first query) and warms its pages
        load(port, 16, 16 * 3, queries[-3:], per_connection=True)
    return {c: load(port, c, args.requests, queries) for c in args.clients}


def run_real_server(args: argparse.Namespace, workers: int, regime: str) -> dict[str, Any]:
    """`credgraph serve --workers W` on the data folder; every query embedded by the model
    (regime new: LRU off) or taken from each worker's LRU (regime repeated)."""
    port = free_port()
    scratch = Path(tempfile.mkdtemp())
    env = {
        **os.environ,
        "CREDGRAPH_DATA_DIR": str(args.data_dir),
        "CREDGRAPH_PROGRESS": "false",
        # an empty embedding cache: no query of the set is found there (the index on disk
        # is what the server loads; passages are not embedded at serve time)
        "CREDGRAPH_EMBEDDING_CACHE": str(scratch / "queries.sqlite"),
        "CREDGRAPH_SEARCH_QUERY_CACHE_SIZE": "0" if regime == "new" else "4096",
    }
    credgraph = Path(sys.executable).with_name("credgraph")
    proc = subprocess.Popen(
        [str(credgraph), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(port, proc, f"credgraph serve --workers {workers}")
        levels = http_levels(args, port, regime, workers)
        return {"levels": levels, "worker_rss_mib": process_tree_rss_mib(proc.pid)}
    finally:
        stop(proc)


def run_scale(args: argparse.Namespace, scale: int) -> dict[str, Any]:
    """Build + in-process numbers in a subprocess; HTTP on the real server (scale 1) or
    on that subprocess's in-memory synthetic service (larger scales)."""
    port = 0 if scale == 1 else free_port()
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    command = [sys.executable, __file__, "--serve", "--data-dir", str(args.data_dir)]
    command += ["--scale", str(scale), "--port", str(port), "--ready", str(ready)]
    command += ["--repeat", str(args.repeat)]
    server = subprocess.Popen(command)
    try:
        while not ready.exists():
            if server.poll() is not None:
                sys.exit(f"error: the process for scale {scale} stopped ({server.returncode})")
            time.sleep(0.5)
        stats: dict[str, Any] = json.loads(ready.read_text())
        http: dict[str, Any] = {}
        if scale == 1:
            server.wait()
            for workers in args.workers:
                for regime in ("repeated", "new"):
                    print(f"HTTP: {workers} worker(s), {regime} queries ...", file=sys.stderr)
                    http[f"{workers}/{regime}"] = run_real_server(args, workers, regime)
        else:
            wait_healthy(port, server, f"the {scale}x server")
            http["1/repeated"] = {"levels": http_levels(args, port, "repeated")}
        stats["http"] = http
        return stats
    finally:
        if server.poll() is None:
            stop(server)


def fmt(d: dict[str, float]) -> str:
    return f"{d['p50']:.1f} / {d['p95']:.1f} / {d['p99']:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--requests", type=int, default=1000, help="HTTP requests per level")
    parser.add_argument(
        "--http-queries", type=int, default=200, help="queries of the repeated HTTP regime"
    )
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
        "| scale | entities | lexical docs | dense vectors | index build s (lexical + dense) "
        "| peak RSS MiB | new query p50/p95/p99 ms (model p50/p95) "
        "| repeated query p50/p95/p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scale, s in results.items():
        ip = s["in_process_ms"]
        label = "bundled" if scale == 1 else f"{scale}× synthetic"
        model = ip["new_model_share"]
        print(
            f"| {label} | {s['entities']} | {s['lexical_docs']} | {s['dense_docs']} | "
            f"{s['lexical_index_s']:.1f} + {s['dense_index_s']:.1f} | "
            f"{s['peak_rss_after_queries_mib']:.0f} | {fmt(ip['new'])} "
            f"({model['p50']:.1f} / {model['p95']:.1f}) | {fmt(ip['repeated'])} |"
        )
    print()
    print(
        "| scale | workers | queries | clients | requests | HTTP p50/p95/p99 ms | requests/s "
        "| errors |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scale, s in results.items():
        label = "bundled" if scale == 1 else f"{scale}× synthetic (in memory)"
        for key, run in s["http"].items():
            workers, regime = key.split("/")
            for clients, h in run["levels"].items():
                print(
                    f"| {label} | {workers} | {regime} | {clients} | {h['n']} | {fmt(h)} | "
                    f"{h['rps']:.0f} | {h['errors']} |"
                )
    for s in results.values():
        for key, run in s["http"].items():
            if run.get("worker_rss_mib"):
                sizes = ", ".join(f"{m:.0f}" for m in run["worker_rss_mib"])
                print(f"\nserver processes at {key} (after the load): RSS MiB {sizes}")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
