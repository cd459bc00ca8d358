"""Experiment: does a Czech→English linear map in e5 space help Czech queries find English items?

    python benchmarks/cs_en_mapping.py                          # dev split only
    python benchmarks/cs_en_mapping.py --cache /tmp/evalcache.sqlite-copy

What it does (development split of benchmarks/devset only; the held-out split is never
searched or scored — its query *texts* are read only to keep them out of the training pairs):

1. Training pairs: for every ESCO occupation with a Czech preferred label (the ``_000`` row
   of data/esco/cs/occupations_cs_labels_esco_v1.0.9.csv.gz) and an English preferred label
   (data/esco/v1.1.1_en/occupations_en.csv.gz), the pair (Czech preferred, English preferred).
   Dropped: pairs whose Czech text, case-folded and whitespace-normalised, is the text of any
   query of queries_dev.tsv or queries_heldout.tsv, and pairs whose two texts are the same.
   A second, "unseen" training set also drops every occupation that is a relevant item of a
   dev csalt/csinfl query, to show how much of any gain is the map having seen the target.
2. W (384×384) maps the e5 *query* embedding of the Czech label (row vector x → x W) to the
   e5 *query* or *passage* embedding of the English label: orthogonal Procrustes
   (W = U Vᵀ from the SVD of Xᵀ Y) or ridge least squares (λ picked on an 80/20 split of
   the training pairs by the label-translation top-1 accuracy, never on dev queries).
3. Search: the corpus is indexed once with the product's pipeline
   (credgraph.evaluation.retrieval.CorpusSearcher, passages unchanged, from the embedding
   cache); the service's embedder is a wrapper whose embed(texts, "query") returns
   normalize((1-a) q + a normalize(q W)) — "blend a" — for a in {0.1, 0.25, 0.5, 0.75, 1}; "max"
   runs the product's dense ranking twice (q and normalize(q W)) and keeps each item's best
   score. "gated" variants map a query only when it looks Czech (simplemma.langdetect over
   cs/en says cs > en, or the text has Czech diacritics); a gated ranking is, query by
   query, the ungated ranking when the gate fires and the baseline ranking otherwise (each
   query's ranking depends on its own vector only; one gated variant is also run directly
   and checked equal). Two controls use a map that translates nothing: Procrustes from
   the English labels' query vectors to their own passage vectors, and a fixed random
   rotation (seed 0).
4. MRR@10 per family (alt, csalt, csinfl, nsk, cstr) and overall, modes dense and hybrid,
   with the metric functions of `credgraph eval retrieval`; printed as Markdown tables with,
   per variant, the queries ranked better/worse than the baseline, a one-sided paired
   bootstrap p (2000 resamples of the dev queries, seed 0) for "no gain", and how many
   queries get no dense hit at all (every cosine below the dense floor).

Deterministic: no sampling, sorted inputs, SVD/solve on fixed inputs. Training labels are
embedded in batches through the cached embedder, so a rerun embeds nothing new.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import simplemma

from credgraph.config import Settings
from credgraph.evaluation.metrics import mean_metrics
from credgraph.evaluation.retrieval import (
    CorpusSearcher,
    EvalInputs,
    read_inputs,
    run_queries,
    score_rankings,
)
from credgraph.runtime import make_embedder
from credgraph.search.embedder import CachedEmbedder
from credgraph.search.querymap import procrustes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEVSET = HERE / "devset"
CS_LABELS = ROOT / "data/esco/cs/occupations_cs_labels_esco_v1.0.9.csv.gz"
EN_OCCUPATIONS = ROOT / "data/esco/v1.1.1_en/occupations_en.csv.gz"
K = 10
FAMILIES = ("alt", "csalt", "csinfl", "nsk", "cstr")
MODES = ("dense", "hybrid")
ALPHAS = (0.25, 0.5, 0.75, 1.0)
RIDGE_LAMBDAS = (0.01, 0.1, 1.0, 10.0)
CZECH_LETTERS = set("áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ")

_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_ZERO_WIDTH)).strip()


def key(text: str) -> str:
    return unicodedata.normalize("NFC", clean(text)).casefold()


def _csv_gz(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rb") as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")))


def _query_texts(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t", 1)[1])
    return out


# --------------------------------------------------------------------------- training data


def training_pairs(
    excluded_texts: set[str], excluded_uris: set[str]
) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """(uri, Czech preferred, English preferred), sorted by URI, and drop counts."""
    en = {
        r["conceptUri"].strip(): clean(r["preferredLabel"])
        for r in _csv_gz(EN_OCCUPATIONS)
        if r["conceptUri"].strip() and clean(r["preferredLabel"])
    }
    cs: dict[str, str] = {}
    for r in _csv_gz(CS_LABELS):
        uri, text = r["conceptUri"].strip(), clean(r["surface_form"])
        if "/occupation/" in uri and text and r["corpus_element_id"].strip().endswith("_000"):
            cs[uri] = text
    dropped = {"not in v1.1.1": 0, "Czech text is a query text": 0, "same text": 0, "uri": 0}
    pairs = []
    for uri in sorted(cs):
        if uri not in en:
            dropped["not in v1.1.1"] += 1
        elif key(cs[uri]) in excluded_texts:
            dropped["Czech text is a query text"] += 1
        elif key(cs[uri]) == key(en[uri]):
            dropped["same text"] += 1
        elif uri in excluded_uris:
            dropped["uri"] += 1
        else:
            pairs.append((uri, cs[uri], en[uri]))
    return pairs, dropped


def ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    a = x64.T @ x64 + lam * np.eye(x.shape[1])
    return np.linalg.solve(a, x64.T @ y64).astype(np.float32)


def normalize(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return (m / n).astype(np.float32)


def translation_p1(w: np.ndarray | None, x: np.ndarray, y: np.ndarray) -> float:
    """Share of rows whose mapped vector's nearest y row is its own pair."""
    mapped = x if w is None else normalize(x @ w)
    return float(np.mean(np.argmax(mapped @ y.T, axis=1) == np.arange(len(x))))


