"""A plain BM25 baseline (bm25s) over the same corpus, for comparison with the product.

"Plain" on purpose: bm25s's own tokenizer (lower-case, Unicode word characters, tokens of
two or more characters), no stop words, no stemming, no accent folding, Lucene BM25 with
k1 = 1.5, b = 0.75 (bm25s's defaults). Each corpus text is one BM25 document; an item
scores by its best text (as the product aggregates an entity's labels), ties broken by
the item's first appearance in the corpus. Nothing of credgraph's search is used here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

BM25_TAG = "bm25s"
# how many texts to fetch per item wanted: items have several texts, and the top k items
# are found among the best texts; 8 per item is plenty for corpora with a few texts each
TEXTS_PER_ITEM = 8


class BM25Baseline:
    """bm25s over ``id → texts``; ``search`` answers (id, score) pairs, best first."""

    def __init__(self, corpus: Mapping[str, Sequence[str]]) -> None:
        import bm25s

        self._bm25s = bm25s
        self._owner: list[int] = []
        self._ids: list[str] = []
        texts: list[str] = []
        for index, (ident, item_texts) in enumerate(corpus.items()):
            self._ids.append(ident)
            for text in item_texts:
                texts.append(text)
                self._owner.append(index)
        tokens = bm25s.tokenize(texts, stopwords=None, show_progress=False)
        self._retriever = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)
        self._texts = len(texts)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        # as strings: the retriever maps them through its own vocabulary (unknown → nothing)
        tokens = self._bm25s.tokenize(
            [query], stopwords=None, return_ids=False, show_progress=False
        )
        if not tokens[0]:
            return []
        depth = min(self._texts, k * TEXTS_PER_ITEM)
        docs, scores = self._retriever.retrieve(tokens, k=depth, show_progress=False)
        best: dict[int, float] = {}
        for doc, score in zip(np.asarray(docs)[0], np.asarray(scores)[0], strict=True):
            if score <= 0:
                continue
            owner = self._owner[int(doc)]
            if float(score) > best.get(owner, 0.0):
                best[owner] = float(score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [(self._ids[owner], score) for owner, score in ranked]
