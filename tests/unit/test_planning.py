"""Set cover and totals on hand-made cases (answers worked out by hand in the comments)."""

from __future__ import annotations

from credgraph.models import Node, NodeKind
from credgraph.reasoning.planning import (
    Candidate,
    choose,
    exact_covers,
    greedy_cover,
    parse_price,
    prerequisite_order,
    totals,
)


def _cand(cid: str, covers: str, hours: float | None = None, price: str | None = None) -> Candidate:
    props: dict = {"hours": hours, "price": price}  # type: ignore[type-arg]
    node = Node(cid, NodeKind.CREDENTIAL, {"cs": cid}, props=props)
    return Candidate(node, {r: {"method": "declared"} for r in covers})


# Requirements a..f. "big" covers a,b,c,d; "x" covers a,b,e; "y" covers c,d,f.
# Greedy takes "big" (4 new), then needs "x" (e) and "y" (f): 3 items.
# The optimum is {x, y}: 2 items covering all six.
CASE = [_cand("big", "abcd"), _cand("x", "abe"), _cand("y", "cdf")]


def test_greedy_is_not_optimal_here_but_exact_is() -> None:
    assert [c.id for c in greedy_cover(CASE)] == ["big", "x", "y"]
    (best, *_) = exact_covers(CASE, 1)
    assert sorted(c.id for c in best) == ["x", "y"]


def test_exact_alternatives_are_distinct_and_next_best() -> None:
    sets = exact_covers(CASE, 3)
    as_ids = [sorted(c.id for c in s) for s in sets]
    # the covering sets are {x, y} and {big, x, y}; the second contains the first (a
    # redundant item), so it is no alternative
    assert as_ids == [["x", "y"]]
    # p and q each cover a, b; r covers c. Covers: {p, r}, {q, r} (2 items each).
    two = [_cand("p", "ab", hours=5), _cand("q", "ab", hours=8), _cand("r", "c")]
    as_ids = [sorted(c.id for c in s) for s in exact_covers(two, 3)]
    assert as_ids == [["p", "r"], ["q", "r"]]  # fewer known hours first


def test_choose_switches_to_greedy_above_the_limit() -> None:
    sets, method, guarantee = choose(CASE, 1, exact_max=2)
    assert [c.id for c in sets[0]] == ["big", "x", "y"]
    assert method == "greedy-set-cover" and not guarantee["optimal"]
    # the largest candidate covers 4: H(4) = 1 + 1/2 + 1/3 + 1/4 = 2.08
    assert "2.08" in guarantee["bound"]
    _, method, guarantee = choose(CASE, 1, exact_max=3)
    assert method == "milp-set-cover" and guarantee["optimal"]


def test_exact_prefers_fewer_known_hours_on_a_tie() -> None:
    cands = [_cand("long", "ab", hours=100), _cand("short", "ab", hours=10)]
    (best, *_) = exact_covers(cands, 1)
    assert [c.id for c in best] == ["short"]


def test_price_parsing_is_conservative() -> None:
    assert parse_price("4 800 Kč") == (4800.0, "CZK")
    assert parse_price("5500,- Kč") == (5500.0, "CZK")
    assert parse_price("1 840 €") == (1840.0, "EUR")
    assert parse_price("bez poplatku (free)") == (0.0, None)
    assert parse_price("600 Kč za kredit") is None
    assert parse_price(None) is None


def test_totals_only_sum_what_every_item_states() -> None:
    a = _cand("a", "", hours=10, price="4 800 Kč").node
    b = _cand("b", "", hours=None, price="1 840 €").node
    t = totals([a, b])
    assert t["hours"] is None and t["hours_known_for"] == 1 and t["hours_at_least"] == 10
    assert t["price"] is None  # two currencies
    assert [p["price"] for p in t["price_texts"]] == ["4 800 Kč", "1 840 €"]
    c = _cand("c", "", hours=5, price="zdarma").node
    t2 = totals([a, c])
    assert t2["hours"] == 15 and t2["price"] == {"amount": 4800.0, "currency": "CZK"}


def test_prerequisites_come_first_then_eqf_order() -> None:
    # eqf: a=5, b=3, c=4. Without prerequisites the order is b, c, a (EQF ascending).
    # a is a prerequisite of b, so b must wait for a: c (4) and a (5) are free first,
    # c has the smaller key, then a, then b.
    eqf = {"a": 5, "b": 3, "c": 4}
    key = lambda i: (eqf[i], i)  # noqa: E731
    assert prerequisite_order(["a", "b", "c"], {}, key) == (["b", "c", "a"], False)
    assert prerequisite_order(["a", "b", "c"], {"b": ["a"]}, key) == (["c", "a", "b"], False)
    # prerequisites outside the steps (held, or unknown) do not hold a step back
    assert prerequisite_order(["b"], {"b": ["x"]}, key) == (["b"], False)


def test_prerequisite_cycle_is_broken_and_said() -> None:
    # a needs b, b needs a: nothing is free; the smaller key (b, EQF 3) goes first
    eqf = {"a": 5, "b": 3}
    order, cycle = prerequisite_order(["a", "b"], {"a": ["b"], "b": ["a"]}, lambda i: (eqf[i],))
    assert order == ["b", "a"] and cycle is True