# --------------------------------------------------------------------------- search wrapper


def looks_czech(text: str) -> bool:
    if any(c in CZECH_LETTERS for c in text):
        return True
    scores = dict(simplemma.langdetect(text, lang=("cs", "en")))
    return scores.get("cs", 0.0) > scores.get("en", 0.0)


class MappedEmbedder:
    """The cached embedder; query vectors optionally replaced by a blend with q W."""

    def __init__(self, inner: CachedEmbedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.w: np.ndarray | None = None
        self.alpha = 1.0
        self.gate: Callable[[str], bool] | None = None
        self.use = "blend"  # "blend", or "orig" / "mapped" for the max variant

    @property
    def computed(self) -> int:
        return self.inner.computed

    def embed(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        base = self.inner.embed(texts, role)  # type: ignore[arg-type]
        if role != "query" or self.w is None or self.use == "orig":
            return base
        out = base.copy()
        for i, text in enumerate(texts):
            if self.gate is not None and not self.gate(text):
                continue
            mapped = normalize(base[i] @ self.w)
            if self.use == "mapped":
                out[i] = mapped
            else:
                out[i] = normalize((1 - self.alpha) * base[i] + self.alpha * mapped)
        return out


def install_max(searcher: CorpusSearcher, emb: MappedEmbedder) -> Callable[[], None]:
    """Make the service's dense ranking the per-item max over q and q W; returns undo."""
    service = searcher.service
    original = service._dense_ranking

    def dense_max(query: str, allowed: Any, n: int, map_query: bool = True) -> Any:
        emb.use = "orig"
        r1, s1, d1 = original(query, allowed, n)
        if emb.gate is not None and not emb.gate(query):
            emb.use = "blend"
            return r1, s1, d1
        emb.use = "mapped"
        _, s2, d2 = original(query, allowed, n)
        emb.use = "blend"
        best, doc = dict(s1), dict(d1)
        for e, s in s2.items():
            if s > best.get(e, -np.inf):
                best[e], doc[e] = s, d2[e]
        ranking = sorted(best, key=lambda e: (-best[e], e))[:n]
        return ranking, {e: best[e] for e in ranking}, {e: doc[e] for e in ranking}

    service._dense_ranking = dense_max  # type: ignore[method-assign]

    def undo() -> None:
        del service._dense_ranking

    return undo


# --------------------------------------------------------------------------- evaluation


def per_query(rankings: dict[str, list[tuple[str, float]]], inputs: EvalInputs) -> dict[str, float]:
    """Reciprocal rank@10 by query id (scored queries only)."""
    rows, _, _ = score_rankings(rankings, inputs, K)
    return {r["qid"]: r["mrr@10"] for r in rows}


def summarize(rankings: dict[str, list[tuple[str, float]]], inputs: EvalInputs) -> dict[str, float]:
    _, scored, groups = score_rankings(rankings, inputs, K)
    out = {"all": mean_metrics(scored)["mrr@10"]}
    for f in FAMILIES:
        if f in groups:
            out[f] = mean_metrics(groups[f])["mrr@10"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache file")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()
    t_start = time.perf_counter()

    d = args.devset
    inputs = read_inputs(d / "corpus.tsv", d / "queries_dev.tsv", d / "qrels_dev.tsv")
    # held-out: query TEXTS only, to keep them out of training; never searched or scored
    excluded_texts = {key(t) for t in _query_texts(d / "queries_dev.tsv")}
    excluded_texts |= {key(t) for t in _query_texts(d / "queries_heldout.tsv")}
    dev_targets = {
        doc
        for qid, judged in inputs.qrels.items()
        if qid.split("-", 1)[0] in ("csalt", "csinfl")
        for doc, g in judged.items()
        if g > 0
    }
    pairs, dropped = training_pairs(excluded_texts, set())
    pairs_unseen, dropped_unseen = training_pairs(excluded_texts, dev_targets)

    overrides: dict[str, Any] = {"progress": False}
    if "search_query_cache_size" in Settings.model_fields:
        # a service-side LRU of query vectors would hand every variant the first variant's
        # vector for the same text: off, so each search asks the (wrapped) embedder
        overrides["search_query_cache_size"] = 0
    if args.cache is not None:
        overrides["embedding_cache"] = args.cache
    settings = Settings(**overrides)
    cached = make_embedder(settings)

    t0 = time.perf_counter()
    before = cached.computed
    cs_texts = [c for _, c, _ in pairs]
    en_texts = [e for _, _, e in pairs]
    x = cached.embed(cs_texts, "query")
    y_q = cached.embed(en_texts, "query")
    y_p = cached.embed(en_texts, "passage")
    t_embed = time.perf_counter() - t0
    embedded_train = cached.computed - before

    # ---- fit the maps; ridge λ and a sanity check on an 80/20 split of the pairs
    val = np.array([int(hashlib.sha1(u.encode()).hexdigest(), 16) % 5 == 0 for u, _, _ in pairs])
    diag: list[str] = []
    maps: dict[str, np.ndarray] = {}
    for target, y in (("query", y_q), ("passage", y_p)):
        xt, yt, xv, yv = x[~val], y[~val], x[val], y[val]
        line = [f"identity {translation_p1(None, xv, yv):.3f}"]
        line.append(f"procrustes {translation_p1(procrustes(xt, yt), xv, yv):.3f}")
        best_lam, best_p = RIDGE_LAMBDAS[0], -1.0
        for lam in RIDGE_LAMBDAS:
            p = translation_p1(ridge(xt, yt, lam), xv, yv)
            line.append(f"ridge λ={lam:g} {p:.3f}")
            if p > best_p:
                best_lam, best_p = lam, p
        diag.append(f"| {target} | " + " | ".join(line) + " |")
        maps[f"procrustes→{target}"] = procrustes(x, y)
        maps[f"ridge(λ={best_lam:g})→{target}"] = ridge(x, y, best_lam)
    keep = np.array([u not in dev_targets for u, _, _ in pairs])
    assert int(keep.sum()) == len(pairs_unseen)
    maps["procrustes→passage, unseen"] = procrustes(x[keep], y_p[keep])
    maps["procrustes→query, unseen"] = procrustes(x[keep], y_q[keep])
    # controls: no translation in the map at all
    maps["control: en query→en passage"] = procrustes(y_q, y_p)
    rotation, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((x.shape[1],) * 2))
    maps["control: random rotation"] = rotation.astype(np.float32)

    # ---- index once with the product's pipeline
    emb = MappedEmbedder(cached)
    t1 = time.perf_counter()
    searcher = CorpusSearcher.build(inputs.corpus.texts, settings, emb)  # type: ignore[arg-type]
    t_index = time.perf_counter() - t1
    queries = list(dict.fromkeys(inputs.queries.texts.values()))
    cached.embed(queries, "query")
    gate_fires = {qid: looks_czech(t) for qid, t in inputs.queries.texts.items()}

    # ---- run the variants: name → mode → rankings
    t2 = time.perf_counter()
    runs: dict[str, dict[str, dict[str, list[tuple[str, float]]]]] = {}

    def run(name: str) -> None:
        runs[name] = {m: run_queries(searcher, inputs.queries, K, m) for m in MODES}  # type: ignore[arg-type]
        print(f"  {name}: {time.perf_counter() - t2:.0f} s", file=sys.stderr)

    run("baseline")
    specs: list[tuple[str, str, float | None]] = []  # (name, map, alpha or None=max)
    for name in maps:
        if name.startswith("control"):
            alphas: tuple[float | None, ...] = (0.25,)
        elif name.startswith("ridge"):
            alphas = (0.25, 0.5, 1.0)
        elif "unseen" in name:
            alphas = (0.25, 0.5, 1.0, None)
        else:
            alphas = (0.1, *ALPHAS, None)
        specs += [(f"{name}, blend {a:g}" if a else f"{name}, max", name, a) for a in alphas]
    for vname, mname, alpha in specs:
        emb.w, emb.gate = maps[mname], None
        if alpha is None:
            undo = install_max(searcher, emb)
            run(vname)
            undo()
        else:
            emb.alpha = alpha
            run(vname)
    emb.w = None

    # gated = ungated ranking where the gate fires, baseline elsewhere (checked once below)
    gated_specs = [sp for sp in specs if sp[1].startswith("procrustes")]
    for vname, _, _ in gated_specs:
        runs[f"{vname}, gated"] = {
            m: {
                q: (runs[vname][m][q] if gate_fires[q] else runs["baseline"][m][q])
                for q in inputs.queries.texts
            }
            for m in MODES
        }
    check_name, check_map, check_alpha = specs[1]
    emb.w, emb.alpha, emb.gate = maps[check_map], float(check_alpha or 1.0), looks_czech
    direct = run_queries(searcher, inputs.queries, K, "hybrid")
    emb.w, emb.gate = None, None
    assert direct == runs[f"{check_name}, gated"]["hybrid"], "gated shortcut differs"
    assert direct != runs["baseline"]["hybrid"], "the mapped query vectors were not used"
    t_search = time.perf_counter() - t2

    # ---- report
    results = {v: {m: summarize(r[m], inputs) for m in MODES} for v, r in runs.items()}
    order = ["baseline"] + [s[0] for s in specs] + [f"{s[0]}, gated" for s in gated_specs]
    rr = {v: {m: per_query(r[m], inputs) for m in MODES} for v, r in runs.items()}
    qids = list(rr["baseline"]["dense"])
    resample = np.random.default_rng(0).integers(0, len(qids), (2000, len(qids)))

    def paired(v: str, mode: str) -> str:
        """queries better / worse than baseline, and the one-sided paired-bootstrap p of
        'no gain' (share of 2000 resamples whose mean difference is <= 0)."""
        diff = np.array([rr[v][mode][q] - rr["baseline"][mode][q] for q in qids])
        up, down = int((diff > 1e-12).sum()), int((diff < -1e-12).sum())
        p = float((diff[resample].mean(axis=1) <= 0).mean())
        return f"{up}/{down} | {p:.3f}"

    fam_counts = {
        f: sum(1 for q in inputs.queries.texts if q.startswith(f + "-")) for f in FAMILIES
    }
    gate_ok = {
        f: sum(
            1
            for q in inputs.queries.texts
            if q.startswith(f + "-") and gate_fires[q] == (f != "alt")
        )
        for f in FAMILIES
    }
    out = [
        "## Czech→English linear map on e5 query vectors (dev split, MRR@10)",
        "",
        f"Training pairs (Czech preferred ↔ English preferred occupation label): {len(pairs)}"
        f" (dropped: {dropped}); 'unseen' maps: {len(pairs_unseen)} pairs, without the "
        f"{len(dev_targets)} occupations that are dev csalt/csinfl targets.",
        "Gate (looks Czech) correct per family: "
        + ", ".join(f"{f} {gate_ok[f]}/{fam_counts[f]}" for f in FAMILIES)
        + " (alt should not fire, the others should).",
        "",
        "Label-translation top-1 on a 20% split of the training pairs (Czech query vector → "
        "nearest English label vector), which picks the ridge λ:",
        "",
        "| target | results |",
        "|---|---|",
        *diag,
        "",
    ]
    for mode in MODES:
        base = results["baseline"][mode]
        out += [
            f"### {mode}",
            "",
            "| variant | all | Δ all | better/worse | p | "
            + " | ".join(FAMILIES)
            + " | no dense hit |",
            "|---|---|---|---|---|" + "---|" * len(FAMILIES) + "---|",
        ]
        for v in order:
            r = results[v][mode]
            fam = " | ".join(f"{r.get(f, 0):.3f}" for f in FAMILIES)
            empty = sum(1 for ranking in runs[v]["dense"].values() if not ranking)
            out.append(
                f"| {v} | {r['all']:.3f} | {r['all'] - base['all']:+.3f} | "
                + ("– | –" if v == "baseline" else paired(v, mode))
                + f" | {fam} | {empty} |"
            )
        out.append("")
    total = time.perf_counter() - t_start
    out.append(
        f"Queries per family: {fam_counts}. Run time {total:.0f} s (training labels embedded "
        f"now: {embedded_train} in {t_embed:.0f} s; index {t_index:.0f} s; "
        f"{len(runs)} variants × {len(MODES)} modes searched/derived in {t_search:.0f} s)."
    )
    shown = ("search_candidates", "fusion_k", "fusion_weight_dense", "dense_min_score")
    shown += ("dense_index",) if "dense_index" in Settings.model_fields else ()
    out.append(
        "Settings: the defaults in force ("
        + ", ".join(f"{n}={getattr(settings, n)}" for n in shown)
        + f"); dense index structure: {getattr(searcher.service.dense, 'structure', 'flat')}."
    )
    print("\n".join(out))
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "pairs": len(pairs),
                    "dropped": dropped,
                    "pairs_unseen": len(pairs_unseen),
                    "dropped_unseen": dropped_unseen,
                    "results": results,
                    "per_query": rr,
                },
                indent=1,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
