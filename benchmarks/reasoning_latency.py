"""Stacking, recognition and pathway latency on the bundled data and on a SYNTHETIC
catalogue 10× and 100× larger.

    python benchmarks/reasoning_latency.py --data-dir DIR [--scales 1,10,100] [--repeat N]

DIR is a data folder the main job filled (`credgraph ingest` + `credgraph align`). For
scale s > 1 the catalogue is grown by a documented generator: every qualification,
competence, credential and learning outcome (with their HAS_COMPETENCE / HAS_OUTCOME /
ALIGNS_TO edges) is copied s-1 times under new ids (``<id>~syn<n>``, ``synthetic: true``);
texts stay the same, so no new embeddings are needed and match counts grow s-fold — a
worst case for candidate search, since every copy matches wherever its original does.
ESCO (skills, occupations, hierarchy) is not copied. The copy is written to a temporary
embedded store; nothing in DIR changes.

Measured in process (the API adds ~1 ms of HTTP handling): the view build and the first
request (which indexes the catalogue's units) once, then p50/p95 over ``--repeat`` runs
of each query. Prints Markdown; raw numbers go to benchmarks/out/reasoning_latency.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind
from credgraph.reasoning.service import Reasoner
from credgraph.runtime import make_embedder

HERE = Path(__file__).resolve().parent
COOK = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
QUERIES: dict[str, list[tuple[str, Callable[[Reasoner], Any]]]] = {
    "stacking": [
        ("PK nsk-9 holding nsk-6", lambda r: r.stack("nsk:nsk-9", ["nsk:nsk-6"])),
        ("ÚPK Elektrikář holding 1 PK", lambda r: r.stack("nsk:upk-26-99-H-08", ["nsk:nsk-574"])),
        ("PK nsk-1430, nothing held", lambda r: r.stack("nsk:nsk-1430", [])),
    ],
    "recognition": [
        ("nsk-6 vs nsk-9", lambda r: r.recognise("nsk:nsk-6", "nsk:nsk-9")),
        (
            "offer mc-014 vs its PK",
            lambda r: r.recognise("mc:mc-014-48c7c76d", "nsk:code-69-017-M"),
        ),
        ("nsk-1430 vs nsk-6", lambda r: r.recognise("nsk:nsk-1430", "nsk:nsk-6")),
    ],
    "pathways": [
        ("to PK nsk-9 from nsk-6", lambda r: r.pathways("nsk:nsk-9", ["nsk:nsk-6"])),
        ("to occupation cook", lambda r: r.pathways(COOK)),
        ("to ÚPK Jemný mechanik", lambda r: r.pathways("nsk:upk-23-99-H-14")),
    ],
}
COPIED_NODES = (
    NodeKind.QUALIFICATION,
    NodeKind.COMPETENCE,
    NodeKind.CREDENTIAL,
    NodeKind.LEARNING_OUTCOME,
)
COPIED_EDGES = (EdgeKind.HAS_COMPETENCE, EdgeKind.HAS_OUTCOME, EdgeKind.ALIGNS_TO)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def grow(source: Path, target: Path, scale: int) -> None:
    """Copy the store, then add scale-1 synthetic copies of the catalogue."""
    shutil.copy(source, target)
    store = EmbeddedGraphStore(target)
    nodes = [n for k in COPIED_NODES for n in store.iter_nodes(k)]
    ids = {n.id for n in nodes}
    edges = [e for k in COPIED_EDGES for e in store.iter_edges(k) if e.source in ids]

    def sid(value: str, n: int) -> str:
        return f"{value}~syn{n}" if value in ids else value

    for n in range(1, scale):
        copies = []
        for node in nodes:
            props = dict(node.props)
            for key in ("qualification", "credential"):
                if isinstance(props.get(key), str):
                    props[key] = sid(str(props[key]), n)
            props["synthetic"] = True
            copies.append(Node(sid(node.id, n), node.kind, dict(node.labels), props=props))
        with store.transaction():
            store.upsert_nodes(copies)
            store.upsert_edges(
                Edge(sid(e.source, n), e.kind, sid(e.target, n), dict(e.props)) for e in edges
            )
    store.close()


def measure(store_path: Path, settings: Settings, repeat: int) -> dict[str, Any]:
    store = EmbeddedGraphStore(store_path)
    embedder = make_embedder(settings)
    start = time.perf_counter()
    reasoner = Reasoner(store, settings, embedder)
    view_s = time.perf_counter() - start
    start = time.perf_counter()
    QUERIES["pathways"][0][1](reasoner)
    first_s = time.perf_counter() - start
    out: dict[str, Any] = {
        "view_build_s": round(view_s, 2),
        "first_request_s": round(first_s, 2),
        "catalogue_nodes": sum(len(reasoner.view.of_kind(k)) for k in COPIED_NODES),
        "queries": {},
    }
    for family, queries in QUERIES.items():
        samples: list[float] = []
        for _, fn in queries:
            fn(reasoner)
            for _ in range(repeat):
                t = time.perf_counter()
                fn(reasoner)
                samples.append((time.perf_counter() - t) * 1000)
        out["queries"][family] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "runs": len(samples),
        }
    embedder.cache.close()
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, progress=False)
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            path = settings.store_path
            if scale > 1:
                path = Path(tmp) / f"graph-x{scale}.sqlite"
                start = time.perf_counter()
                grow(settings.store_path, path, scale)
                print(f"x{scale}: generated in {time.perf_counter() - start:.1f} s", flush=True)
            results[f"x{scale}"] = measure(path, settings, args.repeat)
            print(f"x{scale}: {json.dumps(results[f'x{scale}'])}", flush=True)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "reasoning_latency.json").write_text(json.dumps(results, indent=2))
    print(
        "\n| scale | catalogue nodes | view build s | first request s | "
        "stacking p50/p95 ms | recognition p50/p95 ms | pathways p50/p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for key, r in results.items():
        if key == "machine":
            continue
        q = r["queries"]
        print(
            f"| {key}{' (synthetic)' if key != 'x1' else ' (bundled)'} | {r['catalogue_nodes']} "
            f"| {r['view_build_s']} | {r['first_request_s']} | "
            + " | ".join(f"{q[f]['p50_ms']} / {q[f]['p95_ms']}" for f in QUERIES)
            + " |"
        )


if __name__ == "__main__":
    main()
