"""Search quality on the hand-written Czech/English query pairs (benchmarks/query_pairs.tsv).

For every pair and language, the rank of the expected item in hybrid, lexical and dense
mode (top 10 looked at; "hit@5" = found in the top 5). Prints a Markdown table and the
totals; `--json FILE` also writes the raw ranks.

    python benchmarks/search_quality.py --data-dir DIR     # an ingested data folder
    python benchmarks/search_quality.py                    # ingests the bundled data first
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from pathlib import Path

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.runtime import make_embedder, open_search, run_ingest

HERE = Path(__file__).resolve().parent
MODES = ("hybrid", "lexical", "dense")


def load_pairs(path: Path = HERE / "query_pairs.tsv") -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    tmp = None
    if args.data_dir is None:
        tmp = tempfile.TemporaryDirectory()
        settings = Settings(
            data_dir=Path(tmp.name),
            progress=False,
            embedding_cache=HERE.parent / ".cache" / "embeddings-bench.sqlite",
        )
        run_ingest(settings)
    else:
        settings = Settings(data_dir=args.data_dir, progress=False)
    store = EmbeddedGraphStore(settings.store_path)
    service = open_search(settings, store, make_embedder(settings))
    pairs = load_pairs()
    ranks: list[dict[str, object]] = []
    for pair in pairs:
        row: dict[str, object] = {"id": pair["id"], "expected": pair["expected_id"]}
        for lang in ("cs", "en"):
            query = pair[f"{lang}_query"]
            for mode in MODES:
                hits = service.search(query, limit=10, mode=mode)  # type: ignore[arg-type]
                ids = [h.id for h in hits]
                row[f"{lang}_{mode}"] = (
                    ids.index(pair["expected_id"]) + 1 if pair["expected_id"] in ids else None
                )
        ranks.append(row)
    store.close()

    def cell(rank: object) -> str:
        return "–" if rank is None else str(rank)

    print(
        "| pair | cs query | en query | "
        + " | ".join(f"{lang} {mode}" for lang in ("cs", "en") for mode in MODES)
        + " |"
    )
    print("|---" * (3 + 2 * len(MODES)) + "|")
    for pair, row in zip(pairs, ranks, strict=True):
        print(
            f"| {pair['id']} | {pair['cs_query']} | {pair['en_query']} | "
            + " | ".join(cell(row[f"{lang}_{mode}"]) for lang in ("cs", "en") for mode in MODES)
            + " |"
        )
    print()
    print("hit@5 (expected item in the top 5), out of", len(pairs), "pairs:")
    for lang in ("cs", "en"):
        parts = []
        for mode in MODES:
            n = sum(
                1
                for r in ranks
                if isinstance(r[f"{lang}_{mode}"], int) and int(r[f"{lang}_{mode}"]) <= 5
            )  # type: ignore[call-overload]
            parts.append(f"{mode} {n}")
        print(f"- {lang}: " + ", ".join(parts))
    both = sum(
        1
        for r in ranks
        if all(
            isinstance(r[f"{lang}_hybrid"], int) and int(r[f"{lang}_hybrid"]) <= 5  # type: ignore[call-overload]
            for lang in ("cs", "en")
        )
    )
    print(f"- both languages (hybrid): {both}")
    if args.json:
        args.json.write_text(json.dumps(ranks, indent=1), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
