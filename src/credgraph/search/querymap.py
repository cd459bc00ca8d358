"""A Czech → English map of query vectors, learned from the graph's parallel labels.

multilingual-e5 puts a Czech query and the English text it translates near each other,
but not near enough: a Czech query for an English-only ESCO skill often ranks Czech
texts that share a word with it above the English item it means. The ESCO occupations
have a preferred label in both languages (3,595 pairs with the ISCO groups in the
bundled data), which gives a supervised correction: an orthogonal map W (Procrustes: the
rotation that best carries the e5 *query* vectors of the Czech labels onto the e5
*passage* vectors of their English labels), applied to every query as

    q' = normalise((1 - a) q + a normalise(q W))          a = CREDGRAPH_DENSE_QUERY_MAP_BLEND

A small blend keeps what the query already matches (English queries, Czech items) and
pulls Czech queries towards the English wording. Chosen on the dev split of the
development set (a ≥ 0.5 lost more within Czech than it gained across languages); on the
held-out split it is neutral overall and helps dense Czech → English (benchmarks/RESULTS.md).
The mapped vector orders the dense candidates; the dense floor is checked on the plain
query's cosine (SearchService._dense_ranking).

The map is fitted when the search index is built (``credgraph ingest``) and saved with it
(``query_map.npy``); ``credgraph eval retrieval`` fits its own from the data folder's graph
without the pairs whose Czech text is one of the queries it scores.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from credgraph.errors import IndexMismatchError
from credgraph.search.embedder import Embedder

MAP_FILE = "query_map.npy"
MAP_INFO = "query_map.json"
MIN_PAIRS = 200  # fewer pairs than this fit a 384×384 rotation poorly: no map


def text_key(text: str) -> str:
    """Case-folded, NFC, single-spaced: how query texts are compared with label texts."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def translation_pairs(
    entities: Iterable[tuple[str, dict[str, str]]], exclude: set[str] | None = None
) -> list[tuple[str, str]]:
    """(Czech, English) preferred labels of the entities that have both, sorted by entity
    id; pairs whose texts are the same, or whose Czech text (``text_key``) is in
    ``exclude``, are left out."""
    exclude = exclude or set()
    pairs = []
    for _, labels in sorted(entities, key=lambda item: item[0]):
        cs, en = (labels.get("cs") or "").strip(), (labels.get("en") or "").strip()
        if not cs or not en or text_key(cs) == text_key(en) or text_key(cs) in exclude:
            continue
        pairs.append((cs, en))
    return pairs


def procrustes(x: NDArray[np.float32], y: NDArray[np.float32]) -> NDArray[np.float32]:
    """The orthogonal W minimising ‖x W - y‖ (W = U Vᵀ from the SVD of xᵀ y)."""
    u, _, vt = np.linalg.svd(x.astype(np.float64).T @ y.astype(np.float64))
    return np.asarray(u @ vt, dtype=np.float32)


def _normalise(m: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(m / norms, dtype=np.float32)


@dataclass(slots=True)
class QueryMap:
    matrix: NDArray[np.float32]
    model_id: str
    pairs: int
    # share of training pairs whose Czech query vector has its own English label as the
    # nearest English vector, before and after the map (a sanity check, not a quality claim)
    train_top1_before: float
    train_top1_after: float

    def apply(self, vector: NDArray[np.float32], blend: float) -> NDArray[np.float32]:
        if blend <= 0:
            return vector
        mapped = _normalise(vector @ self.matrix)
        return _normalise((1 - blend) * vector + blend * mapped)

    def info(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "dimension": int(self.matrix.shape[0]),
            "pairs": self.pairs,
            "train_top1_before": round(self.train_top1_before, 4),
            "train_top1_after": round(self.train_top1_after, 4),
        }

    def save(self, folder: Path) -> None:
        np.save(folder / MAP_FILE, self.matrix)
        (folder / MAP_INFO).write_text(json.dumps(self.info(), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, model_id: str, dimension: int) -> QueryMap | None:
        """The map saved in an index folder, or None when the index has none (an index
        built before query maps existed). A damaged map is refused, never used: a matrix
        of NaN would silently switch the dense retriever off."""
        matrix_path, info_path = folder / MAP_FILE, folder / MAP_INFO
        if not matrix_path.exists() and not info_path.exists():
            return None

        def refuse(why: str) -> IndexMismatchError:
            return IndexMismatchError(
                f"the query map in {folder} is unusable: {why}",
                hint="run `credgraph ingest` again to rebuild the index",
            )

        if not (matrix_path.exists() and info_path.exists()):
            missing = MAP_FILE if not matrix_path.exists() else MAP_INFO
            raise refuse(f"{missing} is missing")
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise refuse(f"{MAP_INFO} is not readable JSON ({type(exc).__name__})") from exc
        if not isinstance(info, dict):
            raise refuse(f"{MAP_INFO} is not a JSON object")
        try:
            matrix = np.load(matrix_path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise refuse(f"{MAP_FILE} is not a valid NumPy matrix file") from exc
        if info.get("model_id") != model_id:
            raise refuse(f"it was fitted for model {info.get('model_id')!r}, not {model_id!r}")
        if matrix.shape != (dimension, dimension) or not np.issubdtype(matrix.dtype, np.floating):
            raise refuse(
                f"{MAP_FILE} holds a {matrix.dtype} array of shape {matrix.shape}, "
                f"not a {dimension} x {dimension} float matrix"
            )
        matrix = np.asarray(matrix, dtype=np.float32)
        if not np.all(np.isfinite(matrix)):
            raise refuse(f"{MAP_FILE} has values that are not finite")
        # fit_query_map only makes rotations: anything else was not written by it
        drift = float(np.max(np.abs(matrix @ matrix.T - np.eye(dimension, dtype=np.float32))))
        if drift > 1e-3:
            raise refuse(f"{MAP_FILE} is not an orthogonal matrix (max |W Wᵀ - I| = {drift:.3g})")
        try:
            return cls(
                matrix,
                model_id,
                int(info.get("pairs", 0)),
                float(info.get("train_top1_before", 0.0)),
                float(info.get("train_top1_after", 0.0)),
            )
        except (TypeError, ValueError) as exc:
            raise refuse(f"{MAP_INFO} has a field of the wrong type") from exc


def fit_query_map(pairs: list[tuple[str, str]], embedder: Embedder) -> QueryMap | None:
    """Fit the map on (Czech, English) label pairs; None with fewer than MIN_PAIRS."""
    if len(pairs) < MIN_PAIRS:
        return None
    x = _normalise(embedder.embed([cs for cs, _ in pairs], "query"))
    y = _normalise(embedder.embed([en for _, en in pairs], "passage"))
    matrix = procrustes(x, y)
    own = np.arange(len(pairs))
    before = float(np.mean(np.argmax(x @ y.T, axis=1) == own))
    after = float(np.mean(np.argmax(_normalise(x @ matrix) @ y.T, axis=1) == own))
    return QueryMap(matrix, embedder.model_id, len(pairs), before, after)
