"""Reciprocal rank fusion: values computed by hand from the formula Σ w / (k + rank)."""

from __future__ import annotations

import pytest

from credgraph.search.fusion import reciprocal_rank_fusion


def test_hand_computed_scores() -> None:
    fused = reciprocal_rank_fusion({"a": ["x", "y"], "b": ["y", "z"]}, k=1)
    # x: 1/(1+1) = 0.5; y: 1/(1+2) + 1/(1+1) = 0.8333; z: 1/(1+2) = 0.3333
    assert [i for i, _ in fused] == ["y", "x", "z"]
    assert fused[0][1] == pytest.approx(1 / 3 + 1 / 2)
    assert fused[1][1] == pytest.approx(0.5)
    assert fused[2][1] == pytest.approx(1 / 3)


def test_weights_and_zero_weight() -> None:
    fused = reciprocal_rank_fusion({"a": ["x"], "b": ["y"]}, {"a": 2.0, "b": 1.0}, k=60)
    assert fused == [("x", pytest.approx(2 / 61)), ("y", pytest.approx(1 / 61))]
    only_b = reciprocal_rank_fusion({"a": ["x"], "b": ["y"]}, {"a": 0.0}, k=60)
    assert [i for i, _ in only_b] == ["y"]


def test_ties_break_by_id_and_duplicates_count_once() -> None:
    fused = reciprocal_rank_fusion({"a": ["b", "b", "a"], "c": ["a", "b"]}, k=10)
    # b: 1/11 + 1/12; a: 1/12 (second "b" ignored, so "a" is rank 3 in list a: 1/13) + 1/11
    assert fused[0][1] == pytest.approx(1 / 11 + 1 / 12)
    assert fused[1] == ("a", pytest.approx(1 / 13 + 1 / 11))
    tie = reciprocal_rank_fusion({"a": ["q"], "b": ["p"]}, k=5)
    assert [i for i, _ in tie] == ["p", "q"]


def test_empty_and_bad_k() -> None:
    assert reciprocal_rank_fusion({}) == []
    assert reciprocal_rank_fusion({"a": []}) == []
    with pytest.raises(ValueError):
        reciprocal_rank_fusion({"a": ["x"]}, k=0)
