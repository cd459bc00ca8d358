"""Measuring the product: retrieval quality of the search pipeline on any corpus.

- ``formats``: the corpus/queries TSV, TREC qrels and run files (readers, writer).
- ``metrics``: MRR@10, Recall@k, nDCG@10 as pure functions.
- ``retrieval``: ``CorpusSearcher`` (the production search pipeline over a plain-text
  corpus) and ``evaluate_retrieval`` (what ``credgraph eval retrieval`` runs).

docs/evaluation.md describes the command, the formats and the development set.
"""
