"""Skill alignment quality on the hand-labelled set (benchmarks/alignment_gold.tsv).

    python benchmarks/alignment_quality.py --data-dir DIR    # an ingested data folder

For each labelled competence / learning outcome: the top 5 ESCO skills from
``credgraph.reasoning.alignment.skill_candidates`` in dense, hybrid and lexical mode.
precision@1: the first skill is one of the labelled ones; recall@5: share of the labelled
skills found in the top 5 (averaged over items). With the production threshold
(CREDGRAPH_ALIGN_MIN_SCORE) and top k (CREDGRAPH_ALIGN_TOP_K): how many items get at least
one edge, and how many of those edges are correct.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.reasoning.alignment import skill_candidates
from credgraph.runtime import make_embedder, open_search

HERE = Path(__file__).resolve().parent


def load_gold(path: Path = HERE / "alignment_gold.tsv") -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, progress=False)
    store = EmbeddedGraphStore(settings.store_path)
    search = open_search(settings, store, make_embedder(settings))
    gold = load_gold()
    print(
        f"{len(gold)} labelled items; threshold {settings.align_min_score}, "
        f"top k {settings.align_top_k}\n"
    )
    print("| mode | precision@1 | recall@5 | items with ≥1 edge | edges correct |")
    print("|---|---|---|---|---|")
    for mode in ("dense", "hybrid", "lexical"):
        p1 = r5 = 0.0
        with_edge = edges = correct = 0
        for row in gold:
            expected = {u.strip() for u in row["skill_uris"].split(",") if u.strip()}
            cands = skill_candidates(search, row["text"], settings, k=5, mode=mode)  # type: ignore[arg-type]
            ids = [c.skill_id for c in cands]
            p1 += 1.0 if ids[:1] and ids[0] in expected else 0.0
            r5 += len(expected & set(ids[:5])) / len(expected)
            kept = [
                c
                for c in cands[: settings.align_top_k]
                if c.method == "semantic" and c.score >= settings.align_min_score
            ]
            with_edge += 1 if kept else 0
            edges += len(kept)
            correct += sum(1 for c in kept if c.skill_id in expected)
        n = len(gold)
        print(f"| {mode} | {p1 / n:.3f} | {r5 / n:.3f} | {with_edge}/{n} | {correct}/{edges} |")
    store.close()


if __name__ == "__main__":
    main()
