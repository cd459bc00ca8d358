"""Lexical index: BM25 over Czech-aware word forms plus BM25 over character n-grams.

Each indexed text is a *document* that belongs to an entity (a node); a document's score
is ``bm25_words + ngram_weight * bm25_ngrams / sqrt(#query n-grams)`` times the document's
field weight, and an entity scores the best of its documents. The word part rewards exact
words, lemmas and stems; the n-gram part finds inflected, compound and misspelt forms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from credgraph.errors import IndexMismatchError
from credgraph.search.text import analyze_words, char_ngrams

FORMAT_VERSION = 1


class BM25Matrix:
    """Documents × terms matrix of precomputed BM25 weights (CSC for column slicing)."""

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]) -> None:
        self.weights = weights
        self.vocabulary = vocabulary

    @classmethod
    def build(cls, analysed: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> BM25Matrix:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lengths = np.zeros(len(analysed), dtype=np.float32)
        for doc, terms in enumerate(analysed):
            lengths[doc] = len(terms)
            counts: dict[int, int] = {}
            for term in terms:
                col = vocabulary.setdefault(term, len(vocabulary))
                counts[col] = counts.get(col, 0) + 1
            for col, count in counts.items():
                rows.append(doc)
                cols.append(col)
                vals.append(count)
        n_docs = max(len(analysed), 1)
        tf = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(analysed), len(vocabulary)),
            dtype=np.float32,
        )
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocabulary))
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = float(lengths.mean()) if len(analysed) else 1.0
        norm = k1 * (1.0 - b + b * lengths / max(avgdl, 1e-9))
        coo = tf.tocoo()
        weight = idf[coo.col] * coo.data * (k1 + 1.0) / (coo.data + norm[coo.row])
        matrix = sparse.csc_matrix(
            (weight.astype(np.float32), (coo.row, coo.col)), shape=tf.shape, dtype=np.float32
        )
        return cls(matrix, vocabulary)

    def score(self, terms: Sequence[str]) -> tuple[NDArray[np.float32], int]:
        """Score of every document, and how many query terms the index knows."""
        scores, _, known = self.score_and_matches(terms)
        return scores, known

    def score_and_matches(
        self, terms: Sequence[str]
    ) -> tuple[NDArray[np.float32], NDArray[np.int64], int]:
        """Scores, the number of distinct query terms each document contains, known terms."""
        cols = sorted({self.vocabulary[t] for t in terms if t in self.vocabulary})
        n_docs = self.weights.shape[0]
        if not cols:
            return np.zeros(n_docs, dtype=np.float32), np.zeros(n_docs, dtype=np.int64), 0
        sub = self.weights[:, cols]
        scores = np.asarray(sub.sum(axis=1), dtype=np.float32).ravel()
        matches = np.bincount(sub.indices, minlength=n_docs).astype(np.int64)
        return scores, matches, len(cols)


class LexicalIndex:
    """BM25 words + BM25 n-grams over documents grouped by entity."""

    def __init__(
        self,
        words: BM25Matrix,
        ngrams: BM25Matrix,
        doc_entity: NDArray[np.int64],
        doc_weight: NDArray[np.float32],
        ngram_weight: float = 0.6,
        min_ngram_coverage: float = 0.5,
    ) -> None:
        self.min_ngram_coverage = min_ngram_coverage
        self.words = words
        self.ngrams = ngrams
        self.doc_entity = doc_entity
        self._segments = self._group_segments(doc_entity)
        self.doc_weight = doc_weight
        self.ngram_weight = ngram_weight

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        doc_entity: Sequence[int],
        doc_weight: Sequence[float],
        progress: Callable[[Sequence[str]], Sequence[str]] | None = None,
        ngram_weight: float = 0.6,
    ) -> LexicalIndex:
        items = progress(texts) if progress else texts
        word_docs: list[list[str]] = []
        gram_docs: list[list[str]] = []
        for text in items:
            word_docs.append(analyze_words(text))
            gram_docs.append(char_ngrams(text))
        return cls(
            BM25Matrix.build(word_docs),
            BM25Matrix.build(gram_docs),
            np.asarray(doc_entity, dtype=np.int64),
            np.asarray(doc_weight, dtype=np.float32),
            ngram_weight,
        )

    def doc_scores(self, query: str) -> NDArray[np.float32]:
        word_scores, _ = self.words.score(analyze_words(query))
        grams = set(char_ngrams(query))
        gram_scores, gram_matches, _ = self.ngrams.score_and_matches(sorted(grams))
        # n-grams alone are weak evidence ("care" shares "are" with "svářeč"): a document
        # with no shared word form counts only if it has most of the query's n-grams
        covered = gram_matches >= self.min_ngram_coverage * max(len(grams), 1)
        gram_scores = np.where((word_scores > 0) | covered, gram_scores, 0.0)
        scale = self.ngram_weight / math.sqrt(max(len(grams), 1))
        return ((word_scores + scale * gram_scores) * self.doc_weight).astype(np.float32)

    @staticmethod
    def _group_segments(
        doc_entity: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
        """(entities, first doc of each) when documents are grouped by entity, else None."""
        if doc_entity.size == 0 or not bool(np.all(doc_entity[1:] >= doc_entity[:-1])):
            return None
        ents = np.unique(doc_entity)
        return ents, np.searchsorted(doc_entity, ents).astype(np.int64)

    def entity_scores(
        self, query: str, n_entities: int
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Best document score per entity, and the index of that best document (-1: none)."""
        scores = self.doc_scores(query)
        best = np.zeros(n_entities, dtype=np.float32)
        segments = self._segments
        if segments is not None:
            # documents are stored entity by entity: a segmented max, no sort
            ents, starts = segments
            best[ents] = np.maximum.reduceat(scores, starts)
        else:
            np.maximum.at(best, self.doc_entity, scores)
        best_doc = np.full(n_entities, -1, dtype=np.int64)
        winners = np.nonzero((scores > 0) & (scores >= best[self.doc_entity]))[0]
        if winners.size:
            ents_of = self.doc_entity[winners]
            order = np.argsort(ents_of, kind="stable")  # a no-op when grouped
            winners, ents_of = winners[order], ents_of[order]
            first = np.ones(winners.size, dtype=bool)
            first[1:] = ents_of[1:] != ents_of[:-1]
            best_doc[ents_of[first]] = winners[first]
        return best, best_doc

    # -- persistence ------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        sparse.save_npz(folder / "lexical_words.npz", self.words.weights)
        sparse.save_npz(folder / "lexical_ngrams.npz", self.ngrams.weights)
        np.save(folder / "lexical_doc_entity.npy", self.doc_entity)
        np.save(folder / "lexical_doc_weight.npy", self.doc_weight)
        meta = {
            "format": FORMAT_VERSION,
            "ngram_weight": self.ngram_weight,
            "words_vocabulary": self.words.vocabulary,
            "ngrams_vocabulary": self.ngrams.vocabulary,
        }
        (folder / "lexical.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        meta_path = folder / "lexical.json"
        if not meta_path.exists():
            raise IndexMismatchError(
                f"no lexical index in {folder}",
                hint="run `credgraph ingest` to build the search index",
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"lexical index in {folder} has format {meta.get('format')}",
                hint="run `credgraph ingest` again",
            )
        words = BM25Matrix(
            sparse.csc_matrix(sparse.load_npz(folder / "lexical_words.npz")),
            meta["words_vocabulary"],
        )
        ngrams = BM25Matrix(
            sparse.csc_matrix(sparse.load_npz(folder / "lexical_ngrams.npz")),
            meta["ngrams_vocabulary"],
        )
        return cls(
            words,
            ngrams,
            np.load(folder / "lexical_doc_entity.npy"),
            np.load(folder / "lexical_doc_weight.npy"),
            float(meta["ngram_weight"]),
        )
