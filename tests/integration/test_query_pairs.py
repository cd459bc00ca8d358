"""Regression tests: the hand-written Czech/English query pairs that pass (top 5, hybrid).

benchmarks/query_pairs.tsv holds every pair with its expected item (chosen by a person
from the bundled labels); its ``pin`` column lists the languages measured to pass by
benchmarks/search_quality.py (results in benchmarks/RESULTS.md). A pinned pair that stops
passing is a regression.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import REPO, Bundled

pytestmark = pytest.mark.slow


def _pinned() -> list[tuple[str, str, str, str]]:
    path = Path(REPO / "benchmarks" / "query_pairs.tsv")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    cases = []
    for row in csv.DictReader(lines, delimiter="\t"):
        for lang in filter(None, (row["pin"] or "").split(",")):
            cases.append((row["id"], lang, row[f"{lang}_query"], row["expected_id"]))
    return cases


PINNED = _pinned()


def test_enough_pairs_are_pinned() -> None:
    assert len(PINNED) >= 30
    assert {lang for _, lang, _, _ in PINNED} == {"cs", "en"}


@pytest.mark.parametrize(
    ("pair", "lang", "query", "expected"), PINNED, ids=[f"{p}-{lang}" for p, lang, _, _ in PINNED]
)
def test_pinned_pair_in_top_5(
    bundled: Bundled, pair: str, lang: str, query: str, expected: str
) -> None:
    ids = [hit.id for hit in bundled.search.search(query, limit=5)]
    assert expected in ids, f"{pair} {lang} {query!r}: got {ids}"
